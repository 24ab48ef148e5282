package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/timeline"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	fixtures.Golden(t, "./internal/cli", filepath.Join("testdata", "golden", name), stableTool(got))
}

// stableTool replaces the embedded data's revisions in a Tool header with
// placeholders, so a golden file does not change with the timeline data or
// the trusted root.
func stableTool(b []byte) []byte {
	s := string(b)
	if rev := timeline.EmbeddedInfo().Revision; rev != "" {
		s = strings.ReplaceAll(s, rev, "TIMELINE-REV")
	}
	if ri, err := sigstore.EmbeddedRootInfo(); err == nil {
		s = strings.ReplaceAll(s, ri.SHA256, "TRUSTED-ROOT-SHA256")
		s = strings.ReplaceAll(s, ri.SHA256[:12], "TRUSTED-ROOT")
	}
	return []byte(s)
}

func TestPolicyGolden(t *testing.T) {
	tl := timeline.Default()
	cases := []struct {
		name string
		args []string
		opt  timeline.Options
	}{
		{"policy-all", nil, timeline.Options{}},
		{"policy-versions", []string{"3.13.5", "3.14.0", "3.15.0a8", "3.9.16"}, timeline.Options{}},
		{"policy-delayed", []string{"3.13", "3.14", "3.16"}, timeline.Options{PGPDelayed: true}},
	}
	for _, c := range cases {
		p, err := audit.BuildPolicy(tl, c.args, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		fillPolicySince(p) // as 'sigaudit policy' does
		for _, f := range report.PolicyFormats {
			var buf bytes.Buffer
			if err := report.WritePolicy(&buf, f, p); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+"."+ext(f), buf.Bytes())
		}
	}
}

func ext(format string) string {
	switch format {
	case "json", "sarif", "svg", "html":
		return format
	case "github":
		return "github.txt"
	case "markdown":
		return "md"
	case "junit":
		return "xml"
	}
	return "txt"
}

func TestPlanGolden(t *testing.T) {
	tl := timeline.Default()
	at := timeline.MustDate("2026-11-22").First()
	later := timeline.MustDate("2031-01-01").First()
	cases := []struct {
		name  string
		args  []string
		when  time.Time
		opt   timeline.Options
		kinds []string
	}{
		{"plan-3.12-3.14", []string{"3.12", "3.13", "3.14"}, at, timeline.Options{}, nil},
		{"plan-2031", []string{"3.12", "3.13", "3.14"}, later, timeline.Options{}, nil},
		{"plan-versions-delayed", []string{"3.13.5", "3.14.0", "3.16.0"}, at, timeline.Options{PGPDelayed: true}, nil},
		// Installers have their own PGP signers; a pre-release's files are
		// in its X.Y.Z directory; no cosign command where no Sigstore.
		{"plan-kinds", []string{"3.13", "3.15.0a8", "3.9.16"}, at, timeline.Options{}, []string{"windows", "macos"}},
	}
	for _, c := range cases {
		p, err := audit.BuildPlan(tl, c.args, c.opt, c.when, c.kinds...)
		if err != nil {
			t.Fatal(err)
		}
		fillPlanSince(p) // as 'sigaudit plan' does
		for _, f := range report.PlanFormats {
			var buf bytes.Buffer
			if err := report.WritePlan(&buf, f, p); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+"."+ext(f), buf.Bytes())
		}
	}
}
