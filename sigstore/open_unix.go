//go:build unix

package sigstore

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// openFlags open without blocking: opening a FIFO for reading would wait
// for a writer, forever. Reads from regular files are unaffected by
// O_NONBLOCK.
const openFlags = syscall.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY

// lockDir takes an exclusive lock on dir/.lock for one trust update at a
// time; the lock goes with the process.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another trust update is running on %s", dir)
	}
	return func() { f.Close() }, nil
}
