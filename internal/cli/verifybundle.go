package cli

import (
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
)

const verifyBundleUsage = `
Usage: sigaudit verify-bundle --bundle FILE (--identity SAN --issuer URL | --key PEM)
                              [--trusted-root FILE] [--offline] [--format ...] (ARTIFACT | --sha256 HEX)

A generic Sigstore check for any artifact, not only CPython's: the bundle
must chain to the trust root (the embedded public-good root unless
--trusted-root), carry a valid log entry, sign the artifact, and name the
identity (an email or URI SAN) and OIDC issuer given, or be signed by --key.
Exit 0 verified, 3 not verified, 2 usage error, 1 error.
`

func runVerifyBundle(e *env, args []string) error {
	fs := flagSet(e, "verify-bundle", verifyBundleUsage)
	var trust trustFlags
	var rf reportFlags
	trust.register(fs)
	rf.register(fs)
	bundlePath := fs.String("bundle", "", "Sigstore bundle `FILE` (required)")
	identity := fs.String("identity", "", "expected certificate SAN: an email or URI")
	issuer := fs.String("issuer", "", "expected OIDC issuer `URL`")
	keyPath := fs.String("key", "", "PEM public key `FILE` for key-signed bundles (instead of --identity/--issuer)")
	sha := fs.String("sha256", "", "verify against this SHA-256 `HEX` instead of an artifact file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *bundlePath == "" {
		return usageErr("pass --bundle FILE", "no bundle given")
	}
	if (*keyPath == "") == (*identity == "" && *issuer == "") {
		return usageErr("pass either --identity SAN --issuer URL, or --key PEM", "give exactly one of --key or --identity/--issuer")
	}
	if *keyPath == "" && (*identity == "" || *issuer == "") {
		return usageErr("pass both --identity and --issuer", "--identity and --issuer go together")
	}
	if (len(pos) == 1) == (*sha != "") || len(pos) > 1 {
		return usageErr("pass one ARTIFACT file or --sha256 HEX", "give exactly one artifact or --sha256")
	}
	if err := rf.check(); err != nil {
		return err
	}
	if err := trust.check(); err != nil {
		return err
	}
	var exp sigstore.Expect
	if *keyPath != "" {
		pemBytes, err := readLocal(*keyPath, 64<<10)
		if err != nil {
			return usageErr("check the --key path", "cannot read key: %v", err)
		}
		pk, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
		if err != nil {
			return usageErr("pass a PEM public key", "--key %q: %v", *keyPath, err)
		}
		exp.PublicKey = pk
	} else {
		exp.Identities = []sigstore.Identity{{SAN: *identity, Issuer: *issuer}}
	}
	var art sigstore.Artifact
	name := ""
	if *sha != "" {
		d, ok := source.NormalizeSHA256(*sha)
		if !ok {
			return usageErr("give 64 hex digits", "malformed --sha256 %q", *sha)
		}
		art.SHA256, _ = hex.DecodeString(d)
		name = "sha256:" + d
	} else {
		f, err := os.Open(pos[0])
		if err != nil {
			return usageErr("check the artifact path", "cannot read artifact: %v", err)
		}
		defer f.Close()
		art.Reader = f
		name = filepath.Base(pos[0])
	}
	_, verifier, err := trust.loaders()
	if err != nil {
		return err
	}
	v, err := verifier()
	if err != nil {
		return userErr(err)
	}
	raw, err := readLocal(*bundlePath, sigstore.MaxBundleSize)
	var verdict sigstore.Verdict
	if err != nil {
		if strings.Contains(err.Error(), "larger than") {
			verdict = sigstore.Verdict{Status: sigstore.Malformed, Reason: err.Error()}
		} else {
			return usageErr("check the --bundle path", "cannot read bundle: %v", err)
		}
	} else if b, lv, err := sigstore.ReadBundle(bytes.NewReader(raw)); err != nil {
		verdict = lv
	} else {
		verdict = v.VerifyBundle(b, art, exp)
	}
	if art.Reader != nil {
		io.Copy(io.Discard, art.Reader)
	}
	rep := &report.Report{Artifacts: []report.Artifact{bundleArtifact(name, *bundlePath, verdict)}}
	if err := report.Write(e.stdout, rf.format, rep); err != nil {
		return opErr("", "writing report: %v", err)
	}
	if verdict.Status != sigstore.Verified {
		return errFindings
	}
	return nil
}

// bundleArtifact puts a verify-bundle verdict in the report model.
func bundleArtifact(name, bundlePath string, v sigstore.Verdict) report.Artifact {
	a := report.Artifact{
		Name: name, Kind: "any", Expected: report.Expected{Sigstore: true},
		PGP: report.Method{Status: report.StatusNotExpected},
		Sigstore: report.Method{
			Status: string(v.Status), File: bundlePath, Identity: v.Identity, Issuer: v.Issuer,
			MediaType: v.MediaType, TimeProof: v.TimeProof, LogIndex: v.LogIndex, Digest: v.Digest, Reason: v.Reason,
		},
	}
	if !v.SigningTime.IsZero() {
		a.Sigstore.Created = v.SigningTime.Format(time.RFC3339)
	}
	if v.Status != sigstore.Verified {
		code := map[sigstore.Status]string{
			sigstore.WrongIdentity: report.CodeSigstoreIdentity, sigstore.DigestMismatch: report.CodeDigestMismatch,
			sigstore.Untrusted: report.CodeSigstoreUntrusted, sigstore.Malformed: report.CodeSigstoreMalformed,
			sigstore.Unsupported: report.CodeSigstoreUnsupported,
		}[v.Status]
		if code == "" {
			code = report.CodeSigstoreInvalid
		}
		a.Findings = append(a.Findings, report.Finding{Severity: report.Mismatch, Code: code, Message: v.Reason})
	}
	return a
}
