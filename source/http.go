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
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/sigaudit/sigaudit/timeline"
)

// Limits of the HTTP source.
const (
	maxListingSize = 8 << 20 // a directory listing
	// defaultMaxFileSize caps every download whose size the API does not
	// give (python.org's largest artifacts are a few hundred MB).
	defaultMaxFileSize = 4 << 30
	// defaultIdleTimeout ends a body that delivers no byte for this long.
	defaultIdleTimeout = 30 * time.Second
	// defaultMaxConns is the connection cap per host until SetMaxConns.
	defaultMaxConns = 6
	maxRedirects    = 5
	// drainLimit is how much of an unread body Close reads so that the
	// connection can be reused; a longer rest closes the connection.
	drainLimit = 256 << 10
	drainTime  = 500 * time.Millisecond
)

// HTTP is a mirror of python.org/ftp/python/ over HTTP(S).
type HTTP struct {
	base   *url.URL
	client *http.Client
	// IdleTimeout ends a download that delivers no byte for this long
	// (slow-loris bodies), listings and the API listing included.
	IdleTimeout time.Duration
	// Tries is how many times a request is tried on network errors and
	// 5xx answers, with exponential backoff.
	Tries uint
	// Cache, if set, keeps downloaded files; writes are atomic (a temp
	// file renamed on complete download), so no partial file is left, also
	// when the context is canceled (the temp file is removed at once).
	Cache string
	// MaxFileSize caps every download (0: defaultMaxFileSize); the size
	// the caller expects (OpenSized) caps it further.
	MaxFileSize int64
	// CacheLimit caps the bytes this source writes to Cache in total (0:
	// no cap besides MaxFileSize per file); past it, downloads go on
	// uncached.
	CacheLimit int64
	// NoListing says the mirror has no directory listings: every file is
	// probed with a GET (ReadDir returns Listed false without a request).
	NoListing bool

	cacheUsed atomic.Int64
	partialMu sync.Mutex
	partials  map[*cacheWriter]bool // downloads being cached
}

// DropPartials removes, at once, the temp file of every download still
// being written to Cache (the same happens when its context is canceled,
// in a goroutine of its own): call it before exiting on a signal, so that
// no partial file outlives the process even if it exits before those
// goroutines run. Those downloads go on uncached.
func (h *HTTP) DropPartials() {
	h.partialMu.Lock()
	ws := make([]*cacheWriter, 0, len(h.partials))
	for c := range h.partials {
		ws = append(ws, c)
	}
	h.partialMu.Unlock()
	for _, c := range ws {
		c.mu.Lock()
		c.abandon()
		c.mu.Unlock()
	}
}

func (h *HTTP) track(c *cacheWriter, on bool) {
	h.partialMu.Lock()
	defer h.partialMu.Unlock()
	if h.partials == nil {
		h.partials = map[*cacheWriter]bool{}
	}
	if on {
		h.partials[c] = true
	} else {
		delete(h.partials, c)
	}
}

// NewHTTP makes a source for base (which must be an http or https URL).
// timeout bounds the wait for response headers.
func NewHTTP(base string, timeout time.Duration) (*HTTP, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bad source URL %q: want http(s)://host/path/", base)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	h := &HTTP{base: u, IdleTimeout: defaultIdleTimeout, Tries: 3}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
		IdleConnTimeout:       90 * time.Second,
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
	h.SetMaxConns(defaultMaxConns)
	return h, nil
}

// SetMaxConns bounds the connections open to a host at once (and keeps as
// many idle for reuse); an audit with N jobs wants N+2 (the jobs plus
// listings). It has no effect on a transport set with SetTransport.
func (h *HTTP) SetMaxConns(n int) {
	if n < 1 {
		n = 1
	}
	if tr, ok := h.client.Transport.(*http.Transport); ok {
		tr.MaxConnsPerHost = n
		tr.MaxIdleConnsPerHost = n
		tr.MaxIdleConns = max(n, 100)
	}
}

// Client is the HTTP client the source uses (same-host redirects only).
func (h *HTTP) Client() *http.Client { return h.client }

// SetTransport replaces the HTTP transport (tests: TLS test servers).
func (h *HTTP) SetTransport(rt http.RoundTripper) { h.client.Transport = rt }

func (h *HTTP) String() string { return h.base.Redacted() }

func (h *HTTP) idle() time.Duration {
	if h.IdleTimeout > 0 {
		return h.IdleTimeout
	}
	return defaultIdleTimeout
}

func (h *HTTP) maxFile() int64 {
	if h.MaxFileSize > 0 {
		return h.MaxFileSize
	}
	return defaultMaxFileSize
}

