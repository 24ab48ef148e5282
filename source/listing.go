package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
)

// DirReader is a Source that reads a release directory as a Listing
// itself (HTTP: one GET; possibly without a listing).
type DirReader interface {
	ReadDir(ctx context.Context, version string) (*Listing, error)
}

// SizedOpener is a Source that can cap a download by the size the caller
// expects (the API's filesize).
type SizedOpener interface {
	OpenSized(ctx context.Context, version, name string, size int64) (io.ReadCloser, error)
}

// Presence of a name in a Listing.
type Presence int

const (
	// Unknown: the source has no listing and the name was not fetched yet.
	Unknown Presence = iota
	// Present: the listing shows the name, or a fetch found it.
	Present
	// Absent: the listing does not show the name, or a fetch got ErrNotFound.
	Absent
)

// Listing is one release directory of a source, read once. When Listed,
// Names is the source's own listing and is authoritative: Has, Fetch and
// Open answer for a name it lacks with no request at all. When not
// Listed (a mirror without directory listings), every name is probed by
// fetching it, and the outcome is remembered, so that Has after a Fetch
// costs nothing either. A Listing is safe for concurrent use.
type Listing struct {
	// Version is the directory name (3.13.5, or 3.14.0rc1 for a
	// per-version directory).
	Version string
	// Names are the files the listing shows, sorted (nil when not Listed).
	Names []string
	// Listed says Names comes from a listing; false means the source has
	// none and files are probed (say so in a report).
	Listed bool

	src  Source
	mu   sync.Mutex
	seen map[string]bool // probe outcomes, when not Listed
}

// NewListing makes a Listing of names (a directory's files) in version of
// src; listed says whether names is a complete listing.
func NewListing(src Source, version string, names []string, listed bool) *Listing {
	l := &Listing{Version: version, Listed: listed, src: src}
	if !listed {
		l.seen = map[string]bool{}
	}
	if listed {
		// Sorted, searched by binary search: no set beside it (a tree
		// audit holds every listing; memory flat in artifacts, issue 18).
		l.Names = slices.Clip(slices.Clone(names))
		sort.Strings(l.Names)
	}
	return l
}

// ReadDir reads one release directory of s: through s.ReadDir when s is a
// DirReader, else as the complete listing s.List gives.
func ReadDir(ctx context.Context, s Source, version string) (*Listing, error) {
	if dr, ok := s.(DirReader); ok {
		return dr.ReadDir(ctx, version)
	}
	names, err := s.List(ctx, version)
	if err != nil {
		return nil, err
	}
	return NewListing(s, version, names, true), nil
}

// ReadDirs reads the given directories concurrently, at most jobs at a
// time; listings[i] and errs[i] answer for versions[i].
func ReadDirs(ctx context.Context, s Source, versions []string, jobs int) (listings []*Listing, errs []error) {
	listings = make([]*Listing, len(versions))
	errs = make([]error, len(versions))
	sem := make(chan struct{}, max(jobs, 1))
	var wg sync.WaitGroup
	for i, v := range versions {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			listings[i], errs[i] = ReadDir(ctx, s, v)
		}()
	}
	wg.Wait()
	return listings, errs
}

// Source is the source the listing was read from.
func (l *Listing) Source() Source { return l.src }

// Presence says what is known of name without a request.
func (l *Listing) Presence(name string) Presence {
	if l.Listed {
		if _, ok := slices.BinarySearch(l.Names, name); ok {
			return Present
		}
		return Absent
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch found, ok := l.seen[name]; {
	case !ok:
		return Unknown
	case found:
		return Present
	}
	return Absent
}

// Has reports whether name may be in the directory: false only when it is
// known to be absent (not in the listing, or a probe found nothing).
func (l *Listing) Has(name string) bool { return l.Presence(name) != Absent }

func (l *Listing) record(name string, err error) {
	if l.Listed {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil:
		l.seen[name] = true
	case errors.Is(err, ErrNotFound):
		l.seen[name] = false
	default:
		l.seen[name] = true // it exists, in some unusable way
	}
}

func (l *Listing) absent(name string) error {
	return fmt.Errorf("%s/%s: %w (not in the directory listing)", l.Version, name, ErrNotFound)
}

// Fetch reads the whole file name, of at most limit bytes (a signature,
// a bundle, an SBOM). A name the listing lacks is ErrNotFound with no
// request. Errors wrap ErrNotFound, ErrTooLarge, ErrNotRegular or
// ErrUnreadable.
func (l *Listing) Fetch(ctx context.Context, name string, limit int64) ([]byte, error) {
	if !l.Has(name) {
		return nil, l.absent(name)
	}
	b, err := ReadSmall(ctx, l.src, l.Version, name, limit)
	l.record(name, err)
	return b, err
}

// Open opens the file name for streaming; size is its expected size (the
// API's filesize) or 0: a source that can (HTTP) stops a longer body with
// ErrTooLarge. A name the listing lacks is ErrNotFound with no request.
func (l *Listing) Open(ctx context.Context, name string, size int64) (io.ReadCloser, error) {
	if !l.Has(name) {
		return nil, l.absent(name)
	}
	var rc io.ReadCloser
	var err error
	if so, ok := l.src.(SizedOpener); ok {
		rc, err = so.OpenSized(ctx, l.Version, name, size)
	} else {
		rc, err = l.src.Open(ctx, l.Version, name)
	}
	l.record(name, err)
	return rc, err
}

// Artifacts lists the artifacts the listing shows: every file that is not
// a signature or SBOM, and the artifact a signature names when the
// artifact itself is missing (as long as the name is a python.org one).
// With only set (a version, e.g. 3.14.0rc1 in the 3.14.0 directory), only
// that version's artifacts are listed. Empty when not Listed: the caller
// adds what the API names.
func (l *Listing) Artifacts(only string) []string {
	arts := map[string]bool{}
	for _, n := range l.Names {
		if !IsSibling(n) {
			arts[n] = true
			continue
		}
		for _, suf := range siblingSuffixes {
			if base, ok := strings.CutSuffix(n, suf); ok && ParseName(base, l.Version).Known {
				arts[base] = true
				break
			}
		}
	}
	var out []string
	for n := range arts {
		if only != "" && ParseName(n, l.Version).Version != only {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Exists reports whether name is in the directory: from the listing, or
// from an earlier Fetch or Open, with no request; only a name never
// fetched from a source without a listing is probed (one GET, body
// drained). An error is returned only when a probe fails other than with
// ErrNotFound.
func (l *Listing) Exists(ctx context.Context, name string) (bool, error) {
	switch l.Presence(name) {
	case Present:
		return true, nil
	case Absent:
		return false, nil
	}
	rc, err := l.Open(ctx, name, 0)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rc.Close()
	return true, nil
}

// SiblingFunc returns, for the artifact called artifact, a function that
// reads artifact+suffix (".asc", ".sigstore", ...) through Fetch: the
// shape of audit.Files.Sibling.
func (l *Listing) SiblingFunc(ctx context.Context, artifact string) func(suffix string, limit int64) ([]byte, error) {
	return func(suffix string, limit int64) ([]byte, error) {
		return l.Fetch(ctx, artifact+suffix, limit)
	}
}

// OpenFunc returns a function that opens name through Open with the
// expected size (0 if unknown): the shape of audit.Files.Artifact.
func (l *Listing) OpenFunc(ctx context.Context, name string, size int64) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return l.Open(ctx, name, size) }
}
