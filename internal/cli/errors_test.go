package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestErrorsInOnePlace: every user-facing wording is a constructor in
// errors.go, and no code decides on an error by its text.
func TestErrorsInOnePlace(t *testing.T) {
	files, err := filepath.Glob("*.go")
	must(t, err)
	inline := regexp.MustCompile(`\b(usageErr|opErr)\(|&Error\{`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		must(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "strings.Contains(err") || strings.Contains(line, "strings.Contains(e.Error()") {
				t.Errorf("%s:%d: error decided by its text: %s", f, i+1, strings.TrimSpace(line))
			}
			if f != "errors.go" && inline.MatchString(line) {
				t.Errorf("%s:%d: user-facing error built outside errors.go: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
