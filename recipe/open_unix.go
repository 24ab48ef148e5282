//go:build unix

package recipe

import (
	"os"
	"syscall"
)

// openRegular opens name without blocking on a FIFO that appeared after
// the Stat (the caller checks the descriptor is a regular file).
func openRegular(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
