package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// counting is a test server that counts requests (by path) and
// connections, and the most connections open at once.
type counting struct {
	*httptest.Server
	mu       sync.Mutex
	reqs     map[string]int
	total    atomic.Int64
	conns    atomic.Int64
	open     atomic.Int64
	peakOpen atomic.Int64
}

func newCounting(t *testing.T, h http.Handler) *counting {
	c := &counting{reqs: map[string]int{}}
	c.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.reqs[r.URL.Path]++
		c.mu.Unlock()
		c.total.Add(1)
		h.ServeHTTP(w, r)
	}))
	c.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			c.conns.Add(1)
			if n := c.open.Add(1); n > c.peakOpen.Load() {
				c.peakOpen.Store(n)
			}
		case http.StateClosed, http.StateHijacked:
			c.open.Add(-1)
		}
	}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func (c *counting) count(p string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reqs[p]
}

// endless writes zeros until the client goes away.
func endless(w http.ResponseWriter, r *http.Request) { endlessOf(w, r, 0) }

func endlessOf(w http.ResponseWriter, r *http.Request, c byte) {
	buf := bytes.Repeat([]byte{c}, 32<<10)
	for {
		if _, err := w.Write(buf); err != nil {
			return
		}
		if r.Context().Err() != nil {
			return
		}
	}
}

func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, filepath.Base(p))
		}
		return nil
	})
	return out
}

func TestEndlessArtifactIsCapped(t *testing.T) {
	srv := newCounting(t, http.HandlerFunc(endless))
	cache := t.TempDir()
	h := newHTTP(t, srv.URL+"/")
	h.Cache = cache
	h.MaxFileSize = 4 << 20
	ctx := context.Background()
	within(t, 20*time.Second, "endless body", func() {
		// Capped by the size the API gives.
		rc, err := h.OpenSized(ctx, "3.13.5", "Python-3.13.5.tgz", 100_000)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if !errors.Is(err, ErrTooLarge) || n != 100_000 {
			t.Errorf("API-sized endless body: %d bytes, %v", n, err)
		}
		// Capped by MaxFileSize when the size is unknown.
		rc, err = h.Open(ctx, "3.13.5", "Python-3.13.5.tar.xz")
		if err != nil {
			t.Fatal(err)
		}
		n, err = io.Copy(io.Discard, rc)
		rc.Close()
		if !errors.Is(err, ErrTooLarge) || n != 4<<20 {
			t.Errorf("endless body: %d bytes, %v", n, err)
		}
	})
	if f := cacheFiles(t, cache); len(f) != 0 {
		t.Errorf("cache holds %v after capped downloads", f)
	}
}

func TestContentLengthOverSizeRefused(t *testing.T) {
	srv := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		w.Write(make([]byte, 5000))
	}))
	h := newHTTP(t, srv.URL+"/")
	if _, err := h.OpenSized(context.Background(), "v", "f", 4999); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Content-Length over the API size: %v", err)
	}
	rc, err := h.OpenSized(context.Background(), "v", "f", 5000)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(rc); err != nil || len(b) != 5000 {
		t.Errorf("exact size: %d %v", len(b), err)
	}
	rc.Close()
}

func TestCacheLimit(t *testing.T) {
	srv := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 1000)) }))
	cache := t.TempDir()
	h := newHTTP(t, srv.URL+"/")
	h.Cache, h.CacheLimit = cache, 2500
	for _, n := range []string{"a", "b", "c", "d"} {
		rc, err := h.Open(context.Background(), "v", n)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := io.ReadAll(rc); err != nil || len(b) != 1000 {
			t.Errorf("%s: %d %v (the download goes on uncached)", n, len(b), err)
		}
		rc.Close()
	}
	if f := cacheFiles(t, cache); strings.Join(f, " ") != "a b" {
		t.Errorf("cache holds %v, want a b (limit 2500 bytes)", f)
	}
}

