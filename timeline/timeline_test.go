package timeline

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEveryLineFacts(t *testing.T) {
	tl := Default()
	type fact struct {
		manager, fpr, identity, issuer, stable, eol string
		pep                                         int
	}
	want := map[string]fact{
		"3.7":  {"Ned Deily", "0D96DF4D4110E5C43FBFB17F2D347EA6AA65421D", "nad@python.org", "https://github.com/login/oauth", "2018-06-27", "2023-06-27", 537},
		"3.8":  {"Łukasz Langa", "E3FF2839C048B25C084DEBE9B26995E310250568", "lukasz@langa.pl", "https://github.com/login/oauth", "2019-10-14", "2024-10-07", 569},
		"3.9":  {"Łukasz Langa", "E3FF2839C048B25C084DEBE9B26995E310250568", "lukasz@langa.pl", "https://github.com/login/oauth", "2020-10-05", "2025-10", 596},
		"3.10": {"Pablo Galindo Salgado", "A035C8C19219BA821ECEA86B64E628F8D684696D", "pablogsal@python.org", "https://accounts.google.com", "2021-10-04", "2026-10", 619},
		"3.11": {"Pablo Galindo Salgado", "A035C8C19219BA821ECEA86B64E628F8D684696D", "pablogsal@python.org", "https://accounts.google.com", "2022-10-24", "2027-10", 664},
		"3.12": {"Thomas Wouters", "7169605F62C751356D054A26A821E680E5FA6305", "thomas@python.org", "https://accounts.google.com", "2023-10-02", "2028-10", 693},
		"3.13": {"Thomas Wouters", "7169605F62C751356D054A26A821E680E5FA6305", "thomas@python.org", "https://accounts.google.com", "2024-10-07", "2029-10", 719},
		"3.14": {"Hugo van Kemenade", "", "hugo@python.org", "https://github.com/login/oauth", "2025-10-07", "2030-10", 745},
		"3.15": {"Hugo van Kemenade", "", "hugo@python.org", "https://github.com/login/oauth", "2026-10", "2031-10", 790},
		"3.16": {"Savannah Ostrowski", "", "savannah@python.org", "https://github.com/login/oauth", "2027-10", "2032-10", 0},
		"3.17": {"Savannah Ostrowski", "", "savannah@python.org", "https://github.com/login/oauth", "2028-10", "2033-10", 0},
	}
	lines := tl.Lines()
	if len(lines) != len(want) {
		t.Fatalf("timeline has %d lines, want %d", len(lines), len(want))
	}
	for _, l := range lines {
		w, ok := want[l.Line]
		if !ok {
			t.Errorf("unexpected line %s", l.Line)
			continue
		}
		m, _ := tl.Manager(l.Manager)
		fpr := strings.Join(m.PGP, ",")
		if m.Name != w.manager || fpr != w.fpr || l.Identity != w.identity || l.Issuer != w.issuer ||
			l.FirstStable.String() != w.stable || l.EndOfLife.String() != w.eol || l.PEP != w.pep {
			t.Errorf("line %s = %s %s %s %s %s %s PEP %d, want %+v", l.Line, m.Name, fpr, l.Identity, l.Issuer, l.FirstStable, l.EndOfLife, l.PEP, w)
		}
		if len(l.Sources) == 0 {
			t.Errorf("line %s cites no source", l.Line)
		}
	}
}

