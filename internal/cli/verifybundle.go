package cli

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
)

const verifyBundleLong = `A generic Sigstore check for any artifact, not only CPython's: the bundle
must chain to the trust root (the embedded public-good root unless
--trusted-root), carry a valid log entry, sign the artifact, and name the
identity (an email or URI SAN) and OIDC issuer given, or be signed by --key.
Exit 0 verified, 3 not verified, 2 usage error, 1 error.`

type verifyBundleFlags struct {
	trust      trustFlags
	rf         reportFlags
	bundlePath string
	keyPath    string
	sha        string
	// Each value under every spelling it is accepted as: sigaudit's,
	// cosign's (--certificate-identity...) and sigstore-python's
	// (--cert-identity, --cert-oidc-issuer).
	identity, issuer             spellings
	identityRegexp, issuerRegexp spellings
}

// spellings is one flag value accepted under several names.
type spellings struct {
	names  []string
	values []string
}

func (s *spellings) register(fs *pflag.FlagSet, usage string, names ...string) {
	s.names = names
	s.values = make([]string, len(names))
	for i, n := range names {
		u := usage
		if i > 0 {
			u = "same as --" + names[0]
		}
		fs.StringVar(&s.values[i], n, "", u)
	}
}

// value is the one value given, or a usage error when two spellings
// disagree.
func (s *spellings) value() (string, error) {
	v, from := "", ""
	for i, x := range s.values {
		if x == "" {
			continue
		}
		if v != "" && x != v {
			return "", errFlagsDisagree(from, v, s.names[i], x)
		}
		v, from = x, s.names[i]
	}
	return v, nil
}

func newVerifyBundleCmd(e *env) *cobra.Command {
	var f verifyBundleFlags
	cmd := &cobra.Command{
		Use:   "verify-bundle [flags] (ARTIFACT | --sha256 HEX)",
		Short: "verify any artifact against a Sigstore bundle and an identity or key",
		Long:  verifyBundleLong,
		Example: `  sigaudit verify-bundle --bundle Python-3.14.0.tgz.sigstore \
    --identity hugo@python.org --issuer https://github.com/login/oauth Python-3.14.0.tgz`,
		RunE: func(cmd *cobra.Command, pos []string) error {
			return runVerifyBundle(e, pos, &f)
		},
	}
	fs := cmd.Flags()
	f.trust.register(fs)
	f.rf.register(fs)
	fs.StringVar(&f.bundlePath, "bundle", "", "Sigstore bundle `FILE` (required)")
	// The report's --format (default: one OK line).
	fs.Lookup("format").DefValue = ""
	f.rf.format = ""
	fs.Lookup("format").Usage = "print a report in `FORMAT` (" + strings.Join(report.Formats, ", ") + ") instead of one OK line"
	f.identity.register(fs, "expected certificate `SAN`: an email or URI", "identity", "certificate-identity", "cert-identity")
	f.issuer.register(fs, "expected OIDC issuer `URL`", "issuer", "certificate-oidc-issuer", "cert-oidc-issuer")
	f.identityRegexp.register(fs, "expected certificate SAN as a Go `REGEXP` (instead of --identity)", "identity-regexp", "certificate-identity-regexp")
	f.issuerRegexp.register(fs, "expected OIDC issuer as a Go `REGEXP` (instead of --issuer)", "issuer-regexp", "certificate-oidc-issuer-regexp")
	fs.StringVar(&f.keyPath, "key", "", "PEM public key `FILE` for key-signed bundles (instead of --identity/--issuer)")
	fs.StringVar(&f.sha, "sha256", "", "verify against this SHA-256 `HEX` instead of an artifact file")
	return cmd
}

func runVerifyBundle(e *env, pos []string, f *verifyBundleFlags) error {
	if f.bundlePath == "" {
		return errNoBundle()
	}
	id, err := f.identityFlags()
	if err != nil {
		return err
	}
	if (len(pos) == 1) == (f.sha != "") || len(pos) > 1 {
		return errArtifactOrDigest()
	}
	if f.rf.format != "" {
		if err := f.rf.check(); err != nil {
			return err
		}
	}
	if err := f.trust.check(); err != nil {
		return err
	}
	exp, err := f.expect(id)
	if err != nil {
		return err
	}
	art, name, err := f.artifact(pos)
	if err != nil {
		return err
	}
	if c, ok := art.Reader.(io.Closer); ok {
		defer c.Close()
	}
	_, verifier, err := f.trust.loaders()
	if err != nil {
		return err
	}
	v, err := verifier()
	if err != nil {
		return userErr(err)
	}
	verdict, err := bundleVerdict(f.bundlePath, v, art, exp)
	if err != nil {
		return err
	}
	if art.Reader != nil {
		io.Copy(io.Discard, art.Reader)
	}
	if f.rf.format == "" {
		fmt.Fprintln(e.stdout, okLine(name, verdict))
		if verdict.Status != sigstore.Verified {
			return errFindings
		}
		return nil
	}
	rep := &report.Report{Artifacts: []report.Artifact{audit.BundleArtifact(name, f.bundlePath, verdict)}}
	f.rf.trustedRoot, f.rf.tufCache = f.trust.trustedRoot, f.trust.tufCache
	return f.rf.emit(e, rep)
}

