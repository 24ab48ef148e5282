package pgp

import (
	"bytes"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

// FuzzReadSignature feeds arbitrary bytes to the signature reader and, when
// they parse, to identification and verification: nothing may panic and
// nothing but a real signature by a known key may verify.
func FuzzReadSignature(f *testing.F) {
	fixtures.Seeds(f, "asc/*.asc")
	f.Add([]byte("-----BEGIN PGP SIGNATURE-----\n\n=AAAA\n-----END PGP SIGNATURE-----\n"))
	f.Add([]byte{0x88, 0x00})
	// Critical subpackets in both areas, no issuer, a second packet.
	e, err := openpgp.NewEntity("Fuzz", "", "f@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048, Time: func() time.Time { return t0 }})
	if err != nil {
		f.Fatal(err)
	}
	created := sub(2, true, u32(uint32(t0.Unix())))
	fp := sub(33, false, append([]byte{4}, e.PrimaryKey.Fingerprint...))
	data := []byte("artifact")
	f.Add(rawRSASig(f, e, data, cat(created, fp, sub(101, true, []byte("x"))), nil))
	f.Add(rawRSASig(f, e, data, cat(created, fp), sub(3, true, u32(1))))
	f.Add(rawRSASig(f, e, data, created, nil))
	k, err := DefaultKeyring()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ReadSignature(bytes.NewReader(b))
		if err != nil {
			return
		}
		_ = s.Hash()
		_ = k.Identify(s)
		v := k.Verify(s, bytes.NewReader([]byte("artifact")), []string{thomas})
		if v.Status == Verified {
			t.Fatalf("fuzzed signature verified over a fixed artifact: %+v", v)
		}
	})
}
