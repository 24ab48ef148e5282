package pgp

import (
	"bytes"
	"crypto"
	_ "crypto/sha1"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"

	"github.com/sigaudit/sigaudit/timeline"
)

const (
	thomas = "7169605F62C751356D054A26A821E680E5FA6305"
	pablo  = "A035C8C19219BA821ECEA86B64E628F8D684696D"
)

func defaultKeyring(t *testing.T) *Keyring {
	t.Helper()
	k, err := DefaultKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func readSig(t *testing.T, path string) *Signature {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadSignature(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const realTarball = "../../shared/realdata/artifacts/Python-3.13.5.tar.xz"

// flipReader flips one byte at offset off of r.
type flipReader struct {
	r   *os.File
	off int64
	pos int64
}

func (f *flipReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.off >= f.pos && f.off < f.pos+int64(n) {
		p[f.off-f.pos] ^= 0x01
	}
	f.pos += int64(n)
	return n, err
}

func TestRealTarball(t *testing.T) {
	if _, err := os.Stat(realTarball); err != nil {
		t.Skipf("real artifact not available: %v", err)
	}
	k := defaultKeyring(t)
	sig := readSig(t, "../testdata/realdata/asc/Python-3.13.5.tar.xz.asc")
	f, err := os.Open(realTarball)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := k.Verify(sig, f, []string{thomas})
	if v.Status != Verified || v.Fingerprint != thomas || v.Hash != "SHA-512" || !strings.Contains(v.UserID, "Thomas Wouters") {
		t.Fatalf("real 3.13.5: %+v", v)
	}
	if v.Created.Format(time.RFC3339) != "2025-06-11T17:45:54Z" {
		t.Errorf("created = %v", v.Created)
	}

	// One flipped byte: invalid.
	for _, off := range []int64{0, 11_428_008, 22_856_015} {
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		v = k.Verify(sig, &flipReader{r: f, off: off}, []string{thomas})
		if v.Status != Invalid {
			t.Errorf("flipped byte at %d: %+v", off, v)
		}
	}
	// The right signature, but another manager expected: wrong-signer.
	f.Seek(0, 0)
	if v = k.Verify(sig, f, []string{pablo}); v.Status != WrongSigner {
		t.Errorf("expected Pablo: %+v", v)
	}
	// The 3.13.0 signature over the 3.13.5 tarball: invalid.
	f.Seek(0, 0)
	if v = k.Verify(readSig(t, "../testdata/realdata/asc/Python-3.13.0.tar.xz.asc"), f, []string{thomas}); v.Status != Invalid {
		t.Errorf("3.13.0 .asc over 3.13.5: %+v", v)
	}
}

// TestRealParseOnly names the signer of real .asc files without the artifact.
func TestRealParseOnly(t *testing.T) {
	k := defaultKeyring(t)
	cases := []struct{ file, primary, signingKey, hash string }{
		{"Python-3.11.2.tar.xz.asc", pablo, "CFDCA245B1043CF2A5F97865FFE87404168BD847", "SHA-256"},
		{"Python-3.13.0.tar.xz.asc", thomas, thomas, "SHA-512"},
		{"Python-3.13.5.tar.xz.asc", thomas, thomas, "SHA-512"},
	}
	tl := timeline.Default()
	for _, c := range cases {
		s := readSig(t, filepath.Join("../testdata/realdata/asc", c.file))
		v := k.Identify(s)
		if v.Fingerprint != c.primary || v.SigningKey != c.signingKey || v.Hash != c.hash {
			t.Errorf("%s: %+v", c.file, v)
		}
		// The fingerprint maps to the right manager through the timeline.
		var who string
		for _, m := range tl.Managers() {
			for _, fp := range m.PGP {
				if fp == v.Fingerprint {
					who = m.Name
				}
			}
		}
		want := map[string]string{pablo: "Pablo Galindo Salgado", thomas: "Thomas Wouters"}[c.primary]
		if who != want {
			t.Errorf("%s maps to %q, want %q", c.file, who, want)
		}
	}
}

// TestEmbeddedKeyringMatchesTimeline: every PGP fingerprint in the timeline
// is in the embedded keyring and vice versa.
func TestEmbeddedKeyringMatchesTimeline(t *testing.T) {
	k := defaultKeyring(t)
	have := map[string]bool{}
	for _, fp := range k.Fingerprints() {
		have[fp] = true
	}
	want := map[string]bool{}
	for _, m := range timeline.Default().Managers() {
		for _, fp := range m.PGP {
			want[fp] = true
			if !have[fp] {
				t.Errorf("timeline fingerprint %s (%s) is not in the embedded keyring", fp, m.Name)
			}
		}
	}
	for fp := range have {
		if !want[fp] {
			t.Errorf("embedded key %s is not in the timeline", fp)
		}
	}
}

// --- generated material ---

var t0 = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

func newEntity(t *testing.T, algo packet.PublicKeyAlgorithm, lifetime uint32) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{Algorithm: algo, RSABits: 2048, KeyLifetimeSecs: lifetime, Time: func() time.Time { return t0 }}
	e, err := openpgp.NewEntity("Test RM", "", "rm@example.org", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func keyringOf(t *testing.T, es ...*openpgp.Entity) *Keyring {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	k := &Keyring{}
	if err := k.AddArmored(&buf); err != nil {
		t.Fatal(err)
	}
	return k
}

// sign makes a detached binary-document signature at packet level, so that
// tests can sign with expired keys and weak hashes as a careless or hostile
// signer would.
func sign(t *testing.T, e *openpgp.Entity, data []byte, h crypto.Hash, at time.Time, armored bool) []byte {
	t.Helper()
	priv := e.PrivateKey
	sig := &packet.Signature{
		SigType: packet.SigTypeBinary, PubKeyAlgo: priv.PubKeyAlgo, Hash: h,
		CreationTime: at, IssuerKeyId: &priv.KeyId,
	}
	hh := h.New()
	hh.Write(data)
	noSalt := false
	if err := sig.Sign(hh, priv, &packet.Config{NonDeterministicSignaturesViaNotation: &noSalt}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if !armored {
		if err := sig.Serialize(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	w, err := armor.Encode(&buf, openpgp.SignatureType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sig.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Bytes()
}

func fpr(e *openpgp.Entity) string { return fingerprint(e.PrimaryKey.Fingerprint) }

func verifyBytes(k *Keyring, sig, data []byte, expected ...string) Verdict {
	s, err := ReadSignature(bytes.NewReader(sig))
	if err != nil {
		return MalformedVerdict(err)
	}
	return k.Verify(s, bytes.NewReader(data), expected)
}

func TestGenerated(t *testing.T) {
	data := []byte("Python-3.99.0.tar.xz contents\n")
	other := []byte("another file\n")
	rsaKey := newEntity(t, packet.PubKeyAlgoRSA, 0)
	edKey := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	ed25519Key := newEntity(t, packet.PubKeyAlgoEd25519, 0)
	otherRM := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	unknown := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	expiring := newEntity(t, packet.PubKeyAlgoEdDSA, 3600) // valid for an hour after t0
	revoked := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	if err := revoked.Revoke(packet.KeyCompromised, "compromised", &packet.Config{Time: func() time.Time { return t0.Add(48 * time.Hour) }}); err != nil {
		t.Fatal(err)
	}
	k := keyringOf(t, rsaKey, edKey, ed25519Key, otherRM, expiring, revoked)

	later := t0.Add(24 * time.Hour)
	good := sign(t, rsaKey, data, crypto.SHA512, later, true)
	truncated := good[:len(good)/2]
	// go-crypto writes a CRC24 line; replace it with a wrong one, and drop it.
	crcLine := regexp.MustCompile(`(?m)^=[A-Za-z0-9+/]{4}\n`)
	if !crcLine.Match(good) {
		t.Fatalf("no CRC line in %q", good)
	}
	badCRC := crcLine.ReplaceAll(good, []byte("=AAAA\n"))
	noCRC := crcLine.ReplaceAll(good, nil)
	flip := append([]byte(nil), good...)
	// Corrupt one base64 character in the body (keeps the armor parseable,
	// fails the CRC or the packet).
	if i := bytes.Index(flip, []byte("\n\n")); i > 0 {
		if flip[i+10] == 'A' {
			flip[i+10] = 'B'
		} else {
			flip[i+10] = 'A'
		}
	}

	cases := []struct {
		name     string
		sig      []byte
		data     []byte
		expected []string
		want     Status
		reason   string
	}{
		{"rsa good", good, data, []string{fpr(rsaKey)}, Verified, ""},
		{"eddsa good", sign(t, edKey, data, crypto.SHA256, later, true), data, []string{fpr(edKey)}, Verified, ""},
		{"ed25519 (RFC 9580) good", sign(t, ed25519Key, data, crypto.SHA512, later, true), data, []string{fpr(ed25519Key)}, Verified, ""},
		{"binary signature", sign(t, edKey, data, crypto.SHA512, later, false), data, []string{fpr(edKey)}, Verified, ""},
		{"expected lower-case", good, data, []string{strings.ToLower(fpr(rsaKey))}, Verified, ""},
		{"signature over a different file", good, other, []string{fpr(rsaKey)}, Invalid, "does not match"},
		{"wrong manager", sign(t, otherRM, data, crypto.SHA512, later, true), data, []string{fpr(rsaKey)}, WrongSigner, "the timeline expects"},
		{"no signer expected", good, data, nil, WrongSigner, "no PGP signer is expected"},
		{"unknown key", sign(t, unknown, data, crypto.SHA512, later, true), data, []string{fpr(rsaKey)}, UnknownSigner, fpr(unknown)},
		{"expired before signing", sign(t, expiring, data, crypto.SHA512, t0.Add(2*time.Hour), true), data, []string{fpr(expiring)}, Invalid, "expired when the signature was made"},
		{"expired after signing", sign(t, expiring, data, crypto.SHA512, t0.Add(30*time.Minute), true), data, []string{fpr(expiring)}, Verified, ""},
		{"revoked (compromised) key", sign(t, revoked, data, crypto.SHA512, later, true), data, []string{fpr(revoked)}, Invalid, "revoked"},
		{"signed before key creation", sign(t, edKey, data, crypto.SHA512, t0.Add(-time.Hour), true), data, []string{fpr(edKey)}, Invalid, "older than the key"},
		{"SHA-1", sign(t, edKey, data, crypto.SHA1, later, true), data, []string{fpr(edKey)}, WeakHash, "SHA-1"},
		{"SHA-1 forged", sign(t, edKey, data, crypto.SHA1, later, true), other, []string{fpr(edKey)}, Invalid, "weak"},
		{"truncated armor", truncated, data, []string{fpr(rsaKey)}, Malformed, ""},
		{"bad armor checksum", badCRC, data, []string{fpr(rsaKey)}, Malformed, "checksum"},
		{"no armor checksum (RFC 9580)", noCRC, data, []string{fpr(rsaKey)}, Verified, ""},
		{"corrupted armor body", flip, data, []string{fpr(rsaKey)}, "", ""},
		{"garbage", []byte("this is not a signature\x00\xff"), data, nil, Malformed, ""},
		{"garbage armor", []byte("-----BEGIN PGP SIGNATURE-----\n\nnot base64!!\n-----END PGP SIGNATURE-----\n"), data, nil, Malformed, ""},
		{"empty", nil, data, nil, Malformed, "empty"},
		{"public key instead of signature", armoredKey(t, rsaKey), data, nil, Malformed, "armor type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := verifyBytes(k, c.sig, c.data, c.expected...)
			if c.want == "" { // any verdict but verified
				if v.Status == Verified {
					t.Fatalf("corrupted input verified: %+v", v)
				}
				return
			}
			if v.Status != c.want {
				t.Fatalf("status %s (%s), want %s", v.Status, v.Reason, c.want)
			}
			if c.reason != "" && !strings.Contains(v.Reason, c.reason) {
				t.Errorf("reason %q does not contain %q", v.Reason, c.reason)
			}
			if c.want != Verified && v.Reason == "" {
				t.Error("a verdict other than verified must give a reason")
			}
		})
	}
}

func armoredKey(t *testing.T, e *openpgp.Entity) []byte {
	var buf bytes.Buffer
	w, _ := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	e.Serialize(w)
	w.Close()
	return buf.Bytes()
}

// A gigantic .asc is refused after reading MaxSignatureSize+1 bytes.
func TestHugeSignatureRefusedQuickly(t *testing.T) {
	r := &countingZeroReader{limit: 1 << 30}
	_, err := ReadSignature(r)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
	if r.read > MaxSignatureSize+1+32<<10 {
		t.Errorf("read %d bytes of a 1 GiB signature", r.read)
	}
}

type countingZeroReader struct{ limit, read int64 }

func (c *countingZeroReader) Read(p []byte) (int, error) {
	if c.read >= c.limit {
		return 0, os.ErrClosed
	}
	n := int64(len(p))
	if n > c.limit-c.read {
		n = c.limit - c.read
	}
	for i := range p[:n] {
		p[i] = 'A'
	}
	c.read += n
	return int(n), nil
}

// The streaming check gives the same verdict when fed in pieces.
func TestCheckStreaming(t *testing.T) {
	e := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	k := keyringOf(t, e)
	data := bytes.Repeat([]byte("0123456789"), 100000)
	s, err := ReadSignature(bytes.NewReader(sign(t, e, data, crypto.SHA512, t0.Add(time.Hour), true)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Hash() != crypto.SHA512 {
		t.Errorf("Hash() = %v", s.Hash())
	}
	c := NewCheck(s)
	for i := 0; i < len(data); i += 4097 {
		end := min(i+4097, len(data))
		c.Write(data[i:end])
	}
	if v := c.Verdict(k, []string{fpr(e)}); v.Status != Verified {
		t.Errorf("streamed: %+v", v)
	}
}

func TestKeyringRejectsPrivateKeysAndJunk(t *testing.T) {
	e := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	var buf bytes.Buffer
	w, _ := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	e.SerializePrivate(w, nil)
	w.Close()
	k := &Keyring{}
	if err := k.AddArmored(&buf); err == nil {
		t.Error("a private key was accepted")
	}
	if err := k.AddArmored(strings.NewReader("junk")); err == nil {
		t.Error("junk was accepted as a keyring")
	}
}

func BenchmarkVerifyRealSignature(b *testing.B) {
	k, err := DefaultKeyring()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile("../testdata/realdata/asc/Python-3.13.5.tar.xz.asc")
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 8<<20) // verdict is invalid (other data); the cost is the same
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := ReadSignature(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		c := NewCheck(s)
		c.Write(data)
		if v := c.Verdict(k, []string{thomas}); v.Status != Invalid {
			b.Fatal(v.Status)
		}
	}
}

func BenchmarkDefaultKeyring(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := DefaultKeyring(); err != nil {
			b.Fatal(err)
		}
	}
}

// A hash of the artifact computed elsewhere finishes a check only for the
// signature's own algorithm; then it gives the same verdicts as NewCheck.
func TestNewCheckFrom(t *testing.T) {
	e := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	k := keyringOf(t, e)
	data := bytes.Repeat([]byte("artifact"), 5000)
	for _, alg := range []crypto.Hash{crypto.SHA256, crypto.SHA512, crypto.SHA384} {
		s, err := ReadSignature(bytes.NewReader(sign(t, e, data, alg, t0.Add(time.Hour), true)))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := s.PlainHash(); !ok || got != alg {
			t.Fatalf("%v: PlainHash = %v, %v", alg, got, ok)
		}
		for _, other := range []crypto.Hash{crypto.SHA256, crypto.SHA512, crypto.SHA384} {
			if other == alg {
				continue
			}
			h := other.New()
			h.Write(data)
			if _, ok := NewCheckFrom(s, other, h); ok {
				t.Errorf("%v signature finished with %v", alg, other)
			}
			if _, ok := NewCheckFrom(s, alg, h); ok && h.Size() != alg.Size() {
				t.Errorf("%v signature finished with a %d-byte hash", alg, h.Size())
			}
		}
		if _, ok := NewCheckFrom(s, alg, nil); ok {
			t.Errorf("%v: finished with no hash", alg)
		}
		h := alg.New()
		h.Write(data)
		c, ok := NewCheckFrom(s, alg, h)
		if !ok {
			t.Fatalf("%v: refused its own algorithm", alg)
		}
		if v := c.Verdict(k, []string{fpr(e)}); v.Status != Verified {
			t.Errorf("%v: %+v", alg, v)
		}
		h = alg.New()
		h.Write(data[1:])
		c, _ = NewCheckFrom(s, alg, h)
		if v := c.Verdict(k, []string{fpr(e)}); v.Status != Invalid {
			t.Errorf("%v over other bytes: %+v", alg, v)
		}
	}
}

// Warm computes, ahead of the hash, what Verdict would: the verdicts are
// the same with and without it, also for a key that had expired when it
// signed, and concurrent use is safe (go test -race).
func TestWarm(t *testing.T) {
	good := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	expiring := newEntity(t, packet.PubKeyAlgoEdDSA, 3600)
	k := keyringOf(t, good, expiring)
	data := []byte("artifact")
	for _, c := range []struct {
		e    *openpgp.Entity
		at   time.Time
		want Status
	}{
		{good, t0.Add(time.Hour), Verified},
		{expiring, t0.Add(2 * time.Hour), Invalid},
	} {
		s, err := ReadSignature(bytes.NewReader(sign(t, c.e, data, crypto.SHA512, c.at, true)))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%2 == 0 {
					k.Warm(s)
				}
				ch := NewCheck(s)
				ch.Write(data)
				if v := ch.Verdict(k, []string{fpr(c.e)}); v.Status != c.want {
					t.Errorf("%s: %+v, want %s", fpr(c.e), v, c.want)
				}
			}()
		}
		wg.Wait()
	}
}
