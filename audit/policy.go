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
		v, line, err := resolve(tl, a)
		if err != nil {
			return nil, err
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

// resolve maps a command-line VERSION or LINE to the version whose
// expectations describe it and its line. A line stands for its first
// release that every method applies to.
func resolve(tl *timeline.Timeline, a string) (timeline.Version, timeline.Line, error) {
	if timeline.IsLine(a) {
		l, ok := tl.Line(a)
		if !ok {
			return timeline.Version{}, timeline.Line{}, &timeline.UnknownLineError{Line: a}
		}
		v := timeline.Version{}
		if from, ok := l.SigstoreFrom["source"]; ok {
			v, _ = timeline.ParseVersion(from)
		}
		if v.Major == 0 {
			v, _ = timeline.ParseVersion(a + ".0")
		}
		return v, l, nil
	}
	pv, err := timeline.ParseVersion(a)
	if err != nil {
		return timeline.Version{}, timeline.Line{}, err
	}
	l, ok := tl.Line(pv.Line())
	if !ok {
		return timeline.Version{}, timeline.Line{}, &timeline.UnknownLineError{Line: pv.Line()}
	}
	return pv, l, nil
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
