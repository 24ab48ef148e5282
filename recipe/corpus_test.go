package recipe

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

const corpusDir = "../../shared/realdata/recipes"

// realName is the recipe's file name in its repository: the last part of
// the corpus's encoded name, after the last "__" and before the last "@".
func realName(encoded string) string {
	if i := strings.LastIndex(encoded, "@"); i > 0 {
		encoded = encoded[:i]
	}
	if i := strings.LastIndex(encoded, "__"); i >= 0 {
		encoded = encoded[i+2:]
	}
	return encoded
}

// corpus lists the real recipes, skipping the test when they are absent.
func corpus(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("shared real recipes not available")
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Dir(p) != filepath.Clean(corpusDir) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < 78 { // 78 recipe files beside PROVENANCE.md and FORMATS.md
		t.Fatalf("%d recipes in the corpus, want 78", len(files))
	}
	return files
}

// lintCorpusFile reads one real recipe under its real file name.
func lintCorpusFile(t testing.TB, p string) (*Recipe, error) {
	b, err := ReadFile(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	name := filepath.Join(filepath.Base(filepath.Dir(p)), realName(filepath.Base(p)))
	r, err := LintBytes(name, b, Options{})
	r.File = filepath.Base(filepath.Dir(p)) + "/" + filepath.Base(p)
	return r, err
}

func describe(r *Recipe) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\nformat %s\n", r.File, r.Format)
	if r.Error != "" {
		fmt.Fprintf(&b, "error %s\n", r.Error)
	}
	for _, p := range r.Pins {
		var sums []string
		for _, c := range p.Checksums {
			if c.Ref != "" {
				sums = append(sums, c.Algorithm+"="+c.Ref)
			} else {
				sums = append(sums, c.Algorithm+"="+c.Hex[:min(12, len(c.Hex))])
			}
		}
		fmt.Fprintf(&b, "pin %d %s %s %s [%s]\n", p.Line, orDefault(p.Version, "?"), p.Artifact, p.URL, strings.Join(sums, " "))
	}
	v := r.Verify
	fmt.Fprintf(&b, "verify pgp=%v asc=%v sigstore=%v", v.PGP, v.ASC, v.Sigstore)
	if v.Delegated != "" {
		fmt.Fprintf(&b, " delegated=%q", v.Delegated)
	}
	b.WriteString("\n")
	for _, k := range v.Keys {
		fmt.Fprintf(&b, "key %d %s%s scope=%q\n", k.Line, k.Fingerprint, k.Keyring, k.Scope)
	}
	for _, id := range v.Identities {
		kind := "identity"
		if id.Issuer {
			kind = "issuer"
		}
		fmt.Fprintf(&b, "%s %d %s scope=%q\n", kind, id.Line, id.Value, id.Scope)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "finding %d %s %s: %s\n", f.Line, f.Severity, f.Code, f.Message)
	}
	return b.String()
}

// Every real recipe is read, none crashes or is skipped: the golden file
// lists each one's format, pins, verification and findings.
func TestCorpusGolden(t *testing.T) {
	var b strings.Builder
	for _, p := range corpus(t) {
		r, _ := lintCorpusFile(t, p)
		b.WriteString(describe(r))
	}
	golden := filepath.Join("testdata", "corpus.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != b.String() {
		t.Errorf("corpus output differs from %s (run go test -update and review the diff)", golden)
	}
}
