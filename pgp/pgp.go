// Package pgp verifies CPython's detached OpenPGP signatures (.asc) with
// github.com/ProtonMail/go-crypto's openpgp/v2, which judges key expiry at the
// signature's creation time. It returns verdicts and never prints.
package pgp

import (
	"bytes"
	"crypto"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperr "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"
)

// Status is the outcome of a verification.
type Status string

const (
	Verified      Status = "verified"       // good signature by an expected key
	Invalid       Status = "invalid"        // bad signature, expired or revoked key, signature over other data
	UnknownSigner Status = "unknown-signer" // key not in the keyring
	WrongSigner   Status = "wrong-signer"   // good signature by a key that is not expected
	Malformed     Status = "malformed"      // not a readable detached signature
	WeakHash      Status = "weak-hash"      // signature over SHA-1 or weaker: never accepted
)

// MaxSignatureSize bounds what is read of a signature file. Real CPython
// .asc files are under 1 KiB.
const MaxSignatureSize = 64 << 10

// Verdict is the result of checking one signature.
type Verdict struct {
	Status Status
	// Fingerprint is the signer's primary key fingerprint (upper-case hex)
	// when the key is known, else the issuer fingerprint the signature
	// carries (may be empty on old signatures).
	Fingerprint string
	// SigningKey is the fingerprint of the (sub)key that made the signature,
	// when known.
	SigningKey string
	KeyID      string // 16 hex digits
	UserID     string // the key's primary user ID, when known
	Created    time.Time
	Hash       string // e.g. "SHA-512"
	Reason     string
}

// Signature is a parsed, not yet verified, detached signature.
type Signature struct {
	body   []byte // binary OpenPGP packets
	packet *packet.Signature
	// reject, when not empty, is why the signature can never be accepted
	// whatever key made it (an unknown critical subpacket or notation).
	reject string
}

// ReadSignature reads an armored or binary detached signature, at most
// MaxSignatureSize bytes, without verifying it.
func ReadSignature(r io.Reader) (*Signature, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSignatureSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading signature: %w", err)
	}
	if len(b) > MaxSignatureSize {
		return nil, fmt.Errorf("signature file larger than %d bytes", MaxSignatureSize)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("empty signature file")
	}
	body, err := dearmor(b)
	if err != nil {
		return nil, err
	}
	subs, err := scanSubpackets(body)
	if err != nil {
		return nil, err
	}
	reject := criticalReject(subs)
	if reject != "" {
		// go-crypto skips a signature packet with an unknown critical
		// subpacket as unsupported; parse a copy without the critical bits
		// only to name the signer, and refuse the signature.
		body = bytes.Clone(body)
		for _, sp := range subs {
			if sp.critical {
				body[sp.off] &^= 0x80
			}
		}
	}
	sig, err := onlySignature(body)
	if err != nil {
		return nil, err
	}
	if sig.SigType != packet.SigTypeBinary {
		return nil, fmt.Errorf("signature type 0x%02x, want a binary document signature (0x00)", uint8(sig.SigType))
	}
	if sig.IssuerKeyId == nil {
		// go-crypto's verification refuses it too ("signature doesn't have an issuer").
		return nil, errors.New("the signature names no issuer key")
	}
	if reject == "" {
		for _, n := range sig.Notations {
			if n.IsCritical {
				// sigaudit knows no notation: go-crypto's default Config.KnownNotations is empty.
				reject = fmt.Sprintf("the signature carries a critical notation %q that sigaudit does not know (RFC 9580 5.2.3.24: such a signature is invalid)", n.Name)
				break
			}
		}
	}
	return &Signature{body: body, packet: sig, reject: reject}, nil
}

// dearmor returns the binary packets of b: b itself, or the body of the
// one armored signature it holds (armor type, CRC24 and what follows the
// END line checked).
func dearmor(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("-----BEGIN ")) {
		return b, nil
	}
	block, err := armor.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("bad armor: %v", err)
	}
	if block.Type != openpgp.SignatureType {
		return nil, fmt.Errorf("armor type %q, want %q", block.Type, openpgp.SignatureType)
	}
	// Reading the body to its end checks the CRC24 checksum.
	body, err := io.ReadAll(io.LimitReader(block.Body, MaxSignatureSize+1))
	if err != nil {
		return nil, fmt.Errorf("bad armor: %v", err)
	}
	if err := checkArmorCRC(b, body); err != nil {
		return nil, err
	}
	if err := checkAfterArmor(b); err != nil {
		return nil, err
	}
	return body, nil
}

