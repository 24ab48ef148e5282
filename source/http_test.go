package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func newHTTP(t *testing.T, url string) *HTTP {
	t.Helper()
	h, err := NewHTTP(url, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	h.IdleTimeout = 500 * time.Millisecond
	return h
}

func TestListingIsSafe(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/ftp/python/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><body>
<a href="../">../</a>
<a href="3.13.5/">3.13.5/</a>
<a href="/ftp/python/3.12.0/">3.12.0/</a>
<a href="/etc/">etc</a>
<a href="../../3.11.0/">escape</a>
<a href="%s/ftp/python/3.10.0/">off-host</a>
<a href="3.9.0/?x=1">query</a>
<a href='3.8.20/'>single quotes</a>
<a href="not-a-version/">nv</a>
<a href="3.13.5/">dup</a>
</body></html>`, other.URL)
	})
	mux.HandleFunc("/ftp/python/3.13.5/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<a href="Python-3.13.5.tgz">a</a> <a href="../3.12.0/Python-3.12.0.tgz">up</a>
<a href="/ftp/python/3.13.5/Python-3.13.5.tgz.asc">abs</a> <a href="sub/x">sub</a> <a href="%2e%2e/x">enc</a>
<a href="..%2fx">enc2</a> <a href=".hidden">h</a> <a href="javascript:alert(1)">js</a>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	h := newHTTP(t, srv.URL+"/ftp/python/")
	vs, err := h.Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(vs, " ") != "3.8.20 3.12.0 3.13.5" {
		t.Errorf("versions = %v", vs)
	}
	names, err := h.List(context.Background(), "3.13.5")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, " ") != "Python-3.13.5.tgz Python-3.13.5.tgz.asc" {
		t.Errorf("names = %q", names)
	}
	for _, bad := range []string{"../x", "a/b", "", ".."} {
		if _, err := h.Open(context.Background(), "3.13.5", bad); err == nil {
			t.Errorf("Open(%q) allowed", bad)
		}
		if _, err := h.List(context.Background(), bad); err == nil {
			t.Errorf("List(%q) allowed", bad)
		}
	}
}

func TestHTTPFailures(t *testing.T) {
	var flaky atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "elsewhere") }))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/v/404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/v/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/v/403", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	mux.HandleFunc("/v/flaky", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) < 3 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/v/offhost", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL+"/x", http.StatusFound) })
	mux.HandleFunc("/v/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/v/loop", http.StatusFound) })
	mux.HandleFunc("/v/samehost", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/v/flaky", http.StatusFound) })
	mux.HandleFunc("/v/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, "only a little")
	})
	mux.HandleFunc("/v/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, "a")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	h := newHTTP(t, srv.URL+"/")
	ctx := context.Background()
	read := func(name string) (string, error) {
		rc, err := h.Open(ctx, "v", name)
		if err != nil {
			return "", err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		return string(b), err
	}
	if _, err := read("404"); !errors.Is(err, ErrNotFound) {
		t.Errorf("404: %v", err)
	}
	if _, err := read("500"); err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("500: %v", err)
	}
	if _, err := read("403"); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
		t.Errorf("403: %v", err)
	}
	if s, err := read("flaky"); err != nil || s != "ok" {
		t.Errorf("flaky (retried): %q %v", s, err)
	}
	if _, err := read("offhost"); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("off-host redirect: %v", err)
	}
	if _, err := read("loop"); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("redirect loop: %v", err)
	}
	flaky.Store(10)
	if s, err := read("samehost"); err != nil || s != "ok" {
		t.Errorf("same-host redirect: %q %v", s, err)
	}
	if _, err := read("short"); err == nil {
		t.Errorf("truncated body read without error")
	}
	start := time.Now()
	if _, err := read("slow"); err == nil {
		t.Errorf("slow-loris body read without error")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("slow body took %v", time.Since(start))
	}
}

func TestHugeListingRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat(`<a href="3.13.5/">x</a>`, 1000)
		for i := 0; i < (maxListingSize/len(chunk))+10; i++ {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, err := newHTTP(t, srv.URL+"/").Versions(context.Background())
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge listing: %v", err)
	}
}

func TestCacheIsAtomic(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/v/good", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "complete") })
	mux.HandleFunc("/v/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		fmt.Fprint(w, "partial")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cache := t.TempDir()
	h := newHTTP(t, srv.URL+"/")
	h.Cache = cache
	ctx := context.Background()
	for _, name := range []string{"good", "short"} {
		rc, err := h.Open(ctx, "v", name)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(rc)
		rc.Close()
	}
	// A body closed before its end leaves nothing either.
	rc, _ := h.Open(ctx, "v", "short")
	rc.Close()
	var files []string
	filepath.Walk(cache, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(cache, p)
			files = append(files, filepath.Base(rel))
		}
		return nil
	})
	if strings.Join(files, " ") != "good" {
		t.Errorf("cache holds %v, want only the complete file", files)
	}
	// The cached copy is served without the server.
	srv.Close()
	rc, err := h.Open(ctx, "v", "good")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "complete" {
		t.Errorf("cached = %q", b)
	}
}

func TestDirRefusesEscapes(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644)
	os.MkdirAll(filepath.Join(root, "3.13.5"), 0o755)
	os.WriteFile(filepath.Join(root, "3.13.5", "Python-3.13.5.tgz"), []byte("t"), 0o644)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "3.13.5", "Python-3.13.5.tgz.asc"))
	os.Symlink(outside, filepath.Join(root, "3.13.4"))
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if _, err := d.Open(ctx, "3.13.5", "Python-3.13.5.tgz.asc"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("symlink out of the tree: %v, want ErrNotRegular", err)
	}
	if _, err := d.Open(ctx, "3.13.4", "secret"); err == nil {
		t.Error("directory symlink out of the tree was followed")
	}
	if _, err := d.Open(ctx, "3.13.5", "../3.13.5/Python-3.13.5.tgz"); err == nil {
		t.Error("../ accepted")
	}
	if rc, err := d.Open(ctx, "3.13.5", "Python-3.13.5.tgz"); err != nil {
		t.Error(err)
	} else {
		rc.Close()
	}
	if _, err := d.Open(ctx, "3.13.5", "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
}
