package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	fixtures.Golden(t, "./report", filepath.Join("testdata", "golden", name), got)
}

// readReplay decodes a saved JSON model from testdata/replay (gzip or not).
func readReplay(t *testing.T, name string, v any) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "replay", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

var reportReplays = []string{"audit-history.json.gz", "audit-mirror.json", "audit-planted.json", "verify-real.json"}

func replayName(f string) string {
	return strings.TrimSuffix(strings.TrimSuffix(f, ".gz"), ".json")
}

var exts = map[string]string{"table": "txt", "json": "json", "markdown": "md", "sarif": "sarif", "junit": "xml", "github": "github", "html": "html"}

func render(t *testing.T, format string, r *Report, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, format, r, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every format is a pure function of the JSON model: replay recorded
// reports through each renderer and compare with the goldens.
func TestRenderersFromJSON(t *testing.T) {
	for _, name := range reportReplays {
		var r Report
		readReplay(t, name, &r)
		base := replayName(name)
		for _, f := range Formats {
			if base == "audit-history" && f != "table" {
				continue // large; checked by other tests
			}
			golden(t, base+"."+exts[f], render(t, f, &r, Options{}))
		}
		if base == "audit-history" || base == "audit-planted" {
			golden(t, base+".summary.txt", render(t, "table", &r, Options{Show: "summary"}))
		}
		if base == "audit-planted" {
			golden(t, base+".all.txt", render(t, "table", &r, Options{Show: "all"}))
			golden(t, base+".wide.txt", render(t, "table", &r, Options{Wide: true}))
			golden(t, base+".all.md", render(t, "markdown", &r, Options{Show: "all"}))
		}
	}
	var r Report
	readReplay(t, "audit-planted.json", &r)
	if err := Render(&bytes.Buffer{}, "yaml", &r, Options{}); err == nil {
		t.Error("unknown format accepted")
	}
	// Write is Render with the default options.
	var a, b bytes.Buffer
	if err := Render(&a, "table", &r, Options{}); err != nil {
		t.Fatal(err)
	}
	Render(&b, "table", &r, Options{})
	if a.String() != b.String() {
		t.Error("Write differs from Render with default options")
	}
}

// JSON output is versioned and round-trips: decoding it and encoding it
// again gives the same bytes.
func TestJSONRoundTrip(t *testing.T) {
	for _, name := range reportReplays {
		var r Report
		readReplay(t, name, &r)
		out := render(t, "json", &r, Options{})
		var again Report
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatal(err)
		}
		if out2 := render(t, "json", &again, Options{}); !bytes.Equal(out, out2) {
			t.Errorf("%s: JSON does not round-trip", name)
		}
		if !bytes.HasPrefix(out, []byte("{\n  \"schema\": \"sigaudit/v1\",\n  \"tool\": {")) {
			t.Errorf("%s: JSON does not start with schema and tool: %.80s", name, out)
		}
		if bytes.Contains(out, []byte("sha256 flag")) {
			t.Errorf("%s: a key that is not snake_case", name)
		}
	}
	r := &Report{Artifacts: []Artifact{{Name: "a", Digests: map[string]string{"sha256 flag": "ab"}}}}
	if out := render(t, "json", r, Options{}); !bytes.Contains(out, []byte(`"sha256_flag": "ab"`)) || r.Artifacts[0].Digests["sha256 flag"] != "ab" {
		t.Errorf("digest key not normalized in output, or the model changed:\n%s", out)
	}
}

