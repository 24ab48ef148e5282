// Package archive reads the top-level directory of a python.org source
// tarball from its first tar header only, so that a release renamed
// wholesale (3.13.5's tarball and signatures renamed to 3.12.11) is caught:
// no signature binds a file name, but the tarball names its own version.
//
// Reads are bounded: at most MaxCompressed bytes of input and MaxHeader
// bytes of decompressed data, and an .xz dictionary of at most MaxXZDict.
// It returns values and never prints.
package archive

import (
	"archive/tar"
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ulikunitz/xz"
)

const (
	// MaxCompressed bounds the compressed bytes read from the input.
	MaxCompressed = 1 << 20
	// MaxHeader bounds the decompressed bytes read before the first
	// header is complete (real tarballs need 1,024: one 512-byte header,
	// or a few with PAX or GNU long-name records).
	MaxHeader = 1 << 20
	// MaxXZDict bounds the LZMA2 dictionary an .xz file may ask for
	// (python.org's use 8 MiB; xz -9 uses 64 MiB). The decoder allocates
	// it whole before decoding a byte.
	MaxXZDict = 64 << 20
)

// Sentinel errors; every error TopDir returns is an *Error wrapping one.
var (
	ErrUnsupported = errors.New("not a source tarball name (.tgz, .tar.gz, .tar.xz, .tar.bz2)")
	ErrNotArchive  = errors.New("not a compressed tar archive")
	ErrTruncated   = errors.New("archive ends before its first header")
	ErrTooLarge    = errors.New("first header not found within the read bound")
	ErrNoTopDir    = errors.New("first entry is not inside a top-level directory")
	ErrUnsafePath  = errors.New("unsafe path in the first entry")
)

