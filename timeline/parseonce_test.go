package timeline

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// ParseData parses a valid file once: it allocates about what one
// yaml.v3 decode of it does (it used to parse it a second time into a node
// tree, kept for the lines of error messages; that tree is now parsed only
// for an error).
func TestParseDataParsesOnce(t *testing.T) {
	once := testing.AllocsPerRun(5, func() {
		var d Data
		dec := yaml.NewDecoder(bytes.NewReader(embedded))
		dec.KnownFields(true)
		if err := dec.Decode(&d); err != nil {
			t.Fatal(err)
		}
	})
	got := testing.AllocsPerRun(5, func() {
		if _, err := ParseData(bytes.NewReader(embedded), "lines.json", false); err != nil {
			t.Fatal(err)
		}
	})
	if got > once*1.3 {
		t.Errorf("ParseData allocates %.0f times, one decode %.0f: parsed more than once?", got, once)
	}
}

func BenchmarkParseData(b *testing.B) {
	for b.Loop() {
		if _, err := ParseData(bytes.NewReader(embedded), "lines.json", false); err != nil {
			b.Fatal(err)
		}
	}
}

// The embedded timeline decoded by encoding/json (parseEmbedded, what
// Default uses) is exactly what yaml.v3 (ParseData) gives, and the
// Timelines built from both agree.
func TestEmbeddedJSONMatchesYAML(t *testing.T) {
	fromJSON, err := parseEmbedded(embedded, "lines.json")
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := ParseData(bytes.NewReader(embedded), "lines.json", false)
	if err != nil {
		t.Fatal(err)
	}
	a, b := *fromJSON, *fromYAML
	a.root, b.root = nil, nil
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("encoding/json and yaml.v3 disagree on the embedded timeline:\n%+v\n%+v", a, b)
	}
	if len(a.Lines) == 0 || len(a.Managers) == 0 || a.PEP761Accepted.IsZero() {
		t.Fatal("embedded timeline decoded empty")
	}
	ta, tb := newTimeline(fromJSON), newTimeline(fromYAML)
	if !reflect.DeepEqual(ta, tb) {
		t.Error("timelines differ")
	}
	// What JSON refuses (or yaml.v3 would read differently) goes to
	// ParseData, with its messages.
	for _, bad := range []string{`{"schema": 1, "colour": 1}`, `{"schema": "1"}`, `{"pep761_accepted": 20241106}`, `{} {}`, ``} {
		_, jerr := parseEmbedded([]byte(bad), "x.json")
		_, yerr := ParseData(strings.NewReader(bad), "x.json", false)
		if jerr == nil || yerr == nil || jerr.Error() != yerr.Error() {
			t.Errorf("%q: parseEmbedded %v, ParseData %v", bad, jerr, yerr)
		}
	}
}

func BenchmarkParseEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := parseEmbedded(embedded, "lines.json"); err != nil {
			b.Fatal(err)
		}
	}
}
