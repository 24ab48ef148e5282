package pgp

import (
	"bytes"
	"crypto"
	//lint:ignore SA1019 the test makes a DSA key to prove sigaudit rejects it
	"crypto/dsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"
)

// This file tests each check of go-crypto's detached-signature verification
// (openpgp/v2 read.go VerifyDetachedSignature: checkSignatureDetails,
// checkMessageSignatureDetails, signingKeyByIdUsage, checkKeyRequirements)
// as sigaudit applies it, with keys and signatures made here.

// signOpts are the signature fields a careless or hostile signer controls.
type signOpts struct {
	lifetime  uint32             // signature expiration (seconds after creation), 0 for none
	notations []*packet.Notation // hashed notations
	key       *packet.PrivateKey // a subkey; nil for the primary key
}

// signWith makes a detached binary signature through go-crypto's packet API.
func signWith(t *testing.T, e *openpgp.Entity, data []byte, at time.Time, o signOpts) []byte {
	t.Helper()
	priv := e.PrivateKey
	if o.key != nil {
		priv = o.key
	}
	sig := &packet.Signature{
		SigType: packet.SigTypeBinary, PubKeyAlgo: priv.PubKeyAlgo, Hash: crypto.SHA512,
		CreationTime: at, IssuerKeyId: &priv.KeyId, IssuerFingerprint: priv.Fingerprint,
		Notations: o.notations,
	}
	if o.lifetime != 0 {
		sig.SigLifetimeSecs = &o.lifetime
	}
	h := crypto.SHA512.New()
	h.Write(data)
	noSalt := false
	if err := sig.Sign(h, priv, &packet.Config{NonDeterministicSignaturesViaNotation: &noSalt}); err != nil {
		t.Fatal(err)
	}
	return armorSig(t, func(w *bytes.Buffer) error { return sig.Serialize(w) })
}

func armorSig(t testing.TB, write func(*bytes.Buffer) error) []byte {
	t.Helper()
	var raw bytes.Buffer
	if err := write(&raw); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.SignatureType, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	w.Close()
	return buf.Bytes()
}

// sub encodes one signature subpacket (RFC 9580 5.2.3.7).
func sub(typ byte, critical bool, content []byte) []byte {
	if critical {
		typ |= 0x80
	}
	return append([]byte{byte(len(content) + 1), typ}, content...)
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// rawRSASig builds a version 4 RSA/SHA-256 binary signature packet byte by
// byte, with exactly the subpackets given, for the cases go-crypto will not
// write (unknown and critical subpackets, no issuer).
func rawRSASig(t testing.TB, e *openpgp.Entity, data []byte, hashed, unhashed []byte) []byte {
	t.Helper()
	rk, ok := e.PrivateKey.PrivateKey.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("not an RSA key: %T", e.PrivateKey.PrivateKey)
	}
	pre := append([]byte{4, 0x00, 1, 8, byte(len(hashed) >> 8), byte(len(hashed))}, hashed...)
	h := sha256.New()
	h.Write(data)
	h.Write(pre)
	h.Write([]byte{4, 0xff})
	h.Write(u32(uint32(len(pre))))
	digest := h.Sum(nil)
	s, err := rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, digest)
	if err != nil {
		t.Fatal(err)
	}
	body := append(pre, byte(len(unhashed)>>8), byte(len(unhashed)))
	body = append(body, unhashed...)
	body = append(body, digest[:2]...)
	n := new(big.Int).SetBytes(s)
	body = binary.BigEndian.AppendUint16(body, uint16(n.BitLen()))
	body = append(body, n.Bytes()...)
	pkt := []byte{0xc2}
	switch l := len(body); {
	case l < 192:
		pkt = append(pkt, byte(l))
	case l < 8384:
		l -= 192
		pkt = append(pkt, byte(l>>8)+192, byte(l))
	default:
		t.Fatal("signature too long")
	}
	pkt = append(pkt, body...)
	return armorSig(t, func(w *bytes.Buffer) error { _, err := w.Write(pkt); return err })
}

