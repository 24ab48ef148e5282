// Command sigaudit audits CPython release artifacts for the signatures
// PEP 761 says they must carry, in OpenPGP and Sigstore.
//
// main owns the process: the signals that cancel a run (Ctrl-C and
// SIGTERM, so partial downloads are removed either way), the filter on
// os.Stderr for a dependency's chatter, and the hashes internal/prehash
// started before main ran. Everything else is cli.Run's.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sigaudit/sigaudit/internal/cli"
	"github.com/sigaudit/sigaudit/internal/prehash"
	"github.com/sigaudit/sigaudit/internal/quiet"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stderr := os.Stderr // sigaudit's own messages skip the filter
	restore := quiet.Libraries()
	defer restore()
	return cli.Run(ctx, cli.Env{
		Args:       args,
		Stdout:     os.Stdout,
		Stderr:     stderr,
		Prehashed:  prehash.Take,
		IsTerminal: cli.IsTerminal,
		Getenv:     os.Getenv,
	})
}
