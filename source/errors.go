package source

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// Errors callers tell apart with errors.Is. Every error of this package
// about a file wraps at most one of them (ErrUnreadable may also wrap the
// underlying I/O error).
var (
	// ErrNotFound: the file or directory does not exist (HTTP 404/410).
	ErrNotFound = errors.New("not found")
	// ErrTooLarge: the file is larger than its reader allows, or than the
	// size the API lists for it.
	ErrTooLarge = errors.New("file too large")
	// ErrNotRegular: the name exists but is not a regular file (a FIFO, a
	// device, a socket, a directory); nothing was read from it.
	ErrNotRegular = errors.New("not a regular file")
	// ErrUnreadable: the file exists but cannot be read (permission
	// denied, an I/O error, an HTTP answer other than 404 after retries, a
	// body cut short). An operational error, not a verdict on the file.
	ErrUnreadable = errors.New("cannot be read")
)

// classify wraps an error from opening, stat-ing or reading the file
// called name in the sentinel a caller needs. Context cancellation and
// already classified errors pass through unchanged.
func classify(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrTooLarge), errors.Is(err, ErrNotRegular), errors.Is(err, ErrUnreadable):
		return err
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%s: %w", name, ErrNotFound)
	case errors.Is(err, syscall.ELOOP):
		// O_NOFOLLOW refused a symlink, or os.Root one that leaves the tree.
		return fmt.Errorf("%s: %w (symlink refused)", name, ErrNotRegular)
	case errors.Is(err, syscall.ENXIO), errors.Is(err, syscall.EISDIR):
		return fmt.Errorf("%s: %w", name, ErrNotRegular)
	case isCanceled(err):
		return err
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s %w: %w", name, ErrUnreadable, err)
}

func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
