package quiet

import (
	"bytes"
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	in := "a\nFailed to verify signature with default verifier, trying compatibility verifier\nb\n" + strings.Repeat("x", 2<<20)
	var out bytes.Buffer
	Filter(&out, strings.NewReader(in))
	got := out.String()
	if !strings.HasPrefix(got, "a\nb\n") || strings.Contains(got, "Failed") || len(got) != 4+2<<20 {
		t.Errorf("Filter: %.40q... (%d bytes)", got, len(got))
	}
}