// onlySignature parses body with go-crypto: exactly one signature packet
// and nothing else.
func onlySignature(body []byte) (*packet.Signature, error) {
	var sig *packet.Signature
	pr := packet.NewReader(bytes.NewReader(body))
	for {
		p, err := pr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bad signature packet: %v", err)
		}
		s, ok := p.(*packet.Signature)
		if !ok {
			return nil, fmt.Errorf("unexpected %T packet in a detached signature", p)
		}
		if sig != nil {
			return nil, errors.New("more than one signature packet")
		}
		sig = s
	}
	if sig == nil {
		return nil, errors.New("no signature packet")
	}
	return sig, nil
}

// checkAfterArmor refuses anything but whitespace after the armor's END
// line: a second armored block (another signature) or appended data would
// be read by some tools and ignored by others.
func checkAfterArmor(armored []byte) error {
	i := bytes.Index(armored, []byte("\n-----END "))
	if i < 0 {
		return nil // armor.Decode has already failed on a missing END line
	}
	rest := armored[i+1:]
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[j+1:]
	} else {
		rest = nil
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return errors.New("data after the armor's END line (a second block or appended bytes)")
	}
	return nil
}

// checkArmorCRC checks the optional CRC24 line of an armored block (RFC 4880
// section 6.1), which go-crypto's reader skips: a mismatch means the file
// was corrupted or edited, and sigaudit fails closed on it.
func checkArmorCRC(armored, body []byte) error {
	for _, line := range bytes.Split(armored, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if bytes.HasPrefix(line, []byte("-----END ")) {
			return nil // no checksum line: allowed by RFC 9580
		}
		if len(line) != 5 || line[0] != '=' {
			continue
		}
		want, err := base64.StdEncoding.DecodeString(string(line[1:]))
		if err != nil || len(want) != 3 {
			return fmt.Errorf("bad armor checksum line %q", line)
		}
		got := crc24(body)
		if uint32(want[0])<<16|uint32(want[1])<<8|uint32(want[2]) != got {
			return errors.New("armor checksum (CRC24) does not match the signature data: the file is corrupted or was edited")
		}
		return nil
	}
	return nil
}

func crc24(d []byte) uint32 {
	crc := uint32(0xb704ce)
	for _, b := range d {
		crc ^= uint32(b) << 16
		for i := 0; i < 8; i++ {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= 0x1864cfb
			}
		}
	}
	return crc & 0xffffff
}

// Hash is the hash function the signature needs over the artifact.
func (s *Signature) Hash() crypto.Hash { return s.packet.Hash }

// Created is the signature's creation time.
func (s *Signature) Created() time.Time { return s.packet.CreationTime }

// KeyID is the issuer key ID as 16 upper-case hex digits, or "".
func (s *Signature) KeyID() string {
	if s.packet.IssuerKeyId == nil {
		return ""
	}
	return fmt.Sprintf("%016X", *s.packet.IssuerKeyId)
}

// IssuerFingerprint is the issuer fingerprint subpacket, or "".
func (s *Signature) IssuerFingerprint() string {
	return strings.ToUpper(hex.EncodeToString(s.packet.IssuerFingerprint))
}

// weak reports whether h is too weak to accept a signature over.
func weak(h crypto.Hash) bool {
	switch h {
	case crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.SHA3_256, crypto.SHA3_512:
		return false
	}
	return true
}

// hashName names a hash, including ones Go's crypto does not register.
func hashName(h crypto.Hash) string {
	if h == 0 {
		return "unknown"
	}
	if h.Available() || h == crypto.MD5 || h == crypto.SHA1 || h == crypto.RIPEMD160 {
		return h.String()
	}
	return fmt.Sprintf("hash(%d)", int(h))
}

