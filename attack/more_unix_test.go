//go:build unix

package attack

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

// FIFOs beside an artifact must be refused before they are opened for
// reading, which would block forever (issue 16 item 7, for the files the
// first matrix does not cover).
func init() {
	fifoCases = []moreCase{
		{name: "SBOM is a FIFO", code: 3, want: []string{"gap:pgp-missing", "note:source-error"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				args := bySHA(t, dir, nil, real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
				must(t, syscall.Mkfifo(filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz.spdx.json"), 0o644))
				return args
			}},
		{name: "legacy crt is a FIFO", code: 3, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"},
			setup: func(t *testing.T, dir string, k *keys) []string {
				_, sig := fixtures.LegacyFromBundle(t, real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
				p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
				write(t, p+".sig", sig)
				must(t, syscall.Mkfifo(p+".crt", 0o644))
				return []string{"verify", "--format", "json", "--sha256", sha3135, p}
			}},
	}
}
