package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

const planUsage = `
Usage: sigaudit plan [--at DATE] [--from FILE] [--format table|json|markdown]
                     [--policy FILE] [--pgp-delayed] [VERSION|LINE ...]

The migration plan for the lines a packager ships (given as arguments, or
read from --from: docker-library/python's versions.json, a JSON array, or a
plain list): per line, the methods PEP 761 guarantees, the last date PGP
can be relied on (end of life, or "never"), the Sigstore identity and issuer
to pin, the PGP fingerprint while it lasts, whether the line is past end of
life on --at (default today), and the commands that verify a release:
sigaudit, and the cosign and gpg equivalents.
`

func runPlan(e *env, args []string) error {
	fs := flagSet(e, "plan", planUsage)
	var tf timelineFlags
	tf.register(fs)
	format := fs.String("format", "table", "output `format`: table, json or markdown")
	at := fs.String("at", "", "answer for this `DATE` (YYYY-MM-DD; default today, UTC)")
	from := fs.String("from", "", "read lines or versions from `FILE` (versions.json shape, JSON array, or plain list)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(*format, report.PlanFormats); err != nil {
		return err
	}
	when := time.Now().UTC()
	if *at != "" {
		d, err := timeline.ParseDate(*at)
		if err != nil || d.Day == 0 {
			return usageErr("use --at YYYY-MM-DD", "bad --at %q", *at)
		}
		when = d.First()
	}
	if *from != "" {
		b, err := readLocal(*from, timeline.MaxVersionsFileSize)
		if err != nil {
			return usageErr("check the --from path", "cannot read --from file: %v", err)
		}
		list, err := timeline.ParseVersionsFile(b, *from)
		if err != nil {
			return usageErr("see 'sigaudit plan --help' for the accepted shapes", "%v", err)
		}
		pos = append(pos, list...)
	}
	tl, err := tf.load()
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		for _, l := range tl.Lines() {
			pos = append(pos, l.Line)
		}
	}
	p, err := buildPlan(tl, pos, tf.options(), when)
	if err != nil {
		return err
	}
	return report.WritePlan(e.stdout, *format, p)
}

func buildPlan(tl *timeline.Timeline, args []string, opt timeline.Options, when time.Time) (*report.Plan, error) {
	pol, err := buildPolicy(tl, args, opt)
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
