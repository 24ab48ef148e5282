// Command sigaudit audits CPython release artifacts for the signatures
// PEP 761 says they must carry, in OpenPGP and Sigstore.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/sigaudit/sigaudit/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
