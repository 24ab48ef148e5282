package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/recipe"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

const planLong = `The migration plan for the lines a packager ships (given as arguments, or
read from --from: docker-library/python's versions.json, a JSON array, or a
plain list): per line, the methods PEP 761 guarantees, the last date PGP
can be relied on (end of life, or "never"), the Sigstore identity and issuer
to pin, the PGP fingerprint while it lasts, whether the line is past end of
life on --at (default today), and the commands that download and verify a
release: curl from python.org (pre-releases are in the X.Y.Z directory),
sigaudit, cosign where Sigstore is guaranteed, and gpg in a throwaway
GNUPGHOME while PGP lasts. --kind adds the installers a packager ships
(Windows, macOS), whose PGP signer is not the release manager.`

func newPlanCmd(e *env) *cobra.Command {
	var tf timelineFlags
	var format, at, from string
	var wide bool
	var kinds []string
	cmd := &cobra.Command{
		Use:     "plan [flags] [VERSION|LINE ...]",
		Short:   "the PEP 761 migration plan for the lines a packager ships",
		Long:    planLong,
		Example: "  sigaudit plan --from versions.json --format markdown",
		RunE: func(cmd *cobra.Command, pos []string) error {
			if err := checkFormat(format, report.PlanFormats); err != nil {
				return err
			}
			when := e.now().UTC()
			if at != "" {
				d, err := timeline.ParseDate(at)
				if err != nil || d.Day == 0 {
					return errBadAt(at)
				}
				when = d.First()
			}
			var fromBytes []byte
			if from != "" {
				b, err := readLocal(from, timeline.MaxVersionsFileSize)
				if err != nil {
					return errReadFrom(err)
				}
				fromBytes = b
				list, err := timeline.ParseVersionsFile(b, from)
				if err != nil {
					return errBadFrom(err)
				}
				pos = append(pos, list...)
			}
			tl, err := tf.load()
			if err != nil {
				return err
			}
			var pins *recipe.Recipe
			if from != "" {
				pins = checkFromChecksums(e, from, fromBytes, tl, tf.options())
			}
			for _, k := range kinds {
				if !slices.Contains(audit.PlanKinds, k) {
					return choiceErr("--kind", k, audit.PlanKinds)
				}
			}
			p, err := audit.BuildPlan(tl, pos, tf.options(), when, kinds...)
			if err != nil {
				return versionErr(err)
			}
			p.Tool = tool("", "")
			fillPlanSince(p)
			if err := report.RenderPlan(e.stdout, format, p, layout(e, wide)); err != nil {
				return err
			}
			if pins != nil && slices.ContainsFunc(pins.Findings, func(f recipe.Finding) bool { return f.Code == "checksum-mismatch" }) {
				return errFindings // a pinned sha256 is not python.org's
			}
			return nil
		},
	}
	fs := cmd.Flags()
	tf.register(fs)
	fs.StringVar(&format, "format", "table", "output `FORMAT`: "+strings.Join(report.PlanFormats, ", "))
	fs.StringArrayVar(&kinds, "kind", nil, "also plan for installers of this `KIND` the packager ships, with their own signers: windows, macos, android, docs (repeatable)")
	fs.BoolVar(&wide, "wide", false, "print full values (fingerprints, identities, commands) instead of fitting the terminal")
	fs.StringVar(&at, "at", "", "answer for this `DATE` (YYYY-MM-DD; default today, UTC)")
	fs.StringVar(&from, "from", "", "read lines or versions from `FILE` (versions.json shape, JSON array, or plain list)")
	return cmd
}

// checkFromChecksums judges the sha256 values of a docker-library
// versions.json given to --from (b, as read once for the versions) (checksums.source.sha256,
// checksums.windows.sha256) against python.org's digests, as `sigaudit
// lint` does, and warns on stderr about each one that differs (the other
// lint findings are `sigaudit lint`'s to print). It returns nil for a
// file of another shape (a JSON array or a plain list has no checksums).
func checkFromChecksums(e *env, from string, b []byte, tl *timeline.Timeline, opt timeline.Options) *recipe.Recipe {
	r, err := recipe.CheckVersionsJSON(from, b, recipe.Options{Timeline: tl, Expect: opt})
	if err != nil || r == nil {
		return nil
	}
	for _, f := range r.Findings {
		if f.Code == "checksum-mismatch" {
			warnf(e, "%s:%d: %s %s: %s", from, f.Line, f.Severity, f.Code, f.Message)
		}
	}
	return r
}
