package timeline

import (
	"os"
	"strings"
	"testing"
)

func TestPolicyFiles(t *testing.T) {
	base := Default()
	f, err := os.Open("../testdata/policy/add-3.18.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tl, err := base.WithPolicy(f, "add-3.18.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := tl.ExpectString("3.18.0", "source", Options{})
	if err != nil || e.Methods() != "Sigstore only" || e.Identity != "savannah@python.org" {
		t.Errorf("3.18.0: %+v %v", e, err)
	}
	// The embedded timeline is untouched.
	if _, err := base.ExpectString("3.18.0", "source", Options{}); err == nil {
		t.Error("policy leaked into the embedded timeline")
	}

	// A re-signed mirror replaces a line and adds a manager.
	f2, _ := os.Open("../testdata/policy/mirror-resigned.yaml")
	defer f2.Close()
	tl2, err := base.WithPolicy(f2, "mirror-resigned.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, _ = tl2.ExpectString("3.13.5", "source", Options{})
	if e.Identity != "releng@acme.example" || !e.PGP || e.PGPFingerprints[0] != "0123456789ABCDEF0123456789ABCDEF01234567" {
		t.Errorf("re-signed 3.13: %+v", e)
	}
}

func TestPolicyFileErrors(t *testing.T) {
	cases := map[string]string{
		"bad-unknown-field.yaml": `bad-unknown-field.yaml:4: lines[0].colour: unknown field "colour"`,
		"bad-fingerprint.yaml":   `bad-fingerprint.yaml:4: managers[0].pgp[0]: bad fingerprint "nothex"`,
		"bad-date.yaml":          `bad-date.yaml:6: lines[0].first_stable: bad date "2029-13"`,
		"bad-duplicate.yaml":     `bad-duplicate.yaml:8: lines[1].line: duplicate line "3.18"`,
		"bad-manager.yaml":       `bad-manager.yaml:3: lines[0].manager: unknown manager "nobody"`,
	}
	for file, want := range cases {
		f, err := os.Open("../testdata/policy/" + file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Default().WithPolicy(f, file)
		f.Close()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", file, err, want)
		}
	}
	for name, doc := range map[string]string{
		"empty":        "",
		"not yaml":     "lines: [",
		"bad issuer":   "lines:\n  - {line: '3.18', manager: hugo, identity: a, issuer: 'http://x', first_stable: '2029-10', end_of_life: '2034-10'}\n",
		"eol first":    "lines:\n  - {line: '3.18', manager: hugo, identity: a, issuer: 'https://x', first_stable: '2029-10', end_of_life: '2020-10'}\n",
		"wrong line":   "lines:\n  - {line: '3.18', manager: hugo, identity: a, issuer: 'https://x', first_stable: '2029-10', end_of_life: '2034-10', sigstore_from: {source: 3.17.0}}\n",
		"bad kind":     "lines:\n  - {line: '3.18', manager: hugo, identity: a, issuer: 'https://x', first_stable: '2029-10', end_of_life: '2034-10', sigstore_from: {tarball: 3.18.0}}\n",
		"bad line":     "lines:\n  - {line: 'three', manager: hugo, identity: a, issuer: 'https://x', first_stable: '2029-10', end_of_life: '2034-10'}\n",
		"schema 2":     "schema: 2\n",
		"dup manager":  "managers:\n  - {id: a, name: A}\n  - {id: a, name: B}\n",
		"huge":         strings.Repeat("#", maxDataSize+10),
		"date as list": "lines:\n  - {line: '3.18', first_stable: [1]}\n",
	} {
		if _, err := Default().WithPolicy(strings.NewReader(doc), name); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), name) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
}

// The embedded data passes the same validation as policy files.
func TestEmbeddedDataValidates(t *testing.T) {
	if _, err := ParseData(strings.NewReader(string(Embedded())), "lines.json", false); err != nil {
		t.Fatal(err)
	}
	if _, err := Default().WithPolicy(strings.NewReader(string(Embedded())), "lines.json"); err != nil {
		t.Fatalf("the embedded file as a policy: %v", err)
	}
}

func TestParseVersionsFile(t *testing.T) {
	dockerLibrary := `{
  "3.13": {"version": "3.13.5", "sha256": "x", "variants": ["bookworm"]},
  "3.14": {"version": "3.14.0rc1"},
  "3.9": {"version": "3.9.23"},
  "3.15-rc": null
}`
	cases := map[string]string{
		dockerLibrary:        "3.9.23 3.13.5 3.14.0rc1",
		`["3.12", "3.13.5"]`: "3.12 3.13.5",
		"# lines we ship\n3.12\n3.13.5 3.14 # trailing\n\n": "3.12 3.13.5 3.14",
	}
	for in, want := range cases {
		got, err := ParseVersionsFile([]byte(in), "f")
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%q: %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "{}", `{"3.13": {"sha256": "x"}}`, `["3.x"]`, "3.13.5; rm -rf /", `[1]`, "{"} {
		if _, err := ParseVersionsFile([]byte(bad), "f"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
