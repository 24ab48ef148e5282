// Package history builds, for tests and benchmarks, a copy of python.org's
// whole 3.7+ release history (https://www.python.org/ftp/python/) from the
// record compiled into sigaudit (package record): one directory per
// python.org release directory, pre-releases inside their X.Y.Z/ directory
// as python.org keeps them, and an api.json listing in the form of
// python.org's release_file API. No artifact is written: the record knows
// every artifact's SHA-256 and size, which is what a digest-only audit
// needs.
//
// # Bundles: real ones, claims, and stand-ins
//
// The record says, for each artifact, whether python.org publishes a
// Sigstore bundle for it. The repository holds a few of python.org's real
// bundles (testdata/realdata/sigstore-bundles, and ../shared when present);
// each is placed where python.org puts it (DIR/NAME.sigstore), after
// checking that it signs the record's SHA-256.
//
// For every other artifact python.org bundles, the builder never makes
// something that looks like a python.org bundle. "python.org publishes a
// bundle here" is represented by:
//
//   - always, the API claim: the row's sigstore_bundle_file names
//     DIR/NAME.sigstore. With Options.StandIns false the file is absent, so
//     an audit reports the claim as missing (api-claim-missing) and, where
//     Sigstore is expected, a gap: the honest answer for a tree that lacks
//     the bundle.
//   - with Options.StandIns, a stand-in bundle at DIR/NAME.sigstore, made
//     by internal/testing/fakesigstore over the record's SHA-256, with the line's
//     real identity and issuer, signed at the start of the version's
//     record.SigningWindow. It verifies only under History.TrustedRoot (the
//     public-good root the real bundles need plus the generated test CA and
//     logs), never under the embedded or refreshed public-good root. Pass
//     it with --trusted-root. History.StandIn lists the stand-ins, so a
//     test can tell them from the real ones.
//
// The stand-ins' bytes differ from run to run (fresh keys); everything else
// (the set of directories and files, api.json, the real bundles) is the
// same on every build.
package history

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/testing/fakesigstore"
	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// SHA256Mode says which API rows carry a sha256_sum.
type SHA256Mode int

const (
	// SHA256All gives every row its sha256_sum (the default).
	SHA256All SHA256Mode = iota
	// SHA256Since2026 gives a sha256_sum only to versions python.org
	// signed from 2026-01-01 on (record.SigningWindow's first signing
	// stands in for the release date), as python.org's API does today:
	// older rows have an empty sha256_sum.
	SHA256Since2026
	// SHA256None leaves every sha256_sum empty.
	SHA256None
)

// Options choose what the copy holds.
type Options struct {
	SHA256 SHA256Mode
	// StandIns writes a fakesigstore stand-in bundle for every artifact
	// python.org bundles whose real bundle the repository lacks (see the
	// package documentation). History.TrustedRoot verifies them.
	StandIns bool
	// Filter, if set, keeps only the artifacts it returns true for.
	Filter func(record.Artifact) bool
	// PerVersionDirs puts each pre-release in its own directory
	// (3.12.0a7/) instead of its X.Y.Z/ directory as python.org does: the
	// layout of some mirrors.
	PerVersionDirs bool
	// BaseURL prefixes the API's url fields ("https://www.python.org/ftp/python/"
	// when empty). The audit uses only the last two path elements.
	BaseURL string
}

// History is a built copy.
type History struct {
	Dir         string // the tree, laid out like ftp/python/
	API         string // api.json (outside Dir)
	TrustedRoot string // trusted_root.json for the stand-ins; "" without them
	// Artifacts are the artifacts of the copy, in the record's order.
	Artifacts []record.Artifact
	// Real and StandIn list the artifact paths (DIR/NAME) that have a real
	// python.org bundle, or a stand-in, at DIR/NAME.sigstore.
	Real, StandIn map[string]bool
	// APIBody is api.json's content.
	APIBody []byte
}

// Since37 reports whether an artifact belongs to a 3.7+ release directory.
func Since37(a record.Artifact) bool {
	v, err := timeline.ParseVersion(a.Dir)
	return err == nil && (v.Major > 3 || v.Major == 3 && v.Minor >= 7)
}

// Build makes the copy in a temporary directory of t and returns the tree
// and the api.json path.
func Build(t testing.TB, opt Options) (dir, apiPath string) {
	t.Helper()
	h := BuildHistory(t, opt)
	return h.Dir, h.API
}

// BuildHistory makes the copy in a temporary directory of t.
func BuildHistory(t testing.TB, opt Options) *History {
	t.Helper()
	h, err := build(t.TempDir(), opt)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	return h
}

