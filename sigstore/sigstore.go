// Package sigstore verifies CPython's Sigstore material (.sigstore bundles
// v0.1 to v0.3 and legacy .crt + .sig pairs) with
// github.com/sigstore/sigstore-go, offline against a pinned trust root, and
// returns verdicts classified by the step that failed. It never prints.
package sigstore

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"math/big"

	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"io"
	"strings"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	sigsig "github.com/sigstore/sigstore/pkg/signature"
	sigopts "github.com/sigstore/sigstore/pkg/signature/options"
	"golang.org/x/mod/semver"
	"google.golang.org/protobuf/encoding/protojson"
)

// Status is the outcome of a verification.
type Status string

const (
	Verified       Status = "verified"
	Invalid        Status = "invalid"         // the signature does not verify
	WrongIdentity  Status = "wrong-identity"  // genuine, but signed by another identity or issuer
	DigestMismatch Status = "digest-mismatch" // the bundle signs another artifact
	Untrusted      Status = "untrusted"       // chain, log entry, SCT or timestamp not trusted by the trust root
	Malformed      Status = "malformed"       // the bundle or pair cannot be read
	Unsupported    Status = "unsupported"     // a format sigaudit does not handle
	// SignerVerified is VerifySigner's and VerifyLegacySigner's success:
	// the signer is genuine (chain, log, identity, and for bundles the
	// signature over the digest the bundle names), but nothing bound the
	// signature to the artifact. It is never "verified".
	SignerVerified Status = "signer-verified"
)

// Time proofs.
const (
	ProofTlog    = "tlog"    // transparency log integrated time (inclusion promise)
	ProofRFC3161 = "rfc3161" // signed timestamp from a timestamping authority
	ProofNone    = "none"    // nothing proves when it was signed
)

// MaxBundleSize bounds a bundle or certificate file. python.org bundles
// are under 16 KiB.
const MaxBundleSize = 1 << 20

// Verdict is the result of checking Sigstore material for one artifact.
type Verdict struct {
	Status    Status
	Identity  string // certificate SAN (email or URI)
	Issuer    string // OIDC issuer of the certificate
	MediaType string // bundle media type, or "legacy .crt+.sig"
	Version   string // bundle version, v0.1 .. v0.3
	// SigningTime is the verified time of signing and TimeProof what proves
	// it. Both are only set on a verified verdict.
	SigningTime time.Time
	TimeProof   string
	LogIndex    *int64
	// LogTime is the integrated time the first transparency log entry
	// claims, unverified (for TrustState.SigningTimeWarning when a bundle
	// does not verify against an old root); zero without an entry.
	LogTime time.Time
	// DigestAlgorithm and Digest are what a message-signature bundle says
	// it signs, read without verifying (for cross-checks); Digest is hex.
	DigestAlgorithm string
	Digest          string
	Legacy          bool
	Reason          string
}

// Bundle is a parsed, not yet verified, Sigstore bundle.
type Bundle struct {
	b *bundle.Bundle
	// entries are the bundle's transparency log entries, parsed once.
	// Parsing a Rekor v1 hashedrekord entry verifies its signature over
	// its digest (rekor's entry validation), so sigstore-go's loader and
	// each Verify parsing them again verifies the same signature twice
	// more; see parseBundle.
	entries        []*tlog.Entry
	promise, proof bool
	insp           Verdict
	// leaf is the bundle's certificate as inspect parsed it (nil for a
	// key-signed bundle or one whose certificate does not parse): each
	// verification gets its own shallow copy instead of parsing it again.
	leaf *x509.Certificate
}

