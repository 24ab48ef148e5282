package timeline_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// since37 reports whether a record row is in a 3.7+ release directory.
func since37(a record.Artifact) bool {
	v, err := timeline.ParseVersion(a.Dir)
	return err == nil && (v.Major > 3 || v.Major == 3 && v.Minor >= 7)
}

// walkResult is what walking the record with a timeline found.
type walkResult struct {
	rows       int
	disagree   []string // rows where expectation and record differ unexplained
	lapses     map[string]bool
	extras     map[string]bool
	expected   int // rows where Sigstore is expected
	unexpected int // rows where it is not
}

// walk compares, for every 3.7+ row of python.org's record, the timeline's
// Sigstore expectation with whether python.org publishes a bundle. A row
// expected but unbundled must be a named lapse; a row bundled but not
// expected must belong to a named extra version.
func walk(t *testing.T, tl *timeline.Timeline) walkResult {
	t.Helper()
	r := walkResult{lapses: map[string]bool{}, extras: map[string]bool{}}
	for _, a := range record.All() {
		if !since37(a) {
			continue
		}
		r.rows++
		n := source.ParseName(a.Name, a.Dir)
		if !n.Known {
			r.disagree = append(r.disagree, a.Path()+": name not recognized")
			continue
		}
		v, err := timeline.ParseVersion(n.Version)
		if err != nil {
			t.Fatal(err)
		}
		e, err := tl.ExpectFile(v, n.Kind, a.Name, timeline.Options{})
		if err != nil {
			r.disagree = append(r.disagree, fmt.Sprintf("%s: %v", a.Path(), err))
			continue
		}
		if e.Sigstore {
			r.expected++
		} else {
			r.unexpected++
		}
		switch {
		case e.Sigstore && a.Bundle:
			if e.Lapse != nil {
				r.disagree = append(r.disagree, a.Path()+": listed as a lapse but python.org publishes its bundle")
			}
		case !e.Sigstore && !a.Bundle:
		case e.Sigstore && !a.Bundle:
			if e.Lapse == nil || e.Lapse.Dir != a.Dir {
				r.disagree = append(r.disagree, fmt.Sprintf("%s: Sigstore expected (%s), python.org publishes no bundle", a.Path(), e.SigstoreReason))
				continue
			}
			r.lapses[a.Path()] = true
		case !e.Sigstore && a.Bundle:
			if _, ok := tl.ExtraFor(n.Version, "sigstore"); !ok {
				r.disagree = append(r.disagree, fmt.Sprintf("%s: python.org publishes a bundle, Sigstore not expected (%s)", a.Path(), e.SigstoreReason))
				continue
			}
			r.extras[n.Version] = true
		}
	}
	return r
}