func issuerSubs(e *openpgp.Entity) (creation func(time.Time, bool) []byte, fpr, keyID []byte) {
	creation = func(at time.Time, critical bool) []byte { return sub(2, critical, u32(uint32(at.Unix()))) }
	fpr = sub(33, false, append([]byte{4}, e.PrimaryKey.Fingerprint...))
	keyID = sub(16, false, binary.BigEndian.AppendUint64(nil, e.PrimaryKey.KeyId))
	return
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

type checkCase struct {
	name   string
	k      *Keyring
	sig    []byte
	data   []byte
	expect string
	want   Status
	reason string // exact reason, or a prefix when it ends with "…"
}

func runChecks(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := verifyBytes(c.k, c.sig, c.data, c.expect)
			if v.Status != c.want {
				t.Fatalf("status %s (%s), want %s", v.Status, v.Reason, c.want)
			}
			if p, ok := strings.CutSuffix(c.reason, "…"); ok {
				if !strings.HasPrefix(v.Reason, p) {
					t.Fatalf("reason %q, want prefix %q", v.Reason, p)
				}
			} else if v.Reason != c.reason {
				t.Fatalf("reason %q, want %q", v.Reason, c.reason)
			}
		})
	}
}

func at(tm time.Time) func() time.Time { return func() time.Time { return tm } }

// The message signature's own metadata: expiry, creation in the future,
// critical notations and subpackets (checkSignatureDetails).
func TestSignatureDetails(t *testing.T) {
	data := []byte("Python-3.99.0.tar.xz\n")
	ed := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	rsaKey := newEntity(t, packet.PubKeyAlgoRSA, 0)
	k := keyringOf(t, ed, rsaKey)
	signed := t0.Add(24 * time.Hour)
	k.now = at(signed.Add(48 * time.Hour))
	fresh := keyringOf(t, ed, rsaKey)
	fresh.now = at(signed.Add(30 * time.Minute))
	early := keyringOf(t, ed, rsaKey)
	early.now = at(signed.Add(-time.Hour))
	realClock := keyringOf(t, ed, rsaKey) // time.Now

	creation, fp, keyID := issuerSubs(rsaKey)
	rawGood := rawRSASig(t, rsaKey, data, cat(creation(signed, false), fp), keyID)
	unknownHashed := rawRSASig(t, rsaKey, data, cat(creation(signed, false), fp, sub(101, true, []byte("x"))), keyID)
	unknownHashedNC := rawRSASig(t, rsaKey, data, cat(creation(signed, false), fp, sub(101, false, []byte("x"))), keyID)
	unknownUnhashed := rawRSASig(t, rsaKey, data, cat(creation(signed, false), fp), cat(keyID, sub(101, true, []byte("x"))))
	unhashedExpiry := rawRSASig(t, rsaKey, data, cat(creation(signed, false), fp), cat(keyID, sub(3, true, u32(1))))
	criticalCreation := rawRSASig(t, rsaKey, data, cat(creation(signed, true), fp), keyID)
	criticalIssuer := rawRSASig(t, rsaKey, data, cat(creation(signed, false), sub(33, true, append([]byte{4}, rsaKey.PrimaryKey.Fingerprint...))), keyID)
	// A real signature's unhashed area can be edited without breaking the
	// signature: a mirror adds a critical subpacket there.
	revocationKey := rawRSASig(t, rsaKey, data, cat(creation(signed, false), fp, sub(12, true, append([]byte{0x80, 1}, rsaKey.PrimaryKey.Fingerprint...))), keyID)
	fpE, fpR := fpr(ed), fpr(rsaKey)
	crit := func(name string) []*packet.Notation {
		return []*packet.Notation{{Name: name, Value: []byte("v"), IsCritical: true, IsHumanReadable: true}}
	}

	runChecks(t, []checkCase{
		{"no expiry", k, signWith(t, ed, data, signed, signOpts{}), data, fpE, Verified, ""},
		{"expired signature", k, signWith(t, ed, data, signed, signOpts{lifetime: 3600}), data, fpE, Invalid,
			"the signature expired on 2024-01-02T13:00:00Z (its own expiration time)"},
		{"expired signature, real clock", realClock, signWith(t, ed, data, signed, signOpts{lifetime: 3600}), data, fpE, Invalid,
			"the signature expired on 2024-01-02T13:00:00Z (its own expiration time)"},
		{"signature not yet expired", fresh, signWith(t, ed, data, signed, signOpts{lifetime: 3600}), data, fpE, Verified, ""},
		{"expired signature over other data", k, signWith(t, ed, data, signed, signOpts{lifetime: 3600}), []byte("x"), fpE, Invalid,
			"signature does not match the artifact: …"},
		{"signature from the future", early, signWith(t, ed, data, signed, signOpts{}), data, fpE, Invalid,
			"the signature was made in the future (2024-01-02T12:00:00Z; clock is 2024-01-02T11:00:00Z)"},
		{"critical unknown notation", k, signWith(t, ed, data, signed, signOpts{notations: crit("policy@attacker.example")}), data, fpE, Invalid,
			`the signature carries a critical notation "policy@attacker.example" that sigaudit does not know (RFC 9580 5.2.3.24: such a signature is invalid)`},
		{"non-critical notation", k, signWith(t, ed, data, signed, signOpts{notations: []*packet.Notation{{Name: "note@example.org", Value: []byte("v")}}}), data, fpE, Verified, ""},
		{"raw signature (builder check)", k, rawGood, data, fpR, Verified, ""},
		{"critical unknown subpacket, hashed", k, unknownHashed, data, fpR, Invalid,
			"the signature carries a critical subpacket of unknown type 101 (RFC 9580 5.2.3.7: such a signature is invalid)"},
		{"non-critical unknown subpacket, hashed", k, unknownHashedNC, data, fpR, Verified, ""},
		{"critical unknown subpacket, unhashed", k, unknownUnhashed, data, fpR, Invalid,
			"the signature carries a critical subpacket of type 101 in its unhashed area, which sigaudit does not process (RFC 9580 5.2.3.7)"},
		{"critical expiry in the unhashed area", k, unhashedExpiry, data, fpR, Invalid,
			"the signature carries a critical subpacket of type 3 in its unhashed area, which sigaudit does not process (RFC 9580 5.2.3.7)"},
		{"critical revocation key (not processed for documents)", k, revocationKey, data, fpR, Invalid,
			"the signature carries a critical subpacket of unknown type 12 (RFC 9580 5.2.3.7: such a signature is invalid)"},
		{"critical creation time (known)", k, criticalCreation, data, fpR, Verified, ""},
		{"critical issuer fingerprint (known)", k, criticalIssuer, data, fpR, Verified, ""},
		{"critical unknown subpacket, stranger's key", k, rawRSASig(t, newEntity(t, packet.PubKeyAlgoRSA, 0), data, cat(creation(signed, false), sub(101, true, nil)), keyID), data, fpR, Invalid,
			"the signature carries a critical subpacket of unknown type 101 (RFC 9580 5.2.3.7: such a signature is invalid)"},
	})
}

