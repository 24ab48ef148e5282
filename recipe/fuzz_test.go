package recipe

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are this package's own fixtures and Pin's outputs (never the
// real recipes, which stay in shared/).
func fuzzSeeds(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	files, _ := filepath.Glob(filepath.Join("testdata", "recipes", "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds[filepath.Base(f)] = b
	}
	names := map[Format]string{Dockerfile: "Dockerfile", Pyenv: "3.13.5", PKGBUILD: "PKGBUILD", Brew: "python@3.13.rb",
		Nix: "default.nix", Conda: "meta.yaml", Gentoo: "python-3.13.5.ebuild", SHA256Sum: "SHA256SUMS", SigningKey: "signing-key.asc"}
	for _, f := range PinFormats {
		if out, err := Pin("3.13.5", f, Material{Digests: provenRecord{}}); err == nil {
			seeds[names[f]] = out
		}
	}
	return seeds
}

// TestWriteFuzzSeeds writes the seed corpus under testdata/fuzz with -update.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the fuzz seeds")
	}
	for name, b := range fuzzSeeds(t) {
		sum := sha256.Sum256(append([]byte(name), b...))
		id := hex.EncodeToString(sum[:8])
		for _, target := range []string{"FuzzDetect", "FuzzParse"} {
			dir := filepath.Join("testdata", "fuzz", target)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			body := fmt.Sprintf("go test fuzz v1\nstring(%q)\n[]byte(%q)\n", name, b)
			if err := os.WriteFile(filepath.Join(dir, id), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func FuzzDetect(f *testing.F) {
	f.Add("Dockerfile", []byte("ENV PYTHON_VERSION 3.13.5\n"))
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		got := detect(name, content)
		known := false
		for _, k := range Formats {
			known = known || k == got
		}
		if !known {
			t.Fatalf("Detect returned %q", got)
		}
	})
}

// FuzzParse parses and judges arbitrary content as every format: no
// panic, no hang, and every finding has a known code, a severity and a
// line inside the file.
func FuzzParse(f *testing.F) {
	f.Add("install.sh", []byte("curl -O https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz\n"))
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		if len(content) > 1<<16 {
			return
		}
		lines := strings.Count(string(content), "\n") + 1
		// The detected format, and one more chosen by the name's length.
		for _, format := range []Format{detect(name, content), Formats[len(name)%len(Formats)]} {
			r, err := parseAs(format, name, content)
			if err != nil {
				if r != nil && r.Error == "" {
					t.Fatalf("%s: error %v without Recipe.Error", format, err)
				}
				continue
			}
			Lint(r, Options{})
			for _, fd := range r.Findings {
				if codeDescription(fd.Code) == fd.Code || fd.Severity == "" || fd.Line < 0 || fd.Line > lines {
					t.Fatalf("%s: bad finding %+v (%d lines)", format, fd, lines)
				}
			}
			for _, p := range r.Pins {
				if p.Line < 0 || p.Line > lines {
					t.Fatalf("%s: pin at line %d of %d", format, p.Line, lines)
				}
			}
		}
	})
}
