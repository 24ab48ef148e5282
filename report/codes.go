package report

// Finding codes. They are stable: CI pipelines and SARIF consumers key on
// them. Every code is documented in the README.
const (
	CodePGPMissing          = "pgp-missing"        // gap: PGP guaranteed, no .asc
	CodeSigstoreMissing     = "sigstore-missing"   // gap: Sigstore guaranteed, no .sigstore (nor .crt+.sig)
	CodePGPInvalid          = "pgp-invalid"        // mismatch: .asc does not verify over the artifact
	CodePGPWrongSigner      = "pgp-wrong-signer"   // mismatch: valid signature by a key the timeline does not expect
	CodePGPUnknownSigner    = "pgp-unknown-signer" // mismatch: signed by a key sigaudit does not have
	CodePGPMalformed        = "pgp-malformed"      // mismatch: .asc is not a signature
	CodePGPWeakHash         = "pgp-weak-hash"      // mismatch: SHA-1 or weaker
	CodeSigstoreInvalid     = "sigstore-invalid"   // mismatch: bundle signature does not verify
	CodeSigstoreIdentity    = "sigstore-wrong-identity"
	CodeSigstoreUntrusted   = "sigstore-untrusted" // mismatch: chain, log or timestamp not trusted
	CodeSigstoreMalformed   = "sigstore-malformed" // mismatch: bundle cannot be read
	CodeSigstoreUnsupported = "sigstore-unsupported"
	CodeDigestMismatch      = "digest-mismatch"        // mismatch: SHA-256 of artifact, bundle, SBOM or API disagree
	CodePGPNotGuaranteed    = "pgp-not-guaranteed"     // note: .asc present where PEP 761 guarantees none
	CodeLegacyFormat        = "sigstore-legacy-format" // note: .crt + .sig instead of a bundle
	CodeSigningTimeUnproven = "signing-time-unproven"  // note: no log entry or timestamp proves when it was signed
	CodeUnknownArtifact     = "unknown-artifact"       // note: file name sigaudit cannot map to a version and kind
	CodeUnknownLine         = "unknown-line"           // gap: release line not in the timeline
	CodeSourceError         = "source-error"           // mismatch: the artifact or a signature could not be read
	CodePGPNotChecked       = "pgp-not-checked"        // note: --digest-only, the .asc was not verified
	CodeDigestUnconfirmed   = "digest-unconfirmed"     // note: no independent SHA-256 confirms the bundle digest
	CodeAPIClaimMissing     = "api-claim-missing"      // mismatch: the API lists a signature file that is not published
	CodeSigstoreNotChecked  = "sigstore-not-checked"   // gap: a guaranteed bundle could not be checked at all
	CodeSignedOutsideWindow = "signed-outside-window"  // mismatch: the bundle was signed outside the version's signing window
	CodeReleaseIncomplete   = "release-incomplete"     // gap: a selected release is empty or has no source tarball
)

var codeText = map[string]string{
	CodePGPMissing:          "PEP 761 guarantees a PGP signature, but no .asc was published",
	CodeSigstoreMissing:     "A Sigstore bundle is guaranteed, but none was published",
	CodePGPInvalid:          "The PGP signature does not verify over the artifact",
	CodePGPWrongSigner:      "The PGP signature was made by a key the timeline does not expect",
	CodePGPUnknownSigner:    "The PGP signature was made by a key sigaudit does not know",
	CodePGPMalformed:        "The .asc file is not a readable OpenPGP signature",
	CodePGPWeakHash:         "The PGP signature uses a weak hash (SHA-1 or older)",
	CodeSigstoreInvalid:     "The Sigstore signature does not verify",
	CodeSigstoreIdentity:    "The Sigstore certificate names another identity or issuer",
	CodeSigstoreUntrusted:   "The Sigstore certificate chain, log entry or timestamp is not trusted",
	CodeSigstoreMalformed:   "The Sigstore bundle cannot be read",
	CodeSigstoreUnsupported: "The Sigstore bundle uses a format sigaudit does not support",
	CodeDigestMismatch:      "SHA-256 values of the artifact, bundle, SBOM or API disagree",
	CodePGPNotGuaranteed:    "A PGP signature is present where PEP 761 guarantees none",
	CodeLegacyFormat:        "Sigstore material is in the legacy .crt + .sig form",
	CodeSigningTimeUnproven: "No transparency log entry or timestamp proves when the artifact was signed",
	CodeUnknownArtifact:     "The file name does not match any known python.org artifact",
	CodeUnknownLine:         "The release line is not in sigaudit's timeline",
	CodeSourceError:         "The artifact or a signature could not be read from the source",
	CodePGPNotChecked:       "The PGP signature was not checked (digest-only mode)",
	CodeDigestUnconfirmed:   "No independent SHA-256 (artifact, API, SBOM) confirms the digest the bundle signs",
	CodeAPIClaimMissing:     "python.org's API lists a signature file that is not published",
	CodeSigstoreNotChecked:  "A guaranteed Sigstore signature could not be checked (no digest known or named)",
	CodeSignedOutsideWindow: "The Sigstore bundle was signed outside the time python.org signed this version",
	CodeReleaseIncomplete:   "A selected release directory is empty or lacks a source tarball",
}

// CodeDescription is a one-line description of a finding code.
func CodeDescription(code string) string {
	if s, ok := codeText[code]; ok {
		return s
	}
	return code
}

// Codes returns every finding code.
func Codes() []string {
	out := make([]string, 0, len(codeText))
	for c := range codeText {
		out = append(out, c)
	}
	return out
}
