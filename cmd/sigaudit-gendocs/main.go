// Command sigaudit-gendocs writes sigaudit's man pages (section 1), one per
// command, from the command tree itself:
//
//	go run ./cmd/sigaudit-gendocs -out man/
//
// or "make man". Set SOURCE_DATE_EPOCH for a reproducible date in the
// pages (cobra/doc honours it).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/sigaudit/sigaudit/internal/cli"
)

func main() {
	out := flag.String("out", "man", "directory to write the man pages to")
	flag.Parse()
	if err := gen(*out); err != nil {
		fmt.Fprintf(os.Stderr, "sigaudit-gendocs: error: %v\n", err)
		os.Exit(1)
	}
}

func gen(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cli.NewRootCommand(io.Discard, io.Discard)
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{Title: "SIGAUDIT", Section: "1", Source: "sigaudit " + cli.Version(), Manual: "sigaudit manual"}
	return doc.GenManTree(root, header, dir)
}