// Error is the error TopDir returns: the artifact name, the class (one of
// the Err sentinels, for errors.Is) and a detail.
type Error struct {
	Name   string
	Err    error
	Detail string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("archive: %s: %v", e.Name, e.Err)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Compression is how a tarball is compressed, from its name.
type Compression string

const (
	Gzip  Compression = "gzip"
	XZ    Compression = "xz"
	Bzip2 Compression = "bzip2"
)

// CompressionOf returns the compression a source tarball's name implies,
// or false for any other name.
func CompressionOf(name string) (Compression, bool) {
	switch n := strings.ToLower(name); {
	case strings.HasSuffix(n, ".tgz"), strings.HasSuffix(n, ".tar.gz"):
		return Gzip, true
	case strings.HasSuffix(n, ".tar.xz"), strings.HasSuffix(n, ".txz"):
		return XZ, true
	case strings.HasSuffix(n, ".tar.bz2"), strings.HasSuffix(n, ".tbz2"):
		return Bzip2, true
	}
	return "", false
}

// ExpectedTopDir is the top-level directory of python.org's source
// tarball of version v ("Python-3.13.5").
func ExpectedTopDir(version string) string { return "Python-" + version }

// TopDir reads the first tar header of the source tarball r, compressed
// as name says, and returns its top-level directory ("Python-3.13.5").
// It reads nothing past that header (a leading PAX global header is
// skipped), and at most MaxCompressed bytes of r.
func TopDir(r io.Reader, name string) (string, error) {
	fail := func(class error, detail string) (string, error) {
		return "", &Error{Name: name, Err: class, Detail: detail}
	}
	comp, ok := CompressionOf(name)
	if !ok {
		return fail(ErrUnsupported, "")
	}
	in := &boundedReader{r: r, left: MaxCompressed}
	var dec io.Reader
	switch comp {
	case Gzip:
		br := bufio.NewReader(in)
		z, err := gzip.NewReader(br)
		if err != nil {
			return fail(classify(err, in), err.Error())
		}
		z.Multistream(false)
		dec = z
	case XZ:
		br := bufio.NewReaderSize(in, 2048)
		if err := checkXZDict(br); err != nil {
			return fail(classify(err, in), err.Error())
		}
		z, err := xz.NewReader(br)
		if err != nil {
			return fail(classify(err, in), err.Error())
		}
		dec = z
	case Bzip2:
		dec = bzip2.NewReader(bufio.NewReader(in))
	}
	out := &boundedReader{r: dec, left: MaxHeader}
	tr := tar.NewReader(out)
	h, err := tr.Next()
	if err == nil && h.Typeflag == tar.TypeXGlobalHeader {
		h, err = tr.Next()
	}
	if err != nil {
		if errors.Is(err, io.EOF) && !in.over && !out.over {
			return fail(ErrNoTopDir, "the archive has no entries")
		}
		return fail(classify(err, in, out), err.Error())
	}
	return topOf(h, fail)
}

func topOf(h *tar.Header, fail func(error, string) (string, error)) (string, error) {
	p := h.Name
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	if p == "" || p == "." {
		return fail(ErrNoTopDir, fmt.Sprintf("first entry %q", h.Name))
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, `\`) {
		return fail(ErrUnsafePath, fmt.Sprintf("first entry %q", h.Name))
	}
	top, _, nested := strings.Cut(p, "/")
	if !nested && h.Typeflag != tar.TypeDir {
		return fail(ErrNoTopDir, fmt.Sprintf("first entry %q is a file at the top level", h.Name))
	}
	if top == "." || top == ".." {
		return fail(ErrUnsafePath, fmt.Sprintf("first entry %q", h.Name))
	}
	if !utf8.ValidString(top) || strings.IndexFunc(top, func(r rune) bool { return unicode.IsControl(r) }) >= 0 {
		return fail(ErrUnsafePath, fmt.Sprintf("first entry %q has control or non-UTF-8 bytes", h.Name))
	}
	return top, nil
}

// classify maps a read error to its class: a bound that was hit is
// ErrTooLarge, an early end ErrTruncated, anything else ErrNotArchive.
func classify(err error, bounds ...*boundedReader) error {
	for _, b := range bounds {
		if b.over {
			return ErrTooLarge
		}
	}
	if errors.Is(err, errBound) {
		return ErrTooLarge
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return ErrTruncated
	}
	return ErrNotArchive
}

var errBound = errors.New("read bound reached")

// boundedReader reads at most left bytes of r, then fails with errBound
// (not io.EOF, so that a bound is never mistaken for the end of data).
type boundedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		b.over = true
		return 0, errBound
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// checkXZDict reads, without consuming, the .xz stream header and first
// block header, and refuses an LZMA2 dictionary larger than MaxXZDict
// (github.com/ulikunitz/xz allocates what the header asks for).
func checkXZDict(br *bufio.Reader) error {
	head, err := br.Peek(13)
	if len(head) < 6 || string(head[:6]) != "\xfd7zXZ\x00" {
		if err != nil && len(head) < 6 {
			return err
		}
		return errors.New("xz: bad magic")
	}
	if len(head) < 13 {
		return io.ErrUnexpectedEOF
	}
	if head[12] == 0 {
		return nil // no block: the index follows; the decoder says what it is
	}
	size := 12 + (int(head[12])+1)*4
	b, err := br.Peek(size)
	if err != nil {
		return err
	}
	b = b[12:]
	flags := b[1]
	pos := 2
	varint := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && pos < len(b); i++ {
			c := b[pos]
			pos++
			v |= uint64(c&0x7f) << (7 * i)
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	if flags&0x40 != 0 {
		if _, ok := varint(); !ok {
			return errors.New("xz: bad block header")
		}
	}
	if flags&0x80 != 0 {
		if _, ok := varint(); !ok {
			return errors.New("xz: bad block header")
		}
	}
	for i := 0; i <= int(flags&3); i++ {
		id, ok1 := varint()
		n, ok2 := varint()
		if !ok1 || !ok2 || uint64(len(b)-pos) < n {
			return errors.New("xz: bad block header")
		}
		if id == 0x21 && n == 1 {
			d := b[pos]
			if d > 40 {
				return errors.New("xz: bad LZMA2 dictionary size")
			}
			if d < 40 {
				dict := uint64(2|d&1) << (d/2 + 11)
				if dict > MaxXZDict {
					return fmt.Errorf("%w: xz dictionary of %d MiB (at most %d MiB)", errBound, dict>>20, MaxXZDict>>20)
				}
			} else {
				return fmt.Errorf("%w: xz dictionary of 4 GiB (at most %d MiB)", errBound, MaxXZDict>>20)
			}
		}
		pos += int(n)
	}
	return nil
}
