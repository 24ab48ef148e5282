//go:build ignore

// mkmirror lays ../shared/realdata out like python.org/ftp/python/:
//
//	go run scripts/mkmirror.go [-realdata DIR] [-artifact FILE] DST
//
// With -history, it lays out python.org's whole 3.7+ history (or -lines
// 3.12,3.13) from the digests table instead: every artifact as an empty
// placeholder, bundles, .asc files, SBOMs and an api.json, as the HTTP
// benchmark serves it (internal/mirror.BuildHistory).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/sigaudit/sigaudit/internal/mirror"
)

func main() {
	realdata := flag.String("realdata", "../shared/realdata", "realdata folder")
	artifact := flag.String("artifact", "../shared/realdata/artifacts/Python-3.13.5.tar.xz", "real artifact to copy in (\"\" for none)")
	history := flag.Bool("history", false, "lay out python.org's history from the digests table")
	lines := flag.String("lines", "", "with -history: release lines, comma-separated (default every line from 3.7)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/mkmirror.go [-realdata DIR] [-artifact FILE] [-history [-lines 3.12,3.13]] DST")
		os.Exit(2)
	}
	if *history {
		var ls []string
		if *lines != "" {
			ls = strings.Split(*lines, ",")
		}
		h, err := mirror.BuildHistory(flag.Arg(0), mirror.HistoryOptions{RealData: *realdata, Lines: ls})
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkmirror:", err)
			os.Exit(1)
		}
		fmt.Printf("mkmirror: %d artifacts in %d directories under %s (%d bundles, %d of them python.org's own; %d SBOMs; %d .asc; API listing: %s/api.json)\n",
			h.Artifacts, len(h.Dirs), flag.Arg(0), h.Bundles, h.Real, h.SBOMs, h.ASCs, flag.Arg(0))
		return
	}
	api, err := mirror.Build(flag.Arg(0), mirror.Options{RealData: *realdata, Artifact: *artifact})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkmirror:", err)
		os.Exit(1)
	}
	fmt.Printf("mkmirror: %d artifacts laid out under %s (API listing: %s/api.json)\n", len(api), flag.Arg(0), flag.Arg(0))
}