// identityFlags is the expected identity the flags give, each value
// under any of its spellings, checked: one of a value and its regexp, a
// SAN and an issuer together, or --key alone.
func (f *verifyBundleFlags) identityFlags() (sigstore.Identity, error) {
	var id sigstore.Identity
	for _, p := range []struct {
		s   *spellings
		dst *string
	}{{&f.identity, &id.SAN}, {&f.issuer, &id.Issuer}, {&f.identityRegexp, &id.SANRegexp}, {&f.issuerRegexp, &id.IssuerRegexp}} {
		v, err := p.s.value()
		if err != nil {
			return id, err
		}
		*p.dst = v
	}
	hasSAN, hasIssuer := id.SAN != "" || id.SANRegexp != "", id.Issuer != "" || id.IssuerRegexp != ""
	if id.SAN != "" && id.SANRegexp != "" {
		return id, conflictErr("--identity", "--identity-regexp")
	}
	if id.Issuer != "" && id.IssuerRegexp != "" {
		return id, conflictErr("--issuer", "--issuer-regexp")
	}
	for _, re := range []string{id.SANRegexp, id.IssuerRegexp} {
		if _, err := regexp.Compile(re); err != nil {
			return id, errBadRegexp(re, err)
		}
	}
	if (f.keyPath == "") == (!hasSAN && !hasIssuer) {
		return id, errKeyOrIdentity()
	}
	if f.keyPath == "" && (!hasSAN || !hasIssuer) {
		return id, errIdentityIssuer()
	}
	return id, nil
}

// expect is what the bundle must be signed by: the --key, or id.
func (f *verifyBundleFlags) expect(id sigstore.Identity) (sigstore.Expect, error) {
	var exp sigstore.Expect
	if f.keyPath == "" {
		exp.Identities = []sigstore.Identity{id}
		return exp, nil
	}
	pemBytes, err := readLocal(f.keyPath, 64<<10)
	if err != nil {
		return exp, errReadKey(err)
	}
	pk, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		return exp, errBadKey(f.keyPath, err)
	}
	exp.PublicKey = pk
	return exp, nil
}

// artifact is what the bundle must sign: the --sha256 digest, or the one
// file named (open, regular; the caller closes it), and the name the
// output gives it.
func (f *verifyBundleFlags) artifact(pos []string) (sigstore.Artifact, string, error) {
	var art sigstore.Artifact
	if f.sha != "" {
		d, ok := source.NormalizeSHA256(f.sha)
		if !ok {
			return art, "", sha256Err(f.sha)
		}
		art.SHA256, _ = hex.DecodeString(d)
		return art, "sha256:" + d, nil
	}
	fh, err := openRegular(pos[0])
	if err != nil {
		if errors.Is(err, source.ErrNotFound) || errors.Is(err, source.ErrNotRegular) {
			return art, "", errArtifactPath(err)
		}
		return art, "", errReadArtifact(err)
	}
	art.Reader = fh
	return art, filepath.Base(pos[0]), nil
}

// bundleVerdict reads the bundle file and verifies it: a bundle too large
// or unreadable as a bundle is a verdict (malformed), a path that is not
// a readable regular file an error.
func bundleVerdict(path string, v *sigstore.Verifier, art sigstore.Artifact, exp sigstore.Expect) (sigstore.Verdict, error) {
	raw, err := readLocal(path, sigstore.MaxBundleSize)
	switch {
	case errors.Is(err, source.ErrTooLarge):
		return sigstore.Verdict{Status: sigstore.Malformed, Reason: err.Error()}, nil
	case errors.Is(err, source.ErrUnreadable):
		return sigstore.Verdict{}, errReadBundle(err)
	case err != nil:
		return sigstore.Verdict{}, errBundlePath(err)
	}
	b, lv, err := sigstore.ReadBundle(bytes.NewReader(raw))
	if err != nil {
		return lv, nil
	}
	return v.VerifyBundle(b, art, exp), nil
}

// okLine is verify-bundle's default output: "OK: FILE (identity, issuer,
// log index N)", or "FAILED: FILE: status: reason".
func okLine(name string, v sigstore.Verdict) string {
	if v.Status != sigstore.Verified {
		return fmt.Sprintf("FAILED: %s: %s: %s", report.OneLine(name), v.Status, report.OneLine(v.Reason))
	}
	var parts []string
	if v.Identity != "" {
		parts = append(parts, v.Identity, v.Issuer)
	} else {
		parts = append(parts, "public key")
	}
	if v.LogIndex != nil {
		parts = append(parts, fmt.Sprintf("log index %d", *v.LogIndex))
	}
	return fmt.Sprintf("OK: %s (%s)", report.OneLine(name), report.OneLine(strings.Join(parts, ", ")))
}
