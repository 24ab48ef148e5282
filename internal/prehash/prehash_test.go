package prehash

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/fanout"
)

func TestPlan(t *testing.T) {
	for _, c := range []struct {
		args  []string
		paths []string
		asc   bool
		val   string
	}{
		{[]string{"a.tar.xz"}, []string{"a.tar.xz"}, false, ""},
		{[]string{"--format", "json", "a", "b", "a"}, []string{"json", "a", "b"}, false, ""},
		{[]string{"--asc", "x.asc", "a"}, []string{"a"}, true, "x.asc"},
		{[]string{"-asc=x.asc", "a"}, []string{"a"}, true, "x.asc"},
		{[]string{"a", "--asc"}, []string{"a"}, true, ""},
		{[]string{"--asc", "--sha256", "a"}, []string{"a"}, true, "--sha256"},
		{[]string{"--", "-odd-name"}, []string{"-odd-name"}, false, ""},
		{[]string{"-"}, []string{"-"}, false, ""},
		{[]string{"--sha256", "00", "a"}, nil, false, ""},
		{[]string{"a", "--sha256=00"}, nil, false, ""},
		{[]string{"a", "--help"}, nil, false, ""},
		{[]string{"-h"}, nil, false, ""},
		{nil, nil, false, ""},
	} {
		paths, asc, val := plan(c.args)
		if !reflect.DeepEqual(paths, c.paths) || asc != c.asc || val != c.val {
			t.Errorf("plan(%q) = %q, %v, %q; want %q, %v, %q", c.args, paths, asc, val, c.paths, c.asc, c.val)
		}
	}
	many := make([]string, 3*maxJobs)
	for i := range many {
		many[i] = strings.Repeat("x", i+1)
	}
	if paths, _, _ := plan(many); len(paths) != maxJobs {
		t.Errorf("%d paths queued, want at most %d", len(paths), maxJobs)
	}
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func data(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i>>9)
	}
	return b
}

// Files are hashed exactly, with SHA-512 only when a signature is beside
// them, and each result is handed out once.
func TestTake(t *testing.T) {
	dir := t.TempDir()
	signed, bare := filepath.Join(dir, "signed"), filepath.Join(dir, "bare")
	d1, d2 := data(3*fanout.ChunkSize+5), data(100)
	write(t, signed, d1)
	write(t, signed+".asc", []byte("sig"))
	write(t, bare, d2)
	missing := filepath.Join(dir, "missing")
	Start([]string{"--format", "json", signed, missing, dir, bare})
	t.Cleanup(func() { Start(nil) })
	if len(q.list) != 2 {
		t.Fatalf("%d jobs queued, want 2 (not a missing file, not a directory)", len(q.list))
	}
	Wait()

	r := Take(signed)
	if r == nil || r.Err != nil {
		t.Fatalf("signed: %+v", r)
	}
	w256, w512 := sha256.Sum256(d1), sha512.Sum512(d1)
	if !bytes.Equal(r.Hashes[crypto.SHA256].Sum(nil), w256[:]) || !bytes.Equal(r.Hashes[crypto.SHA512].Sum(nil), w512[:]) {
		t.Fatal("signed: wrong digests")
	}
	st, _ := os.Stat(signed)
	if !r.SameFile(st) || r.Size != int64(len(d1)) {
		t.Fatalf("signed: SameFile false for the file itself (size %d)", r.Size)
	}
	if Take(signed) != nil {
		t.Error("a result was handed out twice")
	}

	r = Take(bare)
	if r == nil || r.Hashes[crypto.SHA512] != nil {
		t.Fatalf("bare: %+v (SHA-512 computed without a signature beside it)", r)
	}
	if Take(missing) != nil || Take(dir) != nil || Take("never-named") != nil {
		t.Error("result for a path that was not queued")
	}
}

// A file claimed by the command before the background pass reached it is
// skipped, and Wait does not hang on it.
func TestClaimBeforeStart(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	write(t, p, data(10))
	j := &job{path: p, done: make(chan struct{})}
	nq := &queue{jobs: map[string]*job{p: j}, list: []*job{j}}
	if nq.take(p) != nil {
		t.Fatal("take returned a result for a pass that never ran")
	}
	nq.run()
	nq.wait()
	if j.res != nil || j.started {
		t.Error("a claimed file was hashed anyway")
	}
}

// SameFile refuses a result once the path names another file, or the file
// changed size or time since it was hashed.
func TestSameFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	write(t, p, data(1000))
	r := hashFile(p, []crypto.Hash{crypto.SHA512}, nil)
	st, _ := os.Stat(p)
	if !r.SameFile(st) {
		t.Fatal("SameFile false for an unchanged file")
	}

	// Replaced by another file (another inode) with the same size and time.
	other := filepath.Join(dir, "other")
	write(t, other, data(1000))
	if err := os.Chtimes(other, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, p); err != nil {
		t.Fatal(err)
	}
	st2, _ := os.Stat(p)
	if r.SameFile(st2) {
		t.Error("SameFile true for a replaced file")
	}

	// Rewritten in place: a new size, or a new modification time.
	r = hashFile(p, nil, nil)
	write(t, p, data(999))
	st3, _ := os.Stat(p)
	if r.SameFile(st3) {
		t.Error("SameFile true after the size changed")
	}
	r = hashFile(p, nil, nil)
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	st4, _ := os.Stat(p)
	if r.SameFile(st4) {
		t.Error("SameFile true after the modification time changed")
	}

	var nilResult *Result
	if nilResult.SameFile(st4) || (&Result{Err: os.ErrClosed, Info: st4}).SameFile(st4) || r.SameFile(nil) {
		t.Error("SameFile true for a missing or failed result")
	}
}

// plan never panics, never queues more than maxJobs, never queues a flag
// before "--", and queues nothing when --sha256 or --help is given.
func FuzzPlan(f *testing.F) {
	f.Add("verify\x00--format\x00json\x00a.tar.xz")
	f.Add("--asc=x.asc\x00--\x00-odd\x00b")
	f.Add("a\x00--sha256\x00ab")
	f.Add("-h")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		paths, _, _ := plan(args)
		if len(paths) > maxJobs {
			t.Fatalf("%d paths", len(paths))
		}
		dashdash := false
		for _, a := range args {
			if a == "--" {
				dashdash = true
				break
			}
		}
		for _, p := range paths {
			if !dashdash && strings.HasPrefix(p, "-") && p != "-" {
				t.Fatalf("flag %q queued", p)
			}
		}
		for i := 0; i < len(args); i++ {
			a := args[i]
			if a == "--" {
				break
			}
			name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if strings.HasPrefix(a, "-") && name == "asc" && !hasVal {
				i++ // its value, as the flag parser takes it
				continue
			}
			if strings.HasPrefix(a, "-") && (name == "sha256" || name == "help" || name == "h") && len(paths) > 0 {
				t.Fatalf("%q given, yet %q queued", a, paths)
			}
		}
	})
}
