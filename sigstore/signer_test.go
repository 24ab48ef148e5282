package sigstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/testing/fakesigstore"
)

// Every real python.org bundle passes VerifySigner as its expected
// signer, as signer-verified (never verified), naming the digest it signs.
func TestVerifySignerReal(t *testing.T) {
	v := embedded(t)
	for _, m := range readManifest(t) {
		b := loadBundle(t, filepath.Base(m.File))
		exp := Expect{Identities: []Identity{{SAN: m.Identity, Issuer: m.Issuer}}}
		g := v.VerifySigner(b, exp)
		if g.Status != SignerVerified || g.SigningTime.IsZero() || !strings.Contains(g.Reason, "not bound") || !strings.Contains(g.Reason, m.SHA256) {
			t.Errorf("%s: %+v", m.Artifact, g)
		}
		// Another identity, even a real release manager's.
		other := Expect{Identities: []Identity{{SAN: "hugo@python.org", Issuer: m.Issuer}}}
		if m.Identity == "hugo@python.org" {
			other.Identities[0].SAN = "thomas@python.org"
		}
		if g := v.VerifySigner(b, other); g.Status != WrongIdentity {
			t.Errorf("%s as another signer: %s (%s)", m.Artifact, g.Status, g.Reason)
		}
		if g := v.VerifySigner(b, Expect{}); g.Status != WrongIdentity {
			t.Errorf("%s with no identity: %s", m.Artifact, g.Status)
		}
	}
}

