package sigstore

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// conformanceSkips lists cases sigaudit deliberately does not pass, with
// the reason. The README repeats this list; keep them in step.
var conformanceSkips = map[string]string{}

// TestConformance runs the Sigstore client conformance suite's bundle-verify
// cases (testdata/conformance, see its PROVENANCE.md): every _fail case must
// be rejected, every other case verified.
func TestConformance(t *testing.T) {
	dir := "../testdata/conformance/bundle-verify"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) < 50 {
		t.Fatalf("only %d conformance cases", len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if why, ok := conformanceSkips[name]; ok {
				t.Skip(why)
			}
			c, err := LoadConformanceCase(filepath.Join(dir, name))
			if err != nil {
				if c.WantFail {
					return // a case that cannot even be loaded is rejected
				}
				t.Fatalf("loading case: %v", err)
			}
			got := c.Run()
			readme, _ := os.ReadFile(filepath.Join(dir, name, "README"))
			switch {
			case c.WantFail && got.Status == Verified:
				t.Errorf("must be rejected, but verified\nREADME: %s", strings.TrimSpace(string(readme)))
			case !c.WantFail && got.Status != Verified:
				t.Errorf("must verify, got %s: %s\nREADME: %s", got.Status, got.Reason, strings.TrimSpace(string(readme)))
			default:
				t.Logf("%s: %s", got.Status, got.Reason)
			}
		})
	}
}