// Keyring holds the public keys sigaudit trusts to name signers.
type Keyring struct {
	entities openpgp.EntityList

	// validity memoizes keyValidAt, which checks self-signatures: it does
	// not depend on the artifact, so Warm can run it while the artifact
	// is hashed. mu also serializes every call of go-crypto's entity
	// methods, which cache into the entity as they read it (a data race
	// when audit --jobs verified artifacts concurrently).
	mu       sync.Mutex
	validity map[validityKey]string

	// now is the clock for the signature's own expiry and creation time
	// (time.Now when nil; tests set it).
	now func() time.Time
}

func (k *Keyring) clock() time.Time {
	if k.now != nil {
		return k.now()
	}
	return time.Now()
}

type validityKey struct {
	e   *openpgp.Entity
	pk  *packet.PublicKey
	sig *packet.Signature
}

// keyValid is keyValidAt, computed once per key and signature.
func (k *Keyring) keyValid(e *openpgp.Entity, pk *packet.PublicKey, sig *packet.Signature) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	key := validityKey{e, pk, sig}
	if r, ok := k.validity[key]; ok {
		return r
	}
	r := keyValidAt(e, pk, sig)
	if k.validity == nil {
		k.validity = map[validityKey]string{}
	}
	k.validity[key] = r
	return r
}

// Warm does the part of s's verdict that does not need the artifact:
// finding the key and checking that it could sign when s was made. A
// caller runs it while the artifact is hashed; Verdict then only checks
// the signature over the hash. It is safe for concurrent use.
func (k *Keyring) Warm(s *Signature) {
	if e, pk := k.lookup(s); e != nil {
		k.keyValid(e, pk, s.packet)
	}
}

//go:embed keys/*.asc
var embeddedKeys embed.FS

// DefaultKeyring returns the release managers' and installer signers'
// public keys embedded in sigaudit.
func DefaultKeyring() (*Keyring, error) {
	k := &Keyring{}
	names, err := embeddedKeys.ReadDir("keys")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		f, err := embeddedKeys.Open("keys/" + n.Name())
		if err != nil {
			return nil, err
		}
		err = k.AddArmored(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("embedded key %s: %w", n.Name(), err)
		}
	}
	return k, nil
}

// MaxKeyringSize bounds a keyring file given with --keyring.
const MaxKeyringSize = 16 << 20

// AddArmored adds the keys of an armored (or binary) public keyring.
func (k *Keyring) AddArmored(r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, MaxKeyringSize+1))
	if err != nil {
		return err
	}
	if len(b) > MaxKeyringSize {
		return fmt.Errorf("keyring larger than %d bytes", MaxKeyringSize)
	}
	var el openpgp.EntityList
	if bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("-----BEGIN ")) {
		el, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(b))
	} else {
		el, err = openpgp.ReadKeyRing(bytes.NewReader(b))
	}
	if err != nil {
		return fmt.Errorf("reading keyring: %w", err)
	}
	if len(el) == 0 {
		return errors.New("keyring holds no keys")
	}
	for _, e := range el {
		if e.PrivateKey != nil {
			return errors.New("keyring holds a private key; pass public keys only")
		}
	}
	k.entities = append(k.entities, el...)
	return nil
}

// Fingerprints lists the primary key fingerprints in the keyring, sorted.
func (k *Keyring) Fingerprints() []string {
	var out []string
	for _, e := range k.entities {
		out = append(out, fingerprint(e.PrimaryKey.Fingerprint))
	}
	sort.Strings(out)
	return out
}

