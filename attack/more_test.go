package attack

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"

	"github.com/sigaudit/sigaudit/internal/testing/fakesigstore"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

// A second attack matrix (issue 16): attacks a hostile mirror or a careless
// packager would try beyond the first matrix, each with its exact findings
// and exit code. Cases that need a fix not yet on main live in
// pending_test.go.txt until it lands.

type moreCase struct {
	name         string
	setup        func(t *testing.T, dir string, k *keys) []string
	code         int      // exact exit code
	want         []string // exact "severity:code" findings (JSON output), when code is 0 or 3
	errText      string   // text stderr must contain, when code is 1 or 2
	needsTarball bool
}

// --- PGP packet surgery ---

func unarmor(t *testing.T, asc []byte) []byte {
	t.Helper()
	b, err := armor.Decode(bytes.NewReader(asc))
	must(t, err)
	var out bytes.Buffer
	_, err = out.ReadFrom(b.Body)
	must(t, err)
	return out.Bytes()
}

func rearmor(t *testing.T, bin []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.SignatureType, nil)
	must(t, err)
	w.Write(bin)
	must(t, w.Close())
	return buf.Bytes()
}

// packetBody splits one OpenPGP packet (old or new format, definite length).
func packetBody(t *testing.T, b []byte) []byte {
	t.Helper()
	if b[0]&0x40 != 0 {
		switch l := int(b[1]); {
		case l < 192:
			return b[2 : 2+l]
		case l < 224:
			return b[3 : 3+((l-192)<<8+int(b[2])+192)]
		default:
			t.Fatal("unsupported length")
		}
	}
	switch b[0] & 3 {
	case 0:
		return b[2 : 2+int(b[1])]
	case 1:
		return b[3 : 3+(int(b[1])<<8|int(b[2]))]
	}
	t.Fatal("unsupported old length")
	return nil
}

// newPacket frames a signature packet body in the new format.
func newPacket(body []byte) []byte {
	out := []byte{0xc2}
	if l := len(body); l < 192 {
		out = append(out, byte(l))
	} else {
		l -= 192
		out = append(out, byte(l>>8)+192, byte(l))
	}
	return append(out, body...)
}

func subpkt(typ byte, critical bool, content []byte) []byte {
	if critical {
		typ |= 0x80
	}
	return append([]byte{byte(len(content) + 1), typ}, content...)
}

// addUnhashed appends a subpacket to the unhashed area of a v4 signature:
// anyone can, without breaking the signature.
func addUnhashed(t *testing.T, asc []byte, sp []byte) []byte {
	t.Helper()
	body := bytes.Clone(packetBody(t, unarmor(t, asc)))
	if body[0] != 4 {
		t.Fatalf("signature version %d", body[0])
	}
	hl := int(body[4])<<8 | int(body[5])
	u := 6 + hl
	ul := int(body[u])<<8 | int(body[u+1])
	out := append([]byte(nil), body[:u]...)
	out = binary.BigEndian.AppendUint16(out, uint16(ul+len(sp)))
	out = append(out, body[u+2:u+2+ul]...)
	out = append(out, sp...)
	out = append(out, body[u+2+ul:]...)
	return rearmor(t, newPacket(out))
}

