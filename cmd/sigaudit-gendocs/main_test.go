package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGen(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	dir := t.TempDir()
	if err := gen(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sigaudit.1", "sigaudit-verify.1", "sigaudit-audit.1", "sigaudit-verify-bundle.1", "sigaudit-version.1"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), ".TH \"SIGAUDIT\" \"1\" \"Nov 2023\"") {
			t.Errorf("%s: no reproducible .TH header:\n%.200s", name, b)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "sigaudit-verify.1"))
	if !strings.Contains(string(b), `\fB--sha256\fP`) {
		t.Errorf("sigaudit-verify.1 does not document --sha256")
	}
}
