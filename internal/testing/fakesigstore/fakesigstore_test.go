package fakesigstore

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/sigstore"
)

// Generated bundles verify through sigaudit's sigstore package against the
// generated trusted root, and only for the right digest and identity.
func TestBundleVerifies(t *testing.T) {
	s, err := New(time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rootJSON, err := s.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(p, rootJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := sigstore.LoadTrustedRoot(p)
	if err != nil {
		t.Fatal(err)
	}
	v := sigstore.NewVerifier(tr)
	d := sha256.Sum256([]byte("artifact"))
	raw, err := s.Bundle("rm@example.org", "https://accounts.example.org", d[:], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := sigstore.ReadBundle(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	want := sigstore.Expect{Identities: []sigstore.Identity{{SAN: "rm@example.org", Issuer: "https://accounts.example.org"}}}
	if g := v.VerifyBundle(b, sigstore.Artifact{SHA256: d[:]}, want); g.Status != sigstore.Verified {
		t.Fatalf("generated bundle: %s (%s)", g.Status, g.Reason)
	}
	other := sha256.Sum256([]byte("other"))
	if g := v.VerifyBundle(b, sigstore.Artifact{SHA256: other[:]}, want); g.Status != sigstore.DigestMismatch {
		t.Errorf("other digest: %s", g.Status)
	}
	wrong := sigstore.Expect{Identities: []sigstore.Identity{{SAN: "rm@example.org", Issuer: "https://other.example.org"}}}
	if g := v.VerifyBundle(b, sigstore.Artifact{SHA256: d[:]}, wrong); g.Status != sigstore.WrongIdentity {
		t.Errorf("wrong issuer: %s", g.Status)
	}
	// Against the public-good root, a generated bundle is untrusted.
	emb, err := sigstore.EmbeddedTrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	if g := sigstore.NewVerifier(emb).VerifyBundle(b, sigstore.Artifact{SHA256: d[:]}, want); g.Status == sigstore.Verified {
		t.Error("generated bundle verified against the public-good root")
	}
}
