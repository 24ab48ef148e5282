package source

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/sigaudit/sigaudit/timeline"
)

func TestParseName(t *testing.T) {
	cases := []struct{ name, dir, version, kind string }{
		{"Python-3.13.5.tar.xz", "3.13.5", "3.13.5", KindSource},
		{"Python-3.13.5.tgz", "", "3.13.5", KindSource},
		{"Python-3.14.0rc1.tar.xz", "3.14.0", "3.14.0rc1", KindSource},
		{"Python-2.7.18.tar.bz2", "", "2.7.18", KindSource},
		{"python-3.13.5-amd64.exe", "", "3.13.5", KindWindows},
		{"python-3.13.5.exe", "", "3.13.5", KindWindows},
		{"python-3.13.5-arm64.exe", "", "3.13.5", KindWindows},
		{"python-3.9.0-amd64-webinstall.exe", "", "3.9.0", KindWindows},
		{"python-3.13.5-embed-amd64.zip", "", "3.13.5", KindWindows},
		{"python-3.13.5-embed-win32.zip", "", "3.13.5", KindWindows},
		{"python-3.4.4.amd64.msi", "", "3.4.4", KindWindows},
		{"python-3.4.4.msi", "", "3.4.4", KindWindows},
		{"python-3.4.4.amd64-pdb.zip", "", "3.4.4", KindWindows},
		{"windows-3.14.0.json", "", "3.14.0", KindWindows},
		{"python-3.13.5-macos11.pkg", "", "3.13.5", KindMacOS},
		{"python-3.8.10-macosx10.9.pkg", "", "3.8.10", KindMacOS},
		{"python-3.14.0b2-macos11.pkg", "", "3.14.0b2", KindMacOS},
		{"python-3.14.0-aarch64-linux-android.tar.gz", "", "3.14.0", KindAndroid},
		{"python3135.chm", "3.13.5", "3.13.5", KindDocs},
		{"python3140rc1.chm", "3.14.0", "3.14.0rc1", KindDocs},
		{"python-3.13.5-docs-html.tar.bz2", "", "3.13.5", KindDocs},
		{"python3135.chm", "3.12.0", "", KindUnknown},
		{"README.txt", "", "", KindUnknown},
		{"Python-3.13.5.tar.xz.asc", "", "", KindUnknown},
		{"Python-3.x.5.tgz", "", "", KindUnknown},
		{"../Python-3.13.5.tgz", "", "", KindUnknown},
	}
	for _, c := range cases {
		n := ParseName(c.name, c.dir)
		if n.Version != c.version || n.Kind != c.kind || n.Known != (c.kind != KindUnknown) {
			t.Errorf("ParseName(%q, %q) = %+v, want %s %s", c.name, c.dir, n, c.version, c.kind)
		}
	}
}

// Every real python.org artifact name from 3.7 on maps to a version and
// kind; the few that do not are listed.
func TestParseRealNames(t *testing.T) {
	f, err := os.Open("../testdata/realdata/cpython-release-tracker-sha256.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	total, unknown := 0, 0
	for sc.Scan() {
		url := strings.Split(sc.Text(), "\t")[0]
		parts := strings.Split(url, "/")
		dir, name := parts[len(parts)-2], parts[len(parts)-1]
		if v, err := timeline.ParseVersion(dir); err != nil || v.Major != 3 || v.Minor < 7 {
			continue // sigaudit's timeline starts at 3.7
		}
		total++
		n := ParseName(name, dir)
		if !n.Known {
			unknown++
			t.Logf("unknown: %s/%s", dir, name)
			continue
		}
		if !strings.HasPrefix(n.Version, strings.Join(strings.Split(dir, ".")[:2], ".")) {
			t.Errorf("%s/%s parsed as %s", dir, name, n.Version)
		}
	}
	if total < 1500 || unknown > 0 {
		t.Errorf("%d names, %d unknown", total, unknown)
	}
}

func TestSafeName(t *testing.T) {
	for _, n := range []string{"", ".", "..", "../x", "a/b", `a\b`, "a\x00b", "a\nb", ".hidden", strings.Repeat("a", 300)} {
		if SafeName(n) {
			t.Errorf("SafeName(%q) = true", n)
		}
	}
	for _, n := range []string{"Python-3.13.5.tgz", "python3135.chm", "3.13.5"} {
		if !SafeName(n) {
			t.Errorf("SafeName(%q) = false", n)
		}
	}
}