// Signatures that are not readable as one detached signature by an issuer.
func TestSignatureStructure(t *testing.T) {
	data := []byte("artifact\n")
	rsaKey := newEntity(t, packet.PubKeyAlgoRSA, 0)
	creation, fp, keyID := issuerSubs(rsaKey)
	signed := t0.Add(time.Hour)
	good := rawRSASig(t, rsaKey, data, cat(creation(signed, false), fp), keyID)
	noIssuer := rawRSASig(t, rsaKey, data, creation(signed, false), nil)
	other := newEntity(t, packet.PubKeyAlgoRSA, 0)
	second := rawRSASig(t, other, data, cat(creation(signed, false)), nil)

	unarmor := func(a []byte) []byte {
		b, err := armor.Decode(bytes.NewReader(a))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		out.ReadFrom(b.Body)
		return out.Bytes()
	}
	twoPackets := armorSig(t, func(w *bytes.Buffer) error {
		w.Write(unarmor(good))
		w.Write(unarmor(good))
		return nil
	})
	for _, c := range []struct {
		name, reason string
		sig          []byte
	}{
		{"no issuer", "the signature names no issuer key", noIssuer},
		{"two armored blocks", "data after the armor's END line (a second block or appended bytes)", append(append([]byte(nil), good...), second...)},
		{"trailing garbage after END", "data after the armor's END line (a second block or appended bytes)", append(append([]byte(nil), good...), "\nhello\n"...)},
		{"two signature packets", "data after the signature packet", twoPackets},
		{"binary with trailing byte", "data after the signature packet", append(unarmor(good), 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadSignature(bytes.NewReader(c.sig))
			if err == nil || err.Error() != c.reason {
				t.Fatalf("err = %v, want %q", err, c.reason)
			}
		})
	}
	// Whitespace after END is fine (files end with a newline or two).
	k := keyringOf(t, rsaKey)
	if v := verifyBytes(k, append(append([]byte(nil), good...), "\n\r\n \n"...), data, fpr(rsaKey)); v.Status != Verified {
		t.Errorf("trailing whitespace: %+v", v)
	}
}

// resignSelf changes the primary key's self-certification and signs it again.
func resignSelf(t *testing.T, e *openpgp.Entity, edit func(*packet.Signature)) {
	t.Helper()
	for _, id := range e.Identities {
		sc := id.SelfCertifications[0].Packet
		edit(sc)
		if err := sc.SignUserId(id.UserId.Id, e.PrimaryKey, e.PrivateKey, &packet.Config{Time: func() time.Time { return t0 }}); err != nil {
			t.Fatal(err)
		}
	}
}

