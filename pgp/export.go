package pgp

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// EmbeddedKey returns the armored public key embedded in sigaudit whose
// primary fingerprint is fingerprint (40 hex digits, any case), as
// `sigaudit pin --format signing-key` writes it for Debian's
// debian/upstream/signing-key.asc.
func EmbeddedKey(fingerprint string) ([]byte, error) {
	want := strings.ToUpper(fingerprint)
	names, err := embeddedKeys.ReadDir("keys")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := embeddedKeys.ReadFile("keys/" + n.Name())
		if err != nil {
			return nil, err
		}
		el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("embedded key %s: %w", n.Name(), err)
		}
		for _, e := range el {
			if strings.ToUpper(fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)) == want {
				return b, nil
			}
		}
	}
	return nil, fmt.Errorf("no embedded public key has fingerprint %s", want)
}
