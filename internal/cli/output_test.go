package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sha3140 = "88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851"

func verifyArgs(extra ...string) []string {
	return append(append([]string{"verify", "--sha256", sha3140, "--bundle", "../../testdata/realdata/sigstore-bundles/Python-3.14.0.tgz.sigstore"}, extra...), "Python-3.14.0.tgz")
}

// One run writes the report and every side output; stdout stays empty
// with --output.
func TestSideOutputs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	sarif := filepath.Join(dir, "r.sarif")
	junit := filepath.Join(dir, "r.xml")
	md := filepath.Join(dir, "r.md")
	summary := filepath.Join(dir, "step-summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return summary
		}
		return ""
	}
	code, stdout, stderr := runEnv(t, Env{Args: verifyArgs("--format", "json", "--output", out, "--sarif", sarif, "--junit", junit, "--markdown", md), Getenv: getenv})
	if code != ExitOK || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	var rep map[string]any
	mustRead := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if err := json.Unmarshal(mustRead(out), &rep); err != nil {
		t.Errorf("--output: %v", err)
	}
	var s map[string]any
	if err := json.Unmarshal(mustRead(sarif), &s); err != nil || s["version"] != "2.1.0" {
		t.Errorf("--sarif: %v %v", err, s["version"])
	}
	var x struct{ XMLName xml.Name }
	if err := xml.Unmarshal(mustRead(junit), &x); err != nil || !strings.HasPrefix(x.XMLName.Local, "testsuite") {
		t.Errorf("--junit: %v %v", err, x.XMLName)
	}
	if !strings.Contains(string(mustRead(md)), "1 artifact: 0 gaps, 0 mismatches, 0 notes") {
		t.Errorf("--markdown has no verdict")
	}
	sum := string(mustRead(summary))
	if !strings.HasPrefix(sum, "earlier step\n") || !strings.Contains(sum, "## sigaudit") || !strings.Contains(sum, "1 artifact") || len(sum) > maxStepSummary+20 {
		t.Errorf("step summary not appended: %q", sum)
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 5 {
		t.Errorf("%d files in the output directory, want 5", len(ents))
	}
}

// An output that cannot be written is exit 1, and no other output is
// written (all are renamed into place only when all are complete).
func TestSideOutputsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	code, stdout, stderr := runEnv(t, Env{Args: verifyArgs("--output", out, "--sarif", filepath.Join(dir, "missing", "r.sarif"))})
	if code != ExitError || stdout != "" || !strings.Contains(stderr, "writing --sarif") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("left %v behind", ents)
	}
	code, _, stderr = runEnv(t, Env{Args: verifyArgs("--output", out, "--markdown", out)})
	if code != ExitUsage || !strings.Contains(stderr, "same file") {
		t.Errorf("same file twice: exit %d, %q", code, stderr)
	}
	code, _, stderr = runEnv(t, Env{Args: verifyArgs("--show", "some")})
	if code != ExitUsage || !strings.Contains(stderr, "--show") {
		t.Errorf("--show some: exit %d, %q", code, stderr)
	}
}
