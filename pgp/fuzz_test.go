package pgp

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadSignature feeds arbitrary bytes to the signature reader and, when
// they parse, to identification and verification: nothing may panic and
// nothing but a real signature by a known key may verify.
func FuzzReadSignature(f *testing.F) {
	files, _ := filepath.Glob("../testdata/realdata/asc/*.asc")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN PGP SIGNATURE-----\n\n=AAAA\n-----END PGP SIGNATURE-----\n"))
	f.Add([]byte{0x88, 0x00})
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
