package cli

import (
	"os"
	"testing"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

func TestMain(m *testing.M) { os.Exit(fixtures.RunQuiet(m)) }
