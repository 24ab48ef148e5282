package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sigaudit/sigaudit/timeline"
)

// Source is a python.org-like release tree.
type Source interface {
	// Versions lists the release directories (names that parse as versions).
	Versions(ctx context.Context) ([]string, error)
	// List lists the file names in a release directory.
	List(ctx context.Context, version string) ([]string, error)
	// Open opens a file for streaming.
	Open(ctx context.Context, version, name string) (io.ReadCloser, error)
	String() string
}

// ReadSmall reads a whole file of at most limit bytes; a larger one is an
// error after limit+1 bytes.
func ReadSmall(ctx context.Context, s Source, version, name string, limit int64) ([]byte, error) {
	rc, err := s.Open(ctx, version, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readBounded(version+"/"+name, rc, limit)
}

// Dir is a local directory laid out like python.org/ftp/python/. Access
// goes through os.Root: names with separators or "..", and symlinks that
// leave the tree, are refused.
type Dir struct {
	path string
	root *os.Root
}

// OpenDir opens a local tree.
func OpenDir(path string) (*Dir, error) {
	r, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	return &Dir{path: path, root: r}, nil
}

func (d *Dir) String() string { return d.path }

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }

func (d *Dir) readDir(name string) ([]fs.DirEntry, error) {
	f, err := d.root.Open(name)
	if err != nil {
		return nil, classify(name, err)
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	if err != nil {
		return nil, classify(name, err)
	}
	return ents, nil
}

// Versions implements Source.
func (d *Dir) Versions(ctx context.Context) ([]string, error) {
	ents, err := d.readDir(".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if _, err := timeline.ParseVersion(e.Name()); err == nil && e.IsDir() {
			out = append(out, e.Name())
		}
	}
	SortVersions(out)
	return out, nil
}

// List implements Source. Every entry that is not a directory is listed,
// FIFOs and devices included: opening one fails with ErrNotRegular, so a
// FIFO in place of a signature is reported, not silently skipped.
func (d *Dir) List(ctx context.Context, version string) ([]string, error) {
	if !SafeName(version) {
		return nil, fmt.Errorf("unsafe directory name %q", version)
	}
	ents, err := d.readDir(version)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Open implements Source. The file is opened without blocking and checked
// to be a regular file before anything is read; errors wrap ErrNotFound,
// ErrNotRegular (a FIFO, a device, a symlink leaving the tree) or
// ErrUnreadable (permissions, I/O errors, also while reading).
func (d *Dir) Open(ctx context.Context, version, name string) (io.ReadCloser, error) {
	if !SafeName(version) || !SafeName(name) {
		return nil, fmt.Errorf("unsafe file name %q", filepath.Join(version, name))
	}
	p := version + "/" + name
	f, err := d.root.OpenFile(p, openFlags, 0)
	if err != nil {
		if st, lerr := d.root.Lstat(p); lerr == nil && st.Mode()&fs.ModeSymlink != 0 && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("%s: %w (symlink that leaves the tree)", p, ErrNotRegular)
		}
		return nil, classify(p, err)
	}
	if err := checkRegular(p, f); err != nil {
		f.Close()
		return nil, err
	}
	return &fileReader{f: f, name: p}, nil
}

// SortVersions sorts version strings in release order; unparsable ones last.
func SortVersions(vs []string) {
	sort.SliceStable(vs, func(i, j int) bool { return CompareVersions(vs[i], vs[j]) < 0 })
}

// CompareVersions orders version strings; unparsable ones sort last, by text.
func CompareVersions(a, b string) int {
	va, ea := timeline.ParseVersion(a)
	vb, eb := timeline.ParseVersion(b)
	switch {
	case ea == nil && eb == nil:
		return va.Compare(vb)
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// OpenSized implements SizedOpener: a file larger than size (when size >
// 0) fails with ErrTooLarge before anything is read.
func (d *Dir) OpenSized(ctx context.Context, version, name string, size int64) (io.ReadCloser, error) {
	rc, err := d.Open(ctx, version, name)
	if err != nil || size <= 0 {
		return rc, err
	}
	fr := rc.(*fileReader)
	if st, err := fr.Stat(); err == nil && st.Size() > size {
		rc.Close()
		return nil, fmt.Errorf("%s/%s is %d bytes, more than the %d expected: %w", version, name, st.Size(), size, ErrTooLarge)
	}
	return &capBody{ReadCloser: rc, max: size, what: version + "/" + name}, nil
}
