package audit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sigaudit/sigaudit/pgp"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/timeline"
)

// One emitter per finding code: every finding of a code is made here, by
// its function, with one wording (the details vary, the form does not).

func finding(sev, code, format string, args ...any) report.Finding {
	return report.Finding{Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)}
}

func unknownArtifact(name string) report.Finding {
	return finding(report.Note, report.CodeUnknownArtifact, "%q is not a python.org artifact name sigaudit knows; nothing is expected of it", name)
}

func unknownLine(err error) report.Finding {
	var ul *timeline.UnknownLineError
	if errors.As(err, &ul) {
		return finding(report.Gap, report.CodeUnknownLine, "%v: sigaudit cannot tell what is guaranteed (%s)", err, ul.Hint())
	}
	return finding(report.Gap, report.CodeUnknownLine, "%v", err)
}

// sourceError is a file that could not be read or used: a mismatch for
// the artifact and its signatures, a note for an unusable SBOM.
func archiveVersion(format string, args ...any) report.Finding {
	return finding(report.Mismatch, report.CodeArchiveVersion, format, args...)
}

func sourceError(sev, format string, args ...any) report.Finding {
	return finding(sev, report.CodeSourceError, format, args...)
}

func pgpMissing(name, signer string) report.Finding {
	return finding(report.Gap, report.CodePGPMissing, "PEP 761 guarantees a PGP signature by %s for %s, but no %s.asc is published", signer, name, name)
}

func pgpRecordUnknown(name, reason string) report.Finding {
	return finding(report.Note, report.CodePGPRecordUnknown, "no %s.asc is published, and none is held against it: %s", name, reason)
}

func pgpMalformed(name, reason string) report.Finding {
	return finding(report.Mismatch, report.CodePGPMalformed, "%s.asc is not a readable OpenPGP signature: %s", name, reason)
}

func pgpNotGuaranteed(reason string) report.Finding {
	return finding(report.Note, report.CodePGPNotGuaranteed, "a PGP signature is published although PEP 761 guarantees none here (%s)", reason)
}

// pgpNotChecked is a present signature that was not verified: a note when
// the user chose not to read artifacts (--digest-only), a gap when the
// artifact could not be had (absent, refused, not read).
func pgpNotChecked(byChoice bool, msg string) report.Finding {
	if byChoice {
		return finding(report.Note, report.CodePGPNotChecked, "%s", msg)
	}
	return finding(report.Gap, report.CodePGPNotChecked, "%s", msg)
}

// pgpFinding is the finding of a PGP verification verdict, if any. A
// signer that is wrong or unknown where PGP is not guaranteed is a note:
// whoever signed it, nothing is owed.
func pgpFinding(v pgp.Verdict, ex timeline.Expectation, signer, name string) (report.Finding, bool) {
	sev := report.Mismatch
	if !ex.PGP && (v.Status == pgp.WrongSigner || v.Status == pgp.UnknownSigner) {
		sev = report.Note
	}
	switch v.Status {
	case pgp.Verified:
		return report.Finding{}, false
	case pgp.WrongSigner:
		who := signer
		if who == "" {
			who = v.Fingerprint
		}
		return finding(sev, report.CodePGPWrongSigner, "signed by %s (%s), but %s expects %s", who, v.Fingerprint, ex.Line, orNone(ex.PGPSigner)), true
	case pgp.UnknownSigner:
		return finding(sev, report.CodePGPUnknownSigner, "%s", v.Reason), true
	case pgp.WeakHash:
		return finding(report.Mismatch, report.CodePGPWeakHash, "%s", v.Reason), true
	case pgp.Malformed:
		return pgpMalformed(name, v.Reason), true
	}
	return finding(report.Mismatch, report.CodePGPInvalid, "PGP signature does not verify: %s", v.Reason), true
}

func orNone(s string) string {
	if s == "" {
		return "no PGP signer"
	}
	return s
}

func sigstoreMissing(name string, ex timeline.Expectation) report.Finding {
	return finding(report.Gap, report.CodeSigstoreMissing, "a Sigstore bundle by %s is guaranteed for %s (%s), but none is published", ex.Identity, name, ex.SigstoreReason)
}

func digestUnconfirmed(format string, args ...any) report.Finding {
	return finding(report.Note, report.CodeDigestUnconfirmed, format, args...)
}

func digestMismatch(format string, args ...any) report.Finding {
	return finding(report.Mismatch, report.CodeDigestMismatch, format, args...)
}

func legacyFormat() report.Finding {
	return finding(report.Note, report.CodeLegacyFormat, "Sigstore material is a legacy .crt + .sig pair, not a bundle")
}

func signingTimeUnproven(name string) report.Finding {
	return finding(report.Note, report.CodeSigningTimeUnproven, "no transparency log entry or timestamp proves when %s was signed", name)
}

func signedOutsideWindow(format string, args ...any) report.Finding {
	return finding(report.Mismatch, report.CodeSignedOutsideWindow, format, args...)
}

func releaseIncomplete(format string, args ...any) report.Finding {
	return finding(report.Gap, report.CodeReleaseIncomplete, format, args...)
}

// servedTwice is rule (c) broken: the bundle signs what the bundles of
// others in release directory dir sign.
func servedTwice(digest string, others []string, dir string) report.Finding {
	return digestMismatch("the bundle signs %s, as the bundle of %s in %s/ does: one artifact's bundle is served under two names", digest, strings.Join(others, ", "), dir)
}

func apiClaimMissing(file string) report.Finding {
	return finding(report.Mismatch, report.CodeAPIClaimMissing, "python.org's API lists %s, but it is not published", file)
}

// sigstoreCode is THE mapping of a Sigstore status to its finding code
// (ok false for the statuses that carry no failure finding). The sigstore
// package's statuses are the report's status words.
func sigstoreCode(s sigstore.Status) (string, bool) {
	switch s {
	case sigstore.Verified, sigstore.SignerVerified:
		return "", false
	case sigstore.WrongIdentity:
		return report.CodeSigstoreIdentity, true
	case sigstore.DigestMismatch:
		return report.CodeDigestMismatch, true
	case sigstore.Untrusted:
		return report.CodeSigstoreUntrusted, true
	case sigstore.Malformed:
		return report.CodeSigstoreMalformed, true
	case sigstore.Unsupported:
		return report.CodeSigstoreUnsupported, true
	}
	return report.CodeSigstoreInvalid, true
}

// sigstoreFinding is the finding of a Sigstore verdict, for callers that
// verify a bundle themselves (verify-bundle): ok is false for a success
// (verified, signer-verified). It is the audit's own mapping.
func sigstoreFinding(v sigstore.Verdict) (report.Finding, bool) {
	if _, failed := sigstoreCode(v.Status); !failed {
		return report.Finding{}, false
	}
	return sigstoreFailure(v, ""), true
}

// sigstoreFailure is the finding of a failed Sigstore verdict. file, when
// set, prefixes the reason (material that could not be read at all).
func sigstoreFailure(v sigstore.Verdict, file string) report.Finding {
	code, _ := sigstoreCode(v.Status)
	switch {
	case file != "":
		return finding(report.Mismatch, code, "%s: %s", file, v.Reason)
	case code == report.CodeDigestMismatch:
		return digestMismatch("the bundle signs another artifact: %s", v.Reason)
	case code == report.CodeSigstoreInvalid:
		return finding(report.Mismatch, code, "Sigstore signature does not verify: %s", v.Reason)
	}
	return finding(report.Mismatch, code, "%s", v.Reason)
}
