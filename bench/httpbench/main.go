// httpbench serves a python.org-like mirror locally, with a delay added to
// every request, and compares a digest-only `sigaudit audit` of some
// release lines against a reference client that makes only the requests
// such an audit needs, over the same number of keep-alive connections,
// without verifying anything. The server counts requests and connections
// for both.
//
//	go run ./bench/httpbench -sigaudit BIN [-line 3.13] [-delay 20ms] [-jobs 4] [-runs 3]
//
// Needed requests, for a digest-only audit of the selected lines: the API
// listing, the root listing, one listing per release directory, and each
// published .sigstore bundle and .spdx.json SBOM (and a legacy .crt + .sig
// where there is no bundle) of those directories, each once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sigaudit/sigaudit/internal/mirror"
	"github.com/sigaudit/sigaudit/source"
)

func main() {
	realdata := flag.String("realdata", "testdata/realdata", "realdata folder (digests table, bundles, .asc files)")
	lines := flag.String("line", "3.13", "release lines to lay out and audit, comma-separated")
	delay := flag.Duration("delay", 20*time.Millisecond, "delay added to every request")
	jobs := flag.Int("jobs", 4, "sigaudit --jobs; the reference client uses as many connections")
	refConns := flag.Int("ref-conns", 0, "reference client's connections (0: --jobs)")
	sigaudit := flag.String("sigaudit", "", "sigaudit binary (empty: only the reference client runs)")
	runs := flag.Int("runs", 1, "runs of each; the fastest is reported")
	keep := flag.String("tree", "", "lay the tree out here and keep it (default: a temp dir)")
	synthetic := flag.Bool("artifacts", false, "serve artifacts as synthetic bytes of their real size and audit without --digest-only")
	sel := flag.String("select", "", "sigaudit selectors, comma-separated (default: the lines); e.g. 3.13.5 with -artifacts")
	flag.Parse()
	selectors := strings.Split(*lines, ",")
	if *sel != "" {
		selectors = strings.Split(*sel, ",")
	}
	if *refConns == 0 {
		*refConns = *jobs
	}
	if err := run(*realdata, strings.Split(*lines, ","), selectors, *delay, *jobs, *refConns, *sigaudit, *runs, *keep, *synthetic); err != nil {
		fmt.Fprintln(os.Stderr, "httpbench:", err)
		os.Exit(1)
	}
}

