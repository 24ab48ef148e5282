package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/recipe"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

const pinLong = `Prints the lines to paste into a recipe for a release: the download URL
(pre-releases live in the final's directory: 3.15.0a8 in 3.15.0/), the
proven SHA-256 and the verification that fits the line: the PGP key while
PEP 761 guarantees PGP, else the Sigstore identity and issuer.

The SHA-256 is proven as 'sigaudit checksums' proves it: the release's
bundles are read from --source (python.org by default) and verified, no
artifact is downloaded. A digest that cannot be proven is refused (exit 3)
unless --allow-unproven, which marks it UNPROVEN in the output.`

func newPinCmd(e *env) *cobra.Command {
	var af auditorFlags
	var tr treeFlags
	var format string
	var allowUnproven bool
	formats := make([]string, len(recipe.PinFormats))
	for i, f := range recipe.PinFormats {
		formats[i] = string(f)
	}
	cmd := &cobra.Command{
		Use:     "pin [flags] VERSION --format FORMAT",
		Short:   "the recipe lines to paste for a release (URL, proven SHA-256, signature check)",
		Long:    pinLong,
		Example: "  sigaudit pin 3.13.5 --format dockerfile",
		RunE: func(cmd *cobra.Command, pos []string) error {
			if len(pos) != 1 {
				return usageErr("name one release, e.g. 'sigaudit pin 3.13.5 --format dockerfile'", "pin takes one VERSION")
			}
			if _, err := timeline.ParseVersion(pos[0]); err != nil {
				return versionErr(err)
			}
			if format == "" {
				return usageErr("use --format "+strings.Join(formats, "|"), "no --format given")
			}
			if err := checkFormat(format, formats); err != nil {
				return err
			}
			m := recipe.Material{AllowUnproven: allowUnproven, Expect: af.timeline.options()}
			tl, err := af.timeline.load()
			if err != nil {
				return err
			}
			m.Timeline = tl
			if recipe.Format(format) != recipe.SigningKey {
				c, err := provenChecksums(e, &af, &tr, pos[0])
				if err != nil {
					return err
				}
				m.Digests = recipe.ChecksumDigests{Checksums: c, Fallback: recipe.RecordDigests{}}
			}
			out, err := recipe.Pin(pos[0], recipe.Format(format), m)
			if errors.Is(err, recipe.ErrUnproven) {
				return &Error{Code: ExitFindings, Msg: err.Error(), Hint: "check the release with 'sigaudit checksums " + pos[0] + "', or pass --allow-unproven to print it marked UNPROVEN"}
			}
			if err != nil {
				return usageErr("", "%v", err)
			}
			_, err = e.stdout.Write(out)
			return err
		},
	}
	fs := cmd.Flags()
	af.register(fs)
	tr.register(fs, false)
	fs.StringVar(&format, "format", "", "recipe `FORMAT`: "+strings.Join(formats, ", "))
	fs.BoolVar(&allowUnproven, "allow-unproven", false, "print a digest that cannot be proven, marked UNPROVEN, instead of exit 3")
	return cmd
}

// provenChecksums runs what 'sigaudit checksums VERSION' runs and returns
// its result.
func provenChecksums(e *env, af *auditorFlags, tr *treeFlags, version string) (*report.Checksums, error) {
	t, err := tr.tree(e, af, true)
	if err != nil {
		return nil, err
	}
	t.Progress = newProgress(e, "artifacts").update
	dirs, only, err := t.Select(e.ctx, []string{version})
	if err != nil {
		return nil, selectErr(err)
	}
	rep, err := t.Run(e.ctx, dirs, only)
	if err != nil {
		return nil, interruptedErr("checksums", err)
	}
	return audit.ChecksumsWith(rep, audit.ChecksumOptions{API: audit.APIDigests(t.API)}), nil
}
