package cli

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/mirror"
)

// A run canceled (Ctrl-C, SIGTERM) while artifacts stream into --cache
// leaves no partial file behind.
func TestCanceledAuditLeavesNoPartials(t *testing.T) {
	if _, err := os.Stat(realData); err != nil {
		t.Skip("no real data")
	}
	dir := t.TempDir()
	_, err := mirror.Build(dir, mirror.Options{RealData: realData})
	must(t, err)
	// The mirror carries signatures only: list one artifact, served stalled.
	must(t, os.WriteFile(filepath.Join(dir, "3.13.5", "Python-3.13.5.tgz"), []byte("x"), 0o644))
	files := http.FileServer(http.Dir(dir))
	started := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Base(r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") || strings.Contains(name, ".sig") || strings.HasSuffix(name, ".asc") ||
			strings.HasSuffix(name, ".crt") || strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".spdx.json") {
			files.ServeHTTP(w, r)
			return
		}
		// An artifact: half a body, then a stall until the client goes.
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(http.StatusOK)
		w.Write(bytes.Repeat([]byte("x"), 4096))
		w.(http.Flusher).Flush()
		once.Do(func() { close(started) })
		<-r.Context().Done()
	}))
	defer srv.Close()
	cache := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-started:
			time.Sleep(200 * time.Millisecond) // let every job reach its stall
		case <-time.After(20 * time.Second):
		}
		cancel()
	}()
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, Env{Args: []string{"audit", "--source", srv.URL + "/", "--cache", cache, "--timeout", "60s", "3.13.5"},
			Stdout: &out, Stderr: &errb, Now: testNow})
	}()
	select {
	case code := <-done:
		if code == ExitOK {
			t.Fatalf("a canceled audit exited 0; stderr: %s", errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("audit did not return after cancel")
	}
	select {
	case <-started:
	default:
		t.Fatalf("no artifact download started; exit stderr: %s stdout: %.2000s", errb.String(), out.String())
	}
	filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".part") {
			t.Errorf("file left in --cache: %s", p)
		}
		return nil
	})
}

// --policy and --keyring name a FIFO: refused at once, never waiting for
// a writer.
func TestFlagFileFIFO(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no FIFOs")
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, args := range [][]string{
		{"plan", "--policy", fifo, "3.13"},
		{"verify", "--keyring", fifo, "--release", "3.9.0", "--sha256", strings.Repeat("ab", 32), "Python-3.9.0.tgz"},
	} {
		done := make(chan [3]any, 1)
		go func() {
			code, _, errOut := run(t, args...)
			done <- [3]any{code, errOut}
		}()
		select {
		case r := <-done:
			if r[0] != ExitUsage || !strings.Contains(r[1].(string), "FIFO") {
				t.Errorf("%v: exit %v, stderr %q; want 2 and a FIFO refused", args, r[0], r[1])
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v: hangs on a FIFO", args)
		}
	}
}

// --timeout bounds a stalled --api answer, over a local tree too.
func TestAPIStallCutByTimeout(t *testing.T) {
	if _, err := os.Stat(realData); err != nil {
		t.Skip("no real data")
	}
	dir := t.TempDir()
	_, err := mirror.Build(dir, mirror.Options{RealData: realData})
	must(t, err)
	stop := make(chan struct{})
	defer close(stop)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"name": "Python-3.13.5.tgz",`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	start := time.Now()
	code, _, errOut := run(t, "audit", "--source", dir, "--api", srv.URL+"/api/", "--timeout", "500ms", "--digest-only", "3.13.5")
	if code != ExitError || !strings.Contains(errOut, "cannot read the downloads API") {
		t.Errorf("exit %d, stderr %q; want 1 and the API unread", code, errOut)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("a stalled --api took %v to cut with --timeout 500ms", d)
	}
}

// A local --api file: unreadable and malformed keep their own wording.
func TestAPIFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	must(t, os.WriteFile(bad, []byte("not json"), 0o644))
	for _, c := range []struct{ api, want string }{
		{filepath.Join(dir, "missing.json"), "cannot read --api file"},
		{dir, "cannot read --api file"},
		{bad, `--api "` + bad + `"`},
	} {
		code, _, errOut := run(t, "audit", "--source", dir, "--api", c.api, "--digest-only", "3.13.5")
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("--api %s: exit %d, stderr %q; want 2 and %q", c.api, code, errOut, c.want)
		}
	}
}
