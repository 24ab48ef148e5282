// Package record is python.org's observed release record, compiled into
// sigaudit like a checksum database: the SHA-256, size and bundle presence
// of every python.org artifact the cpython-release-tracker saw, and when
// python.org signed each version's Sigstore bundles. It is evidence of what
// python.org published, independent of any mirror sigaudit reads.
//
// The data is parsed on first use, not at start-up.
package record

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// digestsTSV is derived from cpython-release-tracker-sha256.tsv
// (shared/realdata/digests, github.com/woodruffw/cpython-release-tracker @
// 237b2f35982261460ad643112731fe2eb2a3d4e8): the URL relative to
// python.org/ftp/python/, SHA-256, size, and whether python.org publishes a
// Sigstore bundle. TestEmbeddedMatchesShared regenerates it with -update.
//
//go:embed digests.tsv
var digestsTSV []byte

// signingTSV is shared/domain/signing-times.tsv: per version, when the
// first and last of python.org's bundles were signed (from the bundles'
// transparency log entries).
//
//go:embed signing-times.tsv
var signingTSV []byte

// Source says where the embedded data comes from.
const Source = "github.com/woodruffw/cpython-release-tracker @ 237b2f35982261460ad643112731fe2eb2a3d4e8"

// Artifact is one python.org file as observed.
type Artifact struct {
	Dir    string // release directory under ftp/python/, e.g. "3.13.5"
	Name   string // file name
	SHA256 string // lower-case hex
	Size   int64
	Bundle bool // python.org publishes a .sigstore (or .crt/.sig) for it
}

// Path is Dir/Name.
func (a Artifact) Path() string { return a.Dir + "/" + a.Name }

// Window is when python.org signed a version's Sigstore bundles.
type Window struct {
	Version     string
	First, Last time.Time
	Bundles     int
}

type db struct {
	all      []Artifact
	byPath   map[string]int
	byName   map[string][]int
	byDigest map[string][]int
	windows  map[string]Window
	order    []string // versions with a window, in file order
	newest   time.Time
}

var load = sync.OnceValue(func() *db {
	d, err := parse(digestsTSV, signingTSV)
	if err != nil {
		panic("sigaudit: embedded python.org record is invalid: " + err.Error())
	}
	return d
})

// loadWindows parses the signing-times table alone: SigningWindow,
// Windows and Info need no more, and the digests table costs several
// milliseconds to index (issue 18: fixed cost of `sigaudit policy`).
var loadWindows = sync.OnceValue(func() *db {
	d, err := parse(nil, signingTSV)
	if err != nil {
		panic("sigaudit: embedded python.org record is invalid: " + err.Error())
	}
	return d
})

func parse(digests, signing []byte) (*db, error) {
	d := &db{byPath: map[string]int{}, byName: map[string][]int{}, byDigest: map[string][]int{}, windows: map[string]Window{}}
	sc := bufio.NewScanner(bytes.NewReader(digests))
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue // header
		}
		a, err := parseRow(sc.Text(), n)
		if err != nil {
			return nil, err
		}
		if _, dup := d.byPath[a.Path()]; dup {
			return nil, fmt.Errorf("digests.tsv:%d: %s listed twice", n, a.Path())
		}
		i := len(d.all)
		d.all = append(d.all, a)
		d.byPath[a.Path()] = i
		d.byName[a.Name] = append(d.byName[a.Name], i)
		d.byDigest[a.SHA256] = append(d.byDigest[a.SHA256], i)
	}
	sc = bufio.NewScanner(bytes.NewReader(signing))
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("signing-times.tsv:%d: %d fields, want 4", n, len(f))
		}
		first, err1 := time.Parse(time.RFC3339, f[1])
		last, err2 := time.Parse(time.RFC3339, f[2])
		count, err3 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || err3 != nil || last.Before(first) || count < 1 {
			return nil, fmt.Errorf("signing-times.tsv:%d: bad row %q", n, sc.Text())
		}
		if _, dup := d.windows[f[0]]; dup {
			return nil, fmt.Errorf("signing-times.tsv:%d: %s listed twice", n, f[0])
		}
		d.windows[f[0]] = Window{Version: f[0], First: first, Last: last, Bundles: count}
		d.order = append(d.order, f[0])
		if last.After(d.newest) {
			d.newest = last
		}
	}
	return d, nil
}

// parseRow parses line n of the digests table.
func parseRow(line string, n int) (Artifact, error) {
	f := strings.Split(line, "\t")
	if len(f) != 4 {
		return Artifact{}, fmt.Errorf("digests.tsv:%d: %d fields, want 4", n, len(f))
	}
	dir, name, ok := strings.Cut(f[0], "/")
	if !ok || dir == "" || name == "" || strings.Contains(name, "/") {
		return Artifact{}, fmt.Errorf("digests.tsv:%d: path %q is not DIR/NAME", n, f[0])
	}
	if b, err := hex.DecodeString(f[1]); err != nil || len(b) != sha256.Size || f[1] != strings.ToLower(f[1]) {
		return Artifact{}, fmt.Errorf("digests.tsv:%d: bad sha256 %q", n, f[1])
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return Artifact{}, fmt.Errorf("digests.tsv:%d: bad size %q", n, f[2])
	}
	if f[3] != "yes" && f[3] != "no" {
		return Artifact{}, fmt.Errorf("digests.tsv:%d: bundle is %q, want yes or no", n, f[3])
	}
	return Artifact{Dir: dir, Name: name, SHA256: f[1], Size: size, Bundle: f[3] == "yes"}, nil
}

