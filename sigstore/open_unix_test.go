//go:build unix

package sigstore

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A FIFO or a device given as --trusted-root, or planted as the cached
// root, is refused at once, never read (reading would hang or never end).
func TestTrustFilesNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "trusted_root.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	zero := filepath.Join(t.TempDir(), "zero.json")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, p := range []string{fifo, zero} {
			if _, err := LoadTrustedRoot(p); err == nil {
				t.Errorf("%s loaded", p)
			}
			if _, _, err := CurrentTrust("", p); err == nil {
				t.Errorf("%s used as --trusted-root", p)
			}
		}
		if _, _, err := CurrentTrust(dir, ""); err == nil {
			t.Error("a FIFO as the cached root was used")
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("hung on a FIFO or device")
	}
}

// Two updates of one cache at once: the second is refused while the first
// holds the lock, and the root stays whole.
func TestTrustUpdateLocked(t *testing.T) {
	f := newTrustFixture(t)
	unlock, err := lockDir(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	f.refused(t, "another trust update is running")
	unlock()
	if _, err := UpdateTrust(context.Background(), f.opts); err != nil {
		t.Errorf("after unlock: %v", err)
	}
}
