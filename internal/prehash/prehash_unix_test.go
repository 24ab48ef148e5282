//go:build unix

package prehash

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A path that is no longer a regular file when it is opened gives an
// error, without blocking on a FIFO.
func TestNotRegular(t *testing.T) {
	dir := t.TempDir()
	if r := hashFile(dir, nil, nil); r.Err == nil {
		t.Error("a directory was hashed")
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan *Result, 1)
	go func() { done <- hashFile(fifo, nil, nil) }()
	select {
	case r := <-done:
		if r.Err == nil {
			t.Error("a FIFO was hashed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a FIFO blocked")
	}
	// Start never queues one.
	Start([]string{fifo})
	t.Cleanup(func() { Start(nil) })
	if len(q.list) != 0 {
		t.Error("a FIFO was queued")
	}
	if r := hashFile(filepath.Join(dir, "gone"), nil, nil); r.Err == nil || r.SameFile(nil) {
		t.Error("a missing file was hashed")
	}
}
