package archive

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"
)

// FuzzTopDir feeds arbitrary bytes under each compression's name: nothing
// may panic, every error is an *Error, and a top directory is one clean
// path component.
func FuzzTopDir(f *testing.F) {
	good := mkTar(f, entry{"Python-3.99.0/", tar.TypeDir, ""}, entry{"Python-3.99.0/README", tar.TypeReg, "hi\n"})
	f.Add(gz(f, good), uint8(0))
	f.Add(xzc(f, good), uint8(1))
	f.Add(gz(f, mkTar(f, entry{"README", tar.TypeReg, "x"})), uint8(0))
	f.Add(xzc(f, good)[:40], uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, kind uint8) {
		name := []string{"Python-3.99.0.tgz", "Python-3.99.0.tar.xz", "Python-3.99.0.tar.bz2"}[int(kind)%3]
		cr := &countingReader{r: bytes.NewReader(b)}
		top, err := TopDir(cr, name)
		if cr.n > MaxCompressed {
			t.Fatalf("read %d bytes", cr.n)
		}
		if err != nil {
			if _, ok := err.(*Error); !ok || top != "" {
				t.Fatalf("TopDir = %q, %T %v", top, err, err)
			}
			return
		}
		if top == "" || top == "." || top == ".." || strings.ContainsAny(top, "/\\") {
			t.Fatalf("top directory %q", top)
		}
	})
}
