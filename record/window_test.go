package record_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/sigstore"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSignedInWindow(t *testing.T) {
	w13, _ := record.SigningWindow("3.13.0")
	w135, _ := record.SigningWindow("3.13.5")
	w101, _ := record.SigningWindow("3.10.1")
	w714, _ := record.SigningWindow("3.7.14")
	newest := record.Info().NewestSig
	for _, tc := range []struct {
		name    string
		version string
		t       time.Time
		line    string
		ok      bool
		reason  string
	}{
		{"in window", "3.13.5", w135.First, "3.13", true, "within 3.13.5's signing window"},
		{"last of window", "3.13.5", w135.Last, "", true, "within"},
		{"3.13.0's time is not 3.13.5's", "3.13.5", w13.First, "3.13", false, "outside 3.13.5's signing window"},
		{"3.13.5's time is not 3.13.0's", "3.13.0", w135.Last, "", false, "outside"},
		{"slack before first", "3.13.5", w135.First.Add(-30 * time.Second), "", true, "within"},
		{"past slack", "3.13.5", w135.First.Add(-2 * time.Minute), "", false, "outside"},
		{"after last", "3.13.5", w135.Last.Add(time.Second), "", false, "outside"},
		// Signed long after release: the window, not the release date, counts.
		{"3.10.1 late signing", "3.10.1", w101.First, "", true, "within"},
		{"3.10.1 at release", "3.10.1", at("2021-12-06T12:00:00Z"), "", false, "outside"},
		{"3.7.14 late signing", "3.7.14", w714.Last, "", true, "within"},
		{"3.7.14 at release", "3.7.14", at("2022-09-06T12:00:00Z"), "", false, "outside"},
		// Published without bundles.
		{"3.12.0a1", "3.12.0a1", at("2022-10-25T00:00:00Z"), "", false, "no Sigstore bundle"},
		{"3.10.3", "3.10.3", at("2022-03-16T00:00:00Z"), "", false, "no Sigstore bundle"},
		// Older than the newest known release of its line, absent: unknown.
		{"3.9.3 (pulled)", "3.9.3", at("2021-04-02T00:00:00Z"), "", false, "unknown"},
		{"3.13.99 is newer", "3.13.99", newest, "", true, "newer than python.org's record"},
		// Newer than the record: not before the line's newest signing.
		{"3.13.14 after", "3.13.14", at("2026-06-02T18:00:00Z"), "3.13", true, "newer than python.org's record"},
		{"3.13.14 before", "3.13.14", at("2025-06-11T18:00:00Z"), "", false, "before that"},
		{"3.15.0a9 after", "3.15.0a9", at("2026-05-06T18:00:00Z"), "", true, "newer"},
		{"3.15.0a9 before", "3.15.0a9", at("2026-01-13T18:45:12Z"), "", false, "before that"},
		// A new line: not before the record's newest signing.
		{"3.16.0a1 after", "3.16.0a1", newest.Add(time.Hour), "", true, "line 3.16 is newer"},
		{"3.16.0a1 before", "3.16.0a1", at("2025-01-01T00:00:00Z"), "", false, "before that"},
		// Lines python.org never signed, or absent and old.
		{"3.6", "3.6.16", at("2026-01-01T00:00:00Z"), "", false, "no Sigstore bundle for any version of 3.6"},
		{"2.8", "2.8.0", at("2026-01-01T00:00:00Z"), "", false, "unknown"},
		// Caller errors.
		{"wrong line", "3.13.5", w135.First, "3.12", false, "not in line 3.12"},
		{"malformed", "3.13", w135.First, "", false, "malformed"},
		{"zero time", "3.13.5", time.Time{}, "", false, "no signing time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, reason := record.SignedInWindow(tc.version, tc.t, tc.line)
			if ok != tc.ok || !strings.Contains(reason, tc.reason) {
				t.Errorf("SignedInWindow(%s, %s, %q) = %v, %q; want %v, containing %q", tc.version, tc.t, tc.line, ok, reason, tc.ok, tc.reason)
			}
		})
	}
}

// TestRealBundlesInWindow verifies every real python.org bundle in the
// repository and checks that its verified signing time is in its own
// version's window, and in no other version's window of its line except
// where the record's windows overlap.
func TestRealBundlesInWindow(t *testing.T) {
	dir := "../testdata/realdata/sigstore-bundles"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := sigstore.LoadTrustedRoot("../testdata/realdata/trusted_root.json")
	if err != nil {
		t.Fatal(err)
	}
	v := sigstore.NewVerifier(tr)
	ids := map[string]sigstore.Identity{
		"3.7":  {SAN: "nad@python.org", Issuer: "https://github.com/login/oauth"},
		"3.9":  {SAN: "lukasz@langa.pl", Issuer: "https://github.com/login/oauth"},
		"3.10": {SAN: "pablogsal@python.org", Issuer: "https://accounts.google.com"}, "3.11": {SAN: "pablogsal@python.org", Issuer: "https://accounts.google.com"},
		"3.12": {SAN: "thomas@python.org", Issuer: "https://accounts.google.com"}, "3.13": {SAN: "thomas@python.org", Issuer: "https://accounts.google.com"},
		"3.14": {SAN: "hugo@python.org", Issuer: "https://github.com/login/oauth"},
	}
	n := 0
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".sigstore")
		if !ok {
			continue
		}
		arts := record.ByName(name)
		if len(arts) != 1 {
			t.Fatalf("%s: %d record rows", name, len(arts))
		}
		a := arts[0]
		b, _, err := sigstore.ReadBundle(bytes.NewReader(fixtures.ReadFile(t, filepath.Join(dir, e.Name()))))
		if err != nil {
			t.Fatal(err)
		}
		version := a.Dir // every real bundle here is of a final release
		line := version[:strings.LastIndex(version, ".")]
		d, _ := hex.DecodeString(a.SHA256)
		vd := v.VerifyBundle(b, sigstore.Artifact{SHA256: d}, sigstore.Expect{Identities: []sigstore.Identity{ids[line]}})
		if vd.Status != sigstore.Verified {
			t.Errorf("%s: %s %s", name, vd.Status, vd.Reason)
			continue
		}
		w, _ := record.SigningWindow(version)
		t.Logf("%s: signed %s (%s), window %s..%s", name, vd.SigningTime.Format(time.RFC3339), vd.TimeProof, w.First.Format(time.RFC3339), w.Last.Format(time.RFC3339))
		if ok, reason := record.SignedInWindow(version, vd.SigningTime, line); !ok {
			t.Errorf("%s signed %s (%s): %s", name, vd.SigningTime, vd.TimeProof, reason)
		}
		for _, w := range record.Windows() {
			if w.Version == version || !strings.HasPrefix(w.Version, line+".") {
				continue
			}
			if ok, _ := record.SignedInWindow(w.Version, vd.SigningTime, line); ok {
				t.Errorf("%s (signed %s) also fits %s's window", name, vd.SigningTime, w.Version)
			}
		}
		n++
	}
	if n < 13 {
		t.Errorf("checked %d real bundles", n)
	}
}
