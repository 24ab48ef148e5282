package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"
)

const realTarball = "../../shared/realdata/artifacts/Python-3.13.5.tar.xz"

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestRealTarball(t *testing.T) {
	f, err := os.Open(realTarball)
	if err != nil {
		t.Skipf("real artifact not available: %v", err)
	}
	defer f.Close()
	c := &countingReader{r: f}
	top, err := TopDir(c, "Python-3.13.5.tar.xz")
	if err != nil || top != "Python-3.13.5" || top != ExpectedTopDir("3.13.5") {
		t.Fatalf("TopDir = %q, %v", top, err)
	}
	// Only the start of the 22 MB file is read.
	if c.n > 64<<10 {
		t.Errorf("read %d bytes of the real tarball", c.n)
	}
	// Renamed wholesale: the name says 3.12.11, the archive 3.13.5.
	f.Seek(0, 0)
	if top, err := TopDir(f, "python.tar.xz"); err != nil || top == ExpectedTopDir("3.12.11") {
		t.Errorf("renamed: %q, %v", top, err)
	}
}

type entry struct {
	name string
	typ  byte
	body string
}

func mkTar(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body)), Format: tar.FormatPAX}
		if e.typ == tar.TypeDir {
			h.Mode, h.Size = 0o755, 0
		}
		if e.typ == tar.TypeXGlobalHeader {
			h = &tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": e.body}, Format: tar.FormatPAX}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			io.WriteString(tw, e.body)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func xzc(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// infinite repeats pattern after prefix forever.
type infinite struct {
	prefix, pattern []byte
	pos             int64
}

func (r *infinite) Read(p []byte) (int, error) {
	for i := range p {
		if r.pos < int64(len(r.prefix)) {
			p[i] = r.prefix[r.pos]
		} else {
			p[i] = r.pattern[(r.pos-int64(len(r.prefix)))%int64(len(r.pattern))]
		}
		r.pos++
	}
	return len(p), nil
}

func TestGenerated(t *testing.T) {
	dir := entry{"Python-3.99.0/", tar.TypeDir, ""}
	good := mkTar(t, dir, entry{"Python-3.99.0/README", tar.TypeReg, "hi\n"})
	fileFirst := mkTar(t, entry{"Python-3.99.0/README", tar.TypeReg, "hi\n"})
	dotSlash := mkTar(t, entry{"./Python-3.99.0/", tar.TypeDir, ""})
	wrongDir := mkTar(t, entry{"Python-3.12.11/", tar.TypeDir, ""})
	global := mkTar(t, entry{"", tar.TypeXGlobalHeader, "git"}, dir)
	longName := mkTar(t, entry{"Python-3.99.0/" + strings.Repeat("d", 300) + "/x", tar.TypeReg, "x"})
	noDir := mkTar(t, entry{"README", tar.TypeReg, "hi\n"})
	abs := mkTar(t, entry{"/etc/passwd", tar.TypeReg, "root"})
	dotdot := mkTar(t, entry{"../Python-3.99.0/x", tar.TypeReg, "x"})
	dots := mkTar(t, entry{"./", tar.TypeDir, ""})
	ctrl := mkTar(t, entry{"Python-3.99.0\x1b[31m/", tar.TypeDir, ""})
	empty := mkTar(t)
	// A PAX record as large as archive/tar accepts (1 MiB): more than the
	// bound allows before the first header is complete.
	bomb := mkTar(t, entry{"Python-3.99.0/" + strings.Repeat("a", 1<<20-64), tar.TypeReg, "x"})
	// Empty stored deflate blocks forever: input without output.
	storedForever := &infinite{prefix: []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, pattern: []byte{0, 0, 0, 0xff, 0xff}}

	bz2, err := os.ReadFile("testdata/Python-3.99.0.tar.bz2")
	if err != nil {
		t.Fatal(err)
	}
	hugeDict := xzc(t, good)
	hugeDict[12+2+2] = 40 // LZMA2 dictionary property byte of the first block: 4 GiB

	cases := []struct {
		name    string
		file    string
		in      io.Reader
		want    string
		err     error
		maxRead int64
	}{
		{"tgz", "Python-3.99.0.tgz", bytes.NewReader(gz(t, good)), "Python-3.99.0", nil, 0},
		{"tar.gz", "Python-3.99.0.tar.gz", bytes.NewReader(gz(t, good)), "Python-3.99.0", nil, 0},
		{"tar.xz", "Python-3.99.0.tar.xz", bytes.NewReader(xzc(t, good)), "Python-3.99.0", nil, 0},
		{"tar.bz2", "Python-3.99.0.tar.bz2", bytes.NewReader(bz2), "Python-3.99.0", nil, 0},
		{"upper-case suffix", "PYTHON.TAR.XZ", bytes.NewReader(xzc(t, good)), "Python-3.99.0", nil, 0},
		{"file first", "Python-3.99.0.tgz", bytes.NewReader(gz(t, fileFirst)), "Python-3.99.0", nil, 0},
		{"./ prefix", "Python-3.99.0.tgz", bytes.NewReader(gz(t, dotSlash)), "Python-3.99.0", nil, 0},
		{"pax global header first", "Python-3.99.0.tar.xz", bytes.NewReader(xzc(t, global)), "Python-3.99.0", nil, 0},
		{"PAX long name", "Python-3.99.0.tar.xz", bytes.NewReader(xzc(t, longName)), "Python-3.99.0", nil, 0},
		{"wrong directory (caller compares)", "Python-3.99.0.tar.xz", bytes.NewReader(xzc(t, wrongDir)), "Python-3.12.11", nil, 0},
		{"no top directory", "Python-3.99.0.tgz", bytes.NewReader(gz(t, noDir)), "", ErrNoTopDir, 0},
		{"absolute path", "Python-3.99.0.tgz", bytes.NewReader(gz(t, abs)), "", ErrUnsafePath, 0},
		{"dot-dot", "Python-3.99.0.tgz", bytes.NewReader(gz(t, dotdot)), "", ErrUnsafePath, 0},
		{"only ./", "Python-3.99.0.tgz", bytes.NewReader(gz(t, dots)), "", ErrNoTopDir, 0},
		{"control bytes", "Python-3.99.0.tgz", bytes.NewReader(gz(t, ctrl)), "", ErrUnsafePath, 0},
		{"empty tar", "Python-3.99.0.tar.xz", bytes.NewReader(xzc(t, empty)), "", ErrNoTopDir, 0},
		{"empty file", "Python-3.99.0.tar.xz", bytes.NewReader(nil), "", ErrTruncated, 0},
		{"empty gzip file", "Python-3.99.0.tgz", bytes.NewReader(nil), "", ErrTruncated, 0},
		{"truncated xz", "Python-3.99.0.tar.xz", bytes.NewReader(xzc(t, good)[:40]), "", ErrTruncated, 0},
		{"truncated gzip", "Python-3.99.0.tgz", bytes.NewReader(gz(t, good)[:30]), "", ErrTruncated, 0},
		{"truncated tar header", "Python-3.99.0.tgz", bytes.NewReader(gz(t, good[:300])), "", ErrTruncated, 0},
		{"not an archive (.tar.xz)", "Python-3.99.0.tar.xz", strings.NewReader("<html>404 Not Found</html>\n"), "", ErrNotArchive, 0},
		{"not an archive (.tgz)", "Python-3.99.0.tgz", strings.NewReader("<html>404 Not Found</html>\n"), "", ErrNotArchive, 0},
		{"gzip of text", "Python-3.99.0.tgz", bytes.NewReader(gz(t, bytes.Repeat([]byte("not a tar header\n"), 100))), "", ErrNotArchive, 0},
		{"xz named .tgz", "Python-3.99.0.tgz", bytes.NewReader(xzc(t, good)), "", ErrNotArchive, 0},
		{"bz2 of text", "Python-3.99.0.tar.bz2", strings.NewReader("BZh9 not really"), "", ErrNotArchive, 0},
		{"zip bomb-like PAX record", "Python-3.99.0.tar.xz", bytes.NewReader(xzc(t, bomb)), "", ErrTooLarge, MaxCompressed + 64<<10},
		{"endless input without output", "Python-3.99.0.tgz", storedForever, "", ErrTooLarge, MaxCompressed + 64<<10},
		{"endless zeros", "Python-3.99.0.tar.xz", &infinite{pattern: []byte{0}}, "", ErrNotArchive, 64 << 10},
		{"4 GiB xz dictionary", "Python-3.99.0.tar.xz", bytes.NewReader(hugeDict), "", ErrTooLarge, 0},
		{"not a tarball name", "python-3.99.0-amd64.exe", bytes.NewReader(gz(t, good)), "", ErrUnsupported, 0},
		{"zip", "python-3.99.0-embed-amd64.zip", bytes.NewReader(nil), "", ErrUnsupported, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cr := &countingReader{r: c.in}
			got, err := TopDir(cr, c.file)
			if c.err == nil {
				if err != nil || got != c.want {
					t.Fatalf("TopDir = %q, %v; want %q", got, err, c.want)
				}
			} else {
				var ae *Error
				if !errors.Is(err, c.err) || !errors.As(err, &ae) || got != "" {
					t.Fatalf("TopDir = %q, %v; want %v", got, err, c.err)
				}
				if ae.Name != c.file || !strings.HasPrefix(err.Error(), "archive: "+c.file+": "+c.err.Error()) {
					t.Errorf("error text %q", err)
				}
			}
			if c.maxRead > 0 && cr.n > c.maxRead {
				t.Errorf("read %d bytes, bound %d", cr.n, c.maxRead)
			}
		})
	}
}

func TestCompressionOf(t *testing.T) {
	for name, want := range map[string]Compression{
		"Python-3.13.5.tgz": Gzip, "Python-3.13.5.tar.xz": XZ, "Python-2.7.18.tar.bz2": Bzip2,
		"python.tar.gz": Gzip, "x.txz": XZ, "x.tbz2": Bzip2,
		"Python-3.13.5.tar.xz.asc": "", "python-3.13.5-amd64.exe": "", "Python-3.13.5.tar": "",
	} {
		got, ok := CompressionOf(name)
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q, %v", name, got, ok)
		}
	}
}