func fingerprint(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// lookup finds the entity and (sub)key a signature names.
func (k *Keyring) lookup(s *Signature) (*openpgp.Entity, *packet.PublicKey) {
	var ids []uint64
	if s.packet.IssuerKeyId != nil {
		ids = append(ids, *s.packet.IssuerKeyId)
	}
	if fp := s.packet.IssuerFingerprint; len(fp) >= 8 {
		id := uint64(0)
		for _, b := range fp[len(fp)-8:] {
			id = id<<8 | uint64(b)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		for _, key := range k.entities.KeysById(id) {
			pk := key.PublicKey
			if len(s.packet.IssuerFingerprint) > 0 && !bytes.Equal(pk.Fingerprint, s.packet.IssuerFingerprint) {
				continue
			}
			return key.Entity, pk
		}
	}
	return nil, nil
}

// Identify names the key that made s without checking the signature:
// primary fingerprint and user ID if the key is in the keyring.
func (k *Keyring) Identify(s *Signature) Verdict {
	v := Verdict{
		Fingerprint: s.IssuerFingerprint(), KeyID: s.KeyID(),
		Created: s.packet.CreationTime.UTC(), Hash: hashName(s.packet.Hash),
	}
	if e, pk := k.lookup(s); e != nil {
		v.Fingerprint = fingerprint(e.PrimaryKey.Fingerprint)
		v.SigningKey = fingerprint(pk.Fingerprint)
		v.KeyID = fmt.Sprintf("%016X", pk.KeyId)
		k.mu.Lock() // go-crypto caches into the entity as it reads it
		forgetDatedValidity(e)
		v.UserID = primaryUserID(e, s.packet.CreationTime)
		k.mu.Unlock()
	}
	return v
}

func primaryUserID(e *openpgp.Entity, at time.Time) string {
	if _, id := e.PrimaryIdentity(at, nil); id != nil {
		return id.Name
	}
	var names []string
	for n := range e.Identities {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > 0 {
		return names[0]
	}
	return ""
}

// Check verifies one signature over data written to it. It is an
// io.Writer so that a caller can hash an artifact once for every method
// (see Hash); Verdict finishes the check.
type Check struct {
	sig     *Signature
	h       hash.Hash
	hashErr error
	n       int64
}

// NewCheck starts checking s. The keyring is needed only by Verdict, so a
// caller can hash while it loads.
func NewCheck(s *Signature) *Check {
	c := &Check{sig: s}
	c.h, c.hashErr = s.packet.PrepareVerify()
	if c.hashErr == nil && s.packet.SigType == packet.SigTypeText {
		c.hashErr = errors.New("text signatures are not supported")
	}
	return c
}

// PlainHash returns the hash algorithm of s when the hash it signs starts
// from the artifact's bytes alone (a binary signature of version 4 or 5: no
// salt), so that a hash of the artifact computed elsewhere can finish the
// check (NewCheckFrom). ok is false otherwise.
func (s *Signature) PlainHash() (alg crypto.Hash, ok bool) {
	p := s.packet
	if p.Version == 6 || p.SigType != packet.SigTypeBinary || !p.Hash.Available() {
		return 0, false
	}
	return p.Hash, true
}

// NewCheckFrom starts checking s from h, a hash with algorithm alg that has
// already consumed the whole artifact and nothing else. It returns false,
// and no check, unless alg is s's PlainHash and h is of that size.
func NewCheckFrom(s *Signature, alg crypto.Hash, h hash.Hash) (*Check, bool) {
	want, ok := s.PlainHash()
	if !ok || alg != want || h == nil || h.Size() != alg.Size() {
		return nil, false
	}
	return &Check{sig: s, h: h}, true
}

// Write feeds artifact bytes to the check.
func (c *Check) Write(p []byte) (int, error) {
	if c.h != nil {
		c.h.Write(p)
	}
	c.n += int64(len(p))
	return len(p), nil
}

// Verify checks s over the artifact read from r to its end.
func (k *Keyring) Verify(s *Signature, r io.Reader, expected []string) Verdict {
	c := NewCheck(s)
	if _, err := io.Copy(c, r); err != nil {
		v := k.Identify(s)
		v.Status = Invalid
		v.Reason = "reading artifact: " + err.Error()
		return v
	}
	return c.Verdict(k, expected)
}

// Verdict finishes the check against keyring k. expected lists the primary
// key fingerprints the timeline expects; a good signature by any other key
// is WrongSigner, and an empty list accepts no signer. Any error on the way
// is not Verified.
func (c *Check) Verdict(k *Keyring, expected []string) Verdict {
	s := c.sig
	v := k.Identify(s)
	e, pk := k.lookup(s)
	if e == nil {
		v.Status = UnknownSigner
		who := v.Fingerprint
		if who == "" {
			who = "key ID " + v.KeyID
		}
		v.Reason = fmt.Sprintf("signed by %s, which is not in the keyring (add it with --keyring)", who)
		return v
	}
	if s.reject != "" {
		v.Status = Invalid
		v.Reason = s.reject
		return v
	}
	isWeak := weak(s.packet.Hash)
	if c.hashErr != nil {
		v.Status = Invalid
		if isWeak {
			v.Status = WeakHash
		}
		v.Reason = fmt.Sprintf("cannot verify a %s signature: %v", v.Hash, c.hashErr)
		return v
	}
	if err := pk.VerifySignature(c.h, s.packet); err != nil {
		v.Status = Invalid
		v.Reason = "signature does not match the artifact: " + err.Error()
		if isWeak {
			v.Reason = fmt.Sprintf("signature (%s, weak) does not match the artifact: %v", v.Hash, err)
		}
		return v
	}
	if reason := k.keyValid(e, pk, s.packet); reason != "" {
		v.Status = Invalid
		v.Reason = reason
		return v
	}
	if reason := sigTimeReject(s.packet, k.clock()); reason != "" {
		v.Status = Invalid
		v.Reason = reason
		return v
	}
	if isWeak {
		v.Status = WeakHash
		v.Reason = fmt.Sprintf("signature uses %s, which is too weak to trust", v.Hash)
		return v
	}
	for _, fp := range expected {
		if strings.EqualFold(fp, v.Fingerprint) {
			v.Status = Verified
			return v
		}
	}
	v.Status = WrongSigner
	if len(expected) == 0 {
		v.Reason = fmt.Sprintf("good signature by %s, but no PGP signer is expected for this artifact", v.Fingerprint)
	} else {
		v.Reason = fmt.Sprintf("good signature by %s, but the timeline expects %s", v.Fingerprint, strings.Join(expected, " or "))
	}
	return v
}

// sigTimeReject applies go-crypto's checkSignatureDetails to the message
// signature at now: a signature made in the future, or whose own expiration
// time (signature expiration subpacket) has passed, is refused, as gpg does.
func sigTimeReject(sig *packet.Signature, now time.Time) string {
	if sig.CreationTime.Unix() > now.Unix() {
		return fmt.Sprintf("the signature was made in the future (%s; clock is %s)", sig.CreationTime.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if sig.SigLifetimeSecs != nil && *sig.SigLifetimeSecs != 0 {
		exp := sig.CreationTime.Add(time.Duration(*sig.SigLifetimeSecs) * time.Second)
		if now.Unix() > exp.Unix() {
			return fmt.Sprintf("the signature expired on %s (its own expiration time)", exp.UTC().Format(time.RFC3339))
		}
	}
	return ""
}

// keyConfig is go-crypto's default verification policy, stated: hashes
// refused in any signature (MD5, RIPEMD-160), public key algorithms
// refused (DSA, ElGamal), RSA under 2047 bits, the secp256k1 curve; no
// notation is known; keys without key flags cannot sign.
var keyConfig = &packet.Config{
	RejectHashAlgorithms:      map[crypto.Hash]bool{crypto.MD5: true, crypto.RIPEMD160: true},
	RejectPublicKeyAlgorithms: map[packet.PublicKeyAlgorithm]bool{packet.PubKeyAlgoElGamal: true, packet.PubKeyAlgoDSA: true},
	RejectCurves:              map[packet.Curve]bool{packet.CurveSecP256k1: true},
	MinRSABits:                2047,
}

// keyRequirements is go-crypto's checkKeyRequirements (v2/keys.go) with a
// reason: the algorithm, RSA size and curve of a key used for a signature.
func keyRequirements(pk *packet.PublicKey) string {
	algo := pk.PubKeyAlgo
	if keyConfig.RejectPublicKeyAlgorithm(algo) {
		return fmt.Sprintf("uses a rejected public key algorithm (%s)", algoName(algo))
	}
	switch algo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly:
		bits, err := pk.BitLength()
		if err != nil || bits < keyConfig.MinimumRSABits() {
			return fmt.Sprintf("is an RSA key of %d bits (at least %d required)", bits, keyConfig.MinimumRSABits())
		}
	case packet.PubKeyAlgoECDH, packet.PubKeyAlgoEdDSA, packet.PubKeyAlgoECDSA:
		curve, err := pk.Curve()
		if err != nil || keyConfig.RejectCurve(curve) {
			return fmt.Sprintf("uses a rejected elliptic curve (%s)", curve)
		}
		if pk.Version == 6 && (curve == packet.Curve25519 || curve == packet.Curve448) {
			return "is a version 6 key on a legacy curve OID"
		}
	}
	if !algo.CanSign() {
		return fmt.Sprintf("uses an algorithm that cannot sign (%s)", algoName(algo))
	}
	return ""
}

func algoName(a packet.PublicKeyAlgorithm) string {
	switch a {
	case packet.PubKeyAlgoDSA:
		return "DSA"
	case packet.PubKeyAlgoElGamal:
		return "ElGamal"
	case packet.PubKeyAlgoRSA:
		return "RSA"
	case packet.PubKeyAlgoECDH:
		return "ECDH"
	case packet.PubKeyAlgoX25519:
		return "X25519"
	case packet.PubKeyAlgoX448:
		return "X448"
	}
	return fmt.Sprintf("algorithm %d", int(a))
}

// bindingReject applies go-crypto's checkSignatureDetails to the
// self-signatures that make key a signing key (the primary self-signature,
// the subkey binding and its embedded back-signature), as
// checkMessageSignatureDetails does: no rejected hash, no unknown critical
// notation, and, when atT, not expired at t.
func bindingReject(key openpgp.Key, t time.Time, atT bool) string {
	sigs := []*packet.Signature{key.PrimarySelfSignature}
	if !key.IsPrimary() && key.SelfSignature != nil {
		sigs = append(sigs, key.SelfSignature, key.SelfSignature.EmbeddedSignature)
	}
	for _, s := range sigs {
		if s == nil {
			continue
		}
		if keyConfig.RejectHashAlgorithm(s.Hash) {
			return fmt.Sprintf("a self-signature of the signing key uses a rejected hash (%s)", hashName(s.Hash))
		}
		for _, n := range s.Notations {
			if n.IsCritical && !keyConfig.KnownNotation(n.Name) {
				return fmt.Sprintf("a self-signature of the signing key carries an unknown critical notation %q", n.Name)
			}
		}
		if atT && s.SigExpired(t) {
			return "a self-signature of the signing key had expired when the signature was made"
		}
	}
	return ""
}

// keyValidAt checks that the key that made sig could sign when sig was
// made: not expired then, not revoked (a compromised key never), created
// before, flagged for signing, of an accepted algorithm and size, with
// acceptable self-signatures. It returns "" when valid, else the reason.
// These are the key checks of go-crypto's VerifyDetachedSignature
// (signingKeyByIdUsage with the signing flag, checkKeyRequirements,
// checkMessageSignatureDetails), each with its own reason.
//
// Keys whose expiry was extended carry only new self-signatures, made after
// older release signatures; like GnuPG, validity is then judged from the
// newest self-signature (its expiry is relative to the key's creation). The
// real 3.13.5 signature needs this: Thomas Wouters' key carries only
// self-signatures newer than it.
func keyValidAt(e *openpgp.Entity, pk *packet.PublicKey, sig *packet.Signature) string {
	t := sig.CreationTime
	cfg := keyConfig
	forgetDatedValidity(e)
	if sig.CreationTime.Unix() < pk.CreationTime.Unix() {
		return "the signature is older than the key that made it"
	}
	if e.Revoked(t) {
		return "the signing key is revoked"
	}
	for i := range e.Subkeys {
		if e.Subkeys[i].PublicKey.KeyId == pk.KeyId && e.Subkeys[i].Revoked(nil, t) {
			return "the signing subkey is revoked"
		}
	}
	if r := keyRequirements(e.PrimaryKey); r != "" {
		return "the primary key " + r
	}
	if pk != e.PrimaryKey {
		if r := keyRequirements(pk); r != "" {
			return "the signing subkey " + r
		}
	}
	if key, ok := e.SigningKeyById(t, pk.KeyId, cfg); ok {
		return bindingReject(key, t, true)
	}
	// No self-signature valid at t. Either the key had expired (or was not
	// yet a signing key), or every self-signature is newer than sig.
	latest := newestSelfSignature(e)
	if latest.After(t) {
		key, ok := e.SigningKeyById(latest, pk.KeyId, cfg)
		if !ok {
			if r := notSigningReason(e, pk, latest); r != "" {
				return r
			}
			return "the signing key is not valid for signing (expired, revoked or without the signing flag)"
		}
		if e.PrimaryKey.KeyExpired(key.PrimarySelfSignature, t) || (key.SelfSignature != nil && key.PublicKey.KeyExpired(key.SelfSignature, t)) {
			return "the signing key had expired when the signature was made"
		}
		return bindingReject(key, t, false)
	}
	if _, err := e.VerifyPrimaryKey(t, cfg); err != nil {
		if errors.Is(err, pgperr.ErrKeyExpired) {
			return "the signing key had expired when the signature was made"
		}
		if selfSigExpiredAt(e, t) {
			return "the signing key's self-signature had expired when the signature was made"
		}
		return "the signing key is not valid: " + err.Error()
	}
	if r := notSigningReason(e, pk, t); r != "" {
		return r
	}
	return "the signing key was expired or not flagged for signing when the signature was made"
}

// forgetDatedValidity clears go-crypto's cached verdict on every
// self-signature, binding and revocation that has its own expiration time:
// go-crypto caches checkSignatureDetails(sig, date), which depends on the
// date through that expiry, so a self-signature judged expired for a late
// release signature would stay invalid for an earlier one. Callers hold
// Keyring.mu.
func forgetDatedValidity(e *openpgp.Entity) {
	forget := func(vs []*packet.VerifiableSignature) {
		for _, v := range vs {
			if v != nil && v.Packet != nil && v.Packet.SigLifetimeSecs != nil && *v.Packet.SigLifetimeSecs != 0 {
				v.Valid = nil
			}
		}
	}
	forget(e.Revocations)
	forget(e.DirectSignatures)
	for _, id := range e.Identities {
		forget(id.SelfCertifications)
		forget(id.Revocations)
	}
	for i := range e.Subkeys {
		forget(e.Subkeys[i].Bindings)
		forget(e.Subkeys[i].Revocations)
	}
}

// selfSigExpiredAt reports whether a user ID self-certification made
// before t had expired (its own expiration time) at t.
func selfSigExpiredAt(e *openpgp.Entity, t time.Time) bool {
	for _, id := range e.Identities {
		for _, v := range id.SelfCertifications {
			p := v.Packet
			if p != nil && p.CreationTime.Unix() <= t.Unix() && p.SigLifetimeSecs != nil && *p.SigLifetimeSecs != 0 && p.SigExpired(t) {
				return true
			}
		}
	}
	return false
}

// notSigningReason says why pk is not a signing key of e at t when its
// self-signature (or binding) says so, or "".
func notSigningReason(e *openpgp.Entity, pk *packet.PublicKey, t time.Time) string {
	var self *packet.Signature
	what := "signing key"
	if pk == e.PrimaryKey {
		s, err := e.PrimarySelfSignature(t, keyConfig)
		if err != nil {
			return ""
		}
		self = s
	} else {
		what = "signing subkey"
		for i := range e.Subkeys {
			sk := &e.Subkeys[i]
			if sk.PublicKey.KeyId != pk.KeyId {
				continue
			}
			s, err := sk.LatestValidBindingSignature(t, keyConfig)
			if err != nil {
				return "the signing subkey has no valid binding signature at the signature's time"
			}
			if sk.Expired(s, t) {
				return "the signing subkey had expired when the signature was made"
			}
			self = s
		}
	}
	if self == nil {
		return ""
	}
	if !self.FlagsValid {
		return fmt.Sprintf("the %s carries no key flags, so it may not sign", what)
	}
	if !self.FlagSign {
		return fmt.Sprintf("the %s is not flagged for signing (key flags without \"sign\")", what)
	}
	return ""
}

func newestSelfSignature(e *openpgp.Entity) time.Time {
	var t time.Time
	see := func(s *packet.Signature) {
		if s != nil && s.CreationTime.After(t) {
			t = s.CreationTime
		}
	}
	for _, id := range e.Identities {
		for _, s := range id.SelfCertifications {
			see(s.Packet)
		}
	}
	for _, s := range e.DirectSignatures {
		see(s.Packet)
	}
	for _, sk := range e.Subkeys {
		for _, s := range sk.Bindings {
			see(s.Packet)
		}
	}
	return t
}

// MalformedVerdict returns the verdict for a signature file that could not be read.
func MalformedVerdict(err error) Verdict {
	return Verdict{Status: Malformed, Reason: err.Error()}
}
