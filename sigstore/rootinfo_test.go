package sigstore

import "testing"

func TestEmbeddedRootInfo(t *testing.T) {
	info, err := EmbeddedRootInfo()
	if err != nil {
		t.Fatal(err)
	}
	// targets.json v14 entry of github.com/sigstore/root-signing (PROVENANCE.md).
	if info.SHA256 != "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66" {
		t.Errorf("sha256 = %s", info.SHA256)
	}
	if info.NewestStart.Year() < 2025 || info.Keys < 4 {
		t.Errorf("info = %+v", info)
	}
	if _, err := DescribeRoot([]byte(`{}`)); err == nil {
		t.Error("an empty root was described")
	}
}
