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
	CodeDigestMismatch      = "digest-mismatch"          // mismatch: SHA-256 of artifact, bundle, SBOM or API disagree
	CodePGPNotGuaranteed    = "pgp-not-guaranteed"       // note: .asc present where PEP 761 guarantees none
	CodeLegacyFormat        = "sigstore-legacy-format"   // note: .crt + .sig instead of a bundle
	CodeSigningTimeUnproven = "signing-time-unproven"    // note: no log entry or timestamp proves when it was signed
	CodeUnknownArtifact     = "unknown-artifact"         // note: file name sigaudit cannot map to a version and kind
	CodeUnknownLine         = "unknown-line"             // gap: release line not in the timeline
	CodeSourceError         = "source-error"             // mismatch: the artifact or a signature could not be read
	CodePGPNotChecked       = "pgp-not-checked"          // note: --digest-only, the .asc was not verified
	CodeDigestUnconfirmed   = "digest-unconfirmed"       // note: no independent SHA-256 confirms the bundle digest
	CodeAPIClaimMissing     = "api-claim-missing"        // mismatch: the API lists a signature file that is not published
	CodeSigstoreNotChecked  = "sigstore-not-checked"     // gap: a guaranteed bundle could not be checked at all
	CodeSignedOutsideWindow = "signed-outside-window"    // mismatch: the bundle was signed outside the version's signing window
	CodeReleaseIncomplete   = "release-incomplete"       // gap: a selected release is empty or has no source tarball
	CodePGPRecordUnknown    = "pgp-record-unknown"       // note: no .asc, and python.org's record does not say whether one is published
	CodeArchiveVersion      = "archive-version-mismatch" // mismatch: a source tarball's top-level directory names another release
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
	CodePGPRecordUnknown:    "No .asc is published, and python.org's record does not say whether this kind of artifact is PGP-signed",
	CodeArchiveVersion:      "The source tarball's top-level directory names another release than its name or --release",
}

// codeFix says what to do about each finding code: the "what to do" of
// the summary, SARIF's rule help and the HTML report.
var codeFix = map[string]string{
	CodePGPMissing:          "Fetch the .asc from python.org (mirrors often drop it) and re-run; if python.org lacks it too, report it to the release manager.",
	CodeSigstoreMissing:     "Fetch the .sigstore bundle from python.org and re-run; if python.org lacks it too, report it to the release manager.",
	CodePGPInvalid:          "Do not use the artifact: it or its .asc was altered. Download both again from python.org.",
	CodePGPWrongSigner:      "Do not trust the artifact: a key other than the expected manager's signed it. Check the timeline or pass --policy.",
	CodePGPUnknownSigner:    "Do not trust the artifact until the signing key is known: add the right key with --keyring if it is genuine.",
	CodePGPMalformed:        "Download the .asc again from python.org; a truncated or non-signature file is not a signature.",
	CodePGPWeakHash:         "Do not rely on this PGP signature (SHA-1 or weaker); rely on Sigstore or another digest.",
	CodeSigstoreInvalid:     "Do not use the artifact: the bundle's signature does not verify. Download artifact and bundle again.",
	CodeSigstoreIdentity:    "Do not trust the artifact: someone other than the expected manager signed it. Check the identity and issuer the timeline expects.",
	CodeSigstoreUntrusted:   "Check the trust root (--trusted-root, --refresh-trust): the chain, log entry or timestamp does not verify against it.",
	CodeSigstoreMalformed:   "Download the bundle again from python.org; it cannot be read.",
	CodeSigstoreUnsupported: "Update sigaudit or verify with cosign: the bundle uses a format sigaudit does not support.",
	CodeDigestMismatch:      "Do not use the artifact: its SHA-256 differs between sources. Download it again from python.org and compare.",
	CodePGPNotGuaranteed:    "Nothing to fix: the .asc is extra. Rely on the guaranteed method (Sigstore).",
	CodeLegacyFormat:        "Prefer the .sigstore bundle where python.org publishes one; a .crt + .sig pair proves no signing time.",
	CodeSigningTimeUnproven: "Accept only if you trust the certificate's validity window; nothing proves when it was signed.",
	CodeUnknownArtifact:     "Nothing to fix if the file is not a release artifact; otherwise name it with --release and --kind.",
	CodeUnknownLine:         "Pass --policy FILE describing the line, or update sigaudit.",
	CodeSourceError:         "Check the source (network, permissions, disk) and re-run; nothing was verified for this file.",
	CodePGPNotChecked:       "Run without --digest-only to check the PGP signature over the artifact.",
	CodeDigestUnconfirmed:   "Give an independent SHA-256 (download the artifact, --api, or an SBOM) to confirm the digest the bundle signs.",
	CodeAPIClaimMissing:     "Fetch the signature file from python.org: the mirror lacks a file python.org's API lists.",
	CodeSigstoreNotChecked:  "Give an independent SHA-256 (--api, an SBOM, or the artifact) and fetch python.org's own bundle.",
	CodeSignedOutsideWindow: "Fetch this release's own bundle from python.org: this one was signed for another release.",
	CodeReleaseIncomplete:   "Check the selector and the mirror: the release directory lacks its files.",
	CodePGPRecordUnknown:    "Nothing to fix in the mirror: rely on Sigstore for this file, or check python.org for an .asc and tell sigaudit's maintainers.",
	CodeArchiveVersion:      "Do not use the tarball as this release: it is another release renamed (no signature binds a file name).",
}

// codeDescription is a one-line description of a finding code.
func codeDescription(code string) string {
	if s, ok := codeText[code]; ok {
		return s
	}
	return code
}

// codeRemedy says what to do about a finding code.
func codeRemedy(code string) string {
	if s, ok := codeFix[code]; ok {
		return s
	}
	return "See the finding codes in sigaudit's README."
}

// helpURI is where a finding code is documented (SARIF helpUri).
func helpURI(code string) string {
	return "https://github.com/sigaudit/sigaudit/blob/main/README.md#finding-codes"
}