// signed makes a detached signature with full control over its fields.
func signed(t *testing.T, priv *packet.PrivateKey, data []byte, edit func(*packet.Signature)) []byte {
	t.Helper()
	sig := &packet.Signature{SigType: packet.SigTypeBinary, PubKeyAlgo: priv.PubKeyAlgo, Hash: crypto.SHA512,
		CreationTime: t0.Add(24 * time.Hour), IssuerKeyId: &priv.KeyId}
	if edit != nil {
		edit(sig)
	}
	h := sig.Hash.New()
	if sig.SigType == packet.SigTypeText {
		h.Write(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
	} else {
		h.Write(data)
	}
	noSalt := false
	must(t, sig.Sign(h, priv, &packet.Config{NonDeterministicSignaturesViaNotation: &noSalt}))
	var buf bytes.Buffer
	must(t, sig.Serialize(&buf))
	return rearmor(t, buf.Bytes())
}

// rsaRaw builds a v4 RSA/SHA-256 signature with exactly the hashed and
// unhashed subpackets given (go-crypto writes no unknown subpackets).
func rsaRaw(t *testing.T, e *openpgp.Entity, data, hashed, unhashed []byte) []byte {
	t.Helper()
	pre := append([]byte{4, 0, 1, 8, byte(len(hashed) >> 8), byte(len(hashed))}, hashed...)
	h := sha256.New()
	h.Write(data)
	h.Write(pre)
	h.Write([]byte{4, 0xff})
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(pre))))
	d := h.Sum(nil)
	s, err := rsa.SignPKCS1v15(rand.Reader, e.PrivateKey.PrivateKey.(*rsa.PrivateKey), crypto.SHA256, d)
	must(t, err)
	body := append(pre, byte(len(unhashed)>>8), byte(len(unhashed)))
	body = append(append(body, unhashed...), d[:2]...)
	n := new(big.Int).SetBytes(s)
	body = binary.BigEndian.AppendUint16(body, uint16(n.BitLen()))
	body = append(body, n.Bytes()...)
	return rearmor(t, newPacket(body))
}

// rsaLine writes a keyring and policy for line 3.94, managed by the owner
// of a generated RSA key (which may have subkeys), and an artifact of
// 3.94.0 with the given .asc; it returns verify's arguments.
func rsaLine(t *testing.T, dir string, e *openpgp.Entity, asc func(data []byte) []byte) []string {
	var buf bytes.Buffer
	w, _ := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	must(t, e.Serialize(w))
	w.Close()
	kr := filepath.Join(dir, "rsa-keys.asc")
	write(t, kr, buf.Bytes())
	pol := filepath.Join(dir, "rsa-policy.yaml")
	write(t, pol, []byte(fmt.Sprintf(`managers: [{id: c, name: Manager C, pgp: [%s]}]
lines:
  - {line: "3.94", manager: c, identity: c@example.org, issuer: https://accounts.google.com, first_stable: "2020-01-01", end_of_life: "2099-01"}
`, fpr(e))))
	p := filepath.Join(dir, "3.94.0", "Python-3.94.0.tar.xz")
	data := []byte("artifact 3.94.0")
	write(t, p, data)
	write(t, p+".asc", asc(data))
	return []string{"verify", "--format", "json", "--policy", pol, "--keyring", kr, p}
}

