package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/sigaudit/sigaudit/timeline"
)

// Limits of the HTTP source.
const (
	MaxListingSize = 8 << 20 // a directory listing
	maxRedirects   = 5
)

// HTTP is a mirror of python.org/ftp/python/ over HTTP(S).
type HTTP struct {
	base   *url.URL
	client *http.Client
	// IdleTimeout ends a download that delivers no byte for this long
	// (slow-loris bodies).
	IdleTimeout time.Duration
	// Tries is how many times a request is tried on network errors and
	// 5xx answers, with exponential backoff.
	Tries uint
	// Cache, if set, keeps downloaded files; writes are atomic (a temp
	// file renamed on complete download), so no partial file is left.
	Cache string
}

// NewHTTP makes a source for base (which must be an http or https URL).
func NewHTTP(base string, timeout time.Duration) (*HTTP, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bad source URL %q: want http(s)://host/path/", base)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	h := &HTTP{base: u, IdleTimeout: 30 * time.Second, Tries: 3}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 15 * time.Second}).DialContext,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   16,
	}
	h.client = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			if req.URL.Host != u.Host || req.URL.Scheme != u.Scheme {
				return fmt.Errorf("redirect to another host refused: %s", req.URL.Redacted())
			}
			return nil
		},
	}
	return h, nil
}

// Client is the HTTP client the source uses (same-host redirects only).
func (h *HTTP) Client() *http.Client { return h.client }

// SetTransport replaces the HTTP transport (tests: TLS test servers).
func (h *HTTP) SetTransport(rt http.RoundTripper) { h.client.Transport = rt }

func (h *HTTP) String() string { return h.base.Redacted() }

// statusError is a non-2xx answer.
type statusError struct {
	url  string
	code int
}

func (e *statusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", e.url, e.code) }

// get fetches u with retries; the caller closes the body.
func (h *HTTP) get(ctx context.Context, u *url.URL) (*http.Response, error) {
	op := func() (*http.Response, error) {
		rctx, cancel := context.WithCancel(ctx)
		req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
		if err != nil {
			cancel()
			return nil, backoff.Permanent(err)
		}
		req.Header.Set("User-Agent", "sigaudit")
		resp, err := h.client.Do(req)
		if err != nil {
			cancel()
			var ue *url.Error
			if errors.As(err, &ue) && strings.Contains(ue.Err.Error(), "redirect") {
				return nil, backoff.Permanent(err)
			}
			if ctx.Err() != nil {
				return nil, backoff.Permanent(err)
			}
			return nil, err
		}
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			resp.Body.Close()
			cancel()
			return nil, backoff.Permanent(fmt.Errorf("%s: %w", u.Redacted(), ErrNotFound))
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			resp.Body.Close()
			cancel()
			err := &statusError{url: u.Redacted(), code: resp.StatusCode}
			if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
				return nil, err
			}
			return nil, backoff.Permanent(err)
		}
		resp.Body = &idleBody{rc: resp.Body, cancel: cancel, idle: h.IdleTimeout}
		return resp, nil
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 200 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	resp, err := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxTries(max(h.Tries, 1)))
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// idleBody cancels the request when no byte arrives for idle.
type idleBody struct {
	rc     io.ReadCloser
	cancel context.CancelFunc
	idle   time.Duration
	once   sync.Once
	timer  *time.Timer
	mu     sync.Mutex
	fired  bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.once.Do(func() {
		b.timer = time.AfterFunc(b.idle, func() {
			b.mu.Lock()
			b.fired = true
			b.mu.Unlock()
			b.cancel()
		})
	})
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(b.idle)
	}
	if err != nil && err != io.EOF {
		b.mu.Lock()
		fired := b.fired
		b.mu.Unlock()
		if fired {
			return n, fmt.Errorf("no data for %v: %w", b.idle, err)
		}
	}
	return n, err
}

func (b *idleBody) Close() error {
	if b.timer != nil {
		b.timer.Stop()
	}
	b.cancel()
	return b.rc.Close()
}

var hrefRE = lazyRE(`(?i)<a\s[^>]*href\s*=\s*["']([^"'<>]*)["']`)