// Server is a copy served over HTTP.
type Server struct {
	*History
	*httptest.Server
	// Base is the tree's URL, for --source (ends in /ftp/python/).
	Base string
	// APIURL serves api.json.
	APIURL string
}

// Serve builds the copy and serves it with net/http's file server: the
// tree under /ftp/python/ (with directory listings, as python.org's
// index pages), api.json at /api/v2/downloads/release_file/. The API's
// url fields point at the server. The server is closed when t ends.
func Serve(t testing.TB, opt Options) *Server {
	t.Helper()
	dir := t.TempDir()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/ftp/python/"
	if opt.BaseURL == "" {
		opt.BaseURL = base
	}
	h, err := build(dir, opt)
	if err != nil {
		srv.Close()
		t.Fatalf("history: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ftp/python/", http.StripPrefix("/ftp/python/", http.FileServer(http.Dir(h.Dir))))
	mux.HandleFunc("/api/v2/downloads/release_file/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(h.APIBody)
	})
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return &Server{History: h, Server: srv, Base: base, APIURL: srv.URL + "/api/v2/downloads/release_file/"}
}

func build(tmp string, opt Options) (*History, error) {
	h := &History{
		Dir: filepath.Join(tmp, "ftp", "python"), API: filepath.Join(tmp, "api.json"),
		Real: map[string]bool{}, StandIn: map[string]bool{},
	}
	base := opt.BaseURL
	if base == "" {
		base = "https://www.python.org/ftp/python/"
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	real, err := realBundles()
	if err != nil {
		return nil, err
	}
	orig := map[string]string{} // file name -> python.org path (names are unique)
	for _, a := range record.All() {
		orig[a.Name] = a.Path()
	}
	rows := []source.APIRow{}
	dirs := map[string]bool{}
	for _, a := range record.All() {
		if !Since37(a) || (opt.Filter != nil && !opt.Filter(a)) {
			continue
		}
		if opt.PerVersionDirs {
			if v := versionOf(a); v != a.Dir {
				if pv, err := timeline.ParseVersion(v); err == nil && pv.IsPreRelease() {
					a.Dir = v
				}
			}
		}
		h.Artifacts = append(h.Artifacts, a)
		if !dirs[a.Dir] {
			if err := os.MkdirAll(filepath.Join(h.Dir, a.Dir), 0o755); err != nil {
				return nil, err
			}
			dirs[a.Dir] = true
		}
		url := base + a.Path()
		row := source.APIRow{Name: a.Name, URL: url, Size: source.APISize(a.Size)}
		if withSHA256(a, opt.SHA256) {
			row.SHA256 = a.SHA256
		}
		if a.Bundle {
			row.SigstoreBundleFile = url + ".sigstore"
			var b []byte
			if rb, ok := real[orig[a.Name]]; ok {
				b = rb
				h.Real[a.Path()] = true
			} else if opt.StandIns {
				if b, err = standIn(a); err != nil {
					return nil, err
				}
				h.StandIn[a.Path()] = true
			}
			if b != nil {
				if err := os.WriteFile(filepath.Join(h.Dir, a.Dir, a.Name+".sigstore"), b, 0o644); err != nil {
					return nil, err
				}
			}
		}
		rows = append(rows, row)
	}
	if h.APIBody, err = json.MarshalIndent(rows, "", " "); err != nil {
		return nil, err
	}
	if err := os.WriteFile(h.API, h.APIBody, 0o644); err != nil {
		return nil, err
	}
	if len(h.StandIn) > 0 {
		tr, err := trustedRoot()
		if err != nil {
			return nil, err
		}
		h.TrustedRoot = filepath.Join(tmp, "trusted_root.json")
		if err := os.WriteFile(h.TrustedRoot, tr, 0o644); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// sha256Since is when python.org's API started giving sha256_sum.
var sha256Since = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func withSHA256(a record.Artifact, m SHA256Mode) bool {
	switch m {
	case SHA256All:
		return true
	case SHA256Since2026:
		w, ok := record.SigningWindow(versionOf(a))
		return ok && !w.First.Before(sha256Since)
	}
	return false
}

// versionOf is the version an artifact's name says (its directory's when
// the name does not parse).
func versionOf(a record.Artifact) string {
	if n := source.ParseName(a.Name, a.Dir); n.Known {
		return n.Version
	}
	return a.Dir
}

// repoRealdata is testdata/realdata/sigstore-bundles of this repository.
func repoDirs() []string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return nil
	}
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return []string{
		filepath.Join(root, "testdata", "realdata", "sigstore-bundles"),
		filepath.Join(root, "..", "shared", "realdata", "sigstore-bundles"),
	}
}

var realOnce = sync.OnceValues(loadReal)

func realBundles() (map[string][]byte, error) { return realOnce() }

// loadReal reads every real python.org bundle the repository (and
// ../shared, when present) holds, keyed by the artifact's DIR/NAME, and
// checks that each signs the record's SHA-256 of that artifact.
func loadReal() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, dir := range repoDirs() {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue // ../shared is optional
		}
		for _, e := range ents {
			name, ok := strings.CutSuffix(e.Name(), ".sigstore")
			if !ok || !e.Type().IsRegular() {
				continue
			}
			arts := record.ByName(name)
			if len(arts) != 1 {
				return nil, fmt.Errorf("%s: the record has %d artifacts named %s", dir, len(arts), name)
			}
			a := arts[0]
			if _, done := out[a.Path()]; done {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			d, err := bundleDigest(b)
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %v", dir, e.Name(), err)
			}
			if d != a.SHA256 {
				return nil, fmt.Errorf("%s/%s signs %s, the record says %s is %s", dir, e.Name(), d, a.Path(), a.SHA256)
			}
			if !a.Bundle {
				return nil, fmt.Errorf("%s/%s: the record says python.org publishes no bundle for %s", dir, e.Name(), a.Path())
			}
			out[a.Path()] = b
		}
	}
	return out, nil
}