// TestRecordAgreesWithTimeline walks every 3.7+ artifact python.org
// published (2,103 at the pinned tracker commit) and checks the timeline's
// Sigstore expectation against whether python.org publishes a bundle.
func TestRecordAgreesWithTimeline(t *testing.T) {
	tl := timeline.Default()
	r := walk(t, tl)
	if r.rows != 2103 {
		t.Errorf("walked %d rows, want the record's 2103 3.7+ artifacts", r.rows)
	}
	for _, d := range r.disagree {
		t.Error(d)
	}
	// Every named lapse and extra is used: none is stale.
	for _, l := range tl.Lapses() {
		if l.Method == "sigstore" && !r.lapses[l.Dir+"/"+l.Name] {
			t.Errorf("lapse %s/%s does not match the record", l.Dir, l.Name)
		}
	}
	for _, x := range tl.Extras() {
		if x.Method == "sigstore" && !r.extras[x.Version] {
			t.Errorf("extra %s does not match the record", x.Version)
		}
	}
	// The one real lapse known today.
	if len(r.lapses) != 1 || !r.lapses["3.14.0/windows-3.14.0b3.json"] {
		t.Errorf("lapses %v, want exactly 3.14.0/windows-3.14.0b3.json", r.lapses)
	}
	if r.expected == 0 || r.unexpected == 0 {
		t.Errorf("expected %d, unexpected %d", r.expected, r.unexpected)
	}
	t.Logf("%d rows: Sigstore expected for %d, not for %d; lapses %v; extras %v", r.rows, r.expected, r.unexpected, keys(r.lapses), keys(r.extras))
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// movedBoundary returns the timeline with line's Sigstore boundary for
// kind set to from, through the policy-file mechanism.
func movedBoundary(t *testing.T, tl *timeline.Timeline, line, kind, from string) *timeline.Timeline {
	t.Helper()
	l, ok := tl.Line(line)
	if !ok {
		t.Fatalf("no line %s", line)
	}
	sf := map[string]string{}
	for k, v := range l.SigstoreFrom {
		sf[k] = v
	}
	sf[kind] = from
	l.SigstoreFrom = sf
	b, err := json.Marshal(map[string]any{"lines": []timeline.Line{l}})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := tl.WithPolicy(bytes.NewReader(b), "moved.json")
	if err != nil {
		t.Fatalf("policy %s: %v", b, err)
	}
	return moved
}

// TestRecordCatchesMovedBoundary moves every Sigstore boundary of the
// timeline by one version (to the previous and to the next version that
// has an artifact of that kind) and checks that the walk reports
// disagreements each time: the record test would catch a wrong boundary.
func TestRecordCatchesMovedBoundary(t *testing.T) {
	tl := timeline.Default()
	// Versions with artifacts, per line and kind, in order.
	vers := map[[2]string][]string{}
	seen := map[[3]string]bool{}
	for _, a := range record.All() {
		if !since37(a) {
			continue
		}
		n := source.ParseName(a.Name, a.Dir)
		v, err := timeline.ParseVersion(n.Version)
		if err != nil {
			continue
		}
		k := [2]string{v.Line(), n.Kind}
		if !seen[[3]string{k[0], k[1], n.Version}] {
			seen[[3]string{k[0], k[1], n.Version}] = true
			vers[k] = append(vers[k], n.Version)
		}
	}
	moves := 0
	for _, l := range tl.Lines() {
		for kind, from := range l.SigstoreFrom {
			list := vers[[2]string{l.Line, kind}]
			if len(list) == 0 {
				continue // no artifact of that kind in the record
			}
			source.SortVersions(list)
			fv, _ := timeline.ParseVersion(from)
			// The first version with artifacts the boundary covers.
			i := sort.Search(len(list), func(i int) bool {
				v, _ := timeline.ParseVersion(list[i])
				return v.Compare(fv) >= 0
			})
			var targets []string
			if i > 0 {
				targets = append(targets, list[i-1])
			}
			if i+1 < len(list) {
				targets = append(targets, list[i+1])
			}
			for _, to := range targets {
				t.Run(fmt.Sprintf("%s/%s/%s->%s", l.Line, kind, from, to), func(t *testing.T) {
					r := walk(t, movedBoundary(t, tl, l.Line, kind, to))
					if len(r.disagree) == 0 {
						t.Errorf("moving %s %s's boundary from %s to %s goes unnoticed", l.Line, kind, from, to)
					}
				})
				moves++
			}
		}
	}
	if moves < 20 {
		t.Errorf("only %d boundary moves tried", moves)
	}

	// The example, spelled out: 3.12 from a6 (one version early)
	// expects bundles python.org never published for 3.12.0a6.
	r := walk(t, movedBoundary(t, tl, "3.12", "source", "3.12.0a6"))
	want := []string{"3.12.0/Python-3.12.0a6.tar.xz", "3.12.0/Python-3.12.0a6.tgz"}
	if len(r.disagree) != len(want) {
		t.Fatalf("disagreements %q, want %q", r.disagree, want)
	}
	for i, d := range r.disagree {
		if !bytes.HasPrefix([]byte(d), []byte(want[i]+":")) && !bytes.HasPrefix([]byte(d), []byte(want[1-i]+":")) {
			t.Errorf("disagreement %q, want one of %q", d, want)
		}
	}
}

// TestExpectFile checks the name-based rules: sub-kinds and the lapse.
func TestExpectFile(t *testing.T) {
	tl := timeline.Default()
	for _, tc := range []struct {
		version, kind, name string
		pgp, pgpUnknown     bool
		signer, subkind     string
		sigstore, lapse     bool
	}{
		{"3.13.5", "source", "Python-3.13.5.tgz", true, false, "Thomas Wouters", "", true, false},
		{"3.13.5", "windows", "python-3.13.5-amd64.exe", true, false, "Steve Dower", "", true, false},
		{"3.13.5", "windows", "python-3.13.5-embed-amd64.zip", true, false, "Steve Dower", "", true, false},
		{"3.13.6", "windows", "windows-3.13.6.json", false, true, "", "windows-manifest", true, false},
		{"3.14.0b3", "windows", "windows-3.14.0b3.json", false, false, "", "windows-manifest", true, true},
		{"3.14.0b3", "windows", "python-3.14.0b3-amd64.exe", false, false, "", "", true, false},
		{"3.13.5", "macos", "python-3.13.5-macos11.pkg", true, false, "Ned Deily", "", true, false},
		{"3.10.9", "docs", "python3109.chm", true, false, "Steve Dower", "docs-chm", false, false},
		{"3.13.5", "docs", "python-3.13.5-docs-html.tar.bz2", false, true, "", "", false, false},
		{"3.14.0", "android", "python-3.14.0-aarch64-linux-android.tar.gz", false, false, "", "", true, false},
		{"3.10.1", "source", "Python-3.10.1.tgz", true, false, "Pablo Galindo Salgado", "", false, false},
	} {
		v, _ := timeline.ParseVersion(tc.version)
		e, err := tl.ExpectFile(v, tc.kind, tc.name, timeline.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if e.PGP != tc.pgp || e.PGPUnknown != tc.pgpUnknown || e.PGPSigner != tc.signer || e.Subkind != tc.subkind || e.Sigstore != tc.sigstore || (e.Lapse != nil) != tc.lapse {
			t.Errorf("%s: %+v", tc.name, e)
		}
		if e.PGPUnknown && e.PGPReason == "" {
			t.Errorf("%s: unknown PGP record without a reason", tc.name)
		}
	}
	// Android under the delay clause: Hugo keeps PGP, the record is unknown.
	v, _ := timeline.ParseVersion("3.14.0")
	e, _ := tl.ExpectFile(v, "android", "python-3.14.0-aarch64-linux-android.tar.gz", timeline.Options{PGPDelayed: true})
	if e.PGP || !e.PGPUnknown {
		t.Errorf("android, delayed: %+v", e)
	}
	// 3.10.1's reason names the extra bundles.
	v, _ = timeline.ParseVersion("3.10.1")
	e, _ = tl.Expect(v, "source", timeline.Options{})
	if !bytes.Contains([]byte(e.SigstoreReason), []byte("2023-04-05")) {
		t.Errorf("3.10.1 reason %q", e.SigstoreReason)
	}
}

// TestPolicyKindsAndLapses: a policy file replaces a kind's PGP rule and
// adds a lapse.
func TestPolicyKindsAndLapses(t *testing.T) {
	pol := `artifact_kinds: [{kind: windows-manifest, of: windows, match: '^windows-.*[.]json$', pgp: signed, signer: installer}]
lapses: [{dir: 3.13.5, name: python-3.13.5-arm64.exe, method: sigstore, evidence: "a test"}]
`
	tl, err := timeline.Default().WithPolicy(bytes.NewReader([]byte(pol)), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := timeline.ParseVersion("3.13.6")
	e, _ := tl.ExpectFile(v, "windows", "windows-3.13.6.json", timeline.Options{})
	if !e.PGP || e.PGPUnknown || e.PGPSigner != "Steve Dower" {
		t.Errorf("replaced manifest rule: %+v", e)
	}
	v, _ = timeline.ParseVersion("3.13.5")
	if e, _ := tl.ExpectFile(v, "windows", "python-3.13.5-arm64.exe", timeline.Options{}); e.Lapse == nil || len(tl.Lapses()) != 2 {
		t.Errorf("added lapse: %+v", e)
	}
	// The embedded timeline is untouched.
	e, _ = timeline.Default().ExpectFile(v, "windows", "python-3.13.5-arm64.exe", timeline.Options{})
	if e.Lapse != nil || len(timeline.Default().Lapses()) != 1 {
		t.Error("policy leaked into the embedded timeline")
	}
	for _, bad := range []string{
		`artifact_kinds: [{kind: x, pgp: signed, signer: manager}]`,
		`artifact_kinds: [{kind: x, of: windows, match: '(', pgp: unknown}]`,
		`artifact_kinds: [{kind: source, pgp: maybe}]`,
		`artifact_kinds: [{kind: source, pgp: unknown, signer: manager}]`,
		`lapses: [{dir: 3.13.5, name: a/b, method: sigstore, evidence: x}]`,
		`lapses: [{dir: 3.13.5, name: a, method: gpg, evidence: x}]`,
		`extras: [{version: 3.13, method: sigstore, evidence: x}]`,
	} {
		if _, err := timeline.Default().WithPolicy(bytes.NewReader([]byte(bad)), "bad.yaml"); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestSBOMKind(t *testing.T) {
	v, _ := timeline.ParseVersion("3.13.5")
	e, err := timeline.Default().ExpectFile(v, "sbom", "Python-3.13.5.tgz.spdx.json", timeline.Options{})
	if err != nil || e.PGP || e.PGPUnknown || e.Sigstore || !strings.Contains(e.PGPReason, "no PGP signatures for sbom") {
		t.Errorf("sbom: %+v %v", e, err)
	}
}

// TestDefaultIsShared: Default is parsed once, so what a caller gets from
// it must be a copy.
func TestDefaultIsShared(t *testing.T) {
	l, _ := timeline.Default().Line("3.12")
	l.SigstoreFrom["source"] = "3.12.0a1"
	l.Installers["windows"] = timeline.Installer{PGP: "ned"}
	m, _ := timeline.Default().Manager("steve")
	m.PGP[0] = "0000000000000000000000000000000000000000"
	v, _ := timeline.ParseVersion("3.12.0a1")
	e, _ := timeline.Default().Expect(v, "windows", timeline.Options{})
	if e.Sigstore || e.PGPSigner != "Steve Dower" || e.PGPFingerprints[0] != "7ED10B6531D7C8E1BC296021FC624643487034E5" {
		t.Errorf("a caller's edit changed the default timeline: %+v", e)
	}
	if e, _ := timeline.Default().Expect(v, "source", timeline.Options{}); e.Sigstore || e.SigstoreFrom != "3.12.0a7" {
		t.Errorf("a caller's edit changed the default timeline: %+v", e)
	}
}
