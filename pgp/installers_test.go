package pgp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"

	"github.com/sigaudit/sigaudit/timeline"
)

// Installer signers (issue 15): Windows installers are signed by Steve
// Dower, macOS installers by Ned Deily. No real installer .asc is in the
// shared material (python.org's .exe/.msi/.pkg/.zip .asc files were not
// obtained), so these tests check the real keys themselves and use
// signatures made here for the failure cases.

const (
	steve = "7ED10B6531D7C8E1BC296021FC624643487034E5"
	ned   = "0D96DF4D4110E5C43FBFB17F2D347EA6AA65421D"
)

const sharedKeys = "../../shared/realdata/pgp/keys"

func installerSigner(t *testing.T, tl *timeline.Timeline, version, kind string) timeline.Expectation {
	t.Helper()
	e, err := tl.ExpectString(version, kind, timeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The timeline names Steve Dower for Windows and Ned Deily for macOS on
// every PGP line, and the embedded keys are byte for byte the shared ones.
func TestInstallerSignersAreRealKeys(t *testing.T) {
	tl := timeline.Default()
	for _, v := range []string{"3.7.17", "3.9.16", "3.11.2", "3.12.0", "3.13.5"} {
		if e := installerSigner(t, tl, v, "windows"); !e.PGP || e.PGPSigner != "Steve Dower" || strings.Join(e.PGPFingerprints, ",") != steve {
			t.Errorf("%s windows: %+v", v, e)
		}
		if e := installerSigner(t, tl, v, "macos"); !e.PGP || e.PGPSigner != "Ned Deily" || strings.Join(e.PGPFingerprints, ",") != ned {
			t.Errorf("%s macos: %+v", v, e)
		}
	}
	for _, name := range []string{"steve-dower.asc", "ned-deily.asc"} {
		emb, err := embeddedKeys.ReadFile("keys/" + name)
		if err != nil {
			t.Fatal(err)
		}
		shared, err := os.ReadFile(filepath.Join(sharedKeys, name))
		if err != nil {
			t.Logf("shared key not available (%v): checked the embedded copy only", err)
			continue
		}
		if !bytes.Equal(emb, shared) {
			t.Errorf("embedded %s differs from %s", name, filepath.Join(sharedKeys, name))
		}
	}
}

// The real keys of Steve Dower and Ned Deily are RSA 4096 primary keys
// flagged for signing, without expiry: they pass every key check sigaudit
// applies at every date python.org published installers (2014 on), and
// are refused before they existed.
func TestInstallerKeysCanSign(t *testing.T) {
	k := defaultKeyring(t)
	if p, err := os.Open(filepath.Join(sharedKeys, "steve-dower.asc")); err == nil {
		// Loading the shared copy too must not disturb lookups.
		if err := k.AddArmored(p); err != nil {
			t.Fatal(err)
		}
		p.Close()
	}
	for _, c := range []struct {
		fp      string
		created time.Time
	}{
		{steve, time.Date(2015, 4, 6, 0, 32, 5, 0, time.UTC)},
		{ned, time.Date(2014, 11, 2, 9, 44, 10, 0, time.UTC)},
	} {
		var e *openpgp.Entity
		for _, x := range k.entities {
			if fingerprint(x.PrimaryKey.Fingerprint) == c.fp {
				e = x
				break
			}
		}
		if e == nil {
			t.Fatalf("%s not in the embedded keyring", c.fp)
		}
		if got := e.PrimaryKey.CreationTime.UTC(); !got.Equal(c.created) {
			t.Errorf("%s created %v, want %v", c.fp, got, c.created)
		}
		if r := keyRequirements(e.PrimaryKey); r != "" {
			t.Errorf("%s: %s", c.fp, r)
		}
		for _, d := range []string{"2015-06-01", "2018-06-27", "2021-10-04", "2023-10-02", "2025-06-11", "2026-06-01"} {
			tm, _ := time.Parse(time.DateOnly, d)
			if r := k.keyValid(e, e.PrimaryKey, &packet.Signature{CreationTime: tm}); r != "" {
				t.Errorf("%s at %s: %s", c.fp, d, r)
			}
		}
		before := &packet.Signature{CreationTime: c.created.Add(-time.Hour)}
		if r := k.keyValid(e, e.PrimaryKey, before); r != "the signature is older than the key that made it" {
			t.Errorf("%s before creation: %q", c.fp, r)
		}
	}
}

// forgedIssuer signs data with e's key but names victim's key ID and
// fingerprint as the issuer, as a hostile mirror would to borrow a real
// signer's name.
func forgedIssuer(t *testing.T, e *openpgp.Entity, victimFP string, data []byte, signed time.Time) []byte {
	t.Helper()
	var fp []byte
	fmt.Sscanf(victimFP, "%X", &fp)
	if len(fp) != 20 {
		t.Fatalf("bad fingerprint %s", victimFP)
	}
	keyID := binary.BigEndian.Uint64(fp[12:])
	return rawRSASig(t, e, data,
		cat(sub(2, false, u32(uint32(signed.Unix()))), sub(33, false, append([]byte{4}, fp...))),
		sub(16, false, binary.BigEndian.AppendUint64(nil, keyID)))
}

// Failure cases for installers, with the real keys of Steve Dower and Ned
// Deily in the keyring and the expectations taken from the timeline.
func TestInstallerSignerFailures(t *testing.T) {
	tl := timeline.Default()
	win := installerSigner(t, tl, "3.13.5", "windows").PGPFingerprints
	mac := installerSigner(t, tl, "3.13.5", "macos").PGPFingerprints
	exe := []byte("python-3.13.5-amd64.exe contents\n")
	pkg := []byte("python-3.13.5-macos11.pkg contents\n")
	signed := time.Date(2025, 6, 11, 18, 0, 0, 0, time.UTC)

	impostor, err := openpgp.NewEntity("Steve Dower", "", "steve.dower@python.org", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048, Time: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	stranger := newEntity(t, packet.PubKeyAlgoRSA, 0)
	k := defaultKeyring(t)
	withImpostor := defaultKeyring(t) // as if a user passed the impostor with --keyring
	if err := withImpostor.AddArmored(bytes.NewReader(armoredKey(t, impostor))); err != nil {
		t.Fatal(err)
	}
	impFP := fpr(impostor)

	runChecks(t, []checkCase{
		{"windows: Steve's issuer forged", k, forgedIssuer(t, stranger, steve, exe, signed), exe, win[0], Invalid, "signature does not match the artifact: …"},
		{"macos: Ned's issuer forged", k, forgedIssuer(t, stranger, ned, pkg, signed), pkg, mac[0], Invalid, "signature does not match the artifact: …"},
		{"windows: Ned's issuer forged (wrong signer and forged)", k, forgedIssuer(t, stranger, ned, exe, signed), exe, win[0], Invalid, "signature does not match the artifact: …"},
		{"windows: a key named Steve Dower", withImpostor, signWith(t, impostor, exe, signed, signOpts{}), exe, win[0], WrongSigner,
			fmt.Sprintf("good signature by %s, but the timeline expects %s", impFP, steve)},
		{"macos: a key named Steve Dower", withImpostor, signWith(t, impostor, pkg, signed, signOpts{}), pkg, mac[0], WrongSigner,
			fmt.Sprintf("good signature by %s, but the timeline expects %s", impFP, ned)},
		{"windows: unknown key", k, signWith(t, impostor, exe, signed, signOpts{}), exe, win[0], UnknownSigner,
			fmt.Sprintf("signed by %s, which is not in the keyring (add it with --keyring)", impFP)},
	})

	// Signatures the installer signers make, simulated by test keys put in
	// their place through a policy file: Ned's signature on a Windows
	// installer is a wrong signer, Steve's is verified, and the reverse
	// for macOS.
	fakeSteve := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	fakeNed := newEntity(t, packet.PubKeyAlgoEdDSA, 0)
	policy := fmt.Sprintf("managers:\n  - {id: steve, name: Steve Dower, pgp: [%q]}\n  - {id: ned, name: Ned Deily, pgp: [%q]}\n", fpr(fakeSteve), fpr(fakeNed))
	tl2, err := tl.WithPolicy(strings.NewReader(policy), "installers.yaml")
	if err != nil {
		t.Fatal(err)
	}
	k2 := keyringOf(t, fakeSteve, fakeNed)
	win2 := installerSigner(t, tl2, "3.12.0", "windows").PGPFingerprints
	mac2 := installerSigner(t, tl2, "3.12.0", "macos").PGPFingerprints
	src2 := installerSigner(t, tl2, "3.12.0", "source").PGPFingerprints
	runChecks(t, []checkCase{
		{"windows signed by Steve", k2, signWith(t, fakeSteve, exe, signed, signOpts{}), exe, win2[0], Verified, ""},
		{"macos signed by Ned", k2, signWith(t, fakeNed, pkg, signed, signOpts{}), pkg, mac2[0], Verified, ""},
		{"windows signed by Ned", k2, signWith(t, fakeNed, exe, signed, signOpts{}), exe, win2[0], WrongSigner,
			fmt.Sprintf("good signature by %s, but the timeline expects %s", fpr(fakeNed), fpr(fakeSteve))},
		{"macos signed by Steve", k2, signWith(t, fakeSteve, pkg, signed, signOpts{}), pkg, mac2[0], WrongSigner,
			fmt.Sprintf("good signature by %s, but the timeline expects %s", fpr(fakeSteve), fpr(fakeNed))},
		{"source tarball signed by Steve", k2, signWith(t, fakeSteve, exe, signed, signOpts{}), exe, src2[0], WrongSigner,
			fmt.Sprintf("good signature by %s, but the timeline expects %s", fpr(fakeSteve), thomas)},
		{"windows: Steve's signature over the macOS installer", k2, signWith(t, fakeSteve, pkg, signed, signOpts{}), exe, win2[0], Invalid,
			"signature does not match the artifact: …"},
		{"windows: Steve's signature, expired", k2, signWith(t, fakeSteve, exe, signed, signOpts{lifetime: 60}), exe, win2[0], Invalid,
			"the signature expired on 2025-06-11T18:01:00Z (its own expiration time)"},
	})
}

// The real 3.13.5 source signature (Thomas Wouters) placed beside an
// installer: a good signature by the wrong person for both installer kinds.
func TestRealSourceSignatureOnInstallers(t *testing.T) {
	if _, err := os.Stat(realTarball); err != nil {
		t.Skipf("real artifact not available: %v", err)
	}
	k := defaultKeyring(t)
	sig := readSig(t, "../testdata/realdata/asc/Python-3.13.5.tar.xz.asc")
	tl := timeline.Default()
	for _, kind := range []string{"windows", "macos"} {
		want := installerSigner(t, tl, "3.13.5", kind).PGPFingerprints
		f, err := os.Open(realTarball)
		if err != nil {
			t.Fatal(err)
		}
		v := k.Verify(sig, f, want)
		f.Close()
		if v.Status != WrongSigner || v.Fingerprint != thomas ||
			v.Reason != fmt.Sprintf("good signature by %s, but the timeline expects %s", thomas, want[0]) {
			t.Errorf("%s: %+v", kind, v)
		}
	}
}