// ReadBundle reads a JSON bundle of at most MaxBundleSize bytes.
func ReadBundle(r io.Reader) (*Bundle, Verdict, error) {
	raw, err := readBounded(r, "bundle")
	if err != nil {
		return nil, Verdict{Status: Malformed, Reason: err.Error()}, err
	}
	bb, err := parseBundle(raw)
	if err != nil {
		// Only now read the media type, for the message.
		var head struct {
			MediaType string `json:"mediaType"`
		}
		if jerr := json.Unmarshal(raw, &head); jerr != nil {
			err = fmt.Errorf("bundle is not JSON: %v", jerr)
			return nil, Verdict{Status: Malformed, Reason: err.Error()}, err
		}
		st := Malformed
		if errors.Is(err, bundle.ErrUnsupportedMediaType) {
			st = Unsupported
		}
		err = fmt.Errorf("cannot load bundle (media type %q): %v", head.MediaType, err)
		return nil, Verdict{Status: st, MediaType: head.MediaType, Reason: err.Error()}, err
	}
	bb.leaf = bb.parsedLeaf()
	bb.insp = bb.inspect()
	return bb, bb.insp, nil
}

// parseBundle is bundle.Bundle.UnmarshalJSON with the transparency log
// entries parsed once instead of once at load and again at every Verify:
// sigstore-go's validation runs on a copy without the entries, then the
// entries are parsed here exactly as bundle.(*Bundle).TlogEntries does
// (same limit, same parser, same errors), and the checks its validation
// makes on them (an inclusion promise for v0.1, an inclusion proof from
// v0.2 on) are made here with the same words. Verify then gets the parsed
// entries through entity. Nothing is skipped: the same checks run, once.
func parseBundle(raw []byte) (*Bundle, error) {
	installEntryParser()
	pb := new(protobundle.Bundle)
	if err := protojson.Unmarshal(raw, pb); err != nil {
		return nil, err
	}
	shadow := &protobundle.Bundle{MediaType: pb.MediaType, Content: pb.Content}
	if vm := pb.VerificationMaterial; vm != nil {
		shadow.VerificationMaterial = &protobundle.VerificationMaterial{
			Content:                   vm.Content,
			TimestampVerificationData: vm.TimestampVerificationData,
		}
	}
	if _, err := bundle.NewBundle(shadow); err != nil {
		return nil, err
	}
	b := &bundle.Bundle{Bundle: pb}
	out := &Bundle{b: b}
	tles := pb.GetVerificationMaterial().GetTlogEntries()
	if n := len(tles); n > maxTlogEntries {
		return nil, bundle.ErrValidationError(fmt.Errorf("too many tlog entries: %d > %d", n, maxTlogEntries))
	}
	for _, tle := range tles {
		e, err := tlog.ParseTransparencyLogEntry(tle)
		if err != nil {
			return nil, bundle.ErrValidationError(err)
		}
		out.promise = out.promise || e.HasInclusionPromise()
		out.proof = out.proof || e.HasInclusionProof()
		out.entries = append(out.entries, e)
	}
	version, err := b.Version()
	if err != nil {
		return nil, fmt.Errorf("error getting bundle version: %w", err)
	}
	if semver.Compare(version, "v0.1") == 0 {
		if len(out.entries) > 0 && !out.promise {
			return nil, errors.New("inclusion promises missing in bundle (required for bundle v0.1)")
		}
	} else if len(out.entries) > 0 && !out.proof {
		return nil, errors.New("inclusion proof missing in bundle (required for bundle v0.2)")
	}
	return out, nil
}

// entity is what one verification sees: the bundle, its log entries as
// parsed at load, and its verification content parsed once for this
// verification (sigstore-go asks for it in several steps, and mutates the
// leaf certificate it returns, so it is not shared across verifications).
type entity struct {
	*bundle.Bundle
	bb *Bundle
	vc verify.VerificationContent
	ve error
	vd bool
}

func (b *Bundle) entity() *entity { return &entity{Bundle: b.b, bb: b} }

