package record

import (
	"reflect"
	"strings"
	"testing"
)

// The scanning lookups (the first few of a run) give the index's answers
// for every row of the embedded table, and for names, paths and digests
// that are not in it or would match across fields or rows.
func TestScanAgreesWithIndex(t *testing.T) {
	d := load()
	scanLookup := func(dir, name string) (Artifact, bool) {
		if as := scanByPath(dir + "/" + name); len(as) > 0 {
			return as[0], true
		}
		return Artifact{}, false
	}
	seen := map[string]bool{}
	for _, a := range d.all {
		got, ok := scanLookup(a.Dir, a.Name)
		if !ok || got != a {
			t.Fatalf("scan Lookup(%s) = %+v, %v, want %+v", a.Path(), got, ok, a)
		}
		if !seen[a.Name] {
			seen[a.Name] = true
			if g, w := scanByName(a.Name), d.pick(d.byName[a.Name]); !reflect.DeepEqual(g, w) {
				t.Fatalf("scan ByName(%s) = %+v, index %+v", a.Name, g, w)
			}
		}
		if g, w := scanBySHA256(a.SHA256), d.pick(d.byDigest[a.SHA256]); !reflect.DeepEqual(g, w) {
			t.Fatalf("scan BySHA256(%s) = %+v, index %+v", a.SHA256, g, w)
		}
	}
	first := d.all[0]
	for _, c := range [][2]string{
		{"3.13.5", "nope"}, {"", first.Name}, {first.Dir, ""}, {"3.13", "5/" + first.Name},
		{first.Dir, first.Name + "\t" + first.SHA256}, {"path", "sha256"}, {"3.13.5", "Python-3.13.5.tar"},
		{strings.Split(first.Dir, ".")[0], first.Name},
	} {
		if a, ok := scanLookup(c[0], c[1]); ok {
			t.Errorf("scan Lookup(%q, %q) = %+v", c[0], c[1], a)
		}
		if _, ok := d.byPath[c[0]+"/"+c[1]]; ok {
			t.Errorf("index has %q/%q", c[0], c[1])
		}
	}
	for _, n := range []string{"", "nope", "sha256", "bundle", "Python-3.13.5.tar", "3.13.5/Python-3.13.5.tar.xz", "Python-3.13.5.tar.xz\t"} {
		if g := scanByName(n); len(g) != len(d.byName[n]) {
			t.Errorf("scan ByName(%q) = %+v", n, g)
		}
	}
	for _, h := range []string{"", "nope", first.SHA256[:63], first.SHA256 + "0", "sha256"} {
		if g := scanBySHA256(h); len(g) != 0 {
			t.Errorf("scan BySHA256(%q) = %+v", h, g)
		}
	}
}

// Past the first lookups of a run, the index answers.
func TestLookupsSwitchToIndex(t *testing.T) {
	for range 2 * scanLookups {
		if a, ok := Lookup("3.13.5", "Python-3.13.5.tar.xz"); !ok || a.SHA256 != "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640" {
			t.Fatalf("Lookup = %+v, %v", a, ok)
		}
	}
	if !useIndex() {
		t.Error("still scanning after many lookups")
	}
}

func BenchmarkFirstLookup(b *testing.B) {
	for b.Loop() {
		scanByPath("3.13.5/Python-3.13.5.tar.xz")
	}
}

func BenchmarkIndex(b *testing.B) {
	for b.Loop() {
		if _, err := parse(digestsTSV, signingTSV); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzScan compares the scanning lookups with the index for arbitrary
// directories, names and digests.
func FuzzScan(f *testing.F) {
	f.Add("3.13.5", "Python-3.13.5.tar.xz", "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640")
	f.Add("2.0.1", "Python-2.0.1.exe", "d8ce498a186d39a9b1eff2af356e0e7d8e4bbbfa57c2eab728640ac7dd1b7bba")
	f.Add("path", "sha256\tsize", "bundle")
	d := load()
	f.Fuzz(func(t *testing.T, dir, name, digest string) {
		path := dir + "/" + name
		got := scanByPath(path)
		i, ok := d.byPath[path]
		if ok != (len(got) == 1) || len(got) > 1 || ok && got[0] != d.all[i] {
			t.Fatalf("Lookup(%q, %q): scan %+v, index %v", dir, name, got, ok)
		}
		if g, w := scanByName(name), d.byName[name]; len(g) != len(w) {
			t.Fatalf("ByName(%q): scan %d, index %d", name, len(g), len(w))
		}
		if g, w := scanBySHA256(digest), d.byDigest[digest]; len(g) != len(w) {
			t.Fatalf("BySHA256(%q): scan %d, index %d", digest, len(g), len(w))
		}
	})
}
