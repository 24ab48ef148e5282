package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A plain 'go build' (no -ldflags) of a checkout reports the VCS revision
// it was built from, as 'go install' does: issue 21's acceptance.
func TestVersionWithoutLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not available")
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	// A fresh shallow clone of the committed state: go build stamps VCS
	// information only in a plain checkout (not a git worktree, whose
	// .git is a file) and only when it is clean.
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+strings.TrimSpace(string(top)), src).CombinedOutput(); err != nil {
		t.Skipf("git clone: %v\n%s", err, out)
	}
	rev, err := exec.Command("git", "-C", src, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(tmp, "sigaudit")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/sigaudit")
	build.Dir = src
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--format", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Version, Commit, GoVersion string
		Timeline                   struct{ Revision string }
		TrustedRoot                struct{ SHA256 string } `json:"trusted_root"`
		Record                     struct{ Artifacts int }
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if v.Commit != strings.TrimSpace(string(rev)) {
		t.Errorf("commit %q, want %q", v.Commit, strings.TrimSpace(string(rev)))
	}
	if v.Version == "" || v.Timeline.Revision == "" || len(v.TrustedRoot.SHA256) != 64 || v.Record.Artifacts == 0 {
		t.Errorf("incomplete version: %s", out)
	}
	text, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), strings.TrimSpace(string(rev))) {
		t.Errorf("--version does not name the revision:\n%s", text)
	}
}
