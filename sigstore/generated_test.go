package sigstore

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/testing/ca"
)

var thomasID = Expect{Identities: []Identity{{SAN: "thomas@python.org", Issuer: "https://accounts.google.com"}}}

func rawBundle(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../testdata/realdata/sigstore-bundles", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func readJSON(t *testing.T, m map[string]any) (*Bundle, Verdict, error) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return ReadBundle(bytes.NewReader(b))
}

const sha3135 = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"

// Bundles derived from real ones: each manipulation must be caught.
func TestManipulatedBundles(t *testing.T) {
	v := embedded(t)
	digest := Artifact{SHA256: mustHex(t, sha3135)}

	// Bundle for another artifact (3.13.0's bundle offered for 3.13.5).
	other := loadBundle(t, "Python-3.13.0.tar.xz.sigstore")
	if g := v.VerifyBundle(other, digest, thomasID); g.Status != DigestMismatch {
		t.Errorf("bundle for another artifact: %s (%s)", g.Status, g.Reason)
	}

	// Expired certificate and no log entry: nothing proves the signature
	// was made while the certificate was valid.
	m := rawBundle(t, "Python-3.13.5.tar.xz.sigstore")
	vm := m["verificationMaterial"].(map[string]any)
	delete(vm, "tlogEntries")
	if b, _, err := readJSON(t, m); err == nil {
		if g := v.VerifyBundle(b, digest, thomasID); g.Status != Untrusted {
			t.Errorf("no log entry: %s (%s)", g.Status, g.Reason)
		}
	} // a bundle that no longer loads is rejected too

	// Digest in the bundle edited to match the artifact: the signature no
	// longer verifies.
	m = rawBundle(t, "Python-3.13.0.tar.xz.sigstore")
	ms := m["messageSignature"].(map[string]any)
	md := ms["messageDigest"].(map[string]any)
	md["digest"] = base64.StdEncoding.EncodeToString(mustHex(t, sha3135))
	if b, _, err := readJSON(t, m); err != nil {
		t.Fatal(err)
	} else if g := v.VerifyBundle(b, digest, thomasID); g.Status == Verified {
		t.Errorf("edited digest verified")
	}

	// Signature bytes flipped.
	m = rawBundle(t, "Python-3.13.5.tar.xz.sigstore")
	ms = m["messageSignature"].(map[string]any)
	sig, _ := base64.StdEncoding.DecodeString(ms["signature"].(string))
	sig[len(sig)/2] ^= 1
	ms["signature"] = base64.StdEncoding.EncodeToString(sig)
	if b, _, err := readJSON(t, m); err != nil {
		t.Fatal(err)
	} else if g := v.VerifyBundle(b, digest, thomasID); g.Status == Verified {
		t.Errorf("flipped signature verified")
	}

	// Unknown media type.
	m = rawBundle(t, "Python-3.13.5.tar.xz.sigstore")
	m["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.9+json"
	if _, got, err := readJSON(t, m); err == nil || got.Status != Unsupported {
		t.Errorf("unknown media type: %v %s", err, got.Status)
	}

	// No expected identity: refuse rather than accept anyone.
	b := loadBundle(t, "Python-3.13.5.tar.xz.sigstore")
	if g := v.VerifyBundle(b, digest, Expect{}); g.Status != WrongIdentity {
		t.Errorf("no identity: %s", g.Status)
	}
}

func TestMalformedBundles(t *testing.T) {
	real, err := os.ReadFile("../testdata/realdata/sigstore-bundles/Python-3.13.5.tar.xz.sigstore")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":     nil,
		"spaces":    []byte("  \n"),
		"truncated": real[:len(real)/2],
		"garbage":   []byte("\x00\xffnot json"),
		"array":     []byte("[1,2,3]"),
		"no fields": []byte("{}"),
		"nested":    []byte(strings.Repeat("[", 100000)),
	} {
		_, v, err := ReadBundle(bytes.NewReader(b))
		if err == nil || v.Status == Verified || v.Reason == "" {
			t.Errorf("%s: err %v, verdict %+v", name, err, v)
		}
		if v.Status != Malformed && v.Status != Unsupported {
			t.Errorf("%s: status %s", name, v.Status)
		}
	}
}

