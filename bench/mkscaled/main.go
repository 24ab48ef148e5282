// Command mkscaled lays out a copy of python.org's history for a local,
// digest-only audit (internal/mirror.BuildHistory: empty artifacts, real
// bundles, .asc files, SBOMs, api.json), repeated -copies times, so that
// the same mix of artifacts can be audited at different scales (issue 18:
// memory and time per artifact flat in artifact count).
//
//	go run ./bench/mkscaled [-realdata DIR] [-lines 3.10,3.11] [-copies N] DST
//
// Copy k (k >= 1) of release directory X.Y.Z is X.Y.(Z+30k), with every
// file name, URL and API row renamed alike; -copies 1 is the history
// itself. It prints the number of artifacts.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sigaudit/sigaudit/internal/mirror"
)

// step separates the copies' patch numbers (python.org's highest is below
// 30; versions have at most three digits per part).
const step = 30

func main() {
	realdata := flag.String("realdata", "../shared/realdata", "realdata folder")
	lines := flag.String("lines", "", "release lines, comma-separated (default every line from 3.7)")
	copies := flag.Int("copies", 1, "how many copies of the history (at most 32)")
	flag.Parse()
	if flag.NArg() != 1 || *copies < 1 || *copies > 32 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/mkscaled [-realdata DIR] [-lines 3.10,3.11] [-copies 1..32] DST")
		os.Exit(2)
	}
	dst := flag.Arg(0)
	var ls []string
	if *lines != "" {
		ls = strings.Split(*lines, ",")
	}
	h, err := mirror.BuildHistory(dst, mirror.HistoryOptions{RealData: *realdata, Lines: ls})
	check(err)
	apiPath := filepath.Join(dst, "api.json")
	b, err := os.ReadFile(apiPath)
	check(err)
	var rows []map[string]any
	check(json.Unmarshal(b, &rows))
	out := append([]map[string]any(nil), rows...)
	for k := 1; k < *copies; k++ {
		for _, dir := range h.Dirs {
			nd := bumpVersion(dir, step*k)
			check(os.MkdirAll(filepath.Join(dst, nd), 0o755))
			ents, err := os.ReadDir(filepath.Join(dst, dir))
			check(err)
			for _, e := range ents {
				data, err := os.ReadFile(filepath.Join(dst, dir, e.Name()))
				check(err)
				check(os.WriteFile(filepath.Join(dst, nd, rename(e.Name(), dir, nd)), data, 0o644))
			}
		}
		for _, r := range rows {
			u, _ := r["url"].(string)
			parts := strings.Split(u, "/")
			if len(parts) < 2 {
				check(fmt.Errorf("API row without a URL: %v", r))
			}
			dir := parts[len(parts)-2]
			nd := bumpVersion(dir, step*k)
			nr := map[string]any{}
			for key, v := range r {
				if s, ok := v.(string); ok {
					s = strings.Replace(s, "/"+dir+"/", "/"+nd+"/", 1)
					v = rename(s, dir, nd)
				}
				nr[key] = v
			}
			out = append(out, nr)
		}
	}
	b, err = json.Marshal(out)
	check(err)
	check(os.WriteFile(apiPath, b, 0o644))
	fmt.Println(len(out))
}

// bumpVersion adds n to the patch number of X.Y.Z.
func bumpVersion(dir string, n int) string {
	i := strings.LastIndexByte(dir, '.')
	p, err := strconv.Atoi(dir[i+1:])
	if err != nil {
		panic("not X.Y.Z: " + dir)
	}
	return dir[:i+1] + strconv.Itoa(p+n)
}

// rename replaces the version v in s by nv where it stands alone: not
// preceded by a digit or '.', not followed by a digit.
func rename(s, v, nv string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, v)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(v)
		alone := (i == 0 || !isDigitDot(s[i-1])) && (end == len(s) || s[end] < '0' || s[end] > '9')
		b.WriteString(s[:i])
		if alone {
			b.WriteString(nv)
		} else {
			b.WriteString(v)
		}
		s = s[end:]
	}
}

func isDigitDot(c byte) bool { return c == '.' || (c >= '0' && c <= '9') }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkscaled:", err)
		os.Exit(1)
	}
}