// The verdict is the last line of every human format.
func TestVerdictLast(t *testing.T) {
	var r Report
	readReplay(t, "audit-history.json.gz", &r)
	const want = "2,103 artifacts: 2,613 gaps, 0 mismatches, 0 notes"
	for _, f := range []string{"table", "markdown", "github"} {
		for _, show := range ShowValues {
			out := strings.TrimRight(string(render(t, f, &r, Options{Show: show})), "\n")
			last := out[strings.LastIndexByte(out, '\n')+1:]
			if strings.Trim(last, "*") != want {
				t.Errorf("%s --show %s: last line %q, want %q", f, show, last, want)
			}
		}
	}
	// No .asc anywhere: said once, not per artifact.
	out := string(render(t, "table", &r, Options{}))
	if n := strings.Count(out, "pgp-missing"); n != 3+1 && n != 3 {
		t.Errorf("pgp-missing appears %d times (want once per group plus the sentence)", n)
	}
	if !strings.Contains(out, "No .asc file anywhere in this report: all 1,698 artifacts") {
		t.Error("the absent class is not said")
	}
	if n := strings.Count(out, "\n"); n > 1000 {
		t.Errorf("%d lines", n)
	}
	sum := string(render(t, "table", &r, Options{Show: "summary"}))
	if strings.Count(sum, "\n") > 40 {
		t.Errorf("--show summary is %d lines", strings.Count(sum, "\n"))
	}
}

// deepCopy copies v, keeping nil and empty slices and maps apart, so a
// renderer that "normalizes" the model it renders is caught.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			s.Index(i).Set(deepCopy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		for _, k := range v.MapKeys() {
			m.SetMapIndex(k, deepCopy(v.MapIndex(k)))
		}
		return m
	case reflect.Struct:
		s := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			s.Field(i).Set(deepCopy(v.Field(i)))
		}
		return s
	}
	return v
}

func clone[T any](v *T) *T { return deepCopy(reflect.ValueOf(v)).Interface().(*T) }

// Renderers never change the model they render.
func TestRenderersDoNotMutate(t *testing.T) {
	reports := []*Report{
		{},
		{Artifacts: []Artifact{{Name: "x", Findings: nil, Digests: map[string]string{"sha256 flag": "00"}}}},
	}
	for _, name := range reportReplays {
		var r Report
		readReplay(t, name, &r)
		reports = append(reports, &r)
	}
	reports = append(reports, hostileReport())
	plan := planReplay(t, "plan-all.json")
	for _, r := range reports {
		for _, f := range Formats {
			for _, o := range []Options{{}, {Show: "all", Wide: true, Color: true, Plan: plan}, {Show: "summary", Width: 120}} {
				before := clone(r)
				Render(io.Discard, f, r, o)
				if !reflect.DeepEqual(before, r) {
					t.Fatalf("%s changed the report it rendered", f)
				}
			}
		}
		before := clone(r)
		StepSummary(r)
		if !reflect.DeepEqual(before, r) {
			t.Fatal("StepSummary changed the report")
		}
	}
	for _, p := range []*Policy{{}, policyReplay(t, "policy-all.json"), policyReplay(t, "policy-versions.json")} {
		for _, f := range PolicyFormats {
			before := clone(p)
			RenderPolicy(io.Discard, f, p, Options{})
			if !reflect.DeepEqual(before, p) {
				t.Fatalf("policy %s changed the policy", f)
			}
		}
	}
	for _, p := range []*Plan{{}, plan, planReplay(t, "plan-delayed.json")} {
		for _, f := range PlanFormats {
			before := clone(p)
			RenderPlan(io.Discard, f, p, Options{})
			if !reflect.DeepEqual(before, p) {
				t.Fatalf("plan %s changed the plan", f)
			}
		}
	}
	for _, c := range []*Checksums{{}, checksumsReplay(t)} {
		for _, f := range ChecksumFormats {
			before := clone(c)
			WriteChecksums(io.Discard, f, c)
			if !reflect.DeepEqual(before, c) {
				t.Fatalf("checksums %s changed the model", f)
			}
		}
	}
}

func policyReplay(t *testing.T, name string) *Policy {
	var p Policy
	readReplay(t, name, &p)
	return &p
}

func planReplay(t *testing.T, name string) *Plan {
	var p Plan
	readReplay(t, name, &p)
	return &p
}

func checksumsReplay(t *testing.T) *Checksums {
	var c Checksums
	readReplay(t, "checksums-mirror.json", &c)
	return &c
}

