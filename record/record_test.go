package record

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

// go test ./record -update (the flag is fixtures') regenerates digests.tsv
// and signing-times.tsv from ../../shared.

const (
	sharedDigests = "../../shared/realdata/digests/cpython-release-tracker-sha256.tsv"
	sharedSigning = "../../shared/domain/signing-times.tsv"
)

var urlPrefix = regexp.MustCompile(`^https?://www\.python\.org/ftp/python/`)

// derive turns the tracker's table into the embedded form.
func derive(t *testing.T, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("path\tsha256\tsize\tbundle\n")
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 5 {
			t.Fatalf("%s:%d: %d fields", sharedDigests, n, len(f))
		}
		if !urlPrefix.MatchString(f[0]) {
			t.Fatalf("%s:%d: URL %q is not under python.org/ftp/python/", sharedDigests, n, f[0])
		}
		out.WriteString(urlPrefix.ReplaceAllString(f[0], "") + "\t" + f[1] + "\t" + f[2] + "\t" + f[4] + "\n")
	}
	return out.Bytes()
}

// TestEmbeddedMatchesShared proves the embedded record is the shared
// ground truth, row for row.
func TestEmbeddedMatchesShared(t *testing.T) {
	raw, err := os.ReadFile(sharedDigests)
	if err != nil {
		t.Skip("../../shared not present:", err)
	}
	want := derive(t, raw)
	signing, err := os.ReadFile(sharedSigning)
	if err != nil {
		t.Fatal(err)
	}
	if fixtures.Update() {
		if err := os.WriteFile("digests.tsv", want, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("signing-times.tsv", signing, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(want, digestsTSV) {
		t.Error("digests.tsv differs from the shared table; run go test ./record -update")
	}
	if !bytes.Equal(signing, signingTSV) {
		t.Error("signing-times.tsv differs from shared/domain; run go test ./record -update")
	}
}

func TestLookups(t *testing.T) {
	const tarball = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
	a, ok := Lookup("3.13.5", "Python-3.13.5.tar.xz")
	if !ok || a.SHA256 != tarball || !a.Bundle || a.Size <= 0 {
		t.Fatalf("Lookup 3.13.5 tarball = %+v, %v", a, ok)
	}
	if got := BySHA256(strings.ToUpper(tarball)); len(got) != 1 || got[0].Path() != "3.13.5/Python-3.13.5.tar.xz" {
		t.Errorf("BySHA256 = %+v", got)
	}
	if got := ByName("Python-3.13.5.tar.xz"); len(got) != 1 {
		t.Errorf("ByName = %+v", got)
	}
	if _, ok := Lookup("3.13.5", "nope"); ok {
		t.Error("Lookup of an unknown file succeeded")
	}
	dir := InDir("3.12.0")
	if len(dir) == 0 {
		t.Fatal("InDir(3.12.0) is empty")
	}
	for i := 1; i < len(dir); i++ {
		if dir[i-1].Name > dir[i].Name {
			t.Fatal("InDir not sorted")
		}
	}
	w, ok := SigningWindow("3.7.14")
	if !ok || w.First.Year() != 2023 || w.Bundles != 2 {
		t.Errorf("SigningWindow(3.7.14) = %+v, %v (3.7.14 was signed in 2023, long after release)", w, ok)
	}
	if _, ok := SigningWindow("2.7.18"); ok {
		t.Error("2.7.18 has a signing window")
	}
	m := Info()
	d := load()
	bundles := 0
	for _, a := range d.all {
		if a.Bundle {
			bundles++
		}
	}
	if m.Artifacts != len(d.all) || m.Bundles != bundles || m.Versions != len(d.windows) || !m.NewestSig.Equal(d.newest) {
		t.Errorf("Info = %+v, the index says %d artifacts, %d bundles, %d versions, newest %v", m, len(d.all), bundles, len(d.windows), d.newest)
	}
	if m.Artifacts != 3353 || m.Bundles != 886 || m.NewestSig.IsZero() || len(m.SHA256) != 64 || len(Windows()) != m.Versions {
		t.Errorf("Info = %+v", m)
	}
}

func TestParseRejects(t *testing.T) {
	hdr := "path\tsha256\tsize\tbundle\n"
	good := strings.Repeat("a", 64)
	sig := "version\tfirst_signed\tlast_signed\tbundles\n"
	for name, c := range map[string][2]string{
		"fields":     {hdr + "3.1/x\t" + good + "\t1\n", sig},
		"path":       {hdr + "x\t" + good + "\t1\tno\n", sig},
		"sha":        {hdr + "3.1/x\tzz\t1\tno\n", sig},
		"upper":      {hdr + "3.1/x\t" + strings.ToUpper(good) + "\t1\tno\n", sig},
		"size":       {hdr + "3.1/x\t" + good + "\t-1\tno\n", sig},
		"bundle":     {hdr + "3.1/x\t" + good + "\t1\tmaybe\n", sig},
		"dup":        {hdr + "3.1/x\t" + good + "\t1\tno\n3.1/x\t" + good + "\t1\tno\n", sig},
		"sig-fields": {hdr, sig + "3.1\tx\n"},
		"sig-order":  {hdr, sig + "3.1\t2023-01-02T00:00:00Z\t2023-01-01T00:00:00Z\t1\n"},
		"sig-dup":    {hdr, sig + "3.1\t2023-01-01T00:00:00Z\t2023-01-01T00:00:00Z\t1\n3.1\t2023-01-01T00:00:00Z\t2023-01-01T00:00:00Z\t1\n"},
	} {
		if _, err := parse([]byte(c[0]), []byte(c[1])); err == nil {
			t.Errorf("%s: parse accepted bad data", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(digestsTSV[:2000], signingTSV[:300])
	f.Fuzz(func(t *testing.T, a, b []byte) {
		d, err := parse(a, b)
		if err == nil && len(d.all) != len(d.byPath) {
			t.Fatal("index out of step")
		}
	})
}
