package sarif

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLevel(t *testing.T) {
	for sev, want := range map[string]string{"mismatch": "error", "gap": "warning", "note": "note", "": "note"} {
		if got := Level(sev); got != want {
			t.Errorf("Level(%q) = %q, want %q", sev, got, want)
		}
	}
}

// An empty run still has the arrays code scanning requires, and optional
// fields stay out.
func TestNewEmpty(t *testing.T) {
	b, err := json.Marshal(New(Driver{Name: "sigaudit", InformationURI: "u"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"sigaudit","informationUri":"u","rules":[]}},"results":[]}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(Rule{ID: "x"})
	if strings.Contains(string(b), "fullDescription") || strings.Contains(string(b), "help") {
		t.Errorf("empty optional rule fields written: %s", b)
	}
}
