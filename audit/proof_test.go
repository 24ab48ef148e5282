package audit

import (
	"testing"

	"github.com/sigaudit/sigaudit/record"
)

// TestRecordDigestPerVersionDir: a mirror laying pre-releases out per
// version (3.12.0a7/) finds python.org's record under 3.12.0/.
func TestRecordDigestPerVersionDir(t *testing.T) {
	want, ok := record.Lookup("3.12.0", "Python-3.12.0a7.tgz")
	if !ok {
		t.Skip("Python-3.12.0a7.tgz not in the embedded record")
	}
	for _, dir := range []string{"3.12.0", "3.12.0a7", ""} {
		got, ok := recordDigest(dir, "Python-3.12.0a7.tgz", "3.12.0a7")
		if !ok || got != want.SHA256 {
			t.Errorf("dir %q: got %q %v, want %s", dir, got, ok, want.SHA256)
		}
	}
	if _, ok := recordDigest("3.12.0a7", "Python-3.99.0a7.tgz", "3.99.0a7"); ok {
		t.Error("a name absent from the record has a record digest")
	}
}
