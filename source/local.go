package source

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// OpenLocalFile opens a local file for reading, refusing anything that is
// not a regular file before reading a byte: it opens without blocking (a
// FIFO would otherwise wait for a writer forever) and checks the open
// file's type (so a symlink to /dev/zero is refused, not read without
// end). Errors wrap ErrNotFound, ErrNotRegular or ErrUnreadable.
func OpenLocalFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, classify(path, err)
	}
	if err := checkRegular(path, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkRegular refuses an open file that is not a regular file.
func checkRegular(name string, f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return classify(name, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: %w (%s)", name, ErrNotRegular, typeName(st.Mode()))
	}
	return nil
}

func typeName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return "mode " + m.String()
}

// ReadLocalFile reads a whole local file of at most limit bytes, with the
// checks of OpenLocalFile. Errors wrap ErrNotFound, ErrNotRegular,
// ErrTooLarge or ErrUnreadable.
func ReadLocalFile(path string, limit int64) ([]byte, error) {
	f, err := OpenLocalFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readBounded(path, f, limit)
}

// readBounded reads r to EOF, failing with ErrTooLarge after limit+1 bytes.
func readBounded(name string, r io.Reader, limit int64) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, classify(name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes: %w", name, limit, ErrTooLarge)
	}
	return b, nil
}

// fileReader is an open regular file whose read errors say ErrUnreadable.
type fileReader struct {
	f    *os.File
	name string
}

func (r *fileReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err != nil && err != io.EOF {
		err = classify(r.name, err)
	}
	return n, err
}

func (r *fileReader) Close() error { return r.f.Close() }

// Stat describes the open file.
func (r *fileReader) Stat() (fs.FileInfo, error) { return r.f.Stat() }
