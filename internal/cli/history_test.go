package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sigaudit/sigaudit/internal/testing/history"
	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// auditHistory runs a digest-only `audit all` over a copy of python.org's
// history, in process, and returns the decoded report.
func auditHistory(t *testing.T, src, api, trustedRoot string) (int, *report.Report, string) {
	t.Helper()
	args := []string{"audit", "--source", src, "--api", api, "--digest-only", "--format", "json"}
	if trustedRoot != "" {
		args = append(args, "--trusted-root", trustedRoot)
	}
	args = append(args, "all")
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	var rep report.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("exit %d, stdout is not a JSON report: %v\nstderr: %s\nstdout: %.2000s", code, err, errb.String(), out.String())
	}
	return code, &rep, errb.String()
}

// checkWholeHistory is issue 15's acceptance: every artifact of the copy
// exactly once, every bundle python.org publishes verified, and no
// Sigstore gap except the timeline's named lapses.
func checkWholeHistory(t *testing.T, h *history.History, rep *report.Report) {
	t.Helper()
	want := map[string]record.Artifact{}
	for _, a := range h.Artifacts {
		want[a.Name] = a
	}
	tl := timeline.Default()

	t.Run("every artifact exactly once", func(t *testing.T) {
		seen := map[string]int{}
		for _, a := range rep.Artifacts {
			seen[a.Name]++
		}
		var missing, dup, extra []string
		for n := range want {
			switch seen[n] {
			case 0:
				missing = append(missing, n)
			case 1:
			default:
				dup = append(dup, fmt.Sprintf("%s x%d", n, seen[n]))
			}
		}
		for n := range seen {
			if _, ok := want[n]; !ok {
				extra = append(extra, n)
			}
		}
		sort.Strings(missing)
		sort.Strings(dup)
		sort.Strings(extra)
		if len(rep.Artifacts) != len(want) || len(missing)+len(dup)+len(extra) > 0 {
			t.Errorf("%d artifacts reported, %d in the copy; missing %d %q; duplicated %d %q; not in the copy %d %q",
				len(rep.Artifacts), len(want), len(missing), missing[:min(len(missing), 20)], len(dup), dup[:min(len(dup), 20)], len(extra), extra[:min(len(extra), 20)])
		}
	})

	t.Run("versions and kinds", func(t *testing.T) {
		bad := 0
		for _, a := range rep.Artifacts {
			r, ok := want[a.Name]
			if !ok {
				continue
			}
			n := source.ParseName(r.Name, r.Dir)
			if a.Version != n.Version || a.Kind != n.Kind {
				if bad++; bad <= 10 {
					t.Errorf("%s: version %q kind %q, want %q %q", a.Name, a.Version, a.Kind, n.Version, n.Kind)
				}
			}
		}
		if bad > 10 {
			t.Errorf("... %d artifacts in all", bad)
		}
	})

	t.Run("no Sigstore gap except real lapses", func(t *testing.T) {
		var gaps []string
		for _, a := range rep.Artifacts {
			for _, f := range a.Findings {
				if f.Severity == report.Gap && strings.HasPrefix(f.Code, "sigstore") {
					// The lapse names python.org's directory, whatever the layout.
					dir := ""
					if rs := record.ByName(a.Name); len(rs) == 1 {
						dir = rs[0].Dir
					}
					if _, ok := tl.LapseFor(dir, a.Name, "sigstore"); !ok || dir == "" {
						gaps = append(gaps, a.Name+": "+f.Code+": "+f.Message)
					}
				}
			}
		}
		sort.Strings(gaps)
		if len(gaps) > 0 {
			t.Errorf("%d Sigstore gaps that are not python.org lapses, e.g. %q", len(gaps), gaps[:min(len(gaps), 10)])
		}
	})

	t.Run("the lapse is a gap", func(t *testing.T) {
		for _, l := range tl.Lapses() {
			if _, ok := want[l.Name]; !ok {
				continue
			}
			found := false
			for _, a := range rep.Artifacts {
				if a.Name != l.Name {
					continue
				}
				for _, f := range a.Findings {
					found = found || (f.Severity == report.Gap && f.Code == report.CodeSigstoreMissing)
				}
			}
			if !found {
				t.Errorf("known lapse %s/%s not reported as %s", l.Dir, l.Name, report.CodeSigstoreMissing)
			}
		}
	})

	t.Run("every published bundle verified", func(t *testing.T) {
		bad := 0
		for _, a := range rep.Artifacts {
			r, ok := want[a.Name]
			if !ok {
				continue
			}
			var problem string
			switch {
			case r.Bundle && a.Sigstore.Status != report.StatusVerified:
				problem = "python.org bundle not verified: " + a.Sigstore.Status + " " + a.Sigstore.Reason
			case !r.Bundle && a.Sigstore.Status == report.StatusVerified:
				problem = "verified, but python.org publishes no bundle"
			}
			for _, f := range a.Findings {
				if f.Severity == report.Mismatch {
					problem += "; " + f.Code + ": " + f.Message
				}
			}
			if problem != "" {
				if bad++; bad <= 10 {
					t.Errorf("%s/%s: %s", r.Dir, a.Name, problem)
				}
			}
		}
		if bad > 10 {
			t.Errorf("... %d artifacts in all", bad)
		}
	})
}

