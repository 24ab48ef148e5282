package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Every format is a pure function of the JSON model: replay a recorded
// report (testdata/planted.json) through each renderer and compare.
func TestRenderersFromJSON(t *testing.T) {
	raw, err := os.ReadFile("testdata/planted.json")
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	exts := map[string]string{"table": "txt", "json": "json", "markdown": "md", "sarif": "sarif", "junit": "xml"}
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, f, &r); err != nil {
			t.Fatal(err)
		}
		if f == "json" && !bytes.Equal(buf.Bytes(), raw) {
			t.Errorf("JSON does not round-trip")
		}
		path := filepath.Join("testdata", "planted."+exts[f])
		if f == "json" {
			continue
		}
		if *update {
			os.WriteFile(path, buf.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./report -update)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from %s (go test ./report -update)", f, path)
		}
	}
	if err := Write(&bytes.Buffer{}, "yaml", &r); err == nil {
		t.Error("unknown format accepted")
	}
}

// Hostile text never reaches a terminal raw.
func TestOneLine(t *testing.T) {
	got := OneLine("a\nb\tc\x1b[31mred\x00\x7f")
	if strings.ContainsAny(got, "\n\t\x1b\x00\x7f") || got != "a b c?[31mred??" {
		t.Errorf("OneLine = %q", got)
	}
	r := &Report{Artifacts: []Artifact{{Name: "evil\x1b[2J\nname", Findings: []Finding{{Severity: Note, Code: "x", Message: "m\x1b"}}}}}
	for _, f := range []string{"table", "markdown"} {
		var buf bytes.Buffer
		if err := Write(&buf, f, r); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "\x1b") {
			t.Errorf("%s output carries an escape byte", f)
		}
	}
}

func TestFailsAndWorst(t *testing.T) {
	r := &Report{Artifacts: []Artifact{{Findings: []Finding{{Severity: Gap}, {Severity: Note}}}}}
	if r.Worst() != Gap {
		t.Errorf("worst %q", r.Worst())
	}
	if !r.Fails(map[string]bool{Gap: true}) || r.Fails(map[string]bool{Mismatch: true}) {
		t.Error("Fails")
	}
	for _, c := range Codes() {
		if CodeDescription(c) == c {
			t.Errorf("code %s has no description", c)
		}
	}
}
