package pgp

import (
	"bytes"
	"testing"
)

func TestEmbeddedKey(t *testing.T) {
	b, err := EmbeddedKey("7169605f62c751356d054a26a821e680e5fa6305")
	if err != nil || !bytes.HasPrefix(b, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		t.Fatalf("Thomas Wouters' key: %v %.40q", err, b)
	}
	if _, err := EmbeddedKey("0000000000000000000000000000000000000000"); err == nil {
		t.Error("unknown fingerprint: no error")
	}
}
