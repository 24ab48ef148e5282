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

// ErrNotFound is returned when a file or directory does not exist.
var ErrNotFound = errors.New("not found")

// ErrTooLarge is returned when a file is larger than its reader allows.
var ErrTooLarge = errors.New("file too large")

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
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s/%s is larger than %d bytes: %w", version, name, limit, ErrTooLarge)
	}
	return b, nil
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
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", name, ErrNotFound)
		}
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
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

// List implements Source. Only regular files and symlinks (checked when
// opened) are listed.
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
		if e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0 {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Open implements Source.
func (d *Dir) Open(ctx context.Context, version, name string) (io.ReadCloser, error) {
	if !SafeName(version) || !SafeName(name) {
		return nil, fmt.Errorf("unsafe file name %q", filepath.Join(version, name))
	}
	f, err := d.root.Open(version + "/" + name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s/%s: %w", version, name, ErrNotFound)
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s/%s is not a regular file", version, name)
	}
	return f, nil
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