// listing fetches a directory page and returns the link targets that are
// direct children of dir (same scheme and host, no "..", no query).
func (h *HTTP) listing(ctx context.Context, dir *url.URL) ([]string, error) {
	resp, err := h.get(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxListingSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading listing %s: %w", dir.Redacted(), err)
	}
	if len(b) > MaxListingSize {
		return nil, fmt.Errorf("listing %s is larger than %d bytes", dir.Redacted(), MaxListingSize)
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range hrefRE().FindAllSubmatch(b, -1) {
		ref, err := url.Parse(string(m[1]))
		if err != nil || ref.RawQuery != "" {
			continue
		}
		abs := dir.ResolveReference(ref)
		if abs.Scheme != dir.Scheme || abs.Host != dir.Host || !strings.HasPrefix(abs.Path, dir.Path) {
			continue // off-host, or outside this directory (../, absolute)
		}
		rest := strings.TrimPrefix(abs.Path, dir.Path)
		isDir := strings.HasSuffix(rest, "/")
		rest = strings.TrimSuffix(rest, "/")
		if !SafeName(rest) || strings.Contains(rest, "/") {
			continue
		}
		if isDir {
			rest += "/"
		}
		if !seen[rest] {
			seen[rest] = true
			out = append(out, rest)
		}
	}
	return out, nil
}

// Versions implements Source.
func (h *HTTP) Versions(ctx context.Context) ([]string, error) {
	links, err := h.listing(ctx, h.base)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range links {
		v := strings.TrimSuffix(l, "/")
		if _, err := timeline.ParseVersion(v); err == nil && strings.HasSuffix(l, "/") {
			out = append(out, v)
		}
	}
	SortVersions(out)
	return out, nil
}

func (h *HTTP) dirURL(version string) (*url.URL, error) {
	if !SafeName(version) {
		return nil, fmt.Errorf("unsafe directory name %q", version)
	}
	return h.base.ResolveReference(&url.URL{Path: url.PathEscape(version) + "/"}), nil
}

// List implements Source.
func (h *HTTP) List(ctx context.Context, version string) ([]string, error) {
	u, err := h.dirURL(version)
	if err != nil {
		return nil, err
	}
	links, err := h.listing(ctx, u)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range links {
		if !strings.HasSuffix(l, "/") {
			out = append(out, l)
		}
	}
	return out, nil
}

// URL is where a file of the tree lives.
func (h *HTTP) URL(version, name string) (*url.URL, error) {
	u, err := h.dirURL(version)
	if err != nil {
		return nil, err
	}
	if !SafeName(name) {
		return nil, fmt.Errorf("unsafe file name %q", name)
	}
	return u.ResolveReference(&url.URL{Path: url.PathEscape(name)}), nil
}

// Open implements Source.
func (h *HTTP) Open(ctx context.Context, version, name string) (io.ReadCloser, error) {
	u, err := h.URL(version, name)
	if err != nil {
		return nil, err
	}
	if h.Cache != "" {
		p := h.cachePath(version, name)
		if f, err := os.Open(p); err == nil {
			return f, nil
		}
	}
	resp, err := h.get(ctx, u)
	if err != nil {
		return nil, err
	}
	if h.Cache == "" {
		return resp.Body, nil
	}
	return newCacheWriter(resp.Body, h.cachePath(version, name)), nil
}

func (h *HTTP) cachePath(version, name string) string {
	host := strings.NewReplacer(":", "_", "/", "_").Replace(h.base.Host)
	return filepath.Join(h.Cache, host, version, name)
}

// cacheWriter tees a body into a temp file and renames it into place only
// when the body was read to a clean EOF.
type cacheWriter struct {
	rc    io.ReadCloser
	final string
	tmp   *os.File
	err   error
	done  bool
}

func newCacheWriter(rc io.ReadCloser, final string) *cacheWriter {
	c := &cacheWriter{rc: rc, final: final}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		c.err = err
		return c
	}
	c.tmp, c.err = os.CreateTemp(filepath.Dir(final), ".part-*")
	return c
}

func (c *cacheWriter) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if n > 0 && c.tmp != nil && c.err == nil {
		if _, werr := c.tmp.Write(p[:n]); werr != nil {
			c.err = werr
		}
	}
	if err == io.EOF {
		c.done = true
	}
	return n, err
}

func (c *cacheWriter) Close() error {
	err := c.rc.Close()
	if c.tmp == nil {
		return err
	}
	name := c.tmp.Name()
	cerr := c.tmp.Close()
	if c.done && c.err == nil && cerr == nil {
		if rerr := os.Rename(name, c.final); rerr == nil {
			return err
		}
	}
	os.Remove(name)
	return err
}