// A command that looks up a few artifacts (verify, audit of one version)
// should not pay for indexing the whole table (several milliseconds, issue
// 18's fixed cost): the first scanLookups lookups scan the embedded table
// for the rows they need (tens of microseconds each), later ones build
// the index once and use it. Both give the same answers on the embedded
// table, which load validates (and the tests load).
const scanLookups = 16

var lookups atomic.Int64

func useIndex() bool { return lookups.Add(1) > scanLookups }

// scan returns the rows of the embedded table in which the bytes key
// occur and that keep accepts, in table order; key must not match across
// rows or in the header (it holds a tab and a path, name or digest).
func scan(key string, keep func(Artifact) bool) []Artifact {
	var out []Artifact
	rest := digestsTSV
	off := 0
	for {
		i := bytes.Index(rest[off:], []byte(key))
		if i < 0 {
			return out
		}
		i += off
		if key[0] == '\n' {
			i++ // the row begins after the newline
		}
		start := bytes.LastIndexByte(rest[:i], '\n') + 1
		end := bytes.IndexByte(rest[i:], '\n')
		if end < 0 {
			end = len(rest)
		} else {
			end += i
		}
		if start > 0 { // not the header
			a, err := parseRow(string(rest[start:end]), 0)
			if err != nil {
				panic("sigaudit: embedded python.org record is invalid: " + err.Error())
			}
			if keep(a) {
				out = append(out, a)
			}
		}
		off = end
	}
}

func scanByPath(path string) []Artifact {
	return scan("\n"+path+"\t", func(a Artifact) bool { return a.Path() == path })
}

func scanByName(name string) []Artifact {
	if name == "" {
		return nil
	}
	return scan("/"+name+"\t", func(a Artifact) bool { return a.Name == name })
}

func scanBySHA256(hexDigest string) []Artifact {
	if len(hexDigest) != 2*sha256.Size {
		return nil
	}
	return scan("\t"+hexDigest+"\t", func(a Artifact) bool { return a.SHA256 == hexDigest })
}

func (d *db) pick(idx []int) []Artifact {
	out := make([]Artifact, len(idx))
	for i, j := range idx {
		out[i] = d.all[j]
	}
	return out
}

// All returns every observed artifact, in the record's order.
func All() []Artifact { return append([]Artifact(nil), load().all...) }

// Lookup returns the artifact at dir/name.
func Lookup(dir, name string) (Artifact, bool) {
	if !useIndex() {
		if as := scanByPath(dir + "/" + name); len(as) > 0 {
			return as[0], true
		}
		return Artifact{}, false
	}
	d := load()
	i, ok := d.byPath[dir+"/"+name]
	if !ok {
		return Artifact{}, false
	}
	return d.all[i], true
}

// ByName returns every artifact with that file name (normally one).
func ByName(name string) []Artifact {
	if !useIndex() {
		return scanByName(name)
	}
	d := load()
	return d.pick(d.byName[name])
}

// BySHA256 returns every artifact whose SHA-256 is hexDigest (lower-case).
func BySHA256(hexDigest string) []Artifact {
	hexDigest = strings.ToLower(hexDigest)
	if !useIndex() {
		return scanBySHA256(hexDigest)
	}
	d := load()
	return d.pick(d.byDigest[hexDigest])
}

// InDir returns the artifacts of one release directory, sorted by name.
func InDir(dir string) []Artifact {
	var out []Artifact
	for _, a := range load().all {
		if a.Dir == dir {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SigningWindow returns when python.org signed version's bundles.
func SigningWindow(version string) (Window, bool) {
	w, ok := loadWindows().windows[version]
	return w, ok
}

// Windows returns every known signing window, in the record's order.
func Windows() []Window {
	d := loadWindows()
	out := make([]Window, 0, len(d.order))
	for _, v := range d.order {
		out = append(out, d.windows[v])
	}
	return out
}

// Meta describes the embedded record, for `sigaudit version`.
type Meta struct {
	Artifacts int       `json:"artifacts"`
	Bundles   int       `json:"bundles"`
	Versions  int       `json:"signed_versions"`
	NewestSig time.Time `json:"newest_signing_time"`
	SHA256    string    `json:"sha256"` // of the embedded digests table
	Source    string    `json:"source"`
}

// Info describes the embedded record: how many artifacts, and how old it
// is (the newest signing time it knows). It counts the digests table's
// rows without building the index the other functions use (issue 18:
// `sigaudit version` should not pay for it); the table is validated by
// load and by the tests.
func Info() Meta {
	w := loadWindows()
	m := Meta{Versions: len(w.windows), NewestSig: w.newest, Source: Source}
	rest := digestsTSV
	for first := true; len(rest) > 0; first = false {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if first {
			continue // header
		}
		m.Artifacts++
		if bytes.HasSuffix(line, []byte("\tyes")) {
			m.Bundles++
		}
	}
	sum := sha256.Sum256(digestsTSV)
	m.SHA256 = hex.EncodeToString(sum[:])
	return m
}