// Canceling the context (Ctrl-C, SIGTERM) removes the partial file at
// once, even while a read waits, and the read ends.
func TestCancelRemovesPartial(t *testing.T) {
	release := make(chan struct{})
	srv := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.Write(make([]byte, 1000))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release)
	cache := t.TempDir()
	h := newHTTP(t, srv.URL+"/")
	h.IdleTimeout = time.Minute
	h.Cache = cache
	ctx, cancel := context.WithCancel(context.Background())
	rc, err := h.Open(ctx, "3.13.5", "Python-3.13.5.tgz")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	if f := cacheFiles(t, cache); len(f) != 1 || !strings.HasPrefix(f[0], ".part-") {
		t.Fatalf("cache during the download: %v", f)
	}
	readErr := make(chan error, 1)
	go func() { _, err := rc.Read(buf); readErr <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-readErr:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("read after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read still blocked after cancel")
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(cacheFiles(t, cache)) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if f := cacheFiles(t, cache); len(f) != 0 {
		t.Errorf("partial file left after cancel: %v", f)
	}
	rc.Close()
	if f := cacheFiles(t, cache); len(f) != 0 {
		t.Errorf("partial file left after Close: %v", f)
	}

	// DropPartials removes them synchronously (a process about to exit).
	rc, err = h.Open(context.Background(), "3.13.5", "Python-3.13.5.tar.xz")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	if f := cacheFiles(t, cache); len(f) != 1 {
		t.Fatalf("cache during the download: %v", f)
	}
	h.DropPartials()
	if f := cacheFiles(t, cache); len(f) != 0 {
		t.Errorf("partial file left after DropPartials: %v", f)
	}
}

func TestAPIStallTimesOut(t *testing.T) {
	srv := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("["))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	h := newHTTP(t, srv.URL+"/")
	h.IdleTimeout = 300 * time.Millisecond
	within(t, 10*time.Second, "stalled API", func() {
		_, err := h.FetchAPI(context.Background(), srv.URL+"/api/v2/downloads/release_file/")
		if !errors.Is(err, ErrUnreadable) {
			t.Errorf("stalled API: %v, want ErrUnreadable", err)
		}
	})
	// A listing stalls the same way.
	within(t, 10*time.Second, "stalled listing", func() {
		if _, err := h.List(context.Background(), "3.13.5"); !errors.Is(err, ErrUnreadable) {
			t.Errorf("stalled listing: %v, want ErrUnreadable", err)
		}
	})
}