// TestWholeHistoryDigestOnly is issue 15's acceptance test: a digest-only
// `audit all` over a python.org-like copy of the whole 3.7+ history (2,103
// artifacts, pre-releases in their X.Y.Z/ directory, python.org's real
// bundles where the repository has them and fakesigstore stand-ins
// elsewhere, see internal/testing/history).
func TestWholeHistoryDigestOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("whole history in -short mode")
	}
	h := history.BuildHistory(t, history.Options{StandIns: true})
	if len(h.Artifacts) != 2103 {
		t.Fatalf("copy has %d artifacts", len(h.Artifacts))
	}
	_, rep, stderr := auditHistory(t, h.Dir, h.API, h.TrustedRoot)
	if testing.Verbose() {
		t.Log(stderr)
	}
	checkWholeHistory(t, h, rep)
}

// TestHistoryLayouts runs the same checks on both layouts a tree can have
// (python.org's, pre-releases in X.Y.Z/, and one directory per version)
// and over HTTP, on the lines whose boundaries issue 15 is about.
func TestHistoryLayouts(t *testing.T) {
	keep := func(a record.Artifact) bool {
		return strings.HasPrefix(a.Dir, "3.12.0") || strings.HasPrefix(a.Dir, "3.14.0") ||
			strings.HasPrefix(a.Dir, "3.10.") || a.Dir == "3.11.2" || a.Dir == "3.11.3"
	}
	for _, tc := range []struct {
		name string
		opt  history.Options
		http bool
	}{
		{"python.org layout", history.Options{StandIns: true, Filter: keep}, false},
		{"per-version directories", history.Options{StandIns: true, Filter: keep, PerVersionDirs: true}, false},
		{"python.org layout over HTTP", history.Options{StandIns: true, Filter: keep}, true},
		// python.org's API gives sha256_sum only for releases from 2026 on:
		// the record's digests stand in for the rest.
		{"API digests from 2026 only", history.Options{StandIns: true, SHA256: history.SHA256Since2026,
			Filter: func(a record.Artifact) bool { return keep(a) || a.Dir == "3.14.3" || a.Dir == "3.10.20" }}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h *history.History
			src, api := "", ""
			if tc.http {
				s := history.Serve(t, tc.opt)
				h, src, api = s.History, s.Base, s.API
			} else {
				h = history.BuildHistory(t, tc.opt)
				src, api = h.Dir, h.API
			}
			_, rep, _ := auditHistory(t, src, api, h.TrustedRoot)
			checkWholeHistory(t, h, rep)
		})
	}
}

// TestHistoryPolicy312 checks that `policy 3.12.0a1` says Sigstore is not
// expected, with the reason (issue 15).
func TestHistoryPolicy312(t *testing.T) {
	code, out, errs := run(t, "policy", "--format", "json", "3.12.0a1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var p report.Policy
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 1 || p.Rows[0].Sigstore.Expected || !strings.Contains(p.Rows[0].Sigstore.Reason, "3.12.0a7") || p.Rows[0].Methods != "PGP only" {
		t.Errorf("policy 3.12.0a1: %+v", p.Rows)
	}
	code, out, _ = run(t, "policy", "3.12.0a1")
	if code != 0 || !strings.Contains(out, "3.12.0a1: Sigstore not expected: ") || !strings.Contains(out, "3.12.0a7") {
		t.Errorf("policy 3.12.0a1 (table): exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "policy", "--format", "json", "3.12.0a7")
	if code != 0 || !strings.Contains(out, `"expected": true,
        "from": "3.12.0a7"`) {
		t.Errorf("policy 3.12.0a7: exit %d\n%s", code, out)
	}
}