// bundleDigest is the SHA-256 a message-signature bundle signs.
func bundleDigest(b []byte) (string, error) {
	var m struct {
		MessageSignature struct {
			MessageDigest struct {
				Algorithm string `json:"algorithm"`
				Digest    string `json:"digest"`
			} `json:"messageDigest"`
		} `json:"messageSignature"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	d, err := base64.StdEncoding.DecodeString(m.MessageSignature.MessageDigest.Digest)
	if err != nil || len(d) != sha256.Size || m.MessageSignature.MessageDigest.Algorithm != "SHA2_256" {
		return "", fmt.Errorf("not a SHA2_256 message-signature bundle")
	}
	return hex.EncodeToString(d), nil
}

// The stand-in Sigstore, shared by every build of the process, and its
// bundles by artifact path.
var (
	fakeOnce = sync.OnceValues(func() (*fakesigstore.Instance, error) {
		return fakesigstore.New(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	})
	standInMu    sync.Mutex
	standInCache = map[string][]byte{}
)

// standIn makes (once per process) the stand-in bundle of a.
func standIn(a record.Artifact) ([]byte, error) {
	standInMu.Lock()
	defer standInMu.Unlock()
	if b, ok := standInCache[a.Name]; ok {
		return b, nil
	}
	fake, err := fakeOnce()
	if err != nil {
		return nil, err
	}
	v := versionOf(a)
	pv, err := timeline.ParseVersion(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", a.Path(), err)
	}
	line, ok := timeline.Default().Line(pv.Line())
	if !ok {
		return nil, fmt.Errorf("%s: line %s is not in the timeline", a.Path(), pv.Line())
	}
	w, ok := record.SigningWindow(v)
	if !ok {
		return nil, fmt.Errorf("%s: the record has a bundle but no signing window for %s", a.Path(), v)
	}
	digest, _ := hex.DecodeString(a.SHA256)
	b, err := fake.Bundle(line.Identity, line.Issuer, digest, w.First)
	if err != nil {
		return nil, err
	}
	standInCache[a.Name] = b
	return b, nil
}

// trustedRoot is the public-good trusted root (for the real bundles) with
// the stand-in Sigstore's CA and logs added.
func trustedRoot() ([]byte, error) {
	pg, err := sigstore.EmbeddedTrustedRoot()
	if err != nil {
		return nil, err
	}
	pgJSON, err := pg.MarshalJSON()
	if err != nil {
		return nil, err
	}
	fake, err := fakeOnce()
	if err != nil {
		return nil, err
	}
	fakeJSON, err := fake.TrustedRootJSON()
	if err != nil {
		return nil, err
	}
	var merged, add map[string]any
	if err := json.Unmarshal(pgJSON, &merged); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(fakeJSON, &add); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(add))
	for k := range add {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		list, ok := add[k].([]any)
		if !ok {
			continue
		}
		prev, _ := merged[k].([]any)
		merged[k] = append(prev, list...)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(merged); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
