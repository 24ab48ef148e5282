package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
)

const policyLong = `Prints, per release line (or per version given), the release manager, whether
PEP 761 guarantees PGP signatures and until when, the PGP key, the Sigstore
identity and OIDC issuer, the first stable release and the end of life.
With no arguments, every line sigaudit knows.`

func newPolicyCmd(e *env) *cobra.Command {
	var format string
	var wide bool
	var tf timelineFlags
	cmd := &cobra.Command{
		Use:     "policy [flags] [VERSION|LINE ...]",
		Short:   "what PEP 761 guarantees for release lines or versions",
		Long:    policyLong,
		Example: "  sigaudit policy 3.13 3.14.0",
		RunE: func(cmd *cobra.Command, pos []string) error {
			if err := checkFormat(format, report.PolicyFormats); err != nil {
				return err
			}
			tl, err := tf.load()
			if err != nil {
				return err
			}
			p, err := audit.BuildPolicy(tl, pos, tf.options())
			if err != nil {
				return versionErr(err)
			}
			p.Tool = tool("", "")
			fillPolicySince(p)
			return report.RenderPolicy(e.stdout, format, p, layout(e, wide))
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&format, "format", "table", "output `FORMAT`: "+strings.Join(report.PolicyFormats, ", "))
	fs.BoolVar(&wide, "wide", false, "print full values (fingerprints, identities, issuers) instead of fitting the terminal")
	tf.register(fs)
	return cmd
}
