// Command auditprof runs one sigaudit command in process under the CPU
// profiler (and writes a heap profile at the end), for the costs bench/run.sh
// measures from outside:
//
//	go run ./bench/auditprof -cpuprofile cpu.out -- audit --source DIR --api DIR/api.json --digest-only --format json all
//	go tool pprof -top -nodecount 40 cpu.out
//
// The command's output goes to /dev/null; its exit code is printed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/sigaudit/sigaudit/internal/cli"
)

func main() {
	cpu := flag.String("cpuprofile", "cpu.out", "CPU profile `FILE`")
	mem := flag.String("memprofile", "", "heap profile `FILE` (allocations), written at the end")
	live := flag.String("liveprofile", "", "heap profile `FILE` of what is live -liveat into the run (after a GC)")
	liveAt := flag.Duration("liveat", time.Second, "when to write -liveprofile")
	flag.Parse()
	if *live != "" {
		time.AfterFunc(*liveAt, func() {
			if m, err := os.Create(*live); err == nil {
				runtime.GC()
				pprof.Lookup("heap").WriteTo(m, 0)
				m.Close()
			}
		})
	}
	f, err := os.Create(*cpu)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start := time.Now()
	code := cli.Main(context.Background(), flag.Args(), io.Discard, io.Discard)
	wall := time.Since(start)
	pprof.StopCPUProfile()
	f.Close()
	if *mem != "" {
		m, err := os.Create(*mem)
		if err == nil {
			runtime.GC()
			pprof.Lookup("allocs").WriteTo(m, 0)
			m.Close()
		}
	}
	fmt.Printf("exit %d, wall %.3f s\n", code, wall.Seconds())
}
