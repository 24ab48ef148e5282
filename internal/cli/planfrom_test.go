package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// plan --from also checks the sha256 values of docker-library's current
// versions.json shape against python.org's digests (issue 20): a value
// copied from another release fails the plan (exit 3) with a warning
// naming the file and line; the real file's values pass.
func TestPlanFromChecksVersionsJSONDigests(t *testing.T) {
	const real = "../../../shared/realdata/recipes/docker-versions-json/docker-library__python__versions.json@f599a555df4b"
	dir := t.TempDir()
	good := `{
  "3.13": {
    "checksums": {"source": {"sha256": "086de5882e3cb310d4dca48457522e2e48018ecd43da9cdf827f6a0759efb07d"}},
    "version": "3.13.0"
  }
}
`
	// 3.13.5's tarball digest pinned for 3.13.0: copied from another release.
	bad := strings.Replace(good, "086de5882e3cb310d4dca48457522e2e48018ecd43da9cdf827f6a0759efb07d", "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640", 1)
	for name, c := range map[string]struct {
		content string
		code    int
		warn    bool
	}{
		"good": {good, 0, false},
		"bad":  {bad, 3, true},
	} {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := run(t, "plan", "--at", "2026-11-25", "--from", p)
		if code != c.code || !strings.Contains(out, "3.13.0") {
			t.Errorf("%s: exit %d (want %d), stdout:\n%s\nstderr:\n%s", name, code, c.code, out, errs)
		}
		if got := strings.Contains(errs, "checksum-mismatch") && strings.Contains(errs, p+":3:"); got != c.warn {
			t.Errorf("%s: warning about line 3 = %v, want %v; stderr:\n%s", name, got, c.warn, errs)
		}
	}
	if _, err := os.Stat(filepath.FromSlash(real)); err == nil {
		if code, _, errs := run(t, "plan", "--at", "2026-11-25", "--from", real); code != 0 || strings.Contains(errs, "checksum-mismatch") {
			t.Errorf("real versions.json: exit %d, stderr:\n%s", code, errs)
		}
	}
}