func (e *entity) TlogEntries() ([]*tlog.Entry, error) { return e.bb.entries, nil }
func (e *entity) HasInclusionPromise() bool           { return e.bb.promise }
func (e *entity) HasInclusionProof() bool             { return e.bb.proof }
func (e *entity) VerificationContent() (verify.VerificationContent, error) {
	if !e.vd {
		if e.bb.leaf != nil {
			// What bundle.VerificationContent returns for a certificate
			// (sigstore-go reads no intermediates from a bundle unless
			// told to), on a copy: Verify edits the leaf's
			// UnhandledCriticalExtensions.
			leaf := *e.bb.leaf
			e.vc = bundle.NewCertificate(&leaf)
		} else {
			e.vc, e.ve = e.Bundle.VerificationContent()
		}
		e.vd = true
	}
	return e.vc, e.ve
}

func readBounded(r io.Reader, what string) ([]byte, error) {
	var raw []byte
	var err error
	if l, ok := r.(interface{ Len() int }); ok && l.Len() <= MaxBundleSize {
		// Bytes already in memory (bytes.Reader, as audit passes them):
		// one buffer of their size, not io.ReadAll's doublings.
		raw = make([]byte, l.Len())
		_, err = io.ReadFull(r, raw)
	} else {
		raw, err = io.ReadAll(io.LimitReader(r, MaxBundleSize+1))
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if len(raw) > MaxBundleSize {
		return nil, fmt.Errorf("%s larger than %d bytes", what, MaxBundleSize)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("empty %s", what)
	}
	return raw, nil
}

// Inspect reads what the bundle claims without verifying anything: media
// type, certificate identity, signed digest, log index.
func (b *Bundle) Inspect() Verdict {
	if b.insp.MediaType != "" {
		return b.insp
	}
	return b.inspect()
}

// parsedLeaf is the bundle's leaf certificate, parsed once for every
// verification of b, when the verification content is that certificate
// alone (bundle.VerificationContent's answer for every certificate bundle
// sigaudit builds); nil otherwise, and each verification parses its own.
func (b *Bundle) parsedLeaf() *x509.Certificate {
	vc, err := b.b.VerificationContent()
	if err != nil {
		return nil
	}
	if _, ok := vc.(*bundle.Certificate); !ok || len(vc.Intermediates()) > 0 {
		return nil
	}
	return vc.Certificate()
}

func (b *Bundle) inspect() Verdict {
	v := Verdict{MediaType: b.b.MediaType}
	v.Version, _ = b.b.Version()
	cert := b.leaf
	if cert == nil {
		if vc, err := b.b.VerificationContent(); err == nil {
			cert = vc.Certificate()
		}
	}
	if cert != nil {
		if s, err := certificate.SummarizeCertificate(cert); err == nil {
			v.Identity, v.Issuer = s.SubjectAlternativeName, s.Issuer
		}
	}
	if ms := b.b.GetMessageSignature(); ms != nil && ms.GetMessageDigest() != nil {
		v.DigestAlgorithm = hashName(ms.GetMessageDigest().GetAlgorithm())
		v.Digest = hex.EncodeToString(ms.GetMessageDigest().GetDigest())
	}
	if entries := b.b.GetVerificationMaterial().GetTlogEntries(); len(entries) > 0 {
		idx := entries[0].GetLogIndex()
		v.LogIndex = &idx
		if it := entries[0].GetIntegratedTime(); it > 0 {
			v.LogTime = time.Unix(it, 0).UTC()
		}
	}
	return v
}

// SignsDigest returns the SHA-256 digest the bundle's message signature
// claims to sign, unverified.
func (b *Bundle) SignsDigest() (string, bool) {
	v := b.Inspect()
	return v.Digest, v.DigestAlgorithm == "sha256" && v.Digest != ""
}

func hashName(a protocommon.HashAlgorithm) string {
	switch a {
	case protocommon.HashAlgorithm_SHA2_256:
		return "sha256"
	case protocommon.HashAlgorithm_SHA2_384:
		return "sha384"
	case protocommon.HashAlgorithm_SHA2_512:
		return "sha512"
	}
	return strings.ToLower(a.String())
}

// Identity is a certificate identity to accept: an exact SAN (email or URI)
// and an exact OIDC issuer.
type Identity struct {
	SAN    string
	Issuer string
	// SANRegexp and IssuerRegexp, when set, match instead of SAN and
	// Issuer (cosign's --certificate-identity-regexp and
	// --certificate-oidc-issuer-regexp); Go RE2 syntax, unanchored unless
	// the expression anchors itself.
	SANRegexp    string
	IssuerRegexp string
}

// Expect says who must have signed: certificate identities (any one may
// match) or, for key-signed bundles, a public key.
type Expect struct {
	Identities []Identity
	PublicKey  crypto.PublicKey
}

func (e Expect) String() string {
	if e.PublicKey != nil {
		return "the given public key"
	}
	var parts []string
	for _, id := range e.Identities {
		san, iss := id.SAN, id.Issuer
		if id.SANRegexp != "" {
			san = "/" + id.SANRegexp + "/"
		}
		if id.IssuerRegexp != "" {
			iss = "/" + id.IssuerRegexp + "/"
		}
		parts = append(parts, san+" ("+iss+")")
	}
	return strings.Join(parts, " or ")
}

// Artifact is what the signature must cover: the artifact's SHA-256 digest
// (the usual case: sigaudit hashes each artifact once for every method), or
// a reader for bundles that sign another digest or a DSSE envelope.
type Artifact struct {
	SHA256 []byte
	Reader io.Reader
}

// Verifier checks bundles against trusted material.
type Verifier struct {
	tm root.TrustedMaterial
}

// NewVerifier uses tm (usually a *root.TrustedRoot) as the trust root.
func NewVerifier(tm root.TrustedMaterial) *Verifier { return &Verifier{tm: withChainCache(tm)} }

// VerifyBundle checks b over the artifact against exp. Every failure on the
// way is a verdict other than Verified, with the reason.
func (v *Verifier) VerifyBundle(b *Bundle, art Artifact, exp Expect) Verdict {
	out := b.Inspect()
	if len(exp.Identities) == 0 && exp.PublicKey == nil {
		out.Status, out.Reason = WrongIdentity, "no expected identity: refusing to accept any signer"
		return out
	}
	// A message-signature bundle names the digest it signs: a different
	// artifact is a digest mismatch, whatever else holds.
	if art.SHA256 != nil && out.DigestAlgorithm == "sha256" && out.Digest != hex.EncodeToString(art.SHA256) {
		out.Status = DigestMismatch
		out.Reason = fmt.Sprintf("bundle signs sha256:%s, artifact is sha256:%s", out.Digest, hex.EncodeToString(art.SHA256))
		return out
	}
	var ap verify.ArtifactPolicyOption
	switch {
	case art.Reader != nil:
		ap = verify.WithArtifact(art.Reader)
	case art.SHA256 != nil:
		ap = verify.WithArtifactDigest("sha256", art.SHA256)
	default:
		out.Status, out.Reason = Invalid, "no artifact or digest to verify against"
		return out
	}
	return v.verify(b, out, ap, exp)
}

// VerifySigner checks everything in b except that it signs a given
// artifact, for when neither the artifact nor an independent digest of it
// is at hand: the certificate chains to the trust root at a time the
// transparency log (or a timestamp) proves, the log entry and SCT verify,
// the certificate names an expected identity, and the signature verifies
// over the digest the bundle itself names. On success the status is
// SignerVerified, never Verified: nothing binds that digest to the
// artifact. A DSSE envelope is Unsupported even when genuine (python.org
// signs message digests; an envelope's subject cannot be bound here).
func (v *Verifier) VerifySigner(b *Bundle, exp Expect) Verdict {
	out := b.Inspect()
	if len(exp.Identities) == 0 && exp.PublicKey == nil {
		out.Status, out.Reason = WrongIdentity, "no expected identity: refusing to accept any signer"
		return out
	}
	var ap verify.ArtifactPolicyOption
	dsse := b.b.GetDsseEnvelope() != nil
	switch {
	case dsse:
		ap = verify.WithoutArtifactUnsafe()
	case out.Digest != "":
		d, err := hex.DecodeString(out.Digest)
		if err != nil {
			out.Status, out.Reason = Malformed, "bundle digest is not hex"
			return out
		}
		ap = verify.WithArtifactDigest(out.DigestAlgorithm, d)
	default:
		out.Status, out.Reason = Malformed, "the message signature names no digest"
		return out
	}
	out = v.verify(b, out, ap, exp)
	if out.Status != Verified {
		return out
	}
	if dsse {
		out.Status = Unsupported
		out.Reason = "a DSSE envelope, not the message signature python.org publishes: without the artifact nothing binds its subject to this artifact"
		return out
	}
	out.Status = SignerVerified
	out.Reason = fmt.Sprintf("certificate chain, transparency log entry, identity and signature over the digest the bundle names (%s:%s) verify; the artifact was not bound to that digest (no artifact or independent digest)", out.DigestAlgorithm, out.Digest)
	return out
}

// verify runs sigstore-go's verification of b with the artifact policy
// ap, for exp, and fills out.
func (v *Verifier) verify(b *Bundle, out Verdict, ap verify.ArtifactPolicyOption, exp Expect) Verdict {
	tm := v.tm
	var policy []verify.PolicyOption
	var opts []verify.VerifierOption
	if exp.PublicKey != nil {
		sv, err := sigsig.LoadDefaultVerifier(exp.PublicKey)
		if err != nil {
			out.Status, out.Reason = Unsupported, "unsupported public key: "+err.Error()
			return out
		}
		key := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
			return root.NewExpiringKey(sv, time.Time{}, time.Time{}), nil
		})
		tm = root.TrustedMaterialCollection{key, v.tm}
		policy = append(policy, verify.WithKey())
	} else {
		opts = append(opts, verify.WithSignedCertificateTimestamps(1))
		for _, id := range exp.Identities {
			ci, err := verify.NewShortCertificateIdentity(id.Issuer, id.IssuerRegexp, id.SAN, id.SANRegexp)
			if err != nil {
				out.Status, out.Reason = WrongIdentity, "bad expected identity: "+err.Error()
				return out
			}
			policy = append(policy, verify.WithCertificateIdentity(ci))
		}
	}
	ent := b.entity()
	opts = append(opts, timeOptions(ent, tm)...)
	sev, err := verify.NewVerifier(tm, opts...)
	if err != nil {
		out.Status, out.Reason = Untrusted, "cannot set up verification: "+err.Error()
		return out
	}
	res, err := sev.Verify(ent, verify.NewPolicy(ap, policy...))
	if err != nil {
		out.Status, out.Reason = classify(err), err.Error()
		if out.Status == WrongIdentity {
			out.Reason = fmt.Sprintf("certificate is for %s (%s), the timeline expects %s", out.Identity, out.Issuer, exp)
		}
		return out
	}
	out.Status = Verified
	if res.Signature != nil && res.Signature.Certificate != nil {
		out.Identity = res.Signature.Certificate.SubjectAlternativeName
		out.Issuer = res.Signature.Certificate.Issuer
	}
	out.SigningTime, out.TimeProof = signingTime(res.VerifiedTimestamps)
	return out
}

