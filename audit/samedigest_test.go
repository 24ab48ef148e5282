package audit

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/sigaudit/sigaudit/source"
)

// TestSameDigestGolden pins rule (c) over a whole release directory, as a
// JSON golden: one generated bundle by 3.13's signer, for a version newer
// than the record, served beside three artifacts of 3.13.99. Two have no
// independent digest (each verifies for the signer only, and loses that
// verdict to the mismatch); the API gives the third the digest the bundle
// signs, so it keeps its verdict; the API gives a fourth another digest,
// a digest-mismatch of its own (one finding of the code is enough); a
// fifth has a bundle of its own.
func TestSameDigestGolden(t *testing.T) {
	g := gen(t)
	dir := t.TempDir()
	rel := filepath.Join(dir, "3.13.99")
	must(t, os.MkdirAll(rel, 0o755))
	c := []byte("artifact 3.13.99")
	sum := sha256.Sum256(c)
	shared, err := g.fs.Bundle("thomas@python.org", "https://accounts.google.com", sum[:], genAt)
	must(t, err)
	for _, n := range []string{"Python-3.13.99.tgz", "Python-3.13.99.tar.xz", "python-3.13.99-amd64.exe", "Python-3.13.99.tar.bz2"} {
		must(t, os.WriteFile(filepath.Join(rel, n+".sigstore"), shared, 0o644))
	}
	own := sha256.Sum256([]byte("the embed zip"))
	b, err := g.fs.Bundle("thomas@python.org", "https://accounts.google.com", own[:], genAt)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(rel, "python-3.13.99-embed-amd64.zip.sigstore"), b, 0o644))
	api, err := source.ParseAPI([]byte(`[{"name": "x", "url": "https://www.python.org/ftp/python/3.13.99/python-3.13.99-amd64.exe", "sha256_sum": "` + hexSum(c) + `"},
 {"name": "y", "url": "https://www.python.org/ftp/python/3.13.99/Python-3.13.99.tar.bz2", "sha256_sum": "` + hexSum([]byte("other")) + `"}]`))
	must(t, err)
	d, err := source.OpenDir(dir)
	must(t, err)
	t.Cleanup(func() { d.Close() })
	tr := &Tree{Auditor: g.auditor(true), Source: d, API: api, Jobs: 2}
	arts := runTree(t, tr, "3.13.99").Artifacts
	for i := range arts {
		arts[i].Sigstore.LogIndex = nil // the shared generated log's: depends on the tests run before
	}
	golden(t, "tree-same-bundle", arts)
}