func TestHugeAPIRefused(t *testing.T) {
	srv := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Never-ending: one row, then padding inside a string.
		io.WriteString(w, `[{"url":"https://x/3.13.5/Python-3.13.5.tgz","description":"`)
		endlessOf(w, r, 'x')
	}))
	h := newHTTP(t, srv.URL+"/")
	oldSize := maxAPISize
	maxAPISize = 4 << 20
	defer func() { maxAPISize = oldSize }()
	within(t, 30*time.Second, "endless API", func() {
		if _, err := h.FetchAPI(context.Background(), srv.URL+"/api"); !errors.Is(err, ErrTooLarge) {
			t.Errorf("endless API: %v, want ErrTooLarge", err)
		}
		if _, err := FetchAPI(context.Background(), srv.Client(), srv.URL+"/api"); !errors.Is(err, ErrTooLarge) {
			t.Errorf("endless API (FetchAPI): %v, want ErrTooLarge", err)
		}
	})
	old := maxAPIRows
	maxAPIRows = 1000
	defer func() { maxAPIRows = old }()
	var b strings.Builder
	b.WriteString("[")
	for i := range 1001 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"url":"https://x/3.13.5/f%d"}`, i)
	}
	b.WriteString("]")
	if _, err := ParseAPI([]byte(b.String())); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many rows: %v", err)
	}
}

// A large listing is parsed in memory proportional to the fields kept, not
// to the answer: rows padded with unused fields cost nothing once parsed.
func TestAPIStreamsMemory(t *testing.T) {
	pad := strings.Repeat("x", 4000)
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte(`{"count": 5000, "next": null, "results": [`))
		for i := range 5000 {
			if i > 0 {
				pw.Write([]byte(","))
			}
			fmt.Fprintf(pw, `{"name":"n","url":"https://x/3.13.5/f%d","description":%q,"release":{"deep":[1,2,{"a":null}]},"filesize":"%d"}`, i, pad, i+1)
		}
		pw.Write([]byte(`], "previous": null}`))
		pw.Close()
	}()
	api, err := readAPI(pr)
	if err != nil {
		t.Fatal(err)
	}
	if len(api) != 5000 || api["f41"].Size != 42 {
		t.Errorf("%d rows, f41 = %+v", len(api), api["f41"])
	}
}

func TestAPIDuplicateRowsMerge(t *testing.T) {
	a1, a2 := strings.Repeat("a", 64), strings.Repeat("B", 64)
	api, err := ParseAPI([]byte(`[
{"url":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz","sha256_sum":"` + a1 + `","gpg_signature_file":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz.asc","filesize":10},
{"url":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz","sha256_sum":"","sigstore_bundle_file":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz.sigstore","filesize":null},
{"url":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz","sha256_sum":"` + a2 + `","sbom_spdx2_file":"x.spdx.json","filesize":12},
{"url":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz","sha256_sum":"` + a1 + `"},
{"url":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz","sha256_sum":"` + strings.ToUpper(a1) + `"}
]`))
	if err != nil {
		t.Fatal(err)
	}
	f := api["Python-3.13.5.tgz"]
	if got := f.Claims(); !slices.Equal(got, []string{".asc", ".sigstore", ".spdx.json"}) {
		t.Errorf("a claim was erased: claims = %v", got)
	}
	if f.SHA256 != a1 || len(f.SHA256s) != 2 || f.SHA256s[1] != strings.ToLower(a2) || !f.Conflict() {
		t.Errorf("conflicting digests not both kept: %q %q", f.SHA256, f.SHA256s)
	}
	if f.Rows != 3 || f.Size != 12 || len(f.Sizes) != 2 {
		t.Errorf("rows %d, size %d %v", f.Rows, f.Size, f.Sizes)
	}
	if x := api["Python-3.13.5.tar.xz"]; x.Conflict() || x.Rows != 2 || len(x.SHA256s) != 1 {
		t.Errorf("same digest twice (case aside) is no conflict: %+v", x)
	}
	if d := api.ByDir()["3.13.5"]; strings.Join(d, " ") != "Python-3.13.5.tar.xz Python-3.13.5.tgz" {
		t.Errorf("ByDir = %v", d)
	}
	for _, bad := range []string{`{"results": 3}`, `{"count": 1}`, `[1]`, `[{"url":"https://x/a/b","filesize":-1}]`, `[{"url":"https://x/a/b","filesize":"1e9"}]`, `[] []`, `[{"url":"https://x/a/b","sha256_sum":"zz"}]`, `[`, ``} {
		if _, err := ParseAPI([]byte(bad)); err == nil {
			t.Errorf("ParseAPI(%q) accepted", bad)
		}
	}
}

// The listing is authoritative: a file it does not show is absent with no
// request; every listed file is fetched once; connections are reused.
func TestListingIsAuthoritative(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ftp/3.13.5/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ftp/3.13.5/":
			fmt.Fprint(w, `<a href="Python-3.13.5.tgz">t</a> <a href="Python-3.13.5.tgz.sigstore">b</a> <a href="Python-3.13.5.tar.xz.asc">a</a>`)
		case "/ftp/3.13.5/Python-3.13.5.tgz.sigstore", "/ftp/3.13.5/Python-3.13.5.tar.xz.asc":
			fmt.Fprint(w, "sig")
		case "/ftp/3.13.5/Python-3.13.5.tgz":
			w.Write(make([]byte, 200<<10)) // under drainLimit: drained, the connection reused
		default:
			http.Error(w, strings.Repeat("not found ", 100), 404)
		}
	})
	mux.HandleFunc("/nolist/3.13.5/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/nolist/3.13.5/":
			http.Error(w, "Forbidden", http.StatusForbidden)
		case "/nolist/3.13.5/Python-3.13.5.tgz.sigstore":
			fmt.Fprint(w, "sig")
		default:
			http.NotFound(w, r)
		}
	})
	srv := newCounting(t, mux)
	ctx := context.Background()
	h := newHTTP(t, srv.URL+"/ftp/")
	h.SetMaxConns(2)
	l, err := ReadDir(ctx, h, "3.13.5")
	if err != nil {
		t.Fatal(err)
	}
	if !l.Listed || strings.Join(l.Artifacts(""), " ") != "Python-3.13.5.tar.xz Python-3.13.5.tgz" {
		t.Errorf("listing: %v %v", l.Listed, l.Artifacts(""))
	}
	before := srv.total.Load()
	for _, suf := range siblingSuffixes {
		if suf == ".sigstore" {
			continue
		}
		if l.Has("Python-3.13.5.tgz" + suf) {
			t.Errorf("%s present", suf)
		}
		if _, err := l.Fetch(ctx, "Python-3.13.5.tgz"+suf, 1000); !errors.Is(err, ErrNotFound) {
			t.Errorf("Fetch(%s): %v", suf, err)
		}
	}
	if _, err := l.Open(ctx, "Python-3.13.5.tar.xz", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open of an unlisted artifact: %v", err)
	}
	if n := srv.total.Load() - before; n != 0 {
		t.Errorf("%d requests for files the listing shows absent", n)
	}
	if b, err := l.Fetch(ctx, "Python-3.13.5.tgz.sigstore", 1000); err != nil || string(b) != "sig" {
		t.Errorf("Fetch: %q %v", b, err)
	}
	for _, n := range []string{"Python-3.13.5.tgz.sigstore", "Python-3.13.5.tgz.asc"} {
		if ok, err := l.Exists(ctx, n); ok != (n == "Python-3.13.5.tgz.sigstore") || err != nil {
			t.Errorf("Exists(%s) = %v %v", n, ok, err)
		}
	}
	// Bodies closed unread (a whole artifact, a 404 page) are drained or
	// cut without opening more connections than the cap.
	for range 5 {
		rc, err := l.Open(ctx, "Python-3.13.5.tgz", 0)
		if err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, rc, 1000)
		rc.Close()
		ReadSmall(ctx, h, "3.13.5", "absent-but-probed", 10)
		if b, err := ReadSmall(ctx, h, "3.13.5", "Python-3.13.5.tar.xz.asc", 10); err != nil || string(b) != "sig" {
			t.Fatal(b, err)
		}
	}
	if srv.count("/ftp/3.13.5/Python-3.13.5.tgz.sigstore") != 1 {
		t.Errorf("bundle fetched %d times", srv.count("/ftp/3.13.5/Python-3.13.5.tgz.sigstore"))
	}
	if c := srv.conns.Load(); c > 2 {
		t.Errorf("%d connections for 17 requests: keep-alive lost", c)
	}
	if p := srv.peakOpen.Load(); p > 2 {
		t.Errorf("%d connections open at once, cap 2", p)
	}

	// Without a listing, files are probed, once each.
	n := newHTTP(t, srv.URL+"/nolist/")
	l, err = ReadDir(ctx, n, "3.13.5")
	if err != nil {
		t.Fatal(err)
	}
	if l.Listed || l.Presence("Python-3.13.5.tgz.asc") != Unknown || !l.Has("Python-3.13.5.tgz.asc") {
		t.Errorf("unlisted: %+v", l)
	}
	if _, err := l.Fetch(ctx, "Python-3.13.5.tgz.asc", 100); !errors.Is(err, ErrNotFound) {
		t.Errorf("probe: %v", err)
	}
	if _, err := l.Fetch(ctx, "Python-3.13.5.tgz.sigstore", 100); err != nil {
		t.Errorf("probe: %v", err)
	}
	if l.Has("Python-3.13.5.tgz.asc") || l.Presence("Python-3.13.5.tgz.sigstore") != Present {
		t.Error("probe outcomes not remembered")
	}
	l.Fetch(ctx, "Python-3.13.5.tgz.asc", 100)
	if ok, err := l.Exists(ctx, "Python-3.13.5.tgz.asc"); ok || err != nil {
		t.Errorf("Exists after a 404: %v %v", ok, err)
	}
	if c := srv.count("/nolist/3.13.5/Python-3.13.5.tgz.asc"); c != 1 {
		t.Errorf("absent file probed %d times", c)
	}
	if ok, err := l.Exists(ctx, "Python-3.13.5.tgz.sigstore"); !ok || err != nil {
		t.Errorf("Exists after a fetch: %v %v", ok, err)
	}
	if ok, err := l.Exists(ctx, "Python-3.13.5.tgz.crt"); ok || err != nil {
		t.Errorf("Exists probe: %v %v", ok, err)
	}
	if ok, _ := l.Exists(ctx, "Python-3.13.5.tgz.crt"); ok || srv.count("/nolist/3.13.5/Python-3.13.5.tgz.crt") != 1 {
		t.Errorf("Exists probed twice")
	}
	if b, err := l.SiblingFunc(ctx, "Python-3.13.5.tgz")(".sigstore", 100); err != nil || string(b) != "sig" {
		t.Errorf("SiblingFunc: %q %v", b, err)
	}
	n.NoListing = true
	before = srv.total.Load()
	if l, err := n.ReadDir(ctx, "3.13.5"); err != nil || l.Listed || srv.total.Load() != before {
		t.Errorf("NoListing: %v %v", l, err)
	}
}

func TestReadDirsConcurrent(t *testing.T) {
	var inflight, peak atomic.Int64
	srv := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := inflight.Add(1); n > peak.Load() {
			peak.Store(n)
		}
		time.Sleep(50 * time.Millisecond)
		inflight.Add(-1)
		if r.URL.Path == "/3.0.4/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `<a href="Python-x.tgz">x</a>`)
	}))
	h := newHTTP(t, srv.URL+"/")
	h.SetMaxConns(5)
	var vs []string
	for i := range 12 {
		vs = append(vs, fmt.Sprintf("3.0.%d", i))
	}
	start := time.Now()
	ls, errs := ReadDirs(context.Background(), h, vs, 4)
	el := time.Since(start)
	for i := range vs {
		if i == 4 {
			if !errors.Is(errs[i], ErrNotFound) {
				t.Errorf("3.0.4: %v", errs[i])
			}
			continue
		}
		if errs[i] != nil || ls[i].Version != vs[i] || len(ls[i].Names) != 1 {
			t.Errorf("%s: %v %+v", vs[i], errs[i], ls[i])
		}
	}
	if peak.Load() > 4 || peak.Load() < 2 {
		t.Errorf("%d listings at once, want 2..4", peak.Load())
	}
	if el > 500*time.Millisecond {
		t.Errorf("12 listings of 50 ms took %v: not concurrent", el)
	}
}

func TestHTTPErrorsAreTyped(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/v/403", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	mux.HandleFunc("/v/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/v/410", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/v/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, "only a little")
	})
	srv := newCounting(t, mux)
	h := newHTTP(t, srv.URL+"/")
	h.Tries = 1
	ctx := context.Background()
	for name, want := range map[string]error{"403": ErrUnreadable, "500": ErrUnreadable, "410": ErrNotFound, "short": ErrUnreadable, "404": ErrNotFound} {
		_, err := ReadSmall(ctx, h, "v", name, 1<<20)
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
		for _, other := range []error{ErrNotFound, ErrUnreadable, ErrTooLarge, ErrNotRegular} {
			if other != want && errors.Is(err, other) {
				t.Errorf("%s: %v is also %v", name, err, other)
			}
		}
	}
	var se *StatusError
	if _, err := ReadSmall(ctx, h, "v", "403", 10); !errors.As(err, &se) || se.Code != 403 {
		t.Errorf("403 is not a StatusError: %v", err)
	}
	srv.Close()
	if _, err := ReadSmall(ctx, h, "v", "x", 10); !errors.Is(err, ErrUnreadable) {
		t.Errorf("server gone: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ReadSmall(cctx, h, "v", "x", 10); !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnreadable) {
		t.Errorf("canceled: %v", err)
	}
}

// The idle clock runs only while waiting for the server: a reader slower
// than the idle timeout (a parser, a hash) is not cut.
func TestSlowReaderIsNotIdle(t *testing.T) {
	srv := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 3000)) }))
	h := newHTTP(t, srv.URL+"/")
	h.IdleTimeout = 100 * time.Millisecond
	rc, err := h.Open(context.Background(), "v", "f")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 1000)
	total := 0
	for {
		n, err := rc.Read(buf)
		total += n
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", total, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if total != 3000 {
		t.Errorf("read %d bytes", total)
	}
}

// An error page whose body stalls does not hold the request up.
func TestStalledErrorBody(t *testing.T) {
	srv := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("x"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	h := newHTTP(t, srv.URL+"/")
	h.IdleTimeout = time.Minute
	within(t, 5*time.Second, "stalled 404 body", func() {
		if _, err := ReadSmall(context.Background(), h, "v", "f", 10); !errors.Is(err, ErrNotFound) {
			t.Errorf("stalled 404: %v", err)
		}
	})
	// Closing a stalled body unread does not wait for the idle timeout.
	srv2 := newCounting(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write([]byte("x"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	h2 := newHTTP(t, srv2.URL+"/")
	h2.IdleTimeout = time.Minute
	within(t, 5*time.Second, "close of a stalled body", func() {
		rc, err := h2.Open(context.Background(), "v", "f")
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
	})
}