// timeOptions requires what the bundle and trust root can provide, as
// sigstore-go's own conformance client does: a transparency log entry when
// the root has logs, its integrated time when the entry carries a promise,
// RFC 3161 timestamps when both the bundle and root have them.
func timeOptions(b verify.SignedEntity, tm root.TrustedMaterial) []verify.VerifierOption {
	var opts []verify.VerifierOption
	if ts, err := b.Timestamps(); err == nil && len(ts) > 0 && len(tm.TimestampingAuthorities()) > 0 {
		opts = append(opts, verify.WithSignedTimestamps(1))
	}
	if len(tm.RekorLogs()) > 0 {
		opts = append(opts, verify.WithTransparencyLog(1))
		if b.HasInclusionPromise() {
			opts = append(opts, verify.WithIntegratedTimestamps(1))
		}
	}
	return opts
}

func signingTime(ts []verify.TimestampVerificationResult) (time.Time, string) {
	var t time.Time
	proof := ProofNone
	for _, r := range ts {
		if t.IsZero() || r.Timestamp.Before(t) {
			t = r.Timestamp.UTC()
		}
		switch r.Type {
		case "Tlog":
			if proof == ProofNone {
				proof = ProofTlog
			}
		case "TimestampAuthority":
			proof = ProofRFC3161
		}
	}
	return t, proof
}

