package prehash

import (
	"bytes"
	"crypto"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"

	"github.com/sigaudit/sigaudit/pgp"
)

// agree checks peekHashes against the signature parser the command uses:
// when the peek says usable, the command's PlainHash is one of its
// algorithms; when it says not usable, the command cannot use a plain pass.
func agree(t *testing.T, name string, sig []byte) (algs []crypto.Hash, usable bool) {
	t.Helper()
	algs, usable, err := peekHashes(sig)
	s, perr := pgp.ReadSignature(bytes.NewReader(sig))
	if err != nil {
		if perr == nil {
			t.Errorf("%s: peek failed (%v) on a signature pgp reads", name, err)
		}
		return nil, false
	}
	if perr != nil {
		return algs, usable // the command refuses it; any guess costs only speed
	}
	alg, plain := s.PlainHash()
	if usable != plain {
		t.Errorf("%s: peek usable=%v, pgp PlainHash ok=%v", name, usable, plain)
	}
	if usable {
		found := false
		for _, a := range algs {
			found = found || a == alg
		}
		if !found {
			t.Errorf("%s: peek %v lacks the signature's hash %v", name, algs, alg)
		}
	}
	return algs, usable
}

// python.org's real signatures: SHA-256 (3.11.2) and SHA-512 (3.13).
func TestPeekReal(t *testing.T) {
	want := map[string]crypto.Hash{
		"Python-3.11.2.tar.xz.asc": crypto.SHA256,
		"Python-3.13.0.tar.xz.asc": crypto.SHA512,
		"Python-3.13.5.tar.xz.asc": crypto.SHA512,
	}
	for name, h := range want {
		p := filepath.Join("..", "..", "testdata", "realdata", "asc", name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Skipf("real signatures absent: %v", err)
		}
		algs, usable := agree(t, name, b)
		if !usable || len(algs) != 1 || algs[0] != h {
			t.Errorf("%s: peek %v, usable %v; want [%v]", name, algs, usable, h)
		}
		got, usable, err := peekFile(p)
		if err != nil || !usable || len(got) != 1 || got[0] != h {
			t.Errorf("peekFile(%s) = %v, %v, %v", name, got, usable, err)
		}
	}
}

