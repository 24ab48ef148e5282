package cli

import (
	"slices"
	"time"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

// The timeline chart (html, svg) draws a Sigstore band from the date of
// the first signed release of a line: the record of python.org's bundles
// knows it; when it does not, the band is left out.

// sigstoreSince is the date (YYYY-MM-DD) python.org first signed version
// with Sigstore, or "" when the record does not know it.
func sigstoreSince(version string) string {
	if version == "" {
		return ""
	}
	w, ok := record.SigningWindow(version)
	if !ok || w.First.IsZero() {
		return ""
	}
	return w.First.UTC().Format(time.DateOnly)
}

// fillPlanSince fills PlanRow.SigstoreSince where the record knows it.
func fillPlanSince(p *report.Plan) {
	for i := range p.Rows {
		if r := &p.Rows[i]; r.SigstoreSince == "" {
			r.SigstoreSince = sigstoreSince(r.SigstoreFrom)
		}
	}
}

// fillPolicySince fills PolicySigstore.Since where the record knows it.
func fillPolicySince(p *report.Policy) {
	for i := range p.Rows {
		if s := &p.Rows[i].Sigstore; s.Since == "" {
			s.Since = sigstoreSince(s.From)
		}
	}
}

// auditPlan is the plan of the lines an audit covered, for the timeline
// chart of its html report; nil when it cannot be built (the report then
// has no chart).
func auditPlan(tl *timeline.Timeline, opt timeline.Options, rep *report.Report, when time.Time) *report.Plan {
	var lines []string
	for _, a := range rep.Artifacts {
		v, err := timeline.ParseVersion(a.Version)
		if err != nil {
			continue
		}
		if l := v.Line(); !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	p, err := audit.BuildPlan(tl, lines, opt, when)
	if err != nil {
		return nil
	}
	p.Tool = tool("", "")
	fillPlanSince(p)
	return p
}