// StatusError is a non-2xx answer other than 404/410 (those are
// ErrNotFound). It is wrapped with ErrUnreadable.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Code) }

// drainClose reads what is left of a body, up to drainLimit and for at
// most drainTime (then cancel cuts it), and closes it, so that the
// connection goes back to the pool.
func drainClose(rc io.ReadCloser, cancel context.CancelFunc) error {
	t := time.AfterFunc(drainTime, cancel)
	io.CopyN(io.Discard, rc, drainLimit)
	t.Stop()
	return rc.Close()
}

// get fetches u with retries; the caller closes the body. Errors wrap
// ErrNotFound (404, 410) or ErrUnreadable (any other failure), unless the
// context was canceled.
func (h *HTTP) get(ctx context.Context, u *url.URL) (*http.Response, error) {
	return h.getClient(ctx, h.client, u)
}

func (h *HTTP) getClient(ctx context.Context, client *http.Client, u *url.URL) (*http.Response, error) {
	op := func() (*http.Response, error) {
		rctx, cancel := context.WithCancel(ctx)
		req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
		if err != nil {
			cancel()
			return nil, backoff.Permanent(err)
		}
		req.Header.Set("User-Agent", "sigaudit")
		resp, err := client.Do(req)
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
			drainClose(resp.Body, cancel)
			cancel()
			return nil, backoff.Permanent(fmt.Errorf("%s: %w", u.Redacted(), ErrNotFound))
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			drainClose(resp.Body, cancel)
			cancel()
			err := &StatusError{URL: u.Redacted(), Code: resp.StatusCode}
			if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
				return nil, err
			}
			return nil, backoff.Permanent(err)
		}
		resp.Body = &idleBody{rc: resp.Body, cancel: cancel, idle: h.idle(), url: u.Redacted(), parent: ctx}
		return resp, nil
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 200 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	resp, err := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxTries(max(h.Tries, 1)))
	if err != nil {
		if errors.Is(err, ErrNotFound) || ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	return resp, nil
}

// idleBody cancels the request when no byte arrives for idle, turns read
// errors into ErrUnreadable, and drains what is left on Close.
type idleBody struct {
	rc     io.ReadCloser
	cancel context.CancelFunc
	parent context.Context
	idle   time.Duration
	url    string
	timer  *time.Timer
	fired  atomic.Bool
	eof    bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	// The clock runs only while waiting for the server: a slow reader
	// (a parser, a hash) is not an idle server.
	b.arm()
	n, err := b.rc.Read(p)
	b.timer.Stop()
	switch {
	case err == nil:
	case err == io.EOF:
		b.eof = true
	case b.fired.Load():
		err = fmt.Errorf("%s: %w: no data for %v", b.url, ErrUnreadable, b.idle)
	case b.parent.Err() != nil:
		err = b.parent.Err()
	default:
		err = fmt.Errorf("%s: %w: %w", b.url, ErrUnreadable, err)
	}
	return n, err
}

func (b *idleBody) arm() {
	if b.timer == nil {
		b.timer = time.AfterFunc(b.idle, func() {
			b.fired.Store(true)
			b.cancel()
		})
		return
	}
	b.timer.Reset(b.idle)
}

func (b *idleBody) Close() error {
	if !b.eof && b.parent.Err() == nil && !b.fired.Load() {
		// Drain what comes quickly; a server that stalls loses the
		// connection instead of holding Close up.
		t := time.AfterFunc(min(b.idle, drainTime), b.cancel)
		io.CopyN(io.Discard, b.rc, drainLimit)
		t.Stop()
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	err := b.rc.Close()
	b.cancel()
	return err
}

// capBody fails with ErrTooLarge once more than max bytes arrive; the
// byte past max is not returned.
type capBody struct {
	io.ReadCloser
	max  int64
	n    int64
	what string
}

func (c *capBody) Read(p []byte) (int, error) {
	if c.n > c.max {
		return 0, c.err()
	}
	if rest := c.max - c.n + 1; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n - int(c.n-c.max), c.err()
	}
	return n, err
}

func (c *capBody) err() error {
	return fmt.Errorf("%s is larger than %d bytes: %w", c.what, c.max, ErrTooLarge)
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
	if resp.ContentLength > maxListingSize {
		return nil, fmt.Errorf("listing %s is larger than %d bytes: %w", dir.Redacted(), maxListingSize, ErrTooLarge)
	}
	b, err := readBounded("listing "+dir.Redacted(), resp.Body, maxListingSize)
	if err != nil {
		return nil, err
	}
	return parseListing(dir, b), nil
}

