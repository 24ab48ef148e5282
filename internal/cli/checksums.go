package cli

import (
	"fmt"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
)

const checksumsUsage = `
Usage: sigaudit checksums [--source URL|DIR] [--api URL|FILE] [--format sha256sum|json]
                          [--artifact NAME]... [--kind KIND] [--allow-unsigned-api]
                          [--allow-unproven] VERSION...

Prints a proven SHA-256 per artifact: the digest a Sigstore bundle signs,
with the bundle verified (offline by default) against the release manager's
identity, cross-checked against python.org's API and the SBOM where present.
No artifact is downloaded. The sha256sum format is what 'sha256sum -c' reads.

An artifact whose bundle does not verify, or whose digests disagree, gets no
line: the reason goes to stderr and the JSON, and the exit code is 3.
Artifacts without Sigstore get nothing unless --allow-unsigned-api, which
prints the API's value as a '#' comment (JSON: "proven": false).
`

func runChecksums(e *env, args []string) error {
	fs := flagSet(e, "checksums", checksumsUsage)
	var tf timelineFlags
	var trust trustFlags
	tf.register(fs)
	trust.register(fs)
	var tr treeFlags
	tr.register(fs, false)
	format := fs.String("format", "sha256sum", "output `format`: sha256sum or json")
	var artifacts multiFlag
	fs.Var(&artifacts, "artifact", "only this artifact `NAME` (repeatable)")
	kind := fs.String("kind", "", "only artifacts of this `KIND`: source, windows, macos, android, docs")
	allowUnsigned := fs.Bool("allow-unsigned-api", false, "for artifacts without Sigstore, print the API's SHA-256 marked unproven")
	allowUnproven := fs.Bool("allow-unproven", false, "print, marked unproven, a verified bundle's digest that nothing binds to the artifact (instead of exit 3)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("name releases, e.g. 'sigaudit checksums 3.13.5'", "no release selected")
	}
	if err := checkFormat(*format, report.ChecksumFormats); err != nil {
		return err
	}
	switch *kind {
	case "", source.KindSource, source.KindWindows, source.KindMacOS, source.KindAndroid, source.KindDocs:
	default:
		return usageErr("use --kind source|windows|macos|android|docs", "unknown --kind %q", *kind)
	}
	t, err := tr.tree(e, &tf, &trust, true)
	if err != nil {
		return err
	}
	apiDigests := map[string]string{}
	for n, f := range t.API {
		if f.SHA256 != "" {
			apiDigests[n] = f.SHA256
		}
	}
	dirs, only, err := t.Select(e.ctx, pos)
	if err != nil {
		return selectErr(err)
	}
	rep, err := t.Run(e.ctx, dirs, only)
	if err != nil {
		return opErr("", "interrupted: %v", err)
	}
	// Keep only what was asked for.
	want := map[string]bool{}
	for _, a := range artifacts {
		want[a] = true
	}
	found := map[string]bool{}
	kept := rep.Artifacts[:0]
	for _, a := range rep.Artifacts {
		if (len(want) == 0 || want[a.Name]) && (*kind == "" || a.Kind == *kind) {
			kept = append(kept, a)
			found[a.Name] = true
		}
	}
	rep.Artifacts = kept
	for _, n := range artifacts {
		if !found[n] {
			return usageErr("check the artifact name", "--artifact %q is not in the selected releases", n)
		}
	}
	c := audit.ChecksumsWith(rep, audit.ChecksumOptions{API: apiDigests, AllowUnsigned: *allowUnsigned, AllowUnproven: *allowUnproven})
	if err := report.WriteChecksums(e.stdout, *format, c); err != nil {
		return opErr("", "writing checksums: %v", err)
	}
	failed := false
	for _, r := range c.Rejected {
		fmt.Fprintf(e.stderr, "sigaudit: %s: %s: %s\n", r.Status, oneLine(r.Name), oneLine(r.Reason))
		if r.Status == "unverified" {
			failed = true
		}
	}
	if failed {
		return errFindings
	}
	return nil
}