// The key that made the signature: signing flag, subkeys, algorithms
// (signingKeyByIdUsage, checkKeyRequirements, checkMessageSignatureDetails).
func TestSigningKeyChecks(t *testing.T) {
	data := []byte("Python-3.99.0.tar.xz\n")
	signed := t0.Add(24 * time.Hour)
	cfgAt := func(lifetime uint32) *packet.Config {
		return &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: lifetime, Time: func() time.Time { return t0 }}
	}

	withSub := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	if err := withSub.AddSigningSubkey(cfgAt(0)); err != nil {
		t.Fatal(err)
	}
	signSub := withSub.Subkeys[len(withSub.Subkeys)-1].PrivateKey

	rsaEnc := newEntity(t, packet.PubKeyAlgoRSA, 0) // RSA encryption subkey: can sign as an algorithm, not by its flags
	encSub := rsaEnc.Subkeys[0].PrivateKey

	expSub := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	if err := expSub.AddSigningSubkey(cfgAt(3600)); err != nil {
		t.Fatal(err)
	}
	expSubKey := expSub.Subkeys[len(expSub.Subkeys)-1].PrivateKey

	revSub := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	if err := revSub.AddSigningSubkey(cfgAt(0)); err != nil {
		t.Fatal(err)
	}
	revSubKey := revSub.Subkeys[len(revSub.Subkeys)-1]
	if err := revSub.Subkeys[len(revSub.Subkeys)-1].Revoke(packet.KeyCompromised, "stolen", &packet.Config{Time: func() time.Time { return t0.Add(48 * time.Hour) }}); err != nil {
		t.Fatal(err)
	}

	certifyOnly := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	resignSelf(t, certifyOnly, func(s *packet.Signature) { s.FlagSign = false })
	noFlags := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	resignSelf(t, noFlags, func(s *packet.Signature) { s.FlagsValid = false; s.FlagSign = false; s.FlagCertify = false })
	expSelfSig := newEntity(t, packet.PubKeyAlgoEdDSA, 0) // the self-signature itself expires after an hour
	resignSelf(t, expSelfSig, func(s *packet.Signature) { l := uint32(3600); s.SigLifetimeSecs = &l })

	// A self-signature with a critical notation sigaudit does not know:
	// go-crypto drops it, so the key has no valid self-signature.
	critSelf := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	resignSelf(t, critSelf, func(s *packet.Signature) {
		s.Notations = []*packet.Notation{{Name: "x@example.org", Value: []byte("v"), IsCritical: true}}
	})

	rsa1024, err := openpgp.NewEntity("Weak RM", "", "weak@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 1024, Time: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	k1, err := openpgp.NewEntity("K1 RM", "", "k1@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoECDSA, Curve: packet.CurveSecP256k1, Time: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	dsaKey := newDSAEntity(t)

	k := keyringOf(t, withSub, rsaEnc, expSub, revSub, certifyOnly, noFlags, expSelfSig, critSelf, rsa1024, k1, dsaKey)
	runChecks(t, []checkCase{
		{"signing subkey", k, signWith(t, withSub, data, signed, signOpts{key: signSub}), data, fpr(withSub), Verified, ""},
		{"subkey without the signing flag", k, signWith(t, rsaEnc, data, signed, signOpts{key: encSub}), data, fpr(rsaEnc), Invalid,
			`the signing subkey is not flagged for signing (key flags without "sign")`},
		{"expired signing subkey", k, signWith(t, expSub, data, signed, signOpts{key: expSubKey}), data, fpr(expSub), Invalid,
			"the signing subkey had expired when the signature was made"},
		{"subkey signed before it expired", k, signWith(t, expSub, data, t0.Add(30*time.Minute), signOpts{key: expSubKey}), data, fpr(expSub), Verified, ""},
		{"revoked signing subkey (compromised)", k, signWith(t, revSub, data, signed, signOpts{key: revSubKey.PrivateKey}), data, fpr(revSub), Invalid,
			"the signing subkey is revoked"},
		{"primary key flagged certify only", k, signWith(t, certifyOnly, data, signed, signOpts{}), data, fpr(certifyOnly), Invalid,
			`the signing key is not flagged for signing (key flags without "sign")`},
		{"primary key without key flags", k, signWith(t, noFlags, data, signed, signOpts{}), data, fpr(noFlags), Invalid,
			"the signing key carries no key flags, so it may not sign"},
		{"self-signature expired before signing", k, signWith(t, expSelfSig, data, signed, signOpts{}), data, fpr(expSelfSig), Invalid,
			"the signing key's self-signature had expired when the signature was made"},
		{"self-signature valid when signing", k, signWith(t, expSelfSig, data, t0.Add(30*time.Minute), signOpts{}), data, fpr(expSelfSig), Verified, ""},
		{"self-signature with a critical notation", k, signWith(t, critSelf, data, signed, signOpts{}), data, fpr(critSelf), Invalid,
			"the signing key is not valid: no valid self signature found"},
		{"RSA 1024", k, signWith(t, rsa1024, data, signed, signOpts{}), data, fpr(rsa1024), Invalid,
			"the primary key is an RSA key of 1024 bits (at least 2047 required)"},
		{"secp256k1", k, signWith(t, k1, data, signed, signOpts{}), data, fpr(k1), Invalid,
			"the primary key uses a rejected elliptic curve (SecP256k1)"},
		{"DSA", k, signWith(t, dsaKey, data, signed, signOpts{}), data, fpr(dsaKey), Invalid,
			"the primary key uses a rejected public key algorithm (DSA)"},
	})
}