// A 100 MB (or larger) bundle is refused after MaxBundleSize+1 bytes.
func TestHugeBundleRefusedQuickly(t *testing.T) {
	r := &countingReader{limit: 100 << 20}
	start := time.Now()
	_, v, err := ReadBundle(r)
	if err == nil || v.Status != Malformed || !strings.Contains(v.Reason, "larger than") {
		t.Fatalf("huge bundle: %v %+v", err, v)
	}
	if r.read > MaxBundleSize+64<<10 {
		t.Errorf("read %d bytes", r.read)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

type countingReader struct{ limit, read int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= c.limit {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.limit-c.read)
	for i := range p[:n] {
		p[i] = ' '
	}
	p[0] = '{'
	c.read += n
	return int(n), nil
}

// Legacy pairs cut out of real message-signature bundles: the same
// certificate and signature python.org published as .crt + .sig.
func TestRealLegacyPairs(t *testing.T) {
	v := embedded(t)
	for _, m := range readManifest(t) {
		raw := rawBundle(t, filepath.Base(m.File))
		vm := raw["verificationMaterial"].(map[string]any)
		var der string
		if c, ok := vm["certificate"].(map[string]any); ok {
			der = c["rawBytes"].(string)
		} else if ch, ok := vm["x509CertificateChain"].(map[string]any); ok {
			der = ch["certificates"].([]any)[0].(map[string]any)["rawBytes"].(string)
		}
		sig := raw["messageSignature"].(map[string]any)["signature"].(string)
		derBytes, _ := base64.StdEncoding.DecodeString(der)
		crt := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: derBytes})
		// cosign wrote .crt base64-wrapped PEM; accept both.
		for i, c := range [][]byte{crt, []byte(base64.StdEncoding.EncodeToString(crt))} {
			l, _, err := ReadLegacy(bytes.NewReader(c), strings.NewReader(sig))
			if err != nil {
				t.Fatalf("%s: %v", m.Artifact, err)
			}
			exp := Expect{Identities: []Identity{{SAN: m.Identity, Issuer: m.Issuer}}}
			g := v.VerifyLegacy(l, Artifact{SHA256: mustHex(t, m.SHA256)}, exp)
			if g.Status != Verified || g.TimeProof != ProofNone || !g.Legacy {
				t.Errorf("%s (%d): %+v", m.Artifact, i, g)
			}
			other := sha256.Sum256([]byte("other"))
			if g := v.VerifyLegacy(l, Artifact{SHA256: other[:]}, exp); g.Status != Invalid {
				t.Errorf("%s other digest: %s", m.Artifact, g.Status)
			}
			if g := NewVerifier(emptyRoot(t)).VerifyLegacy(l, Artifact{SHA256: mustHex(t, m.SHA256)}, exp); g.Status != Untrusted {
				t.Errorf("%s empty root: %s", m.Artifact, g.Status)
			}
		}
	}
}

// Legacy pairs from a virtual Fulcio: good, bad signature, wrong issuer
// with the right email, other CA.
func TestGeneratedLegacy(t *testing.T) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("Python-3.99.0.tgz")
	sum := sha256.Sum256(data)
	pair := func(san, issuer string, signed []byte) (*Legacy, error) {
		cert, key, err := vs.GenerateLeafCert(san, issuer)
		if err != nil {
			t.Fatal(err)
		}
		d := sha256.Sum256(signed)
		sig, err := ecdsa.SignASN1(rand.Reader, key.(*ecdsa.PrivateKey), d[:])
		if err != nil {
			t.Fatal(err)
		}
		crt := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		l, _, err := ReadLegacy(bytes.NewReader(crt), strings.NewReader(base64.StdEncoding.EncodeToString(sig)))
		return l, err
	}
	v := NewVerifier(vs)
	exp := Expect{Identities: []Identity{{SAN: "rm@python.org", Issuer: "https://accounts.google.com"}}}
	cases := []struct {
		name, san, issuer string
		signed            []byte
		art               Artifact
		want              Status
	}{
		{"good", "rm@python.org", "https://accounts.google.com", data, Artifact{SHA256: sum[:]}, Verified},
		{"good from reader", "rm@python.org", "https://accounts.google.com", data, Artifact{Reader: bytes.NewReader(data)}, Verified},
		{"signature over another file", "rm@python.org", "https://accounts.google.com", []byte("other"), Artifact{SHA256: sum[:]}, Invalid},
		{"wrong issuer, right email", "rm@python.org", "https://github.com/login/oauth", data, Artifact{SHA256: sum[:]}, WrongIdentity},
		{"wrong email", "someone@example.org", "https://accounts.google.com", data, Artifact{SHA256: sum[:]}, WrongIdentity},
	}
	for _, c := range cases {
		l, err := pair(c.san, c.issuer, c.signed)
		if err != nil {
			t.Fatal(err)
		}
		if g := v.VerifyLegacy(l, c.art, exp); g.Status != c.want {
			t.Errorf("%s: %s (%s)", c.name, g.Status, g.Reason)
		}
	}
	// The virtual CA's certificate against the public-good root.
	l, _ := pair("rm@python.org", "https://accounts.google.com", data)
	if g := embedded(t).VerifyLegacy(l, Artifact{SHA256: sum[:]}, exp); g.Status != Untrusted {
		t.Errorf("other CA: %s", g.Status)
	}
	// Malformed pairs.
	for name, p := range map[string][2]string{
		"empty crt":   {"", "c2ln"},
		"garbage crt": {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "c2ln"},
		"empty sig":   {string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: mustCert(t, vs).Raw})), ""},
	} {
		if _, v, err := ReadLegacy(strings.NewReader(p[0]), strings.NewReader(p[1])); err == nil || v.Status != Malformed {
			t.Errorf("%s: %v %s", name, err, v.Status)
		}
	}
}

func mustCert(t *testing.T, vs *ca.VirtualSigstore) *x509.Certificate {
	c, _, err := vs.GenerateLeafCert("a@b", "https://x")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
