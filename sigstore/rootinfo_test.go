package sigstore

import (
	"strings"
	"testing"
	"time"
)

func TestEmbeddedRootInfo(t *testing.T) {
	info, err := EmbeddedRootInfo()
	if err != nil {
		t.Fatal(err)
	}
	// targets.json v14 entry of github.com/sigstore/root-signing (PROVENANCE.md).
	if info.SHA256 != "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66" {
		t.Errorf("sha256 = %s", info.SHA256)
	}
	if info.NewestStart.Year() < 2025 || info.Keys < 4 {
		t.Errorf("info = %+v", info)
	}
	if _, err := DescribeRoot([]byte(`{}`)); err == nil {
		t.Error("an empty root was described")
	}
}

func TestRootWindows(t *testing.T) {
	info, err := EmbeddedRootInfo()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, w := range info.Windows {
		kinds[w.Kind]++
		if w.URI == "" || w.Start.IsZero() {
			t.Errorf("window %+v", w)
		}
	}
	// The embedded root: 2 Rekor logs, 2 Fulcio CAs, 2 CT logs, 1 TSA.
	if kinds[KindTlog] != 2 || kinds[KindCA] != 2 || kinds[KindCTLog] != 2 || kinds[KindTSA] != 1 || info.Keys != 7 {
		t.Errorf("kinds %v keys %d", kinds, info.Keys)
	}
	if info.Windows[0].Kind != KindTlog || info.Windows[len(info.Windows)-1].Kind != KindTSA {
		t.Errorf("order %+v", info.Windows)
	}
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		at, asOf string
		want     string
	}{
		{"2024-10-07", "2026-08-28", ""},
		{"2026-08-01", "2026-08-28", ""},
		{"2026-09-30", "2026-08-28", "after the trust root"},
		{"2026-09-30", "", "after the trust root"}, // asOf defaults to the newest key start
		{"2020-01-01", "2026-08-28", "no transparency log key"},
	} {
		var asOf time.Time
		if c.asOf != "" {
			asOf = day(c.asOf)
		}
		got := info.SigningTimeWarning(day(c.at), asOf)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s (as of %s): %q, want %q", c.at, c.asOf, got, c.want)
		}
	}
	if info.SigningTimeWarning(time.Time{}, time.Time{}) != "" {
		t.Error("warning for an unknown time")
	}
	// A root whose only CA ended before the signing time.
	r := []byte(`{"tlogs":[{"baseUrl":"l","publicKey":{"validFor":{"start":"2021-01-01T00:00:00Z"}}}],
		"certificateAuthorities":[{"uri":"c","validFor":{"start":"2021-01-01T00:00:00Z","end":"2022-01-01T00:00:00Z"}}]}`)
	old, err := DescribeRoot(r)
	if err != nil {
		t.Fatal(err)
	}
	if w := old.SigningTimeWarning(day("2023-01-01"), day("2024-01-01")); !strings.Contains(w, "no certificate authority key") {
		t.Errorf("%q", w)
	}
	if _, err := DescribeRoot([]byte(`{"tlogs":[{"baseUrl":"l","publicKey":{}}]}`)); err == nil {
		t.Error("a key without a validity start was described")
	}
}