func TestPolicyPlanChecksumsGoldens(t *testing.T) {
	for _, name := range []string{"policy-all.json", "policy-versions.json"} {
		p := policyReplay(t, name)
		for _, f := range PolicyFormats {
			var buf bytes.Buffer
			if err := RenderPolicy(&buf, f, p, Options{}); err != nil {
				t.Fatal(err)
			}
			ext := exts[f]
			if f == "svg" {
				ext = "svg"
				checkSVG(t, name, buf.Bytes(), policyPlan(p))
			}
			golden(t, replayName(name)+"."+ext, buf.Bytes())
		}
		var buf bytes.Buffer
		RenderPolicy(&buf, "table", p, Options{Wide: true})
		golden(t, replayName(name)+".wide.txt", buf.Bytes())
	}
	for _, name := range []string{"plan-all.json", "plan-delayed.json"} {
		p := planReplay(t, name)
		for _, f := range PlanFormats {
			var buf bytes.Buffer
			if err := RenderPlan(&buf, f, p, Options{}); err != nil {
				t.Fatal(err)
			}
			ext := exts[f]
			if f == "svg" {
				ext = "svg"
			}
			golden(t, replayName(name)+"."+ext, buf.Bytes())
		}
		var buf bytes.Buffer
		RenderPlan(&buf, "table", p, Options{Wide: true})
		golden(t, replayName(name)+".wide.txt", buf.Bytes())
	}
	c := checksumsReplay(t)
	for _, f := range ChecksumFormats {
		var buf bytes.Buffer
		if err := WriteChecksums(&buf, f, c); err != nil {
			t.Fatal(err)
		}
		golden(t, "checksums-mirror."+f, buf.Bytes())
	}
	for _, err := range []error{
		RenderPolicy(io.Discard, "yaml", &Policy{}, Options{}),
		RenderPlan(io.Discard, "yaml", &Plan{}, Options{}),
		WriteChecksums(io.Discard, "yaml", &Checksums{}),
	} {
		if err == nil {
			t.Error("unknown format accepted")
		}
	}
}

// Every default table fits 80 columns, on real data: audits and verify
// (every --show), policy and plan for every line of the embedded timeline.
// (The sha256sum format is not a table: its lines are what sha256sum -c
// reads.)
func TestWidths(t *testing.T) {
	check := func(what string, out []byte, limit int) {
		t.Helper()
		for i, l := range strings.Split(string(out), "\n") {
			if w := width(l); w > limit {
				t.Errorf("%s line %d is %d columns wide (> %d): %q", what, i+1, w, limit, l)
			}
		}
	}
	for _, name := range reportReplays {
		var r Report
		readReplay(t, name, &r)
		for _, show := range ShowValues {
			check(name+" --show "+show, render(t, "table", &r, Options{Show: show}), 80)
			check(name+" --show "+show+" width 60", render(t, "table", &r, Options{Show: show, Width: 60}), 60)
		}
	}
	for _, name := range []string{"policy-all.json", "policy-versions.json"} {
		var buf bytes.Buffer
		RenderPolicy(&buf, "table", policyReplay(t, name), Options{})
		check(name, buf.Bytes(), 80)
	}
	for _, name := range []string{"plan-all.json", "plan-delayed.json"} {
		var buf bytes.Buffer
		RenderPlan(&buf, "table", planReplay(t, name), Options{})
		check(name, buf.Bytes(), 80)
	}
	// --wide gives the full values.
	var buf bytes.Buffer
	RenderPlan(&buf, "table", planReplay(t, "plan-all.json"), Options{Wide: true})
	if !strings.Contains(buf.String(), "7169605F62C751356D054A26A821E680E5FA6305") || !strings.Contains(buf.String(), "https://accounts.google.com") {
		t.Error("--wide plan lacks full fingerprints or issuers")
	}
}