func signWith(t *testing.T, e *openpgp.Entity, h crypto.Hash, armored, text bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	cfg := &packet.Config{DefaultHash: h}
	msg := bytes.NewReader([]byte("artifact bytes\n"))
	var err error
	params := &openpgp.SignParams{TextSig: text, Config: cfg}
	if armored {
		err = openpgp.ArmoredDetachSign(&buf, []*openpgp.Entity{e}, msg, params)
	} else {
		err = openpgp.DetachSignWithParams(&buf, []*openpgp.Entity{e}, msg, params)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Generated signatures: each hash, armored and binary, v4 and v6 keys, and
// text signatures (which a plain pass cannot stand in for).
func TestPeekGenerated(t *testing.T) {
	t0 := time.Now().Add(-time.Hour)
	now := func() time.Time { return t0 }
	v6, err := openpgp.NewEntity("RM6", "", "rm6@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoEd25519, V6Keys: true, Time: now})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[crypto.Hash]*openpgp.Entity{}
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		// The key's preferences choose the hash: one key per hash.
		v4, err := openpgp.NewEntity("RM", "", "rm@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: h, Time: now})
		if err != nil {
			t.Fatal(err)
		}
		keys[h] = v4
		for _, armored := range []bool{true, false} {
			algs, usable := agree(t, h.String(), signWith(t, v4, h, armored, false))
			if !usable || len(algs) != 1 || algs[0] != h {
				t.Errorf("v4 %v armored=%v: peek %v, usable %v", h, armored, algs, usable)
			}
		}
		if _, usable := agree(t, "text "+h.String(), signWith(t, v4, h, true, true)); usable {
			t.Errorf("v4 text signature %v: usable", h)
		}
		if _, usable := agree(t, "v6 "+h.String(), signWith(t, v6, h, true, false)); usable {
			t.Errorf("v6 (salted) signature %v: usable", h)
		}
	}
	// Two signatures, two hashes: both are computed.
	two := append(signWith(t, keys[crypto.SHA256], crypto.SHA256, false, false), signWith(t, keys[crypto.SHA512], crypto.SHA512, false, false)...)
	algs, usable, err := peekHashes(two)
	if err != nil || !usable || len(algs) != 2 || algs[0] != crypto.SHA256 || algs[1] != crypto.SHA512 {
		t.Errorf("two signatures: %v, %v, %v", algs, usable, err)
	}
}

// Anything the peek cannot read is an error (the caller then guesses), and
// hashesFor turns each case into the right plan.
func TestHashesFor(t *testing.T) {
	dir := t.TempDir()
	read := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "realdata", "asc", n))
		if err != nil {
			t.Skipf("real signatures absent: %v", err)
		}
		return b
	}
	sha256Sig, sha512Sig := read("Python-3.11.2.tar.xz.asc"), read("Python-3.13.5.tar.xz.asc")
	art := filepath.Join(dir, "a.tar.xz")
	write(t, art, data(10))
	check := func(name string, ascFlag bool, asc string, want []crypto.Hash, wantSkip bool) {
		t.Helper()
		hs, skip := hashesFor(art, ascFlag, asc)
		if skip != wantSkip || len(hs) != len(want) {
			t.Errorf("%s: %v, skip %v; want %v, skip %v", name, hs, skip, want, wantSkip)
			return
		}
		for i := range hs {
			if hs[i] != want[i] {
				t.Errorf("%s: %v; want %v", name, hs, want)
			}
		}
	}
	check("no signature", false, "", nil, false)
	write(t, art+".asc", sha256Sig)
	check("SHA-256 signature", false, "", nil, false)
	write(t, art+".asc", sha512Sig)
	check("SHA-512 signature", false, "", []crypto.Hash{crypto.SHA512}, false)
	write(t, art+".asc", []byte("not a signature"))
	check("garbage", false, "", []crypto.Hash{crypto.SHA512}, false)
	write(t, art+".asc", bytes.Repeat([]byte("x"), maxPeek+1))
	check("too large", false, "", []crypto.Hash{crypto.SHA512}, false)
	other := filepath.Join(dir, "other.asc")
	write(t, other, sha256Sig)
	check("--asc names a SHA-256 signature", true, other, nil, false)
	check("--asc names a missing file", true, filepath.Join(dir, "none"), []crypto.Hash{crypto.SHA512}, false)
	check("--asc without a value", true, "", []crypto.Hash{crypto.SHA512}, false)
	v6 := []byte{0xc2, 4, 6, 0, 27, 10} // a v6 signature packet header
	write(t, other, v6)
	check("salted signature", true, other, nil, true)
}

// peekHashes never panics, and what it calls usable always names a hash
// this package computes.
func FuzzPeekHashes(f *testing.F) {
	for _, n := range []string{"Python-3.11.2.tar.xz.asc", "Python-3.13.5.tar.xz.asc"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "realdata", "asc", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0x88, 4, 4, 0, 1, 8})
	f.Add([]byte{0xc2, 4, 4, 0, 27, 10})
	f.Add([]byte("-----BEGIN PGP SIGNATURE-----\n\niQQEABYI\n=abcd\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		algs, usable, err := peekHashes(b)
		if err != nil && (usable || algs != nil) {
			t.Fatalf("error %v with %v, usable %v", err, algs, usable)
		}
		if !usable && algs != nil {
			t.Fatalf("not usable, yet %v", algs)
		}
		if len(algs) > maxPeekSigs {
			t.Fatalf("%d algorithms", len(algs))
		}
		for _, a := range algs {
			if newHash(a) == nil {
				t.Fatalf("unsupported %v", a)
			}
		}
	})
}
