package audit

import (
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

// BuildPolicy describes, per release line or version in args (every line
// of tl when args is empty), what PEP 761 guarantees. Its errors are the
// timeline's: a malformed version, or *timeline.UnknownLineError.
func BuildPolicy(tl *timeline.Timeline, args []string, opt timeline.Options) (*report.Policy, error) {
	p := &report.Policy{PEP761Accepted: tl.Accepted().String(), PGPDelayed: opt.PGPDelayed}
	if len(args) == 0 {
		for _, l := range tl.Lines() {
			args = append(args, l.Line)
		}
	}
	for _, a := range args {
		var v timeline.Version
		var line timeline.Line
		if timeline.IsLine(a) {
			l, ok := tl.Line(a)
			if !ok {
				return nil, &timeline.UnknownLineError{Line: a}
			}
			line = l
			// A line row describes the line's releases as a whole: its first
			// release that every method applies to.
			v = timeline.Version{}
			if from, ok := l.SigstoreFrom["source"]; ok {
				v, _ = timeline.ParseVersion(from)
			}
			if v.Major == 0 {
				v, _ = timeline.ParseVersion(a + ".0")
			}
		} else {
			pv, err := timeline.ParseVersion(a)
			if err != nil {
				return nil, err
			}
			l, ok := tl.Line(pv.Line())
			if !ok {
				return nil, &timeline.UnknownLineError{Line: pv.Line()}
			}
			v, line = pv, l
		}
		ex, err := tl.Expect(v, "source", opt)
		if err != nil {
			return nil, err
		}
		row := policyRow(line, ex)
		if !timeline.IsLine(a) {
			row.Version = v.String()
		} else {
			row.Methods = lineMethods(ex)
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// lineMethods describes a line's methods without naming one release.
func lineMethods(ex timeline.Expectation) string {
	if ex.PGP {
		return "PGP+Sigstore"
	}
	return "Sigstore only"
}

func policyRow(line timeline.Line, ex timeline.Expectation) report.PolicyRow {
	row := report.PolicyRow{
		Line: line.Line, Manager: ex.Manager, PEP: line.PEP, Methods: ex.Methods(),
		PGP: report.PolicyPGP{Expected: ex.PGP, Signer: ex.PGPSigner, Fingerprints: ex.PGPFingerprints, Reason: ex.PGPReason},
		Sigstore: report.PolicySigstore{
			Expected: ex.Sigstore, From: ex.SigstoreFrom, Identity: ex.Identity, Issuer: ex.Issuer, Reason: ex.SigstoreReason,
		},
		StableSince: line.FirstStable.String(), EndOfLife: line.EndOfLife.String(), Planned: line.Planned,
	}
	if ex.PGP {
		row.PGP.Until = ex.PGPUntil.String()
	}
	return row
}
