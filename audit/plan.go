package audit

import (
	"fmt"
	"strings"
	"time"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

// BuildPlan is the migration plan for the lines or versions in args on
// the date when: BuildPolicy's rows with the date PGP can be relied on
// until and the commands that verify a release.
func BuildPlan(tl *timeline.Timeline, args []string, opt timeline.Options, when time.Time) (*report.Plan, error) {
	pol, err := BuildPolicy(tl, args, opt)
	if err != nil {
		return nil, err
	}
	p := &report.Plan{At: when.Format("2006-01-02"), PGPDelayed: opt.PGPDelayed}
	for _, r := range pol.Rows {
		line, _ := tl.Line(r.Line)
		row := report.PlanRow{
			Line: r.Line, Version: r.Version, Manager: r.Manager, Methods: r.Methods,
			PGPUntil: "never", Identity: r.Sigstore.Identity, Issuer: r.Sigstore.Issuer,
			EndOfLife: r.EndOfLife, PastEndOfLife: when.After(line.EndOfLife.Last()),
		}
		if r.PGP.Expected {
			row.PGPUntil = r.PGP.Until
			row.PGPFingerprints = r.PGP.Fingerprints
		}
		row.Commands = planCommands(row)
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

func planCommands(r report.PlanRow) report.PlanCommands {
	v := r.Version
	if v == "" {
		v = "${PYTHON_VERSION}"
	}
	file := "Python-" + v + ".tar.xz"
	c := report.PlanCommands{
		Sigaudit: "sigaudit verify " + file,
		Cosign: fmt.Sprintf("cosign verify-blob --new-bundle-format --bundle %s.sigstore --certificate-identity %s --certificate-oidc-issuer %s %s",
			file, r.Identity, r.Issuer, file),
	}
	if len(r.PGPFingerprints) > 0 {
		c.GPG = fmt.Sprintf("gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys %s && gpg --batch --verify %s.asc %s",
			strings.Join(r.PGPFingerprints, " "), file, file)
	}
	return c
}
