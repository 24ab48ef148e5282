package cli

import (
	"errors"

	"os"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

const policyUsage = `
Usage: sigaudit policy [--format table|json|markdown] [--pgp-delayed] [--policy FILE] [VERSION|LINE ...]

Prints, per release line (or per version given), the release manager, whether
PEP 761 guarantees PGP signatures and until when, the PGP key, the Sigstore
identity and OIDC issuer, the first stable release and the end of life.
With no arguments, every line sigaudit knows.
`

// timelineFlags are the flags every command that applies the policy takes.
type timelineFlags struct {
	policy     string
	pgpDelayed bool
}

func (t *timelineFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&t.policy, "policy", "", "policy `FILE` (YAML or JSON) that adds or overrides release lines, managers, keys and identities")
	fs.BoolVar(&t.pgpDelayed, "pgp-delayed", false, "apply PEP 761's delay clause: the first manager to stop keeps PGP, the stop moves to the next new manager")
}

func (t *timelineFlags) load() (*timeline.Timeline, error) {
	tl := timeline.Default()
	if t.policy == "" {
		return tl, nil
	}
	f, err := os.Open(t.policy)
	if err != nil {
		return nil, usageErr("check the --policy path", "cannot read policy file: %v", err)
	}
	defer f.Close()
	tl, err = tl.WithPolicy(f, t.policy)
	if err != nil {
		return nil, usageErr("see the README's 'Policy files' section for the schema", "invalid policy file: %v", err)
	}
	return tl, nil
}

func (t *timelineFlags) options() timeline.Options {
	return timeline.Options{PGPDelayed: t.pgpDelayed}
}

// versionErr turns a timeline error about a command-line version into a
// usage error with a hint.
func versionErr(err error) error {
	var ul *timeline.UnknownLineError
	if errors.As(err, &ul) {
		return usageErr(ul.Hint(), "%v", err)
	}
	return usageErr("versions look like 3.13.5, 3.14.0rc2 or 3.15.0a8; lines like 3.13", "%v", err)
}

func runPolicy(e *env, args []string) error {
	fs := flagSet(e, "policy", policyUsage)
	format := fs.String("format", "table", "output `format`: table, json or markdown")
	var tf timelineFlags
	tf.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(*format, report.PolicyFormats); err != nil {
		return err
	}
	tl, err := tf.load()
	if err != nil {
		return err
	}
	p, err := buildPolicy(tl, pos, tf.options())
	if err != nil {
		return err
	}
	return report.WritePolicy(e.stdout, *format, p)
}

func buildPolicy(tl *timeline.Timeline, args []string, opt timeline.Options) (*report.Policy, error) {
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
				return nil, versionErr(&timeline.UnknownLineError{Line: a})
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
				return nil, versionErr(err)
			}
			l, ok := tl.Line(pv.Line())
			if !ok {
				return nil, versionErr(&timeline.UnknownLineError{Line: pv.Line()})
			}
			v, line = pv, l
		}
		ex, err := tl.Expect(v, "source", opt)
		if err != nil {
			return nil, versionErr(err)
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
