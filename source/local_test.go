package source

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// within fails the test instead of hanging when f does not return in time.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still running after %v (a hang)", what, d)
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

func TestLocalFileRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "Python-3.13.5.tgz.asc")
	mkfifo(t, fifo)
	zero := filepath.Join(dir, "Python-3.13.5.tgz.sigstore")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, zero, dir, "/dev/null"} {
		within(t, 5*time.Second, p, func() {
			if _, err := ReadLocalFile(p, 1<<20); !errors.Is(err, ErrNotRegular) {
				t.Errorf("ReadLocalFile(%s): %v, want ErrNotRegular", p, err)
			}
			if f, err := OpenLocalFile(p); !errors.Is(err, ErrNotRegular) {
				t.Errorf("OpenLocalFile(%s): %v, want ErrNotRegular", p, err)
				if f != nil {
					f.Close()
				}
			}
		})
	}
	if _, err := ReadLocalFile(filepath.Join(dir, "missing"), 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	if _, err := ReadLocalFile(filepath.Join(fifo, "x"), 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("below a file: %v", err)
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 11), 0o644)
	if _, err := ReadLocalFile(big, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big: %v", err)
	}
	if b, err := ReadLocalFile(big, 11); err != nil || len(b) != 11 {
		t.Errorf("exact size: %d %v", len(b), err)
	}
	// A symlink to a regular file is followed (the CLI names files).
	link := filepath.Join(dir, "link")
	os.Symlink(big, link)
	if _, err := ReadLocalFile(link, 11); err != nil {
		t.Errorf("symlink to a regular file: %v", err)
	}
}

func TestLocalFileUnreadable(t *testing.T) {
	// A read error: /proc/self/mem is a regular file whose offset 0 is
	// unmapped, so read fails with EIO (root cannot bypass that).
	if _, err := os.Stat("/proc/self/mem"); err == nil {
		_, err := ReadLocalFile("/proc/self/mem", 100)
		if !errors.Is(err, ErrUnreadable) || errors.Is(err, ErrNotFound) {
			t.Errorf("read error: %v, want ErrUnreadable", err)
		}
		if !errors.Is(err, syscall.EIO) {
			t.Errorf("read error does not wrap EIO: %v", err)
		}
	}
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions do not apply")
	}
	p := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(p, []byte("x"), 0)
	if _, err := ReadLocalFile(p, 100); !errors.Is(err, ErrUnreadable) || !errors.Is(err, os.ErrPermission) {
		t.Errorf("permission denied: %v, want ErrUnreadable", err)
	}
}

func TestDirRefusesNonRegular(t *testing.T) {
	root := t.TempDir()
	d0 := filepath.Join(root, "3.13.5")
	os.MkdirAll(filepath.Join(d0, "subdir"), 0o755)
	mkfifo(t, filepath.Join(d0, "Python-3.13.5.tgz.asc"))
	os.Symlink("/dev/zero", filepath.Join(d0, "Python-3.13.5.tgz.sigstore"))
	os.Symlink("Python-3.13.5.tgz.asc", filepath.Join(d0, "Python-3.13.5.tgz.crt")) // to the FIFO, inside the tree
	os.WriteFile(filepath.Join(d0, "Python-3.13.5.tgz"), []byte("t"), 0o644)
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	names, err := d.List(ctx, "3.13.5")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 4 {
		t.Errorf("List = %q: every non-directory is listed", names)
	}
	for _, n := range []string{"Python-3.13.5.tgz.asc", "Python-3.13.5.tgz.sigstore", "Python-3.13.5.tgz.crt", "subdir"} {
		within(t, 5*time.Second, n, func() {
			rc, err := d.Open(ctx, "3.13.5", n)
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("Open(%s): %v, want ErrNotRegular", n, err)
			}
			if rc != nil {
				rc.Close()
			}
			if _, err := ReadSmall(ctx, d, "3.13.5", n, 1<<20); !errors.Is(err, ErrNotRegular) {
				t.Errorf("ReadSmall(%s): %v, want ErrNotRegular", n, err)
			}
		})
	}
	rc, err := d.Open(ctx, "3.13.5", "Python-3.13.5.tgz")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "t" {
		t.Errorf("regular file: %q %v", b, err)
	}
}

func TestDirReadError(t *testing.T) {
	// /proc/self is a symlink inside /proc; mem fails to read with EIO.
	if _, err := os.Stat("/proc/self/mem"); err != nil {
		t.Skip("no /proc")
	}
	d, err := OpenDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	_, err = ReadSmall(ctx, d, "self", "mem", 100)
	if !errors.Is(err, ErrUnreadable) {
		t.Fatalf("ReadSmall(/proc/self/mem): %v, want ErrUnreadable", err)
	}
	l, err := ReadDir(ctx, d, "self")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Fetch(ctx, "mem", 100); !errors.Is(err, ErrUnreadable) {
		t.Errorf("Fetch(mem): %v, want ErrUnreadable", err)
	}
}

func TestDirUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions do not apply")
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "3.13.5"), 0o755)
	os.WriteFile(filepath.Join(root, "3.13.5", "Python-3.13.5.tgz"), []byte("t"), 0)
	d, _ := OpenDir(root)
	defer d.Close()
	if _, err := d.Open(context.Background(), "3.13.5", "Python-3.13.5.tgz"); !errors.Is(err, ErrUnreadable) {
		t.Errorf("unreadable: %v", err)
	}
}