func TestVerifySignerFailures(t *testing.T) {
	v := embedded(t)

	// A stranger's DSSE bundle (sigstore-go's public-good npm provenance
	// example): not python.org's signer, and not a message signature.
	raw, err := os.ReadFile("testdata/dsse-provenance.sigstore.json")
	if err != nil {
		t.Fatal(err)
	}
	dsse, insp, err := ReadBundle(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if g := v.VerifySigner(dsse, thomasID); g.Status != WrongIdentity {
		t.Errorf("DSSE as thomas: %s (%s)", g.Status, g.Reason)
	}
	// Even as its own, genuine identity, a DSSE envelope is not accepted.
	own := Expect{Identities: []Identity{{SAN: insp.Identity, Issuer: insp.Issuer}}}
	if g := v.VerifySigner(dsse, own); g.Status != Unsupported || !strings.Contains(g.Reason, "DSSE") {
		t.Errorf("DSSE as its own signer: %s (%s)", g.Status, g.Reason)
	}

	// A bundle of another Sigstore (a generated CA and log): the chain and
	// the log entry do not verify against the public-good root.
	fs, err := fakesigstore.New(time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("Python-3.13.5.tar.xz"))
	fb, err := fs.Bundle("thomas@python.org", "https://accounts.google.com", d[:], time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	foreign, _, err := ReadBundle(bytes.NewReader(fb))
	if err != nil {
		t.Fatal(err)
	}
	if g := v.VerifySigner(foreign, thomasID); g.Status != Untrusted {
		t.Errorf("foreign CA: %s (%s)", g.Status, g.Reason)
	}
	// The same bundle with its own root is genuine.
	rj, err := fs.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "root.json")
	if err := os.WriteFile(p, rj, 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := LoadTrustedRoot(p)
	if err != nil {
		t.Fatal(err)
	}
	if g := NewVerifier(tr).VerifySigner(foreign, thomasID); g.Status != SignerVerified {
		t.Errorf("generated bundle with its root: %s (%s)", g.Status, g.Reason)
	}

	// Garbage signature: the bundle's signature replaced (the Rekor entry
	// still has the real one), or the claimed digest edited.
	m := rawBundle(t, "Python-3.13.5.tar.xz.sigstore")
	m["messageSignature"].(map[string]any)["signature"] = base64.StdEncoding.EncodeToString([]byte("abc"))
	if b, _, err := readJSON(t, m); err != nil {
		t.Fatal(err)
	} else if g := v.VerifySigner(b, thomasID); g.Status == SignerVerified || g.Status == Verified {
		t.Errorf("garbage signature: %s", g.Status)
	}
	m = rawBundle(t, "Python-3.13.5.tar.xz.sigstore")
	m["messageSignature"].(map[string]any)["messageDigest"].(map[string]any)["digest"] = base64.StdEncoding.EncodeToString(d[:])
	if b, _, err := readJSON(t, m); err != nil {
		t.Fatal(err)
	} else if g := v.VerifySigner(b, thomasID); g.Status == SignerVerified || g.Status == Verified {
		t.Errorf("edited digest: %s", g.Status)
	}
}

func TestVerifyLegacySigner(t *testing.T) {
	v := embedded(t)
	m := readManifest(t)[0]
	raw := rawBundle(t, filepath.Base(m.File))
	vm := raw["verificationMaterial"].(map[string]any)
	var der string
	if c, ok := vm["certificate"].(map[string]any); ok {
		der = c["rawBytes"].(string)
	} else {
		der = vm["x509CertificateChain"].(map[string]any)["certificates"].([]any)[0].(map[string]any)["rawBytes"].(string)
	}
	derBytes, _ := base64.StdEncoding.DecodeString(der)
	crt := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: derBytes})
	sig := raw["messageSignature"].(map[string]any)["signature"].(string)
	exp := Expect{Identities: []Identity{{SAN: m.Identity, Issuer: m.Issuer}}}

	l, _, err := ReadLegacy(bytes.NewReader(crt), strings.NewReader(sig))
	if err != nil {
		t.Fatal(err)
	}
	if g := v.VerifyLegacySigner(l, exp); g.Status != SignerVerified || g.TimeProof != ProofNone {
		t.Errorf("real pair: %+v", g)
	}
	if g := v.VerifyLegacySigner(l, thomasIDOr(m.Identity)); g.Status != WrongIdentity {
		t.Errorf("other identity: %s", g.Status)
	}
	// The real certificate with a 3-byte .sig.
	l3, _, err := ReadLegacy(bytes.NewReader(crt), strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	if g := v.VerifyLegacySigner(l3, exp); g.Status != Invalid {
		t.Errorf("3-byte sig: %s (%s)", g.Status, g.Reason)
	}
	// A well-formed DER sequence with out-of-range values.
	l0, _, _ := ReadLegacy(bytes.NewReader(crt), bytes.NewReader([]byte{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01}))
	if g := v.VerifyLegacySigner(l0, exp); g.Status != Invalid {
		t.Errorf("r = 0: %s", g.Status)
	}
	// An unrelated certificate (another CA) with a real-looking signature.
	fs, _ := fakesigstore.New(time.Now().Add(-time.Hour))
	d := sha256.Sum256(nil)
	fb, _ := fs.Bundle(m.Identity, m.Issuer, d[:], time.Now())
	var fm map[string]any
	_ = json.Unmarshal(fb, &fm)
	fder, _ := base64.StdEncoding.DecodeString(fm["verificationMaterial"].(map[string]any)["x509CertificateChain"].(map[string]any)["certificates"].([]any)[0].(map[string]any)["rawBytes"].(string))
	lf, _, err := ReadLegacy(bytes.NewReader(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: fder})), strings.NewReader(fm["messageSignature"].(map[string]any)["signature"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	if g := v.VerifyLegacySigner(lf, exp); g.Status != Untrusted {
		t.Errorf("unrelated .crt: %s (%s)", g.Status, g.Reason)
	}
}

func thomasIDOr(id string) Expect {
	if id == "thomas@python.org" {
		return Expect{Identities: []Identity{{SAN: "hugo@python.org", Issuer: "https://accounts.google.com"}}}
	}
	return thomasID
}

// A real bundle checked against a root from before it was signed: not
// verified, and the unverified log time lets the caller say the root may
// be too old.
func TestLogTimeWarning(t *testing.T) {
	b := loadBundle(t, "Python-3.14.0.tgz.sigstore")
	insp := b.Inspect()
	if insp.LogTime.Year() < 2025 {
		t.Fatalf("log time %v", insp.LogTime)
	}
	st, _, err := CurrentTrust("", "")
	if err != nil {
		t.Fatal(err)
	}
	if w := st.SigningTimeWarning(insp.LogTime); w != "" {
		t.Errorf("embedded root warns for a bundle it covers: %s", w)
	}
	old := st
	old.AsOf = insp.LogTime.Add(-24 * time.Hour)
	if w := old.SigningTimeWarning(insp.LogTime); !strings.Contains(w, "after the trust root") {
		t.Errorf("no warning: %q", w)
	}
}