func rsaEntity(t *testing.T) *openpgp.Entity {
	e, err := openpgp.NewEntity("RSA RM", "", "c@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048, Time: func() time.Time { return t0 }})
	must(t, err)
	return e
}

func u32b(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func rsaIssuer(e *openpgp.Entity) (hashed, unhashed []byte) {
	return append(subpkt(2, false, u32b(uint32(t0.Add(24*time.Hour).Unix()))), subpkt(33, false, append([]byte{4}, e.PrimaryKey.Fingerprint...))...),
		subpkt(16, false, binary.BigEndian.AppendUint64(nil, e.PrimaryKey.KeyId))
}

// editBundle applies edit to the decoded JSON of a real bundle.
func editBundle(t *testing.T, rel string, edit func(m map[string]any)) []byte {
	var m map[string]any
	must(t, json.Unmarshal(real(t, rel), &m))
	edit(m)
	b, err := json.Marshal(m)
	must(t, err)
	return b
}

func sha3135Bytes(t *testing.T) []byte {
	b, err := hex.DecodeString(sha3135)
	must(t, err)
	return b
}

func moreCases() []moreCase {
	realASC := func(t *testing.T) []byte { return real(t, "asc/Python-3.13.5.tar.xz.asc") }
	realBundle := func(t *testing.T) []byte { return real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore") }
	gen := func(version string, asc func(t *testing.T, k *keys, data []byte) []byte) func(*testing.T, string, *keys) []string {
		return func(t *testing.T, dir string, k *keys) []string {
			return generated(t, dir, version, asc(t, k, []byte("artifact "+version)), k)
		}
	}
	pgpOnly := func(want ...string) []string { return want }
	return []moreCase{
		// --- PGP: the signature file ---
		{name: "asc with trailing garbage after END", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return append(sign(t, k.rmA, d, crypto.SHA512, t0.Add(time.Hour)), "\n<!-- mirror banner -->\n"...)
			})},
		{name: "two armored signatures, the stranger's second", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return append(sign(t, k.rmA, d, crypto.SHA512, t0.Add(time.Hour)), sign(t, k.stranger, d, crypto.SHA512, t0.Add(time.Hour))...)
			})},
		{name: "two signature packets in one armor block", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return rearmor(t, append(unarmor(t, sign(t, k.stranger, d, crypto.SHA512, t0.Add(time.Hour))), unarmor(t, sign(t, k.rmA, d, crypto.SHA512, t0.Add(time.Hour)))...))
			})},
		{name: "binary asc with a trailing byte", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return append(unarmor(t, sign(t, k.rmA, d, crypto.SHA512, t0.Add(time.Hour))), 0)
			})},
		{name: "UTF-8 BOM before the armor", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return append([]byte("\xef\xbb\xbf"), sign(t, k.rmA, d, crypto.SHA512, t0.Add(time.Hour))...)
			})},
		{name: "cleartext-signed message as asc", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				s := string(sign(t, k.rmA, d, crypto.SHA512, t0.Add(time.Hour)))
				return []byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nartifact 3.98.0\n" + s)
			})},
		{name: "text-mode signature", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return signed(t, k.rmA.PrivateKey, d, func(s *packet.Signature) { s.SigType = packet.SigTypeText })
			})},
		{name: "MD5 signature (relabelled hash)", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				b := unarmor(t, signed(t, k.rmA.PrivateKey, d, nil))
				body := packetBody(t, b)
				body[3] = 1 // hash algorithm: MD5
				return rearmor(t, newPacket(body))
			})},
		// --- PGP: the signature's own metadata ---
		{name: "signature past its own expiration", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return signed(t, k.rmA.PrivateKey, d, func(s *packet.Signature) { l := uint32(86400); s.SigLifetimeSecs = &l })
			})},
		{name: "signature dated in the future", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return signed(t, k.rmA.PrivateKey, d, func(s *packet.Signature) { s.CreationTime = time.Now().Add(365 * 24 * time.Hour) })
			})},
		{name: "critical unknown notation", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				return signed(t, k.rmA.PrivateKey, d, func(s *packet.Signature) {
					s.Notations = []*packet.Notation{{Name: "only-for@mirror.example", Value: []byte("x"), IsCritical: true, IsHumanReadable: true}}
				})
			})},
		{name: "critical unknown subpacket in the hashed area", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: func(t *testing.T, dir string, k *keys) []string {
				e := rsaEntity(t)
				return rsaLine(t, dir, e, func(d []byte) []byte {
					h, u := rsaIssuer(e)
					return rsaRaw(t, e, d, append(h, subpkt(100, true, []byte("x"))...), u)
				})
			}},
		{name: "critical subpacket added to a real asc's unhashed area", code: 3, want: pgpOnly("mismatch:pgp-invalid"), needsTarball: true,
			setup: func(t *testing.T, dir string, k *keys) []string {
				return tarball(t, dir, addUnhashed(t, realASC(t), subpkt(101, true, []byte("mirror"))), realBundle(t))
			}},
		{name: "critical signature expiry added to a real asc's unhashed area", code: 3, want: pgpOnly("mismatch:pgp-invalid"), needsTarball: true,
			setup: func(t *testing.T, dir string, k *keys) []string {
				return tarball(t, dir, addUnhashed(t, realASC(t), subpkt(3, true, u32b(1))), realBundle(t))
			}},
		{name: "signature without an issuer", code: 3, want: pgpOnly("mismatch:pgp-malformed"),
			setup: func(t *testing.T, dir string, k *keys) []string {
				e := rsaEntity(t)
				return rsaLine(t, dir, e, func(d []byte) []byte {
					return rsaRaw(t, e, d, subpkt(2, false, u32b(uint32(t0.Add(24*time.Hour).Unix()))), nil)
				})
			}},
		{name: "expected manager's key ID forged on a stranger's signature", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: gen("3.98.0", func(t *testing.T, k *keys, d []byte) []byte {
				b := unarmor(t, signed(t, k.stranger.PrivateKey, d, nil))
				b = bytes.ReplaceAll(b, k.stranger.PrimaryKey.Fingerprint, k.rmA.PrimaryKey.Fingerprint)
				b = bytes.ReplaceAll(b, binary.BigEndian.AppendUint64(nil, k.stranger.PrimaryKey.KeyId), binary.BigEndian.AppendUint64(nil, k.rmA.PrimaryKey.KeyId))
				return rearmor(t, b)
			})},
		// --- PGP: the key that signed ---
		{name: "signed by an encryption-only subkey", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: func(t *testing.T, dir string, k *keys) []string {
				e := rsaEntity(t)
				return rsaLine(t, dir, e, func(d []byte) []byte { return signed(t, e.Subkeys[0].PrivateKey, d, nil) })
			}},
		{name: "signed by an expired signing subkey", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: func(t *testing.T, dir string, k *keys) []string {
				e := rsaEntity(t)
				must(t, e.AddSigningSubkey(&packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048, KeyLifetimeSecs: 3600, Time: func() time.Time { return t0 }}))
				return rsaLine(t, dir, e, func(d []byte) []byte { return signed(t, e.Subkeys[1].PrivateKey, d, nil) })
			}},
		{name: "signed by a revoked signing subkey", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: func(t *testing.T, dir string, k *keys) []string {
				e := rsaEntity(t)
				must(t, e.AddSigningSubkey(&packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048, Time: func() time.Time { return t0 }}))
				must(t, e.Subkeys[1].Revoke(packet.KeyCompromised, "stolen laptop", &packet.Config{Time: func() time.Time { return t0.Add(48 * time.Hour) }}))
				return rsaLine(t, dir, e, func(d []byte) []byte { return signed(t, e.Subkeys[1].PrivateKey, d, nil) })
			}},
		{name: "primary key certify-only", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: func(t *testing.T, dir string, k *keys) []string {
				e := rsaEntity(t)
				for _, id := range e.Identities {
					sc := id.SelfCertifications[0].Packet
					sc.FlagSign = false
					must(t, sc.SignUserId(id.UserId.Id, e.PrimaryKey, e.PrivateKey, &packet.Config{Time: func() time.Time { return t0 }}))
				}
				return rsaLine(t, dir, e, func(d []byte) []byte { return signed(t, e.PrivateKey, d, nil) })
			}},
		{name: "RSA 1024 key", code: 3, want: pgpOnly("mismatch:pgp-invalid"),
			setup: func(t *testing.T, dir string, k *keys) []string {
				e, err := openpgp.NewEntity("Weak", "", "c@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 1024, Time: func() time.Time { return t0 }})
				must(t, err)
				return rsaLine(t, dir, e, func(d []byte) []byte { return signed(t, e.PrivateKey, d, nil) })
			}},
		{name: "real asc beside a Windows installer (Steve Dower expected)", code: 3, needsTarball: true,
			want: []string{"mismatch:digest-mismatch", "mismatch:pgp-wrong-signer"}, // python.org's record gives the .exe another digest
			setup: func(t *testing.T, dir string, k *keys) []string {
				abs, err := filepath.Abs(realTarball)
				must(t, err)
				p := filepath.Join(dir, "3.13.5", "python-3.13.5-amd64.exe")
				must(t, os.MkdirAll(filepath.Dir(p), 0o755))
				must(t, os.Symlink(abs, p))
				write(t, p+".asc", realASC(t))
				// A bundle over the same bytes: the real tarball's.
				write(t, p+".sigstore", realBundle(t))
				return []string{"verify", "--format", "json", p}
			}},
		{name: "real tarball and signatures under an upper-case name", code: 2, errText: "--release", needsTarball: true,
			setup: func(t *testing.T, dir string, k *keys) []string {
				abs, err := filepath.Abs(realTarball)
				must(t, err)
				p := filepath.Join(dir, "3.13.5", "PYTHON-3.13.5.TAR.XZ")
				must(t, os.MkdirAll(filepath.Dir(p), 0o755))
				must(t, os.Symlink(abs, p))
				write(t, p+".asc", realASC(t))
				write(t, p+".sigstore", realBundle(t))
				return []string{"verify", "--format", "json", p}
			}},
		// --- Sigstore ---
		{name: "foreign Sigstore instance, right identity and digest", code: 3,
			want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				fs, err := fakesigstore.New(time.Now().Add(-time.Hour))
				must(t, err)
				b, err := fs.Bundle("thomas@python.org", "https://accounts.google.com", sha3135Bytes(t), time.Now())
				must(t, err)
				return bySHA(t, dir, nil, b, "--fail-on", "mismatch")
			}},
		{name: "legacy crt+sig chained to a foreign root", code: 3,
			want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted", "note:sigstore-legacy-format"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				fs, err := fakesigstore.New(time.Now().Add(-time.Hour))
				must(t, err)
				b, err := fs.Bundle("thomas@python.org", "https://accounts.google.com", sha3135Bytes(t), time.Now())
				must(t, err)
				crt, sig := fixtures.LegacyFromBundle(t, b)
				p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
				write(t, p+".crt", crt)
				write(t, p+".sig", sig)
				return []string{"verify", "--format", "json", "--fail-on", "mismatch", "--sha256", sha3135, p}
			}},
		{name: "legacy pair: real crt, signature of another artifact", code: 3,
			want: []string{"gap:pgp-missing", "mismatch:sigstore-invalid", "note:sigstore-legacy-format"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				crt, _ := fixtures.LegacyFromBundle(t, realBundle(t))
				_, sig := fixtures.LegacyFromBundle(t, real(t, "sigstore-bundles/Python-3.13.5.tgz.sigstore"))
				p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
				write(t, p+".crt", crt)
				write(t, p+".sig", sig)
				return []string{"verify", "--format", "json", "--fail-on", "mismatch", "--sha256", sha3135, p}
			}},
		{name: "junk bundle beside a valid legacy pair (no fallback to the downgrade)", code: 3,
			want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				crt, sig := fixtures.LegacyFromBundle(t, realBundle(t))
				p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
				write(t, p+".crt", crt)
				write(t, p+".sig", sig)
				return bySHA(t, dir, nil, []byte(`{"junk": true}`))
			}},
		{name: "bundle with a UTF-8 BOM", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				return bySHA(t, dir, nil, append([]byte("\xef\xbb\xbf"), realBundle(t)...), "--fail-on", "mismatch")
			}},
		{name: "bundle with a duplicated JSON key (parser differential)", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				b := realBundle(t)
				other := editBundle(t, "sigstore-bundles/Python-3.13.5.tgz.sigstore", func(m map[string]any) {})
				var om map[string]json.RawMessage
				must(t, json.Unmarshal(other, &om))
				i := bytes.LastIndexByte(b, '}')
				dup := append(append([]byte(nil), b[:i]...), []byte(`,"messageSignature":`+string(om["messageSignature"])+"}")...)
				return bySHA(t, dir, nil, dup, "--fail-on", "mismatch")
			}},
		{name: "bundle with an unknown field", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				return bySHA(t, dir, nil, editBundle(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore", func(m map[string]any) {
					m["mirrorNote"] = "verified by mirror.example"
				}), "--fail-on", "mismatch")
			}},
		{name: "bundle digest algorithm relabelled SHA2_512", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				return bySHA(t, dir, nil, editBundle(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore", func(m map[string]any) {
					m["messageSignature"].(map[string]any)["messageDigest"].(map[string]any)["algorithm"] = "SHA2_512"
				}), "--fail-on", "mismatch")
			}},
		{name: "bundle with its tlog entry body swapped for another artifact's", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				var o map[string]any
				must(t, json.Unmarshal(real(t, "sigstore-bundles/Python-3.13.5.tgz.sigstore"), &o))
				ot := o["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
				return bySHA(t, dir, nil, editBundle(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore", func(m map[string]any) {
					e := m["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
					e["canonicalizedBody"] = ot["canonicalizedBody"]
				}), "--fail-on", "mismatch")
			}},
		{name: "bundle with its certificate swapped for another release's", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				var o map[string]any
				must(t, json.Unmarshal(real(t, "sigstore-bundles/Python-3.13.0.tar.xz.sigstore"), &o))
				oc := o["verificationMaterial"].(map[string]any)["certificate"]
				return bySHA(t, dir, nil, editBundle(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore", func(m map[string]any) {
					m["verificationMaterial"].(map[string]any)["certificate"] = oc
				}), "--fail-on", "mismatch")
			}},
		{name: "bundle is a directory", code: 3, want: []string{"gap:pgp-missing", "mismatch:source-error"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
				must(t, os.MkdirAll(p+".sigstore", 0o755))
				return []string{"verify", "--format", "json", "--sha256", sha3135, p}
			}},
		// --- SBOM ---
		{name: "SBOM listing the artifact twice with different digests", code: 3, want: []string{"gap:pgp-missing", "note:source-error"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
				pkg := func(sum string) string {
					return `{"name":"CPython","packageFileName":"Python-3.13.5.tar.xz","checksums":[{"algorithm":"SHA256","checksumValue":"` + sum + `"}]}`
				}
				write(t, p+".spdx.json", []byte(`{"spdxVersion":"SPDX-2.3","packages":[`+pkg(sha3135)+`,`+pkg(strings.Repeat("0", 64))+`]}`))
				return bySHA(t, dir, nil, realBundle(t))
			}},
		{name: "oversize SBOM", code: 3, want: []string{"gap:pgp-missing", "note:source-error"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				args := bySHA(t, dir, nil, realBundle(t))
				sparse(t, filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz.spdx.json"), 1<<30)
				return args
			}},
		// --- names and trees ---
		{name: "homoglyph artifact name in a tree", code: 3, want: []string{"gap:release-incomplete", "note:unknown-artifact"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				tree := filepath.Join(dir, "tree")
				p := filepath.Join(tree, "3.14.0", "Pyth\u03bfn-3.14.0.tgz") // Greek omicron
				write(t, p, []byte("x"))
				write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
				return []string{"audit", "--format", "json", "--fail-on", "note", "--digest-only", "--source", tree, "3.14.0"}
			}},
		{name: "case-changed artifact name in a tree", code: 3, want: []string{"gap:release-incomplete", "note:unknown-artifact"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				tree := filepath.Join(dir, "tree")
				p := filepath.Join(tree, "3.14.0", "PYTHON-3.14.0.TGZ")
				write(t, p, []byte("x"))
				write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
				return []string{"audit", "--format", "json", "--fail-on", "note", "--digest-only", "--source", tree, "3.14.0"}
			}},
		{name: "API row for the tarball pointing at another release's directory", code: 3, want: []string{"mismatch:digest-mismatch"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				tree := filepath.Join(dir, "tree")
				p := filepath.Join(tree, "3.14.0", "Python-3.14.0.tgz")
				write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
				api := filepath.Join(dir, "api.json")
				write(t, api, []byte(`[{"url":"https://www.python.org/ftp/python/3.14.0/Python-3.14.0.tgz","sha256_sum":"`+strings.Repeat("a", 64)+`"}]`))
				return []string{"audit", "--format", "json", "--digest-only", "--source", tree, "--api", api, "3.14.0"}
			}},
		// --- a release renamed: the tarball's own top-level directory ---
		// The name says .tgz, the bytes are the real .tar.xz.
		{name: "xz tarball and its signatures served under the .tgz name", code: 3, needsTarball: true,
			want:  []string{"mismatch:archive-version-mismatch", "mismatch:digest-mismatch"},
			setup: renamedRelease("3.13.5/Python-3.13.5.tgz", realASC, realBundle)},
		// A release candidate's name on the final's bytes.
		{name: "final tarball renamed as its release candidate", code: 3, needsTarball: true,
			want:  []string{"mismatch:archive-version-mismatch", "mismatch:digest-mismatch"},
			setup: renamedRelease("3.13.5/Python-3.13.5rc1.tar.xz", realASC, realBundle)},
		// An older release's tarball, with its own good bundle, in the newer
		// release's directory: the newer release has no source tarball.
		{name: "older release's tarball placed in the newer release's directory", code: 3,
			want: []string{"gap:release-incomplete", "gap:pgp-missing"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				tree := filepath.Join(dir, "tree")
				p := filepath.Join(tree, "3.13.5", "Python-3.13.0.tar.xz")
				write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.13.0.tar.xz.sigstore"))
				return []string{"audit", "--format", "json", "--digest-only", "--source", tree, "3.13.5"}
			}},
		// --- digest-only: the bundle is all there is to check ---
		{name: "digest-only: junk bundle", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				return bySHA(t, dir, nil, []byte("this is not a bundle\n"))
			}},
		{name: "digest-only: a stranger's Sigstore bundle over the right digest", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				return bySHA(t, dir, nil, strangerBundle(t, sha3135))
			}},
		{name: "digest-only: another release's real bundle", code: 3, want: []string{"gap:pgp-missing", "mismatch:digest-mismatch"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				return bySHA(t, dir, nil, real(t, "sigstore-bundles/Python-3.13.0.tar.xz.sigstore"))
			}},
		{name: "digest-only tree: a stranger's bundle beside the tarball", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				tree := filepath.Join(dir, "tree")
				p := filepath.Join(tree, "3.13.5", "Python-3.13.5.tar.xz")
				write(t, p+".sigstore", strangerBundle(t, sha3135))
				return []string{"audit", "--format", "json", "--digest-only", "--source", tree, "3.13.5"}
			}},
		{name: "digest-only tree: junk bundle beside the tarball", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				tree := filepath.Join(dir, "tree")
				p := filepath.Join(tree, "3.13.5", "Python-3.13.5.tar.xz")
				write(t, p+".sigstore", []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
				return []string{"audit", "--format", "json", "--digest-only", "--source", tree, "3.13.5"}
			}},
	}
}

