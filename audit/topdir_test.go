package audit

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/sha256"
	"hash"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/sigaudit/sigaudit/archive"
	"github.com/sigaudit/sigaudit/report"
)

// tarball is a source tarball whose first entry is top/, compressed as
// comp.
func tarball(t *testing.T, top string, comp archive.Compression) []byte {
	t.Helper()
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	must(t, tw.WriteHeader(&tar.Header{Name: top + "/", Typeflag: tar.TypeDir, Mode: 0o755}))
	must(t, tw.WriteHeader(&tar.Header{Name: top + "/README", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5}))
	_, err := tw.Write([]byte("hello"))
	must(t, err)
	must(t, tw.Close())
	var out bytes.Buffer
	switch comp {
	case archive.Gzip:
		zw := gzip.NewWriter(&out)
		_, err = zw.Write(raw.Bytes())
		must(t, err)
		must(t, zw.Close())
	case archive.XZ:
		zw, err := xz.NewWriter(&out)
		must(t, err)
		_, err = zw.Write(raw.Bytes())
		must(t, err)
		must(t, zw.Close())
	}
	return out.Bytes()
}

func archiveCodes(a report.Artifact) int {
	n := 0
	for _, f := range a.Findings {
		if f.Code == report.CodeArchiveVersion {
			n++
		}
	}
	return n
}

// The top-level directory of a source tarball is read from the one pass
// that hashes it, or from the start of the file when a pass made before
// Audit did not keep its first bytes; either way one finding at most.
func TestTopDir(t *testing.T) {
	for _, c := range []struct {
		name, file string
		content    []byte
		want       int // archive-version-mismatch findings
	}{
		{"the release's own tarball", "Python-3.13.5.tgz", tarball(t, "Python-3.13.5", archive.Gzip), 0},
		{"another release renamed", "Python-3.13.5.tgz", tarball(t, "Python-3.12.11", archive.Gzip), 1},
		{"the final renamed as its candidate", "Python-3.13.5rc1.tar.xz", tarball(t, "Python-3.13.5", archive.XZ), 1},
		{"xz bytes under the .tgz name", "Python-3.13.5.tgz", tarball(t, "Python-3.13.5", archive.XZ), 1},
		{"gzip bytes under the .tar.xz name", "Python-3.13.5.tar.xz", tarball(t, "Python-3.13.5", archive.Gzip), 1},
		// Not an archive at all: its signatures cannot verify over it,
		// they say so; the name check has nothing to add.
		{"junk", "Python-3.13.5.tgz", []byte("not a tarball"), 0},
		// Not a source tarball: no check.
		{"an installer", "python-3.13.5-amd64.exe", tarball(t, "Python-3.12.11", archive.Gzip), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := memFiles{name: c.file, dir: "3.13.5", artifact: c.content}
			a := realAuditor(false)
			if got := archiveCodes(a.Audit(context.Background(), m.files())); got != c.want {
				t.Errorf("read by Audit: %d archive-version-mismatch findings, want %d", got, c.want)
			}
			sum := sha256.New()
			sum.Write(c.content)
			for _, kept := range []bool{false, true} {
				f := m.files()
				pre := &Hashed{Hashes: map[crypto.Hash]hash.Hash{crypto.SHA256: sum}}
				if kept {
					pre.Head, pre.HeadKept = c.content, true
				}
				f.Hashed = func() *Hashed { return pre }
				if got := archiveCodes(a.Audit(context.Background(), f)); got != c.want {
					t.Errorf("pass before Audit (head kept %v): %d findings, want %d", kept, got, c.want)
				}
			}
		})
	}
}

func TestHeadWriterBound(t *testing.T) {
	var w headWriter
	chunk := make([]byte, 300<<10)
	for i := 0; i < 5; i++ {
		if n, err := w.Write(chunk); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if len(w.b) != archive.MaxCompressed {
		t.Errorf("kept %d bytes, want %d", len(w.b), archive.MaxCompressed)
	}
}
