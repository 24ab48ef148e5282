package timeline

import (
	"bytes"
	"testing"
)

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"3.13.5", "3.14.0rc1", "3.15.0a8", "3", "", "3.x.1", "3.13.5; rm -rf /"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		// A parsed version prints back to itself and orders consistently.
		if v.String() != s {
			t.Fatalf("%q round-trips to %q", s, v.String())
		}
		if v.Compare(v) != 0 {
			t.Fatal("not equal to itself")
		}
		_, _ = Default().Expect(v, "source", Options{})
	})
}

func FuzzPolicyFile(f *testing.F) {
	f.Add(Embedded())
	f.Add([]byte("lines:\n  - line: '3.18'\n    manager: savannah\n"))
	f.Add([]byte("managers: [{id: x, name: X, pgp: [ABC]}]"))
	f.Add([]byte("artifact_kinds: [{kind: win-x, of: windows, match: '^x.*[.]json$', pgp: signed, signer: 'installer:macos'}]\nlapses: [{dir: 3.13.5, name: x.json, method: sigstore, evidence: e}]\nextras: [{version: 3.10.2, method: sigstore, evidence: e}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tl, err := Default().WithPolicy(bytes.NewReader(b), "fuzz.yaml")
		if err != nil {
			return
		}
		for _, l := range tl.Lines() {
			_, _ = tl.ExpectString(l.Line+".0", "source", Options{})
			v, _ := ParseVersion(l.Line + ".0")
			for _, k := range []string{"windows", "docs", "android", "macos"} {
				_, _ = tl.ExpectFile(v, k, "windows-"+l.Line+".0.json", Options{PGPDelayed: true})
			}
		}
	})
}

func FuzzVersionsFile(f *testing.F) {
	f.Add([]byte(`{"3.13": {"version": "3.13.5"}}`))
	f.Add([]byte(`["3.12", "3.13.5"]`))
	f.Add([]byte("3.12\n3.13.5 # x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, err := ParseVersionsFile(b, "fuzz")
		if err != nil {
			return
		}
		for _, v := range vs {
			if !IsLine(v) {
				if _, err := ParseVersion(v); err != nil {
					t.Fatalf("accepted %q: %v", v, err)
				}
			}
		}
	})
}
