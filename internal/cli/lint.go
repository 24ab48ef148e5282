package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/recipe"
)

const lintLong = `Reads the recipes packagers ship (docker-library Dockerfiles and
versions.json, pyenv, Homebrew, conda, Nix, Gentoo, Arch, Alpine, RPM, Debian
watch files, build scripts, sha256sum lists, signing keys...) and judges the
pinned versions, checksums and signature checks against PEP 761 and
python.org's observed record of digests. A file that cannot be read, or in
which nothing can be found, is an error (exit 1), never skipped.`

func newLintCmd(e *env) *cobra.Command {
	var tf timelineFlags
	var format, failOn string
	cmd := &cobra.Command{
		Use:     "lint [flags] FILE...",
		Short:   "judge packagers' recipes (Dockerfile, PKGBUILD, ebuild, ...) against PEP 761",
		Long:    lintLong,
		Example: "  sigaudit lint --format sarif Dockerfile versions.json > lint.sarif",
		RunE: func(cmd *cobra.Command, files []string) error {
			if len(files) == 0 {
				return usageErr("name recipe files, e.g. 'sigaudit lint Dockerfile'", "no file given")
			}
			if err := checkFormat(format, recipe.RenderFormats); err != nil {
				return err
			}
			fs, err := failSet(failOn)
			if err != nil {
				return err
			}
			tl, err := tf.load()
			if err != nil {
				return err
			}
			rs, _ := recipe.LintFiles(files, recipe.Options{Timeline: tl, Expect: tf.options()})
			if err := recipe.Write(e.stdout, format, rs); err != nil {
				return opErr("", "writing report: %v", err)
			}
			switch recipe.ExitCode(rs, fs) {
			case ExitError:
				return opErr("see the files with an error above", "some files could not be read or held nothing to check")
			case ExitFindings:
				return errFindings
			}
			return nil
		},
	}
	fs := cmd.Flags()
	tf.register(fs)
	fs.StringVar(&format, "format", "table", "output `FORMAT`: "+strings.Join(recipe.RenderFormats, ", "))
	fs.StringVar(&failOn, "fail-on", "gap", "exit 3 on findings of this `SEVERITY` or worse: note, gap, mismatch, or none")
	return cmd
}
