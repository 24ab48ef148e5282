package cli

import (
	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
)

const checksumsLong = `Prints a proven SHA-256 per artifact: the digest a Sigstore bundle signs,
with the bundle verified (offline by default) against the release manager's
identity, cross-checked against python.org's API and the SBOM where present.
No artifact is downloaded. The sha256sum format is what 'sha256sum -c' reads.

An artifact whose bundle does not verify, or whose digests disagree, gets no
line: the reason goes to stderr and the JSON, and the exit code is 3.
Artifacts without Sigstore get nothing unless --allow-unsigned-api, which
prints the API's value as a '#' comment (JSON: "proven": false).`

type checksumsFlags struct {
	af            auditorFlags
	tr            treeFlags
	format        string
	artifacts     []string
	kind          string
	allowUnsigned bool
	allowUnproven bool
}

func newChecksumsCmd(e *env) *cobra.Command {
	var f checksumsFlags
	cmd := &cobra.Command{
		Use:     "checksums [flags] VERSION...",
		Short:   "print SHA-256 values proven by verified Sigstore bundles",
		Long:    checksumsLong,
		Example: "  sigaudit checksums --artifact Python-3.13.5.tar.xz 3.13.5 | sha256sum -c",
		RunE: func(cmd *cobra.Command, pos []string) error {
			return runChecksums(e, pos, &f)
		},
	}
	fs := cmd.Flags()
	f.af.register(fs)
	f.tr.register(fs, false)
	fs.StringVar(&f.format, "format", "sha256sum", "output `FORMAT`: sha256sum or json")
	fs.StringArrayVar(&f.artifacts, "artifact", nil, "only this artifact `NAME` (repeatable)")
	fs.StringVar(&f.kind, "kind", "", "only artifacts of this `KIND`: source, windows, macos, android, docs")
	fs.BoolVar(&f.allowUnsigned, "allow-unsigned-api", false, "for artifacts without Sigstore, print the API's SHA-256 marked unproven")
	fs.BoolVar(&f.allowUnproven, "allow-unproven", false, "print, marked unproven, a verified bundle's digest that nothing binds to the artifact (instead of exit 3)")
	return cmd
}

func checkKind(flagName, kind string) error {
	switch kind {
	case "", source.KindSource, source.KindWindows, source.KindMacOS, source.KindAndroid, source.KindDocs:
		return nil
	}
	return choiceErr(flagName, kind, []string{source.KindSource, source.KindWindows, source.KindMacOS, source.KindAndroid, source.KindDocs})
}

func runChecksums(e *env, pos []string, f *checksumsFlags) error {
	if len(pos) == 0 {
		return noReleaseErr("'sigaudit checksums 3.13.5'")
	}
	if err := checkSelectors(pos); err != nil {
		return err
	}
	if err := checkFormat(f.format, report.ChecksumFormats); err != nil {
		return err
	}
	if err := checkKind("--kind", f.kind); err != nil {
		return err
	}
	t, err := f.tr.tree(e, &f.af, true)
	if err != nil {
		return err
	}
	t.Progress = newProgress(e, "artifacts").update
	dirs, only, err := t.Select(e.ctx, pos)
	if err != nil {
		return selectErr(err)
	}
	rep, err := runTree(e, t, dirs, only)
	if err != nil {
		return interruptedErr("checksums", err)
	}
	if missing := audit.KeepArtifacts(rep, f.artifacts, f.kind); len(missing) > 0 {
		return errArtifactNotSelected(missing[0])
	}
	c := audit.ChecksumsWith(rep, audit.ChecksumOptions{API: audit.APIDigests(t.API), AllowUnsigned: f.allowUnsigned, AllowUnproven: f.allowUnproven})
	c.Tool = tool(f.af.trust.trustedRoot, f.af.trust.tufCache)
	if err := report.WriteChecksums(e.stdout, f.format, c); err != nil {
		return errWriting("checksums", err)
	}
	failed := false
	for _, r := range c.Rejected {
		warnRejected(e, r)
		if r.Status == "unverified" {
			failed = true
		}
	}
	if failed {
		return errFindings
	}
	return nil
}
