// Command timeit runs commands many times, interleaved, and reports per
// command the median and fastest wall time, the median CPU time (user+sys,
// from the child's rusage) and the peak RSS: the timing loop that
// bench/run.sh uses (hyperfine is not assumed).
//
//	timeit [-n RUNS] [-warmup N] [-ok 0,3] [-label NAME]... -- CMD1 ARGS ::: CMD2 ARGS ...
//
// Commands are separated by ":::" and run in rotating order each round, so
// that drift on a shared machine hits all of them alike. A command that
// exits with a code not in -ok (default 0) stops the run. Output: one line per command,
//
//	label  median_wall_s  min_wall_s  median_cpu_s  min_cpu_s  max_rss_kib
//
// tab-separated, after a header line starting with "#".
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

type labels []string

func (l *labels) String() string     { return strings.Join(*l, ",") }
func (l *labels) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	runs := flag.Int("n", 21, "rounds")
	warm := flag.Int("warmup", 2, "warm-up rounds, not counted")
	var names labels
	flag.Var(&names, "label", "name of the next command (repeatable)")
	okExit := flag.String("ok", "0", "comma-separated exit codes that count as success")
	flag.Parse()
	for _, c := range strings.Split(*okExit, ",") {
		allowed[strings.TrimSpace(c)] = true
	}
	var cmds [][]string
	cur := []string{}
	for _, a := range flag.Args() {
		if a == ":::" {
			cmds = append(cmds, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, a)
	}
	cmds = append(cmds, cur)
	for i, c := range cmds {
		if len(c) == 0 {
			fmt.Fprintf(os.Stderr, "timeit: command %d is empty\n", i+1)
			os.Exit(2)
		}
		if i >= len(names) {
			names = append(names, strings.Join(c, " "))
		}
	}
	walls := make([][]float64, len(cmds))
	cpus := make([][]float64, len(cmds))
	rss := make([]int64, len(cmds))
	for r := 0; r < *warm+*runs; r++ {
		for j := range cmds {
			k := (r + j) % len(cmds)
			w, c, m, err := once(cmds[k])
			if err != nil {
				fmt.Fprintf(os.Stderr, "timeit: %s: %v\n", strings.Join(cmds[k], " "), err)
				os.Exit(1)
			}
			if r < *warm {
				continue
			}
			walls[k] = append(walls[k], w)
			cpus[k] = append(cpus[k], c)
			if m > rss[k] {
				rss[k] = m
			}
		}
	}
	fmt.Println("# label\tmedian_wall_s\tmin_wall_s\tmedian_cpu_s\tmin_cpu_s\tmax_rss_kib")
	for k := range cmds {
		fmt.Printf("%s\t%.4f\t%.4f\t%.4f\t%.4f\t%d\n", names[k], median(walls[k]), minimum(walls[k]), median(cpus[k]), minimum(cpus[k]), rss[k])
	}
}

var allowed = map[string]bool{}

func once(argv []string) (wall, cpu float64, rssKiB int64, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = nil, nil
	if os.Getenv("TIMEIT_STDERR") != "" {
		cmd.Stderr = os.Stderr
	}
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start).Seconds()
	if ee, ok := err.(*exec.ExitError); ok && allowed[fmt.Sprint(ee.ExitCode())] {
		err = nil
	}
	if err != nil {
		return
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ok {
		cpu = tv(ru.Utime) + tv(ru.Stime)
		rssKiB = ru.Maxrss
	}
	return
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func minimum(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		m = min(m, v)
	}
	return m
}
