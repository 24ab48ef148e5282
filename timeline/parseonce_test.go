package timeline

import (
	"bytes"
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
