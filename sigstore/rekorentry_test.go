package sigstore

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"github.com/go-openapi/runtime"
	rekorv1 "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/types"
	hashedrekordv001 "github.com/sigstore/rekor/pkg/types/hashedrekord/v0.0.1"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	sigsig "github.com/sigstore/sigstore/pkg/signature"
	sigopts "github.com/sigstore/sigstore/pkg/signature/options"
)

// entryBody returns the canonicalized body of the first tlog entry of a
// real bundle.
func entryBody(t *testing.T, name string) []byte {
	t.Helper()
	m := rawBundle(t, name)
	e := m["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
	b, err := base64.StdEncoding.DecodeString(e["canonicalizedBody"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func proposed(t *testing.T, body []byte) *models.Hashedrekord {
	t.Helper()
	pe, err := models.UnmarshalProposedEntry(bytes.NewReader(body), runtime.JSONConsumer())
	if err != nil {
		t.Fatal(err)
	}
	return pe.(*models.Hashedrekord)
}

// rekorUnmarshal is rekor's own parser (which verifies the signature).
func rekorUnmarshal(pe *models.Hashedrekord) (*hashedrekordv001.V001Entry, error) {
	v := &hashedrekordv001.V001Entry{}
	return v, v.Unmarshal(pe)
}

// The parser installed in rekor's registry gives the same entries as
// rekor's on every real body, the same refusals on broken ones, and
// differs only in not verifying the signature (which Verify does).
func TestEntryParserAgreesWithRekor(t *testing.T) {
	loadBundle(t, "Python-3.13.5.tar.xz.sigstore") // installs it
	tf, ok := types.TypeMap.Load("hashedrekord")
	if !ok {
		t.Fatal("no hashedrekord type")
	}
	if _, ok := tf.(func() types.TypeImpl)().(hashedRekordType); !ok {
		t.Fatalf("hashedrekord parser is %T, not sigaudit's", tf.(func() types.TypeImpl)())
	}
	for _, e := range readManifest(t) {
		body := entryBody(t, filepath.Base(e.File))
		want, werr := rekorUnmarshal(proposed(t, body))
		got, gerr := parseHashedRekordV001(proposed(t, body))
		if werr != nil || gerr != nil {
			t.Fatalf("%s: rekor %v, sigaudit %v", e.File, werr, gerr)
		}
		wj, _ := json.Marshal(want.HashedRekordObj)
		gj, _ := json.Marshal(got.HashedRekordObj)
		if !bytes.Equal(wj, gj) {
			t.Errorf("%s: entries differ:\n%s\n%s", e.File, wj, gj)
		}
		// Through sigstore-go's parser (the registry), the same.
		if _, err := tlog.NewTlogEntry(tlogEntryOf(t, filepath.Base(e.File))); err != nil {
			t.Errorf("%s: %v", e.File, err)
		}
	}

	body := entryBody(t, "Python-3.13.5.tar.xz.sigstore")
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	edit := func(f func(spec map[string]any)) []byte {
		var c map[string]any
		_ = json.Unmarshal(body, &c)
		f(c["spec"].(map[string]any))
		b, _ := json.Marshal(c)
		return b
	}
	sig := func(s map[string]any) map[string]any { return s["signature"].(map[string]any) }
	hash := func(s map[string]any) map[string]any { return s["data"].(map[string]any)["hash"].(map[string]any) }
	otherSig, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	wrong, _ := ecdsa.SignASN1(rand.Reader, otherSig, make([]byte, 32))
	for name, tc := range map[string]struct {
		body     []byte
		verified bool // rekor's own parser accepts it (it verifies)
	}{
		"no signature":    {edit(func(s map[string]any) { delete(s, "signature") }), false},
		"empty signature": {edit(func(s map[string]any) { sig(s)["content"] = "" }), true},
		"no key":          {edit(func(s map[string]any) { delete(sig(s), "publicKey") }), false},
		"key not PEM": {edit(func(s map[string]any) {
			sig(s)["publicKey"].(map[string]any)["content"] = base64.StdEncoding.EncodeToString([]byte("nope"))
		}), false},
		"no data":            {edit(func(s map[string]any) { delete(s, "data") }), false},
		"short hash":         {edit(func(s map[string]any) { hash(s)["value"] = "abcd" }), false},
		"sha512 of 32 bytes": {edit(func(s map[string]any) { hash(s)["algorithm"] = "sha512" }), false},
		"hash not hex":       {edit(func(s map[string]any) { hash(s)["value"] = strings.Repeat("zz", 32) }), false},
		"unknown algorithm":  {edit(func(s map[string]any) { hash(s)["algorithm"] = "md5" }), false},
		// Well-formed, but the signature is another key's: rekor refuses it
		// when parsing, sigaudit's parser leaves it to Verify.
		"wrong signature": {edit(func(s map[string]any) { sig(s)["content"] = base64.StdEncoding.EncodeToString(wrong) }), true},
	} {
		_, werr := rekorUnmarshal(proposed(t, tc.body))
		_, gerr := parseHashedRekordV001(proposed(t, tc.body))
		if werr == nil {
			t.Errorf("%s: rekor accepts it", name)
		}
		if tc.verified {
			if gerr != nil || !strings.Contains(werr.Error(), "verifying signature") {
				t.Errorf("%s: rekor %v, sigaudit %v", name, werr, gerr)
			}
		} else if gerr == nil {
			t.Errorf("%s: sigaudit's parser accepts it (rekor: %v)", name, werr)
		}
	}
}

func tlogEntryOf(t *testing.T, name string) *rekorv1.TransparencyLogEntry {
	t.Helper()
	b := loadBundle(t, name)
	return b.b.GetVerificationMaterial().GetTlogEntries()[0]
}

// keyBundle is a key-signed v0.1 bundle logged in vs's Rekor with a valid
// inclusion promise: msgSig is the bundle's message signature, entrySig the
// signature in the log entry (both normally the same).
func keyBundle(t *testing.T, vs *ca.VirtualSigstore, key *ecdsa.PrivateKey, digest, msgSig, entrySig []byte) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	b64 := base64.StdEncoding.EncodeToString
	j, _ := json.Marshal(map[string]any{
		"apiVersion": "0.0.1", "kind": "hashedrekord",
		"spec": map[string]any{
			"data":      map[string]any{"hash": map[string]any{"algorithm": "sha256", "value": hex.EncodeToString(digest)}},
			"signature": map[string]any{"content": b64(entrySig), "publicKey": map[string]any{"content": b64(keyPEM)}},
		},
	})
	body, err := jsoncanonicalizer.Transform(j)
	if err != nil {
		t.Fatal(err)
	}
	logID, err := vs.RekorLogID()
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := hex.DecodeString(logID)
	at := time.Now().Add(-time.Minute).Unix()
	set, err := vs.RekorSignPayload(tlog.RekorPayload{Body: b64(body), IntegratedTime: at, LogIndex: 7, LogID: logID})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
		"verificationMaterial": map[string]any{
			"publicKey": map[string]any{"hint": "k"},
			"tlogEntries": []any{map[string]any{
				"logIndex": "7", "logId": map[string]any{"keyId": b64(rawID)},
				"kindVersion":       map[string]any{"kind": "hashedrekord", "version": "0.0.1"},
				"integratedTime":    fmt.Sprint(at),
				"inclusionPromise":  map[string]any{"signedEntryTimestamp": b64(set)},
				"canonicalizedBody": b64(body),
			}},
		},
		"messageSignature": map[string]any{
			"messageDigest": map[string]any{"algorithm": "SHA2_256", "digest": b64(digest)},
			"signature":     b64(msgSig),
		},
	})
	return out
}

// A log entry whose signature does not verify, with a valid inclusion
// promise, was refused by rekor's parser when the bundle was read; it is
// now read, and refused by the verification (the bundle's message
// signature is the same signature): never verified.
func TestEntrySignatureStillChecked(t *testing.T) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	digest := sha256.Sum256([]byte("artifact"))
	good, _ := ecdsa.SignASN1(rand.Reader, key, digest[:])
	otherDigest := sha256.Sum256([]byte("another artifact"))
	bad, _ := ecdsa.SignASN1(rand.Reader, key, otherDigest[:])
	v := NewVerifier(vs)
	exp := Expect{PublicKey: &key.PublicKey}
	art := Artifact{SHA256: digest[:]}

	read := func(raw []byte) *Bundle {
		t.Helper()
		b, _, err := ReadBundle(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// The control: a genuine bundle verifies.
	if g := v.VerifyBundle(read(keyBundle(t, vs, key, digest[:], good, good)), art, exp); g.Status != Verified {
		t.Fatalf("genuine key-signed bundle: %s (%s)", g.Status, g.Reason)
	}
	for name, tc := range map[string]struct {
		msg, entry []byte
		want       Status
	}{
		"both signatures wrong":  {bad, bad, Invalid},
		"entry signature wrong":  {good, bad, Untrusted},
		"message signature only": {bad, good, Untrusted},
	} {
		raw := keyBundle(t, vs, key, digest[:], tc.msg, tc.entry)
		b := read(raw)
		g := v.VerifyBundle(b, art, exp)
		if g.Status != tc.want {
			t.Errorf("%s: %s (%s), want %s", name, g.Status, g.Reason, tc.want)
		}
		if g2 := v.VerifySigner(b, exp); g2.Status == Verified || g2.Status == SignerVerified {
			t.Errorf("%s: VerifySigner %s", name, g2.Status)
		}
	}
	// Rekor's own parser refused the entry when reading (what it did before).
	raw := keyBundle(t, vs, key, digest[:], bad, bad)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	e := m["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
	body, _ := base64.StdEncoding.DecodeString(e["canonicalizedBody"].(string))
	if _, err := rekorUnmarshal(proposed(t, body)); err == nil || !strings.Contains(err.Error(), "verifying signature") {
		t.Errorf("rekor's parser: %v", err)
	}
}

// A real bundle whose log entry is edited no longer verifies.
func TestRealEntryTampered(t *testing.T) {
	v := embedded(t)
	for _, me := range readManifest(t) {
		name, digest := filepath.Base(me.File), me.SHA256
		id := Expect{Identities: []Identity{{SAN: me.Identity, Issuer: me.Issuer}}}
		m := rawBundle(t, name)
		e := m["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
		body, _ := base64.StdEncoding.DecodeString(e["canonicalizedBody"].(string))
		var c map[string]any
		_ = json.Unmarshal(body, &c)
		sig := c["spec"].(map[string]any)["signature"].(map[string]any)
		other, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		wrong, _ := ecdsa.SignASN1(rand.Reader, other, mustHex(t, digest))
		sig["content"] = base64.StdEncoding.EncodeToString(wrong)
		j, _ := json.Marshal(c)
		nb, _ := jsoncanonicalizer.Transform(j)
		e["canonicalizedBody"] = base64.StdEncoding.EncodeToString(nb)
		b, _, err := readJSON(t, m)
		if err != nil {
			continue // refused when read: fine too
		}
		if g := v.VerifyBundle(b, Artifact{SHA256: mustHex(t, digest)}, id); g.Status == Verified {
			t.Errorf("%s with another signature in its log entry verified", name)
		}
	}
}

// Issue 18 said a P-384 bundle signed over SHA-256 is verified twice
// (sigstore-go's SHA-384 verifier first, then its SHA-256 compatibility
// verifier). It is not: with a digest, the SHA-384 verifier refuses a
// 32-byte digest by its length before any ECDSA operation, so the one
// ECDSA verification is the SHA-256 one. This pins that behaviour of
// github.com/sigstore/sigstore, on the real P-384 leaves.
func TestP384DigestVerifiedOnce(t *testing.T) {
	v := embedded(t)
	for _, e := range readManifest(t) {
		b := loadBundle(t, filepath.Base(e.File))
		vc, err := b.b.VerificationContent()
		if err != nil {
			t.Fatal(err)
		}
		pub, ok := vc.Certificate().PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P384() {
			continue
		}
		d := mustHex(t, e.SHA256)
		def, err := sigsig.LoadDefaultVerifier(pub)
		if err != nil {
			t.Fatal(err)
		}
		err = def.VerifySignature(bytes.NewReader(b.b.GetMessageSignature().GetSignature()), bytes.NewReader(nil), sigopts.WithDigest(d))
		if err == nil || !strings.Contains(err.Error(), "unexpected length of digest") {
			t.Errorf("%s: the SHA-384 verifier answered %v, not a length refusal", e.File, err)
		}
		s256, _ := sigsig.LoadVerifier(pub, crypto.SHA256)
		if err := s256.VerifySignature(bytes.NewReader(b.b.GetMessageSignature().GetSignature()), bytes.NewReader(nil), sigopts.WithDigest(d)); err != nil {
			t.Errorf("%s: SHA-256: %v", e.File, err)
		}
		id := Expect{Identities: []Identity{{SAN: e.Identity, Issuer: e.Issuer}}}
		if g := v.VerifyBundle(b, Artifact{SHA256: d}, id); g.Status != Verified {
			t.Errorf("%s: %s (%s)", e.File, g.Status, g.Reason)
		}
	}
}

// A bundle's leaf certificate is parsed once, when the bundle is read, and
// each verification works on its own copy: concurrent verifications of one
// bundle agree (go test -race), and the shared certificate is unchanged.
func TestLeafParsedOnceShared(t *testing.T) {
	v := embedded(t)
	for _, name := range []string{"Python-3.13.5.tar.xz.sigstore", "Python-3.7.17.tgz.sigstore"} {
		b := loadBundle(t, name)
		if b.leaf == nil {
			t.Fatalf("%s: leaf not kept", name)
		}
		var me manifestEntry
		for _, e := range readManifest(t) {
			if filepath.Base(e.File) == name {
				me = e
			}
		}
		id := Expect{Identities: []Identity{{SAN: me.Identity, Issuer: me.Issuer}}}
		before := append([]asn1.ObjectIdentifier(nil), b.leaf.UnhandledCriticalExtensions...)
		raw := append([]byte(nil), b.leaf.Raw...)
		done := make(chan Verdict)
		for i := range 4 {
			go func() {
				if i%2 == 0 {
					done <- v.VerifyBundle(b, Artifact{SHA256: mustHex(t, me.SHA256)}, id)
				} else {
					done <- v.VerifySigner(b, id)
				}
			}()
		}
		for range 4 {
			if g := <-done; g.Status != Verified && g.Status != SignerVerified {
				t.Errorf("%s: %s (%s)", name, g.Status, g.Reason)
			}
		}
		if !reflect.DeepEqual(before, b.leaf.UnhandledCriticalExtensions) || !bytes.Equal(raw, b.leaf.Raw) {
			t.Errorf("%s: the shared leaf was changed", name)
		}
		// A different artifact still fails with the shared leaf.
		if g := v.VerifyBundle(b, Artifact{SHA256: make([]byte, 32)}, id); g.Status == Verified {
			t.Errorf("%s verified for another digest", name)
		}
	}
}

// readBounded reads in-memory input in one buffer of its size, and still
// refuses empty and oversized input, in memory or not.
func TestReadBoundedSizes(t *testing.T) {
	raw := rawBytes(t, "Python-3.13.5.tar.xz.sigstore")
	got, err := readBounded(bytes.NewReader(raw), "bundle")
	if err != nil || !bytes.Equal(got, raw) || cap(got) != len(raw) {
		t.Fatalf("readBounded: %d bytes (cap %d), %v; want %d", len(got), cap(got), err, len(raw))
	}
	if allocs := testing.AllocsPerRun(10, func() { _, _ = readBounded(bytes.NewReader(raw), "bundle") }); allocs > 2 {
		t.Errorf("readBounded allocates %.0f times for %d bytes in memory", allocs, len(raw))
	}
	big := bytes.Repeat([]byte(" "), MaxBundleSize+1)
	for name, r := range map[string]io.Reader{
		"in memory": bytes.NewReader(big), "streamed": io.MultiReader(bytes.NewReader(big)),
	} {
		if _, err := readBounded(r, "bundle"); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("%s: oversized input: %v", name, err)
		}
	}
	for _, r := range []io.Reader{bytes.NewReader(nil), strings.NewReader(" \n")} {
		if _, err := readBounded(r, "bundle"); err == nil {
			t.Error("empty input accepted")
		}
	}
}

func rawBytes(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../testdata/realdata/sigstore-bundles", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
