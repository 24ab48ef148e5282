package sigstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// rootWithout is the embedded trusted root with edits applied to its JSON.
func rootWithout(t *testing.T, edit func(m map[string]any)) root.TrustedMaterial {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(embeddedRoot, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// keep keeps the entries of list key whose field (a "/"-separated path)
// satisfies ok.
func keep(m map[string]any, key string, ok func(e map[string]any) bool) {
	var out []any
	for _, e := range m[key].([]any) {
		if ok(e.(map[string]any)) {
			out = append(out, e)
		}
	}
	m[key] = out
}

// The step table: one bundle (a real python.org bundle, mutated or checked
// against a mutated root) broken at each verification step of
// sigstore-go's Verify, and the status classify gives it. Each case also
// pins the step's error prefix, so a sigstore-go upgrade that rewords a
// step fails here rather than silently changing a verdict.
func TestClassifySteps(t *testing.T) {
	const name = "Python-3.13.5.tar.xz.sigstore" // v0.3, rekor.sigstore.dev, Fulcio 2022 CA
	digest := Artifact{SHA256: mustHex(t, sha3135)}
	real := func() *Bundle { return loadBundle(t, name) }
	edited := func(edit func(m map[string]any)) *Bundle {
		m := rawBundle(t, name)
		edit(m)
		b, _, err := readJSON(t, m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dsseRaw, err := os.ReadFile("testdata/dsse-provenance.sigstore.json")
	if err != nil {
		t.Fatal(err)
	}
	dsse, dsseInsp, err := ReadBundle(bytes.NewReader(dsseRaw))
	if err != nil {
		t.Fatal(err)
	}
	dsseID := Expect{Identities: []Identity{{SAN: dsseInsp.Identity, Issuer: dsseInsp.Issuer}}}
	other := sha256.Sum256([]byte("another artifact"))

	cases := []struct {
		step   string
		b      *Bundle
		tm     root.TrustedMaterial // nil: embedded
		art    Artifact
		exp    Expect
		prefix string
		want   Status
	}{
		{"tlog: the log that holds the entry is not in the root", real(),
			rootWithout(t, func(m map[string]any) {
				keep(m, "tlogs", func(e map[string]any) bool { return e["baseUrl"] != "https://rekor.sigstore.dev" })
			}), digest, thomasID, "failed to verify log inclusion: ", Untrusted},
		{"tlog: inclusion proof tampered", edited(func(m map[string]any) {
			e := m["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
			p := e["inclusionProof"].(map[string]any)
			h := p["hashes"].([]any)
			b, _ := base64.StdEncoding.DecodeString(h[0].(string))
			b[0] ^= 1
			h[0] = base64.StdEncoding.EncodeToString(b)
		}), nil, digest, thomasID, "failed to verify log inclusion: ", Untrusted},
		{"timestamp: an RFC 3161 timestamp that does not verify", edited(func(m map[string]any) {
			m["verificationMaterial"].(map[string]any)["timestampVerificationData"] = map[string]any{
				"rfc3161Timestamps": []any{map[string]any{"signedTimestamp": base64.StdEncoding.EncodeToString([]byte("not a timestamp"))}},
			}
		}), nil, digest, thomasID, "failed to verify timestamps: ", Untrusted},
		{"leaf certificate: the issuing Fulcio CA is not in the root", real(),
			rootWithout(t, func(m map[string]any) {
				keep(m, "certificateAuthorities", func(e map[string]any) bool { return e["validFor"].(map[string]any)["end"] != nil })
			}), digest, thomasID, "failed to verify leaf certificate: ", Untrusted},
		{"SCT: no CT log of the root", real(),
			rootWithout(t, func(m map[string]any) { m["ctlogs"] = []any{} }),
			digest, thomasID, "failed to verify signed certificate timestamp: ", Untrusted},
		{"signature: other bytes than the artifact signed", real(), nil,
			Artifact{Reader: strings.NewReader("not Python-3.13.5.tar.xz")}, thomasID, "failed to verify signature: ", Invalid},
		{"identity: a genuine bundle by another release manager", real(), nil, digest,
			Expect{Identities: []Identity{{SAN: "hugo@python.org", Issuer: "https://accounts.google.com"}}},
			"failed to verify certificate identity: ", WrongIdentity},
		{"identity: the right email from another issuer", real(), nil, digest,
			Expect{Identities: []Identity{{SAN: "thomas@python.org", Issuer: "https://github.com/login/oauth"}}},
			"failed to verify certificate identity: ", WrongIdentity},
		{"digest: a DSSE statement about another artifact", dsse, nil, Artifact{SHA256: other[:]}, dsseID,
			"failed to verify signature: ", DigestMismatch},
	}
	v := embedded(t)
	for _, c := range cases {
		t.Run(c.step, func(t *testing.T) {
			vv := v
			if c.tm != nil {
				vv = NewVerifier(c.tm)
			}
			// Through sigstore-go directly, to pin the step's error...
			tm := vv.tm
			opts := append([]verify.VerifierOption{verify.WithSignedCertificateTimestamps(1)}, timeOptions(c.b.entity(), tm)...)
			sev, err := verify.NewVerifier(tm, opts...)
			if err != nil {
				t.Fatal(err)
			}
			ci, _ := verify.NewShortCertificateIdentity(c.exp.Identities[0].Issuer, "", c.exp.Identities[0].SAN, "")
			ap := verify.WithArtifactDigest("sha256", c.art.SHA256)
			if c.art.Reader != nil {
				ap = verify.WithArtifact(strings.NewReader("not Python-3.13.5.tar.xz"))
			}
			_, err = sev.Verify(c.b.entity(), verify.NewPolicy(ap, verify.WithCertificateIdentity(ci)))
			if err == nil || !strings.HasPrefix(err.Error(), c.prefix) {
				t.Fatalf("sigstore-go: %v, want prefix %q", err, c.prefix)
			}
			if got := classify(err); got != c.want {
				t.Errorf("classify(%q) = %s, want %s", err, got, c.want)
			}
			// ...and through sigaudit.
			if g := vv.VerifyBundle(c.b, c.art, c.exp); g.Status != c.want {
				t.Errorf("VerifyBundle: %s (%s), want %s", g.Status, g.Reason, c.want)
			}
		})
	}
}

// The exact messages classify recognizes, as sigstore-go v1.3.0 builds
// them, and look-alikes it must not take for them.
func TestClassifyMessages(t *testing.T) {
	wrap := func(prefix string, cause string) error { return fmt.Errorf("%s%w", prefix, errors.New(cause)) }
	for _, c := range []struct {
		err  error
		want Status
	}{
		{wrap("failed to verify signature: ", "artifact does not match digest"), DigestMismatch},
		{wrap("failed to verify signature: ", "provided artifact digest does not match any digest in statement"), DigestMismatch},
		{wrap("failed to verify signature: ", "provided artifact digests do not match digests in statement"), DigestMismatch},
		{wrap("failed to verify signature: ", "could not verify message: invalid signature when validating ASN.1 encoded signature"), Invalid},
		{wrap("failed to verify signature: ", "artifact digest does not match message digest"), Invalid},
		{wrap("failed to verify signature: ", "no compatible verifier found"), Invalid},
		{wrap("failed to verify signature: ", "message signatures with ed25519 signatures can only be verified with artifacts, and not just their digest"), Unsupported},
		{fmt.Errorf("failed to verify signature: %w", verify.ErrDSSEInvalidSignatureCount), Malformed},
		// A log entry whose digest "does not match artifact" is a log
		// failure, not a digest mismatch (the old Contains matched it).
		{wrap("failed to verify log inclusion: ", "transparency log hashedrekord entry digest aa does not match artifact bb"), Untrusted},
		{wrap("failed to verify log inclusion: ", "transparency log signature does not match"), Untrusted},
		{wrap("failed to verify timestamps: ", "threshold not met for verified log entry integrated timestamps: 0 < 1"), Untrusted},
		{wrap("failed to verify leaf certificate: ", "leaf certificate verification failed"), Untrusted},
		{wrap("failed to verify signed certificate timestamp: ", "only able to verify 0 SCT entries; unable to meet threshold of 1"), Untrusted},
		{errors.New("signature time outside of public key validity window"), Untrusted},
		{errors.New("expected key signature, not certificate"), WrongIdentity},
		{errors.New("can't verify certificate identities: entity was not signed with a certificate"), WrongIdentity},
		{errors.New("SCTs required but bundle is signed with a public key, which cannot contain SCTs"), WrongIdentity},
		{wrap("failed to verify certificate identity: ", "no matching CertificateIdentity found"), WrongIdentity},
		{wrap("failed to get signature verifier: ", "unsupported public key type"), Unsupported},
		{wrap("failed to fetch verification content: ", "x"), Malformed},
		// Not produced by sigstore-go: never anything but invalid, even
		// when a step's words appear inside.
		{errors.New("something: failed to verify certificate identity: x"), Invalid},
		{errors.New("the artifact digest is wrong"), Invalid},
		{errors.New("artifact does not match digest"), Invalid},
	} {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%q) = %s, want %s", c.err, got, c.want)
		}
	}
}