func run(realdata string, lines, selectors []string, delay time.Duration, jobs, refConns int, bin string, runs int, keep string, synthetic bool) error {
	dst := keep
	if dst == "" {
		d, err := os.MkdirTemp("", "httpbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dst = d
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	hist, err := mirror.BuildHistory(dst, mirror.HistoryOptions{RealData: realdata, Lines: lines, BaseURL: base + mirror.FTPPath})
	if err != nil {
		return err
	}
	srv, err := mirror.NewServer(dst)
	if err != nil {
		return err
	}
	srv.Delay, srv.Synthetic = delay, synthetic
	hs := &http.Server{Handler: srv, ConnState: srv.ConnState}
	go hs.Serve(ln)
	defer hs.Close()

	var dirs []string
	for _, d := range hist.Dirs {
		for _, s := range selectors {
			if rd, ok := source.ReleaseDir(s); (ok && rd == d) || strings.HasPrefix(d, s+".") || s == "all" {
				dirs = append(dirs, d)
				break
			}
		}
	}
	needed, err := neededPaths(dst, dirs, synthetic)
	if err != nil {
		return err
	}
	fmt.Printf("tree: lines %s, %d release directories, %d artifacts, %d bundles (%d python.org's own, the rest a real bundle of the same signer), %d SBOMs, %d .asc; %v per request\n",
		strings.Join(lines, ","), len(hist.Dirs), hist.Artifacts, hist.Bundles, hist.Real, hist.SBOMs, hist.ASCs, delay)
	fmt.Printf("needed requests: %d (API, root listing, %d listings, bundles, SBOMs%s) for: audit %s\n\n", len(needed), len(dirs), map[bool]string{true: ", artifacts, .asc", false: ""}[synthetic], strings.Join(selectors, " "))

	type result struct {
		name string
		wall time.Duration
		cpu  time.Duration
		st   mirror.Stats
		note string
	}
	var lastCPU time.Duration
	var results []result
	best := func(name string, f func() (string, error)) error {
		var r result
		for i := range runs {
			srv.WaitIdle(2 * time.Second)
			srv.Reset()
			lastCPU = 0
			start := time.Now()
			note, err := f()
			wall := time.Since(start)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if i == 0 || wall < r.wall {
				r = result{name: name, wall: wall, cpu: lastCPU, st: srv.Stats(), note: note}
			}
		}
		results = append(results, r)
		return nil
	}
	if err := best(fmt.Sprintf("reference (%d conns)", refConns), func() (string, error) {
		return "", reference(base, needed, refConns)
	}); err != nil {
		return err
	}
	if bin != "" {
		args := []string{"audit", "--source", base + mirror.FTPPath, "--api", base + mirror.APIPath, "--jobs", fmt.Sprint(jobs), "--format", "json"}
		if !synthetic {
			args = append(args, "--digest-only")
		}
		args = append(args, selectors...)
		if err := best(fmt.Sprintf("sigaudit --jobs %d", jobs), func() (string, error) {
			cmd := exec.Command(bin, args...)
			cmd.Stdout = io.Discard
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			if cmd.ProcessState != nil {
				lastCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			var ee *exec.ExitError
			if errors.As(err, &ee) && ee.ExitCode() != 1 && ee.ExitCode() != 2 {
				return fmt.Sprintf("exit %d", ee.ExitCode()), nil // findings (the tree is for counting, not for verdicts)
			}
			if err != nil {
				return "", fmt.Errorf("%v: %s", err, stderr.String())
			}
			return "exit 0", nil
		}); err != nil {
			return err
		}
		// The requests sigaudit made, replayed without verifying: the
		// network's share of its time.
		var made []string
		for p, n := range results[len(results)-1].st.ByPath {
			for range n {
				made = append(made, p)
			}
		}
		sort.Strings(made)
		if err := best(fmt.Sprintf("replay of sigaudit's requests (%d conns)", refConns), func() (string, error) {
			return "", reference(base, made, refConns)
		}); err != nil {
			return err
		}
	}
	fmt.Printf("| client | requests | needed | repeated paths | 404s | connections | peak open | wall | vs reference | CPU (user+sys) |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		repeated := len(r.st.Repeated())
		cpu := "-"
		if r.cpu > 0 {
			cpu = fmt.Sprintf("%.2f s", r.cpu.Seconds())
		}
		fmt.Printf("| %s | %d | %d | %d | %d | %d | %d | %.2f s | %.2fx | %s |\n", r.name, r.st.Requests, len(needed), repeated, r.st.NotFound,
			r.st.Connections, r.st.PeakOpen, r.wall.Seconds(), r.wall.Seconds()/results[0].wall.Seconds(), cpu)
	}
	for _, r := range results[1:2] {
		fmt.Printf("\n%s (%s):\n", r.name, r.note)
		var missing, extra []string
		for _, p := range needed {
			if r.st.ByPath[p] == 0 {
				missing = append(missing, p)
			}
		}
		for p := range r.st.ByPath {
			if !slices.Contains(needed, p) {
				extra = append(extra, p)
			}
		}
		sort.Strings(extra)
		show := func(what string, l []string) {
			fmt.Printf("  %s: %d", what, len(l))
			if len(l) > 0 {
				fmt.Printf(" (e.g. %s)", strings.Join(l[:min(3, len(l))], ", "))
			}
			fmt.Println()
		}
		show("needed paths not requested", missing)
		show("paths requested but not needed", extra)
		show("paths requested more than once", r.st.Repeated())
		fmt.Printf("  answers cut short by the client: %d\n", r.st.Aborted)
	}
	return nil
}

// neededPaths lists the URL paths a digest-only audit of the tree needs.
func neededPaths(dst string, dirs []string, artifacts bool) ([]string, error) {
	out := []string{mirror.APIPath, mirror.FTPPath}
	for _, d := range dirs {
		out = append(out, mirror.FTPPath+d+"/")
		ents, err := os.ReadDir(filepath.Join(dst, d))
		if err != nil {
			return nil, err
		}
		has := map[string]bool{}
		for _, e := range ents {
			has[e.Name()] = true
		}
		for _, e := range ents {
			n := e.Name()
			switch {
			case strings.HasSuffix(n, ".sigstore"), strings.HasSuffix(n, ".spdx.json"):
			case (strings.HasSuffix(n, ".crt") || strings.HasSuffix(n, ".sig")) && !has[strings.TrimSuffix(strings.TrimSuffix(n, ".crt"), ".sig")+".sigstore"]:
			case artifacts && !strings.Contains(n, ".asc") && !strings.HasSuffix(n, ".crt") && !strings.HasSuffix(n, ".sig"):
				// the artifact itself, and its .asc below
			case artifacts && strings.HasSuffix(n, ".asc"):
			default:
				continue
			}
			out = append(out, mirror.FTPPath+d+"/"+n)
		}
	}
	return out, nil
}

// reference makes the needed requests over conns keep-alive connections,
// reading every body, in the order an audit must: the API and the root
// listing, then the directory listings, then the files.
func reference(base string, paths []string, conns int) error {
	tr := &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var first, listings, files []string
	for _, p := range paths {
		switch {
		case p == mirror.APIPath || p == mirror.FTPPath:
			first = append(first, p)
		case strings.HasSuffix(p, "/"):
			listings = append(listings, p)
		default:
			files = append(files, p)
		}
	}
	for _, phase := range [][]string{first, listings, files} {
		if err := fetchAll(client, base, phase, conns); err != nil {
			return err
		}
	}
	return nil
}

// fetchAll GETs every path over conns connections, reading every body;
// answers other than 200 are counted (a replay repeats sigaudit's 404s),
// only network errors fail.
func fetchAll(client *http.Client, base string, paths []string, conns int) error {
	ch := make(chan string)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	ctx := context.Background()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range ch {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+p, nil)
				resp, err := client.Do(req)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	for _, p := range paths {
		ch <- p
	}
	close(ch)
	wg.Wait()
	return first
}