// --- legacy .crt + .sig ---

// legacySigner checks what can be checked of a pair without the artifact:
// the certificate chains to a Fulcio CA of the trust root (at a time
// inside its validity) and names an expected identity.
func (v *Verifier) legacySigner(l *Legacy, exp Expect) (Verdict, bool) {
	out := l.Inspect()
	if len(exp.Identities) == 0 {
		out.Status, out.Reason = WrongIdentity, "no expected identity: refusing to accept any signer"
		return out, false
	}
	at := l.cert.NotBefore.Add(time.Second)
	if _, err := verify.VerifyLeafCertificate(at, l.cert, v.tm); err != nil {
		out.Status, out.Reason = Untrusted, "certificate does not chain to a Fulcio CA of the trust root: "+err.Error()
		return out, false
	}
	sum, err := certificate.SummarizeCertificate(l.cert)
	if err != nil {
		out.Status, out.Reason = Malformed, "cannot read certificate extensions: "+err.Error()
		return out, false
	}
	for _, id := range exp.Identities {
		ci, err := verify.NewShortCertificateIdentity(id.Issuer, id.IssuerRegexp, id.SAN, id.SANRegexp)
		if err == nil && ci.Verify(sum) == nil {
			return out, true
		}
	}
	out.Status = WrongIdentity
	out.Reason = fmt.Sprintf("certificate is for %s (%s), the timeline expects %s", out.Identity, out.Issuer, exp)
	return out, false
}