// parseListing returns the links of an HTML page that name direct
// children of dir, directories with a trailing slash, each once.
func parseListing(dir *url.URL, b []byte) []string {
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
	return out
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

// ReadDir implements DirReader: one GET of the directory's listing, which
// is then authoritative (Listed). A mirror that refuses listings (HTTP
// 403) or is marked NoListing gives a Listing with Listed false: files
// are then probed one GET each.
func (h *HTTP) ReadDir(ctx context.Context, version string) (*Listing, error) {
	if h.NoListing {
		if _, err := h.dirURL(version); err != nil {
			return nil, err
		}
		return NewListing(h, version, nil, false), nil
	}
	names, err := h.List(ctx, version)
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusForbidden {
		return NewListing(h, version, nil, false), nil
	}
	if err != nil {
		return nil, err
	}
	return NewListing(h, version, names, true), nil
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
	return h.OpenSized(ctx, version, name, 0)
}

// OpenSized implements SizedOpener: size is the file's size if known (the
// API's filesize), 0 if not. A body longer than size, or than
// MaxFileSize, fails with ErrTooLarge when the excess arrives, and is not
// cached.
func (h *HTTP) OpenSized(ctx context.Context, version, name string, size int64) (io.ReadCloser, error) {
	u, err := h.URL(version, name)
	if err != nil {
		return nil, err
	}
	limit := h.maxFile()
	if size > 0 && size < limit {
		limit = size
	}
	what := version + "/" + name
	if h.Cache != "" {
		if f, err := OpenLocalFile(h.cachePath(version, name)); err == nil {
			st, err := f.Stat()
			if err == nil && st.Size() <= limit && (size <= 0 || st.Size() == size) {
				return &fileReader{f: f, name: f.Name()}, nil
			}
			f.Close()
		}
	}
	resp, err := h.get(ctx, u)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		return nil, fmt.Errorf("%s is %d bytes, more than %d: %w", what, resp.ContentLength, limit, ErrTooLarge)
	}
	body := io.ReadCloser(&capBody{ReadCloser: resp.Body, max: limit, what: what})
	if h.Cache == "" {
		return body, nil
	}
	return h.newCacheWriter(ctx, body, h.cachePath(version, name)), nil
}

func (h *HTTP) cachePath(version, name string) string {
	host := strings.NewReplacer(":", "_", "/", "_").Replace(h.base.Host)
	return filepath.Join(h.Cache, host, version, name)
}

// cacheWriter tees a body into a temp file and renames it into place only
// when the body was read to a clean EOF. The temp file is removed on any
// read error, on a Close before EOF, past the cache's limit, and as soon
// as the context is canceled (Ctrl-C, SIGTERM), even while a read waits.
type cacheWriter struct {
	rc    io.ReadCloser
	final string
	h     *HTTP
	stop  func() bool
	mu    sync.Mutex
	tmp   *os.File // nil once abandoned or renamed
	done  bool
}

func (h *HTTP) newCacheWriter(ctx context.Context, rc io.ReadCloser, final string) *cacheWriter {
	c := &cacheWriter{rc: rc, final: final, h: h}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return c
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), ".part-*")
	if err != nil {
		return c
	}
	c.tmp = tmp
	h.track(c, true)
	c.stop = context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.abandon()
		c.mu.Unlock()
	})
	return c
}

// abandon removes the temp file; c.mu is held.
func (c *cacheWriter) abandon() {
	if c.tmp != nil {
		c.tmp.Close()
		os.Remove(c.tmp.Name())
		c.tmp = nil
	}
}

func (c *cacheWriter) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > 0 && c.tmp != nil {
		if c.h.CacheLimit > 0 && c.h.cacheUsed.Add(int64(n)) > c.h.CacheLimit {
			c.abandon()
		} else if _, werr := c.tmp.Write(p[:n]); werr != nil {
			c.abandon()
		}
	}
	switch {
	case err == io.EOF:
		c.done = true
	case err != nil:
		c.abandon()
	}
	return n, err
}

func (c *cacheWriter) Close() error {
	if c.stop != nil {
		c.stop()
		c.h.track(c, false)
	}
	c.mu.Lock()
	if c.tmp != nil {
		if c.done {
			name := c.tmp.Name()
			if cerr := c.tmp.Close(); cerr != nil || os.Rename(name, c.final) != nil {
				os.Remove(name)
			}
			c.tmp = nil
		} else {
			c.abandon()
		}
	}
	c.mu.Unlock()
	return c.rc.Close()
}
