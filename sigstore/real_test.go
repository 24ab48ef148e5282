package sigstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/root"
)

type manifestEntry struct {
	File, Artifact, SHA256, MediaType, Identity, Issuer string
}

func readManifest(t testing.TB) []manifestEntry {
	t.Helper()
	b, err := os.ReadFile("../testdata/realdata/sigstore-bundles/MANIFEST.json")
	if err != nil {
		t.Fatal(err)
	}
	var m []manifestEntry
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) < 13 {
		t.Fatalf("manifest has %d entries", len(m))
	}
	return m
}

func loadBundle(t testing.TB, name string) *Bundle {
	t.Helper()
	f, err := os.Open(filepath.Join("../testdata/realdata/sigstore-bundles", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _, err := ReadBundle(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func embedded(t testing.TB) *Verifier {
	t.Helper()
	tr, err := EmbeddedTrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	return NewVerifier(tr)
}

func mustHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every real python.org bundle verifies offline against the embedded root,
// from its MANIFEST digest alone, as the expected manager.
func TestRealBundles(t *testing.T) {
	v := embedded(t)
	seen := map[string]bool{}
	for _, m := range readManifest(t) {
		t.Run(m.Artifact, func(t *testing.T) {
			b := loadBundle(t, filepath.Base(m.File))
			exp := Expect{Identities: []Identity{{SAN: m.Identity, Issuer: m.Issuer}}}
			got := v.VerifyBundle(b, Artifact{SHA256: mustHex(t, m.SHA256)}, exp)
			if got.Status != Verified {
				t.Fatalf("%s: %s: %s", m.Artifact, got.Status, got.Reason)
			}
			if got.Identity != m.Identity || got.Issuer != m.Issuer || got.MediaType != m.MediaType {
				t.Errorf("identity %s %s media type %s", got.Identity, got.Issuer, got.MediaType)
			}
			if got.Digest != m.SHA256 || got.DigestAlgorithm != "sha256" {
				t.Errorf("bundle digest %s:%s, manifest %s", got.DigestAlgorithm, got.Digest, m.SHA256)
			}
			if got.SigningTime.IsZero() || got.TimeProof == ProofNone || got.LogIndex == nil {
				t.Errorf("no proven signing time: %+v", got)
			}
			seen[got.Version] = true

			// Real negatives.
			other := sha256.Sum256([]byte(m.Artifact))
			if g := v.VerifyBundle(b, Artifact{SHA256: other[:]}, exp); g.Status != DigestMismatch {
				t.Errorf("changed digest: %s (%s)", g.Status, g.Reason)
			}
			wrong := Identity{SAN: "hugo@python.org", Issuer: "https://github.com/login/oauth"}
			if m.Identity == wrong.SAN {
				wrong = Identity{SAN: "thomas@python.org", Issuer: "https://accounts.google.com"}
			}
			if g := v.VerifyBundle(b, Artifact{SHA256: mustHex(t, m.SHA256)}, Expect{Identities: []Identity{wrong}}); g.Status != WrongIdentity {
				t.Errorf("other manager: %s (%s)", g.Status, g.Reason)
			} else if !strings.Contains(g.Reason, m.Identity) {
				t.Errorf("wrong-identity reason %q does not name the real signer", g.Reason)
			}
			// Right email, wrong issuer.
			bad := Identity{SAN: m.Identity, Issuer: "https://token.actions.githubusercontent.com"}
			if g := v.VerifyBundle(b, Artifact{SHA256: mustHex(t, m.SHA256)}, Expect{Identities: []Identity{bad}}); g.Status != WrongIdentity {
				t.Errorf("wrong issuer: %s (%s)", g.Status, g.Reason)
			}
			for name, tm := range map[string]root.TrustedMaterial{"empty": emptyRoot(t), "other instance": otherRoot(t)} {
				if g := NewVerifier(tm).VerifyBundle(b, Artifact{SHA256: mustHex(t, m.SHA256)}, exp); g.Status != Untrusted {
					t.Errorf("%s trust root: %s (%s)", name, g.Status, g.Reason)
				}
			}
		})
	}
	for _, ver := range []string{"v0.1", "v0.2", "v0.3"} {
		if !seen[ver] {
			t.Errorf("no real %s bundle verified", ver)
		}
	}
}

func emptyRoot(t testing.TB) root.TrustedMaterial {
	tr, err := root.NewTrustedRootFromJSON([]byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// otherRoot is a real trust root of another Sigstore instance (the
// conformance suite's), which must not vouch for public-good bundles.
func otherRoot(t testing.TB) root.TrustedMaterial {
	tr, err := LoadTrustedRoot("../testdata/conformance/bundle-verify/rekor2-happy-path/trusted_root.json")
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

const realTarball = "../../shared/realdata/artifacts/Python-3.13.5.tar.xz"

func TestRealTarballFromFile(t *testing.T) {
	f, err := os.Open(realTarball)
	if err != nil {
		t.Skipf("real artifact not available: %v", err)
	}
	defer f.Close()
	v := embedded(t)
	b := loadBundle(t, "Python-3.13.5.tar.xz.sigstore")
	exp := Expect{Identities: []Identity{{SAN: "thomas@python.org", Issuer: "https://accounts.google.com"}}}
	got := v.VerifyBundle(b, Artifact{Reader: f}, exp)
	if got.Status != Verified {
		t.Fatalf("%s: %s", got.Status, got.Reason)
	}
	// The same file hashed by us.
	f.Seek(0, 0)
	h := sha256.New()
	if _, err := f.WriteTo(h); err != nil {
		t.Fatal(err)
	}
	if got := v.VerifyBundle(b, Artifact{SHA256: h.Sum(nil)}, exp); got.Status != Verified {
		t.Fatalf("digest: %s: %s", got.Status, got.Reason)
	}
	// Another artifact's bytes against this bundle (artifact mode).
	if got := v.VerifyBundle(b, Artifact{Reader: strings.NewReader("not python")}, exp); got.Status == Verified {
		t.Fatalf("other bytes verified")
	} else if got.Status != DigestMismatch && got.Status != Invalid {
		t.Errorf("other bytes: %s (%s)", got.Status, got.Reason)
	}
}

func BenchmarkVerifyBundleDigest(b *testing.B) {
	v := embedded(b)
	bb := loadBundle(b, "Python-3.13.5.tar.xz.sigstore")
	d := mustHex(b, "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640")
	exp := Expect{Identities: []Identity{{SAN: "thomas@python.org", Issuer: "https://accounts.google.com"}}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if g := v.VerifyBundle(bb, Artifact{SHA256: d}, exp); g.Status != Verified {
			b.Fatal(g.Reason)
		}
	}
}

// BenchmarkVerifyRealBundles loads and verifies every real python.org
// bundle, as an audit does once per artifact.
func BenchmarkVerifyRealBundles(b *testing.B) {
	v := embedded(b)
	type item struct {
		raw []byte
		d   []byte
		exp Expect
	}
	var items []item
	for _, m := range readManifest(b) {
		raw, err := os.ReadFile(filepath.Join("../testdata/realdata/sigstore-bundles", filepath.Base(m.File)))
		if err != nil {
			b.Fatal(err)
		}
		items = append(items, item{raw, mustHex(b, m.SHA256), Expect{Identities: []Identity{{SAN: m.Identity, Issuer: m.Issuer}}}})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, it := range items {
			bb, _, err := ReadBundle(bytes.NewReader(it.raw))
			if err != nil {
				b.Fatal(err)
			}
			if g := v.VerifyBundle(bb, Artifact{SHA256: it.d}, it.exp); g.Status != Verified {
				b.Fatal(g.Reason)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(items)), "ns/bundle")
}
