package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigaudit/sigaudit/report"
)

func TestChecksumsPlanted(t *testing.T) {
	dir, _ := plantedMirror(t)
	api := filepath.Join(dir, "api.json")
	code, out, errOut := run(t, "checksums", "--source", dir, "--api", api, "3.11.2", "3.12.0", "3.13.0")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 3", code)
	}
	golden(t, "checksums-planted.sha256sum", []byte(out))
	// Only the sound artifacts get a line.
	for _, bad := range []string{"Python-3.11.2.tgz", "Python-3.12.0.tgz", "Python-3.13.0.tgz"} {
		if strings.Contains(out, "  "+bad+"\n") {
			t.Errorf("%s printed although unproven", bad)
		}
	}
	for _, good := range []string{
		"29e4b8f5f1658542a8c13e2dd277358c9c48f2b2f7318652ef1675e402b9d2af  Python-3.11.2.tar.xz",
		"086de5882e3cb310d4dca48457522e2e48018ecd43da9cdf827f6a0759efb07d  Python-3.13.0.tar.xz",
	} {
		if !strings.Contains(out, good+"\n") {
			t.Errorf("missing line %q", good)
		}
	}
	// The reasons, on stderr.
	for _, want := range []string{
		"sigaudit: unverified: Python-3.11.2.tgz: SHA-256 disagrees: bundle says 29e4b8f5",
		"sigaudit: unverified: Python-3.12.0.tgz: SHA-256 disagrees: bundle says 51412956",
		"sigaudit: unverified: Python-3.13.0.tgz: SHA-256 disagrees: bundle says 88d2da4e", // sigaudit's record of 3.13.0
		"certificate is for hugo@python.org",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	code, out, _ = run(t, "checksums", "--format", "json", "--source", dir, "--api", api, "3.11.2", "3.12.0", "3.13.0")
	if code != ExitFindings {
		t.Fatalf("json: exit %d", code)
	}
	golden(t, "checksums-planted.json", []byte(out))
	var c report.Checksums
	must(t, json.Unmarshal([]byte(out), &c))
	if len(c.Checksums) != 2 || len(c.Rejected) != 3 {
		t.Errorf("%d checksums, %d rejected", len(c.Checksums), len(c.Rejected))
	}
	for _, s := range c.Checksums {
		if !s.Proven || s.Identity == "" || s.LogIndex == nil || strings.Join(s.Sources, ",") != "bundle,api,record" {
			t.Errorf("proof: %+v", s)
		}
	}
}

func TestChecksumsAllowUnsigned(t *testing.T) {
	dir, _ := plantedMirror(t)
	api := filepath.Join(dir, "api.json")
	// The deleted bundle of the embeddable zip is guaranteed: never printed.
	code, out, errOut := run(t, "checksums", "--source", dir, "--api", api, "--allow-unsigned-api", "--artifact", "python-3.13.5-embed-amd64.zip", "3.13.5")
	if code != ExitFindings || strings.Contains(out, "embed") || !strings.Contains(errOut, "guaranteed but none is published") {
		t.Errorf("guaranteed bundle missing: exit %d out %q err %q", code, out, errOut)
	}
}
