// Package testsupport_test guards the line between test support
// (internal/testing/...) and the program: no non-test Go file of the
// module may import test support, build-ignored programs (scripts/) too.
package testsupport_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const support = "github.com/sigaudit/sigaudit/internal/testing"

// importers returns "file: import" for every non-test .go file under root
// (outside internal/testing itself, testdata and hidden directories) that
// imports test support.
func importers(root string) ([]string, error) {
	var bad []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || rel == "internal/testing") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || !d.Type().IsRegular() {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if path == support || strings.HasPrefix(path, support+"/") {
				bad = append(bad, rel+": "+path)
			}
		}
		return nil
	})
	return bad, err
}

func TestNoProgramImportsTestSupport(t *testing.T) {
	bad, err := importers(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("a non-test file imports test support: %s", b)
	}
}

// The guard itself catches a program importing test support, a
// build-ignored one too, and lets tests do it.
func TestImportersCatches(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"tool/main.go":          "package main\nimport _ \"" + support + "/fakesigstore\"\n",
		"scripts/gen.go":        "//go:build ignore\n\npackage main\nimport \"" + support + "/fixtures\"\n",
		"pkg/pkg_test.go":       "package pkg\nimport _ \"" + support + "/fixtures\"\n",
		"pkg/pkg.go":            "package pkg\nimport _ \"github.com/sigaudit/sigaudit/internal/testingx\"\n",
		"internal/testing/x.go": "package x\nimport _ \"" + support + "/fixtures\"\n",
	}
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bad, err := importers(root)
	if err != nil {
		t.Fatal(err)
	}
	want := "scripts/gen.go: " + support + "/fixtures,tool/main.go: " + support + "/fakesigstore"
	if got := strings.Join(bad, ","); got != want {
		t.Errorf("importers = %q, want %q", got, want)
	}
}
