package cli

import (
	"bytes"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/recipe"
	"github.com/sigaudit/sigaudit/report"
)

const lintLong = `Reads the recipes packagers ship (Dockerfiles, docker-library templates and
versions.json, pyenv definitions, Homebrew formulae, PKGBUILDs, APKBUILDs,
ebuilds and Manifests, conda recipes, Nix expressions, RPM specs and sources,
debian/watch, manylinux and Heroku build scripts, ...; anything else is read
generically) and judges, for every python.org artifact they pin, the
checksum and the verification they perform against PEP 761 and python.org's
digests: checksum-mismatch, checksum-unproven, checksum-weak, pgp-key-wrong,
pgp-key-extra, pgp-obsolete, pgp-unverified, sigstore-identity-wrong,
unverified. Each finding names the file, line, version and what to write
instead.

Digests come from sigaudit's embedded record of python.org (offline, observed
not proven) unless --source or --api is given: then the pinned versions are
audited digest-only there, as 'sigaudit checksums' does, and proven digests
are used. A file that cannot be read, or where nothing can be found, is an
error (exit 1), reported with the others. With --skip-unpinned (the
pre-commit hook's setting) a file that was read but pins nothing from
python.org is left out and named on stderr instead; if every file is left
out, that is said and the exit is 0.`

type lintFlags struct {
	af     auditorFlags
	tr     treeFlags
	format string
	failOn string
	// skipUnpinned leaves out files that pin nothing from python.org.
	skipUnpinned bool
}

func newLintCmd(e *env) *cobra.Command {
	var f lintFlags
	cmd := &cobra.Command{
		Use:     "lint [flags] FILE...",
		Short:   "judge packagers' CPython download recipes against PEP 761",
		Long:    lintLong,
		Example: "  sigaudit lint Dockerfile versions.json\n  sigaudit lint --format sarif PKGBUILD > lint.sarif",
		RunE: func(cmd *cobra.Command, pos []string) error {
			live := cmd.Flags().Changed("source") || cmd.Flags().Changed("api")
			return runLint(e, pos, &f, live)
		},
	}
	fs := cmd.Flags()
	f.af.register(fs)
	f.tr.register(fs, true)
	fs.StringVar(&f.format, "format", "table", "output `FORMAT`: "+strings.Join(recipe.RenderFormats, ", "))
	fs.BoolVar(&f.skipUnpinned, "skip-unpinned", false, "leave out (and name on stderr) files that pin nothing from python.org, instead of failing on them (for pre-commit, which passes every matching file)")
	fs.StringVar(&f.failOn, "fail-on", "gap", "exit 3 on findings of this `SEVERITY` or worse: note, gap, mismatch (note < gap < mismatch), or none")
	return cmd
}

func runLint(e *env, pos []string, f *lintFlags, live bool) error {
	if len(pos) == 0 {
		return errNoRecipe()
	}
	if err := checkFormat(f.format, recipe.RenderFormats); err != nil {
		return err
	}
	failOn, err := failSet(f.failOn)
	if err != nil {
		return err
	}
	tl, err := f.af.timeline.load()
	if err != nil {
		return err
	}
	opt := recipe.Options{Timeline: tl, Expect: f.af.timeline.options()}
	rs, failed := recipe.LintFiles(pos, opt)
	if live {
		if vs := recipe.Versions(rs); len(vs) > 0 {
			d, err := liveDigests(e, &f.af, &f.tr, vs, false)
			if err != nil {
				return err
			}
			opt.Digests = recipe.ChecksumDigests{Checksums: d, Fallback: recipe.RecordDigests{}}
			rs, failed = recipe.LintFiles(pos, opt)
		}
	}
	if f.skipUnpinned {
		var skipped []string
		rs, failed, skipped = dropUnpinned(rs, failed)
		if len(skipped) > 0 {
			warnf(e, "skipped %d file(s) that pin nothing from python.org (--skip-unpinned): %s", len(skipped), strings.Join(skipped, ", "))
		}
		if len(rs) == 0 {
			warnf(e, "nothing checked: no file given pins anything from python.org")
		}
	}
	// Render everything before writing: nothing is half-printed.
	var buf bytes.Buffer
	if err := recipe.Write(&buf, f.format, rs); err != nil {
		return errRendering("", err)
	}
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return errWriting("", err)
	}
	if failed > 0 {
		for _, r := range rs {
			if r.Error != "" {
				return errRecipesUnchecked(failed, len(rs), r.Error)
			}
		}
	}
	if recipe.Fails(rs, failOn) {
		return errFindings
	}
	return nil
}

// liveDigests audits versions digest-only in the selected tree (no
// artifact is downloaded) and returns what 'sigaudit checksums' would:
// proven digests, and the rejected artifacts with their reasons.
func liveDigests(e *env, af *auditorFlags, tr *treeFlags, versions []string, allowUnproven bool) (*report.Checksums, error) {
	if err := checkSelectors(versions); err != nil {
		return nil, err
	}
	t, err := tr.tree(e, af, true)
	if err != nil {
		return nil, err
	}
	dirs, only, err := t.Select(e.ctx, versions)
	if err != nil {
		return nil, selectErr(err)
	}
	rep, err := t.Run(e.ctx, dirs, only)
	if err != nil {
		return nil, errInterrupted(err)
	}
	return audit.ChecksumsWith(rep, audit.ChecksumOptions{API: audit.APIDigests(t.API), AllowUnproven: allowUnproven}), nil
}

// dropUnpinned leaves out the recipes that were read but pin nothing from
// python.org; files that could not be read stay (and still fail).
func dropUnpinned(rs []*recipe.Recipe, failed int) (kept []*recipe.Recipe, stillFailed int, skipped []string) {
	for _, r := range rs {
		if r.NothingFound {
			skipped = append(skipped, r.File)
			failed--
			continue
		}
		kept = append(kept, r)
	}
	return kept, failed, skipped
}