// renamedRelease links the real 3.13.5 tarball under name, with its real
// signatures renamed beside it: no signature binds a file name.
func renamedRelease(name string, asc, bundle func(*testing.T) []byte) func(*testing.T, string, *keys) []string {
	return func(t *testing.T, dir string, k *keys) []string {
		abs, err := filepath.Abs(realTarball)
		must(t, err)
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.Symlink(abs, p))
		write(t, p+".asc", asc(t))
		write(t, p+".sigstore", bundle(t))
		return []string{"verify", "--format", "json", p}
	}
}

// strangerBundle is a well-formed bundle over the hex digest sum, made by
// a generated Sigstore instance that sigaudit does not trust.
func strangerBundle(t *testing.T, sum string) []byte {
	t.Helper()
	fs, err := fakesigstore.New(time.Now().Add(-time.Hour))
	must(t, err)
	d, err := hex.DecodeString(sum)
	must(t, err)
	b, err := fs.Bundle("thomas@python.org", "https://accounts.google.com", d, time.Now())
	must(t, err)
	return b
}

// fifoCases are set on systems with FIFOs (more_unix_test.go).
var fifoCases []moreCase

func TestMoreAttacks(t *testing.T) {
	_, tarErr := os.Stat(realTarball)
	cs := append(moreCases(), fifoCases...)
	for _, c := range cs {
		t.Run(c.name, func(t *testing.T) { runMore(t, c, tarErr) })
	}
}

func runMore(t *testing.T, c moreCase, tarErr error) {
	if c.needsTarball && tarErr != nil {
		t.Skipf("needs %s", realTarball)
	}
	dir := t.TempDir()
	k := makeKeys(t, dir)
	args := c.setup(t, dir, k)
	start := time.Now()
	code, out, errOut := run(args...)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
	if code != c.code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out, errOut)
	}
	if c.code == 1 || c.code == 2 {
		if !strings.Contains(errOut, c.errText) || !strings.HasPrefix(errOut, "sigaudit: ") {
			t.Errorf("stderr %q, want %q", errOut, c.errText)
		}
		return
	}
	checkFindings(t, out, c.want)
}
