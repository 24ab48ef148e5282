package cli

import (
	"os"
	"testing"

	"github.com/sigaudit/sigaudit/internal/quiet"
)

// TestMain drops a dependency's chatter on os.Stderr once for the whole
// test binary, as cmd/sigaudit does for the process, so parallel tests
// never swap os.Stderr.
func TestMain(m *testing.M) {
	restore := quiet.Libraries()
	code := m.Run()
	restore()
	os.Exit(code)
}