func TestColor(t *testing.T) {
	var r Report
	readReplay(t, "audit-planted.json", &r)
	plain := render(t, "table", &r, Options{Show: "all"})
	if bytes.Contains(plain, []byte("\x1b[")) {
		t.Error("colour without Options.Color")
	}
	colored := render(t, "table", &r, Options{Show: "all", Color: true})
	if !bytes.Contains(colored, []byte("\x1b[32mverified\x1b[0m")) || !bytes.Contains(colored, []byte("\x1b[31mmalformed\x1b[0m")) {
		t.Error("statuses not coloured with Options.Color")
	}
	// Colour does not change the layout.
	strip := strings.NewReplacer("\x1b[31m", "", "\x1b[32m", "", "\x1b[33m", "", "\x1b[36m", "", "\x1b[0m", "")
	if strip.Replace(string(colored)) != string(plain) {
		t.Error("colour changes the layout")
	}
}

func TestStepSummary(t *testing.T) {
	var r Report
	readReplay(t, "audit-history.json.gz", &r)
	s := StepSummary(&r)
	if len(s) > 64<<10 || !bytes.Contains(s, []byte("2,103 artifacts")) || !bytes.Contains(s, []byte("| `3.13` |")) {
		t.Errorf("step summary: %d bytes\n%s", len(s), s)
	}
	golden(t, "audit-history.step-summary.md", s)
	// A report with thousands of finding groups stays under 64 KiB.
	big := &Report{}
	for i := 0; i < 5000; i++ {
		v := "3.13." + strings.Repeat("9", i%7+1)
		big.Artifacts = append(big.Artifacts, Artifact{Name: "n", Version: v, Line: "3.13", Kind: "kind" + strings.Repeat("x", i),
			Findings: []Finding{{Severity: Gap, Code: "code-" + strings.Repeat("y", i%50)}}})
	}
	s = StepSummary(big)
	if len(s) > 64<<10 || !bytes.Contains(s, []byte("more groups")) || !bytes.Contains(s, []byte("5,000 artifacts")) {
		t.Errorf("big step summary: %d bytes", len(s))
	}
}

func TestFails(t *testing.T) {
	r := &Report{Artifacts: []Artifact{{Findings: []Finding{{Severity: Gap}, {Severity: Note}}}}}
	if !r.Fails(map[string]bool{Gap: true}) || r.Fails(map[string]bool{Mismatch: true}) {
		t.Error("Fails")
	}
	for c := range codeText {
		if codeDescription(c) == c || codeFix[c] == "" {
			t.Errorf("code %s has no description or remedy", c)
		}
	}
	for c := range codeFix {
		if _, ok := codeText[c]; !ok {
			t.Errorf("remedy for unknown code %s", c)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	order := []string{"3.7.0a1", "3.7.0b2", "3.7.0rc1", "3.7.0", "3.7.10", "3.10.0a1", "3.10.0", "3.14.0b3", "3.14.0", "junk"}
	for i := range order {
		for j := range order {
			got := compareVersions(order[i], order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("compareVersions(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}

func TestWrapAndShorten(t *testing.T) {
	if got := shorten("python-3.14.0a1-aarch64-linux-android.tar.gz", 20); width(got) != 20 || !strings.HasPrefix(got, "python-3.") || !strings.HasSuffix(got, ".tar.gz") {
		t.Errorf("shorten = %q", got)
	}
	for _, l := range wrap(strings.Repeat("abcdef ", 30)+strings.Repeat("x", 200), 40, "  ", "    ") {
		if width(l) > 40 {
			t.Errorf("wrapped line %q", l)
		}
	}
	for _, l := range shellWrap("cosign verify-blob --new-bundle-format --bundle Python-${PYTHON_VERSION}.tar.xz.sigstore --certificate-identity thomas@python.org --certificate-oidc-issuer https://accounts.google.com Python-${PYTHON_VERSION}.tar.xz", 80, "  ", "      ") {
		if width(l) > 80 {
			t.Errorf("shell line %q", l)
		}
	}
	if thousands(2103) != "2,103" || thousands(0) != "0" || thousands(1234567) != "1,234,567" {
		t.Error("thousands")
	}
}
