package sigstore

import (
	"bytes"
	"encoding/json"
	"path/filepath"

	"github.com/go-openapi/runtime"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"strings"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

// FuzzReadBundle loads arbitrary bytes as a bundle and, when they load,
// inspects and verifies them: no panic, and no verified verdict for a
// digest no real bundle signs.
func FuzzReadBundle(f *testing.F) {
	fixtures.Seeds(f, "sigstore-bundles/*.sigstore")
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	tr, err := EmbeddedTrustedRoot()
	if err != nil {
		f.Fatal(err)
	}
	v := NewVerifier(tr)
	digest := bytes.Repeat([]byte{0xab}, 32)
	f.Fuzz(func(t *testing.T, b []byte) {
		// sigaudit's loader accepts exactly what sigstore-go's does.
		_, ours := parseBundle(b)
		theirs := new(bundle.Bundle).UnmarshalJSON(b)
		if (ours == nil) != (theirs == nil) {
			t.Fatalf("parseBundle: %v, bundle.UnmarshalJSON: %v", ours, theirs)
		}
		bb, _, err := ReadBundle(bytes.NewReader(b))
		if err != nil {
			return
		}
		_ = bb.Inspect()
		if g := v.VerifyBundle(bb, Artifact{SHA256: digest}, thomasID); g.Status == Verified {
			t.Fatalf("fuzzed bundle verified: %+v", g)
		}
	})
}

// FuzzReadLegacy loads arbitrary certificate and signature bytes.
func FuzzReadLegacy(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte("c2ln"))
	f.Fuzz(func(t *testing.T, crt, sig []byte) {
		l, _, err := ReadLegacy(bytes.NewReader(crt), bytes.NewReader(sig))
		if err != nil {
			return
		}
		_ = l.Inspect()
		// Whatever the pair, the signer check without an artifact never
		// says verified.
		if g := embeddedVerifier.VerifyLegacySigner(l, thomasID); g.Status == Verified {
			t.Fatalf("legacy signer check verified: %+v", g)
		}
	})
}

var embeddedVerifier = func() *Verifier {
	tr, err := EmbeddedTrustedRoot()
	if err != nil {
		panic(err)
	}
	return NewVerifier(tr)
}()

// FuzzDescribeRoot describes arbitrary bytes as a trusted root: no panic,
// and a description only with at least one key, each with a start.
func FuzzDescribeRoot(f *testing.F) {
	f.Add(embeddedRoot)
	f.Add([]byte(`{"tlogs":[{"baseUrl":"l","publicKey":{"validFor":{"start":"2021-01-01T00:00:00Z"}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := DescribeRoot(b)
		if err != nil {
			return
		}
		if info.Keys == 0 || info.Keys != len(info.Windows) || len(info.SHA256) != 64 {
			t.Fatalf("info %+v", info)
		}
		for _, w := range info.Windows {
			if w.Start.IsZero() && !strings.Contains(string(b), "0001-01-01") {
				t.Fatalf("window without start: %+v", w)
			}
		}
		_ = info.SigningTimeWarning(info.NewestStart, time.Time{})
		_, _ = tufRootVersion(b)
	})
}

// FuzzHashedRekordV001 parses arbitrary Rekor entry bodies with sigaudit's
// hashedrekord v0.0.1 parser and rekor's: whatever rekor accepts, sigaudit
// accepts as the same entry; whatever sigaudit refuses, rekor refuses (the
// only difference is the signature verification, which Verify makes).
func FuzzHashedRekordV001(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtures.RealData(), "sigstore-bundles", "*.sigstore"))
	for _, p := range files {
		var b struct {
			VerificationMaterial struct {
				TlogEntries []struct {
					CanonicalizedBody []byte `json:"canonicalizedBody"`
				} `json:"tlogEntries"`
			} `json:"verificationMaterial"`
		}
		if err := json.Unmarshal(fixtures.ReadFile(f, p), &b); err != nil {
			f.Fatal(err)
		}
		for _, e := range b.VerificationMaterial.TlogEntries {
			f.Add(e.CanonicalizedBody)
		}
	}
	f.Add([]byte(`{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		pe, err := models.UnmarshalProposedEntry(bytes.NewReader(body), runtime.JSONConsumer())
		if err != nil {
			return
		}
		hr, ok := pe.(*models.Hashedrekord)
		if !ok || hr.APIVersion == nil || *hr.APIVersion != "0.0.1" {
			return
		}
		want, werr := rekorUnmarshal(hr)
		got, gerr := parseHashedRekordV001(hr)
		if werr == nil {
			if gerr != nil {
				t.Fatalf("rekor accepts, sigaudit refuses: %v", gerr)
			}
			wj, _ := json.Marshal(want.HashedRekordObj)
			gj, _ := json.Marshal(got.HashedRekordObj)
			if !bytes.Equal(wj, gj) {
				t.Fatalf("entries differ:\n%s\n%s", wj, gj)
			}
		}
	})
}