// VerifyLegacySigner is VerifySigner for a .crt + .sig pair: the
// certificate chains to Fulcio and names an expected identity, and the
// signature is a well-formed signature for the certificate's key (it
// cannot be checked without the artifact's digest). Success is
// SignerVerified with TimeProof "none".
func (v *Verifier) VerifyLegacySigner(l *Legacy, exp Expect) Verdict {
	out, ok := v.legacySigner(l, exp)
	if !ok {
		return out
	}
	if err := wellFormedSignature(l.cert.PublicKey, l.sig); err != nil {
		out.Status, out.Reason = Invalid, "the .sig is not a signature by the certificate's key: "+err.Error()
		return out
	}
	out.Status = SignerVerified
	out.Reason = "certificate chains to Fulcio and names the expected identity; the signature could not be checked without the artifact's digest, and nothing proves when it was signed"
	return out
}

// wellFormedSignature checks the shape of sig for key: an ASN.1 ECDSA
// signature with 0 < r, s < N, a 64-byte Ed25519 signature, or an RSA
// signature of the modulus size.
func wellFormedSignature(key crypto.PublicKey, sig []byte) error {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		r, s := new(big.Int), new(big.Int)
		in := cryptobyte.String(sig)
		var inner cryptobyte.String
		if !in.ReadASN1(&inner, cbasn1.SEQUENCE) || !in.Empty() ||
			!inner.ReadASN1Integer(r) || !inner.ReadASN1Integer(s) || !inner.Empty() {
			return fmt.Errorf("not an ASN.1 ECDSA signature (%d bytes)", len(sig))
		}
		n := k.Curve.Params().N
		for _, v := range []*big.Int{r, s} {
			if v.Sign() <= 0 || v.Cmp(n) >= 0 {
				return errors.New("ECDSA signature value out of range")
			}
		}
		return nil
	case ed25519.PublicKey:
		if len(sig) != ed25519.SignatureSize {
			return fmt.Errorf("an Ed25519 signature is %d bytes, not %d", ed25519.SignatureSize, len(sig))
		}
		return nil
	case *rsa.PublicKey:
		if len(sig) != k.Size() {
			return fmt.Errorf("an RSA signature for this key is %d bytes, not %d", k.Size(), len(sig))
		}
		return nil
	}
	return fmt.Errorf("unsupported certificate key %T", key)
}

