package source

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Both layouts: python.org's, where pre-releases live in X.Y.Z/, and a
// per-version directory (3.14.0rc1/).
func TestPreReleaseLayouts(t *testing.T) {
	files := map[string][]string{
		// python.org: 3.14.0/ holds rc1 and the final release.
		"pyorg/3.14.0": {"Python-3.14.0rc1.tar.xz", "Python-3.14.0rc1.tar.xz.sigstore", "python-3.14.0rc1-amd64.exe.sigstore",
			"python3140rc1.chm", "Python-3.14.0.tar.xz", "Python-3.14.0.tar.xz.asc", "python3140.chm", "README.txt"},
		// per-version directories.
		"perver/3.14.0rc1": {"Python-3.14.0rc1.tar.xz", "Python-3.14.0rc1.tar.xz.sigstore", "python-3.14.0rc1-amd64.exe.sigstore", "python3140rc1.chm"},
		"perver/3.14.0":    {"Python-3.14.0.tar.xz", "Python-3.14.0.tar.xz.asc", "python3140.chm"},
	}
	root := t.TempDir()
	for d, names := range files {
		os.MkdirAll(filepath.Join(root, d), 0o755)
		for _, n := range names {
			os.WriteFile(filepath.Join(root, d, n), []byte(n), 0o644)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	defer srv.Close()
	ctx := context.Background()
	rc1 := "Python-3.14.0rc1.tar.xz python-3.14.0rc1-amd64.exe python3140rc1.chm"
	final := "Python-3.14.0.tar.xz python3140.chm"
	for _, kind := range []string{"dir", "http"} {
		open := func(layout string) Source {
			if kind == "http" {
				return newHTTP(t, srv.URL+"/"+layout+"/")
			}
			d, err := OpenDir(filepath.Join(root, layout))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
		arts := func(s Source, dir, only string) string {
			l, err := ReadDir(ctx, s, dir)
			if err != nil {
				t.Fatalf("%s %s: %v", kind, dir, err)
			}
			if !l.Listed {
				t.Errorf("%s %s: not listed", kind, dir)
			}
			for _, n := range l.Artifacts(only) {
				if v := ParseName(n, dir).Version; v != "" && !dirHolds(dir, v) {
					t.Errorf("%s: %s in %s is version %q", kind, n, dir, v)
				}
			}
			return strings.Join(l.Artifacts(only), " ")
		}

		t.Run(kind+"/python.org", func(t *testing.T) {
			s := open("pyorg")
			if vs, err := s.Versions(ctx); err != nil || strings.Join(vs, " ") != "3.14.0" {
				t.Errorf("versions %v %v", vs, err)
			}
			if got := arts(s, "3.14.0", "3.14.0rc1"); got != rc1 {
				t.Errorf("3.14.0rc1 in 3.14.0/: %s", got)
			}
			if got := arts(s, "3.14.0", "3.14.0"); got != final {
				t.Errorf("3.14.0 in 3.14.0/: %s", got)
			}
			if got := arts(s, "3.14.0", ""); got != "Python-3.14.0.tar.xz Python-3.14.0rc1.tar.xz README.txt python-3.14.0rc1-amd64.exe python3140.chm python3140rc1.chm" {
				t.Errorf("all of 3.14.0/: %s", got)
			}
		})
		t.Run(kind+"/per-version", func(t *testing.T) {
			s := open("perver")
			if vs, err := s.Versions(ctx); err != nil || strings.Join(vs, " ") != "3.14.0rc1 3.14.0" {
				t.Errorf("versions %v %v", vs, err)
			}
			if got := arts(s, "3.14.0rc1", ""); got != rc1 {
				t.Errorf("3.14.0rc1/: %s", got)
			}
			if got := arts(s, "3.14.0rc1", "3.14.0rc1"); got != rc1 {
				t.Errorf("3.14.0rc1/ only 3.14.0rc1: %s", got)
			}
			if got := arts(s, "3.14.0", ""); got != final {
				t.Errorf("3.14.0/: %s", got)
			}
		})
	}
	for _, c := range []struct {
		dir, version string
		want         bool
	}{{"3.14.0", "3.14.0rc1", true}, {"3.14.0rc1", "3.14.0rc1", true}, {"3.14.0", "3.14.0", true}, {"3.14.0rc1", "3.14.0", false}, {"3.14.1", "3.14.0", false}, {"3.14.0", "x", false}} {
		if dirHolds(c.dir, c.version) != c.want {
			t.Errorf("dirHolds(%s, %s) = %v", c.dir, c.version, !c.want)
		}
	}
	if d, ok := ReleaseDir("3.14.0b3"); !ok || d != "3.14.0" {
		t.Errorf("ReleaseDir = %s %v", d, ok)
	}
}