func TestExpect(t *testing.T) {
	tl := Default()
	tests := []struct {
		version, kind string
		opt           Options
		methods       string
		pgpSigner     string
	}{
		// The acceptance examples.
		{"3.13.5", "source", Options{}, "PGP+Sigstore", "Thomas Wouters"},
		{"3.14.0", "source", Options{}, "Sigstore only", ""},
		{"3.15.0a8", "source", Options{}, "Sigstore only", ""},
		{"3.9.16", "source", Options{}, "PGP+Sigstore", "Łukasz Langa"},
		// Every line, final releases.
		{"3.7.17", "source", Options{}, "PGP+Sigstore", "Ned Deily"},
		{"3.7.13", "source", Options{}, "PGP only", "Ned Deily"},
		{"3.8.14", "source", Options{}, "PGP+Sigstore", "Łukasz Langa"},
		{"3.8.13", "source", Options{}, "PGP only", "Łukasz Langa"},
		{"3.9.25", "source", Options{}, "PGP+Sigstore", "Łukasz Langa"},
		{"3.10.1", "source", Options{}, "PGP only", "Pablo Galindo Salgado"},
		{"3.10.7", "source", Options{}, "PGP+Sigstore", "Pablo Galindo Salgado"},
		{"3.11.0", "source", Options{}, "PGP+Sigstore", "Pablo Galindo Salgado"},
		{"3.12.0", "source", Options{}, "PGP+Sigstore", "Thomas Wouters"},
		{"3.13.0", "source", Options{}, "PGP+Sigstore", "Thomas Wouters"},
		{"3.14.4", "source", Options{}, "Sigstore only", ""},
		{"3.16.0", "source", Options{}, "Sigstore only", ""},
		{"3.17.3", "source", Options{}, "Sigstore only", ""},
		// Pre-releases.
		{"3.11.0rc2", "source", Options{}, "PGP only", "Pablo Galindo Salgado"},
		// python.org's record: no bundles for 3.12.0a1-a6 (issue 15).
		{"3.12.0a1", "source", Options{}, "PGP only", "Thomas Wouters"},
		{"3.12.0a6", "windows", Options{}, "PGP only", "Steve Dower"},
		{"3.12.0a7", "source", Options{}, "PGP+Sigstore", "Thomas Wouters"},
		{"3.12.0a7", "macos", Options{}, "PGP+Sigstore", "Ned Deily"},
		{"3.10.10", "windows", Options{}, "PGP only", "Steve Dower"},
		{"3.10.11", "windows", Options{}, "PGP+Sigstore", "Steve Dower"},
		{"3.13.0b3", "source", Options{}, "PGP+Sigstore", "Thomas Wouters"},
		{"3.14.0rc1", "source", Options{}, "Sigstore only", ""},
		{"3.16.0a1", "source", Options{}, "Sigstore only", ""},
		// Installers: their own PGP signer, Sigstore by the manager.
		{"3.13.5", "windows", Options{}, "PGP+Sigstore", "Steve Dower"},
		{"3.13.5", "macos", Options{}, "PGP+Sigstore", "Ned Deily"},
		{"3.11.2", "windows", Options{}, "PGP only", "Steve Dower"},
		{"3.11.3", "windows", Options{}, "PGP+Sigstore", "Steve Dower"},
		{"3.14.0", "windows", Options{}, "Sigstore only", ""},
		{"3.14.0", "android", Options{}, "Sigstore only", ""},
		{"3.13.5", "docs", Options{}, "none", ""},
		// End-of-life edge: 3.8 ended 2024-10-07 (a day), 3.9 in 2025-10 (a month).
		{"3.8.20", "source", Options{ReleaseDate: day("2024-10-06")}, "PGP+Sigstore", "Łukasz Langa"},
		{"3.8.20", "source", Options{ReleaseDate: day("2024-10-07")}, "PGP+Sigstore", "Łukasz Langa"},
		{"3.8.21", "source", Options{ReleaseDate: day("2024-10-08")}, "Sigstore only", ""},
		{"3.9.25", "source", Options{ReleaseDate: day("2025-10-31")}, "PGP+Sigstore", "Łukasz Langa"},
		{"3.9.26", "source", Options{ReleaseDate: day("2025-11-01")}, "Sigstore only", ""},
		// Delay clause: Hugo keeps PGP (no key on record), Savannah still stops.
		{"3.14.0", "source", Options{PGPDelayed: true}, "PGP+Sigstore", "Hugo van Kemenade"},
		{"3.15.0a8", "source", Options{PGPDelayed: true}, "PGP+Sigstore", "Hugo van Kemenade"},
		{"3.16.0", "source", Options{PGPDelayed: true}, "Sigstore only", ""},
		{"3.13.5", "source", Options{PGPDelayed: true}, "PGP+Sigstore", "Thomas Wouters"},
	}
	for _, tt := range tests {
		t.Run(tt.version+"/"+tt.kind, func(t *testing.T) {
			e, err := tl.ExpectString(tt.version, tt.kind, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if e.Methods() != tt.methods || e.PGPSigner != tt.pgpSigner {
				t.Errorf("Expect(%s, %s, %+v) = %s signer %q (pgp: %s; sigstore: %s), want %s signer %q",
					tt.version, tt.kind, tt.opt, e.Methods(), e.PGPSigner, e.PGPReason, e.SigstoreReason, tt.methods, tt.pgpSigner)
			}
			if e.PGPReason == "" || e.SigstoreReason == "" {
				t.Errorf("missing reasons: %+v", e)
			}
		})
	}
}

func TestExpectFingerprintsAndIdentity(t *testing.T) {
	tl := Default()
	e, err := tl.ExpectString("3.13.5", "windows", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.PGPFingerprints) != 1 || e.PGPFingerprints[0] != "7ED10B6531D7C8E1BC296021FC624643487034E5" {
		t.Errorf("windows PGP fingerprints = %v, want Steve Dower's", e.PGPFingerprints)
	}
	if e.Identity != "thomas@python.org" || e.Issuer != "https://accounts.google.com" {
		t.Errorf("windows Sigstore identity = %s %s, want the release manager's", e.Identity, e.Issuer)
	}
	d, _ := tl.ExpectString("3.14.0", "source", Options{PGPDelayed: true})
	if !strings.Contains(d.PGPReason, "no PGP key is on record") {
		t.Errorf("delayed 3.14 reason %q should say no key is on record", d.PGPReason)
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestUnknownLine(t *testing.T) {
	tl := Default()
	for _, v := range []string{"3.18.0", "4.0.0", "3.6.15", "2.7.18"} {
		_, err := tl.ExpectString(v, "source", Options{})
		var ul *UnknownLineError
		if !errors.As(err, &ul) || !errors.Is(err, ErrUnknownLine) {
			t.Errorf("%s: err = %v, want UnknownLineError", v, err)
			continue
		}
		if !strings.Contains(ul.Hint(), "--policy") {
			t.Errorf("%s: hint %q does not mention --policy", v, ul.Hint())
		}
	}
}

func TestParseVersion(t *testing.T) {
	good := map[string]string{
		"3.13.5": "3.13", "3.14.0rc2": "3.14", "3.15.0a8": "3.15", "3.12.0b4": "3.12", "3.7.0": "3.7", "10.0.0": "10.0",
	}
	for s, line := range good {
		v, err := ParseVersion(s)
		if err != nil || v.Line() != line || v.String() != s {
			t.Errorf("ParseVersion(%q) = %v (%s), %v", s, v, v.Line(), err)
		}
	}
	bad := []string{"3", "3.x.1", "", "3.13.5; rm -rf /", "3.13", "3.13.5.1", "03.13.5", "3.13.5c1", "3.13.5a", "3.13.5a0",
		"v3.13.5", " 3.13.5", "3.13.5\n", "3.13.5rc1rc1", strings.Repeat("9", 100), "3.13.05", "3.1234.0", "３.13.5"}
	for _, s := range bad {
		_, err := ParseVersion(s)
		if err == nil {
			t.Errorf("ParseVersion(%q) succeeded", s)
			continue
		}
		if !strings.Contains(err.Error(), "malformed version") {
			t.Errorf("ParseVersion(%q) error %q does not say malformed version", s, err)
		}
		if strings.ContainsAny(err.Error(), "\n\x00") {
			t.Errorf("ParseVersion(%q) error has raw control bytes: %q", s, err)
		}
	}
}

func TestVersionOrder(t *testing.T) {
	order := []string{"3.9.0", "3.10.0a1", "3.10.0a2", "3.10.0b1", "3.10.0rc1", "3.10.0rc2", "3.10.0", "3.10.1", "3.10.10", "3.11.0a1"}
	for i := 1; i < len(order); i++ {
		a, _ := ParseVersion(order[i-1])
		b, _ := ParseVersion(order[i])
		if a.Compare(b) >= 0 || b.Compare(a) <= 0 {
			t.Errorf("%s should sort before %s", a, b)
		}
	}
	if CompareLines("3.9", "3.10") >= 0 {
		t.Error("3.9 should sort before 3.10")
	}
}

func TestManagerKeepsPGP(t *testing.T) {
	tl := Default()
	for id, want := range map[string][2]bool{
		"ned": {true, true}, "lukasz": {true, true}, "pablo": {true, true}, "thomas": {true, true},
		"hugo": {false, true}, "savannah": {false, false}, "steve": {false, false},
	} {
		if got := tl.ManagerKeepsPGP(id, false); got != want[0] {
			t.Errorf("ManagerKeepsPGP(%s) = %v, want %v", id, got, want[0])
		}
		if got := tl.ManagerKeepsPGP(id, true); got != want[1] {
			t.Errorf("ManagerKeepsPGP(%s, delayed) = %v, want %v", id, got, want[1])
		}
	}
}

func TestDates(t *testing.T) {
	d := MustDate("2025-10")
	if d.Last().Format("2006-01-02") != "2025-10-31" || d.First().Format("2006-01-02") != "2025-10-01" {
		t.Errorf("2025-10 covers %s..%s", d.First(), d.Last())
	}
	if MustDate("2024-02").Last().Day() != 29 {
		t.Error("leap February")
	}
	for _, s := range []string{"2025-13", "2025-02-30", "2025-1-1", "25-10", "", "2025-10-00", "2025-00"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) succeeded", s)
		}
	}
}