// Legacy is a certificate + signature pair, as python.org published before
// bundles.
type Legacy struct {
	cert *x509.Certificate
	sig  []byte
}

// ReadLegacy reads a PEM (optionally base64-wrapped, as cosign writes it)
// certificate and a base64 or raw signature.
func ReadLegacy(crt, sig io.Reader) (*Legacy, Verdict, error) {
	fail := func(err error) (*Legacy, Verdict, error) {
		return nil, Verdict{Status: Malformed, Legacy: true, MediaType: "legacy .crt+.sig", Reason: err.Error()}, err
	}
	cb, err := readBounded(crt, "certificate")
	if err != nil {
		return fail(err)
	}
	sb, err := readBounded(sig, "signature")
	if err != nil {
		return fail(err)
	}
	pemBytes := bytes.TrimSpace(cb)
	if !bytes.HasPrefix(pemBytes, []byte("-----BEGIN")) {
		if dec, err := decodeBase64(pemBytes); err == nil {
			pemBytes = dec
		}
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(pemBytes)
	if err != nil || len(certs) == 0 {
		return fail(fmt.Errorf("certificate is not PEM: %v", err))
	}
	rawSig := bytes.TrimSpace(sb)
	if dec, err := decodeBase64(rawSig); err == nil {
		rawSig = dec
	}
	l := &Legacy{cert: certs[0], sig: rawSig}
	return l, l.Inspect(), nil
}

func decodeBase64(b []byte) ([]byte, error) {
	s := strings.Join(strings.Fields(string(b)), "")
	return base64Std.DecodeString(s)
}

// Inspect names the certificate identity without verifying.
func (l *Legacy) Inspect() Verdict {
	v := Verdict{Legacy: true, MediaType: "legacy .crt+.sig", TimeProof: ProofNone}
	if s, err := certificate.SummarizeCertificate(l.cert); err == nil {
		v.Identity, v.Issuer = s.SubjectAlternativeName, s.Issuer
	}
	return v
}

// VerifyLegacy checks the pair: the certificate chains to a Fulcio CA of
// the trust root (at a time inside its validity: nothing proves the real
// signing time), names an expected identity, and its key signs the digest.
// A verified pair always reports TimeProof "none".
func (v *Verifier) VerifyLegacy(l *Legacy, art Artifact, exp Expect) Verdict {
	out, ok := v.legacySigner(l, exp)
	if !ok {
		return out
	}
	var digest []byte
	switch {
	case art.SHA256 != nil:
		digest = art.SHA256
	case art.Reader != nil:
		h := sha256.New()
		if _, err := io.Copy(h, art.Reader); err != nil {
			out.Status, out.Reason = Invalid, "reading artifact: "+err.Error()
			return out
		}
		digest = h.Sum(nil)
	default:
		out.Status, out.Reason = Invalid, "no artifact or digest to verify against"
		return out
	}
	sv, err := sigsig.LoadVerifier(l.cert.PublicKey, crypto.SHA256)
	if err != nil {
		out.Status, out.Reason = Unsupported, "unsupported certificate key: "+err.Error()
		return out
	}
	if err := sv.VerifySignature(bytes.NewReader(l.sig), nil, sigopts.WithDigest(digest)); err != nil {
		out.Status, out.Reason = Invalid, "signature does not verify over the artifact: "+err.Error()
		return out
	}
	out.Status = Verified
	out.Reason = "certificate and signature valid; no transparency log entry proves when it was signed"
	return out
}

// maxTlogEntries is sigstore-go v1.3.0's internal/limits.MaxAllowedTlogEntries.
const maxTlogEntries = 32