// newDSAEntity makes a DSA primary key with a signing self-certification,
// which go-crypto no longer generates but still reads.
func newDSAEntity(t *testing.T) *openpgp.Entity {
	t.Helper()
	var dk dsa.PrivateKey
	if err := dsa.GenerateParameters(&dk.Parameters, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	if err := dsa.GenerateKey(&dk, rand.Reader); err != nil {
		t.Fatal(err)
	}
	priv := packet.NewDSAPrivateKey(t0, &dk)
	e := &openpgp.Entity{PrimaryKey: &priv.PublicKey, PrivateKey: priv, Identities: map[string]*openpgp.Identity{}}
	uid := packet.NewUserId("DSA RM", "", "dsa@example.org")
	self := &packet.Signature{
		Version: 4, SigType: packet.SigTypePositiveCert, PubKeyAlgo: packet.PubKeyAlgoDSA, Hash: crypto.SHA256,
		CreationTime: t0, IssuerKeyId: &priv.KeyId, IssuerFingerprint: priv.Fingerprint,
		FlagsValid: true, FlagSign: true, FlagCertify: true,
	}
	if err := self.SignUserId(uid.Id, e.PrimaryKey, priv, &packet.Config{Time: func() time.Time { return t0 }}); err != nil {
		t.Fatal(err)
	}
	e.Identities[uid.Id] = &openpgp.Identity{Primary: e, Name: uid.Id, UserId: uid, SelfCertifications: []*packet.VerifiableSignature{packet.NewVerifiableSig(self)}}
	return e
}

// Every real python.org signature in the shared material passes every
// check that does not need the artifact (its packet, subpackets, own
// times, and its key at signing time), and 3.13.5's verifies over the
// real tarball.
func TestSharedRealSignatures(t *testing.T) {
	files, _ := filepath.Glob("../../shared/realdata/pgp/signatures/*.asc")
	if len(files) == 0 {
		t.Skip("no shared signatures")
	}
	k := defaultKeyring(t)
	want := map[string]string{"Python-3.11.2.tar.xz.asc": pablo, "Python-3.13.0.tar.xz.asc": thomas, "Python-3.13.5.tar.xz.asc": thomas}
	for _, p := range files {
		s := readSig(t, p)
		if s.reject != "" {
			t.Errorf("%s: %s", p, s.reject)
		}
		if r := sigTimeReject(s.packet, time.Now()); r != "" {
			t.Errorf("%s: %s", p, r)
		}
		e, pk := k.lookup(s)
		if e == nil {
			t.Errorf("%s: signer not in the keyring", p)
			continue
		}
		if r := k.keyValid(e, pk, s.packet); r != "" {
			t.Errorf("%s: %s", p, r)
		}
		if fp, ok := want[filepath.Base(p)]; ok && fingerprint(e.PrimaryKey.Fingerprint) != fp {
			t.Errorf("%s: signed by %s, want %s", p, fingerprint(e.PrimaryKey.Fingerprint), fp)
		}
	}
	f, err := os.Open(realTarball)
	if err != nil {
		t.Skipf("real artifact not available: %v", err)
	}
	defer f.Close()
	if v := k.Verify(readSig(t, "../../shared/realdata/pgp/signatures/Python-3.13.5.tar.xz.asc"), f, []string{thomas}); v.Status != Verified {
		t.Errorf("shared 3.13.5 .asc: %+v", v)
	}
}
