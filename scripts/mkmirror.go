//go:build ignore

// mkmirror lays ../shared/realdata out like python.org/ftp/python/:
//
//	go run scripts/mkmirror.go [-realdata DIR] [-artifact FILE] DST
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/sigaudit/sigaudit/internal/mirror"
)

func main() {
	realdata := flag.String("realdata", "../shared/realdata", "realdata folder")
	artifact := flag.String("artifact", "../shared/realdata/artifacts/Python-3.13.5.tar.xz", "real artifact to copy in (\"\" for none)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/mkmirror.go [-realdata DIR] [-artifact FILE] DST")
		os.Exit(2)
	}
	api, err := mirror.Build(flag.Arg(0), mirror.Options{RealData: *realdata, Artifact: *artifact})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkmirror:", err)
		os.Exit(1)
	}
	fmt.Printf("mkmirror: %d artifacts laid out under %s (API listing: %s/api.json)\n", len(api), flag.Arg(0), flag.Arg(0))
}
