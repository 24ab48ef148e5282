package audit

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sigaudit/sigaudit/internal/mirror"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
)

// countingServer serves dir like python.org/ftp/python/ (Apache-style
// listings) and counts every request by path and status, and every new
// connection.
type countingServer struct {
	*httptest.Server
	mu     sync.Mutex
	gets   map[string]int
	status map[string]int
	conns  int
}

func newCountingServer(t *testing.T, dir string) *countingServer {
	cs := &countingServer{gets: map[string]int{}, status: map[string]int{}}
	fs := http.FileServer(http.Dir(dir))
	cs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Counted before serving: a client that stops reading (a body
		// longer than the API's size) may be done before the handler.
		cs.mu.Lock()
		cs.gets[r.URL.Path]++
		cs.mu.Unlock()
		fs.ServeHTTP(&statusWriter{ResponseWriter: w, cs: cs, path: r.URL.Path}, r)
	}))
	cs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			cs.mu.Lock()
			cs.conns++
			cs.mu.Unlock()
		}
	}
	cs.Start()
	t.Cleanup(cs.Close)
	return cs
}

// statusWriter records the status of each answer as it is sent (an
// answer with no WriteHeader is a 200, and no 404).
type statusWriter struct {
	http.ResponseWriter
	cs   *countingServer
	path string
}

func (s *statusWriter) WriteHeader(code int) {
	s.cs.mu.Lock()
	s.cs.status[s.path] = code
	s.cs.mu.Unlock()
	s.ResponseWriter.WriteHeader(code)
}

// needed is every request a tree audit of dirs must make: the top
// listing, one listing per directory, and one GET per listed file that
// want accepts.
func needed(t *testing.T, root string, dirs []string, want func(name string) bool) map[string]int {
	t.Helper()
	out := map[string]int{"/": 1}
	for _, d := range dirs {
		out["/"+d+"/"] = 1
		ents, err := os.ReadDir(filepath.Join(root, d))
		must(t, err)
		for _, e := range ents {
			if want(e.Name()) {
				out["/"+d+"/"+e.Name()] = 1
			}
		}
	}
	return out
}

// checkRequests fails unless the server saw exactly the needed requests,
// each once, none a 404, over at most jobs+2 connections (a body left
// unread loses its connection).
func checkRequests(t *testing.T, cs *countingServer, want map[string]int, jobs int) {
	t.Helper()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for p, n := range cs.gets {
		switch {
		case want[p] == 0:
			t.Errorf("unneeded request %s (%d times, status %d)", p, n, cs.status[p])
		case n > 1:
			t.Errorf("%s requested %d times", p, n)
		}
		if cs.status[p] == http.StatusNotFound {
			t.Errorf("%s: a 404 probe for a file the listing does not show", p)
		}
	}
	for p := range want {
		if cs.gets[p] == 0 {
			t.Errorf("needed request %s not made", p)
		}
	}
	if cs.conns > jobs+2 {
		t.Errorf("%d connections, want at most %d (jobs + 2)", cs.conns, jobs+2)
	}
	t.Logf("%d requests (%d needed), %d connections", len(cs.gets), len(want), cs.conns)
}

func httpTree(t *testing.T, dir string, cs *countingServer, digestOnly bool, api source.API) *Tree {
	t.Helper()
	h, err := source.NewHTTP(cs.URL+"/", 0)
	must(t, err)
	return &Tree{Auditor: realAuditor(digestOnly), Source: h, API: api, Jobs: 4}
}

// addSBOM publishes an SPDX SBOM giving name its digest: an independent
// digest, so a needed request.
func addSBOM(t *testing.T, dir, ver, name, digest string) {
	t.Helper()
	doc := `{"spdxVersion":"SPDX-2.3","packages":[{"name":"CPython","packageFileName":"` + name +
		`","checksums":[{"algorithm":"SHA256","checksumValue":"` + digest + `"}]}]}`
	must(t, os.WriteFile(filepath.Join(dir, ver, name+".spdx.json"), []byte(doc), 0o644))
}

// Issue 18 item 1: a digest-only audit of a line over HTTP makes exactly
// the needed requests: the listings, one GET per published bundle (or
// .crt + .sig) and per published SBOM (an independent digest, one of the
// sources of "proven"); no .asc, no artifact, nothing twice, no probe
// for a file the listing does not show, every body read.
func TestDigestOnlyHTTPNeededRequests(t *testing.T) {
	dir := t.TempDir()
	api, err := mirror.Build(dir, mirror.Options{RealData: realData})
	if err != nil {
		t.Skipf("no real material: %v", err)
	}
	const sbomFor = "Python-3.13.5.tar.xz"
	if d := api[sbomFor].SHA256; d != "" {
		addSBOM(t, dir, "3.13.5", sbomFor, d)
	}
	// Claims for every sibling, so that api-claim-missing is decided from
	// the listing, not by probing.
	for _, f := range api {
		u := f.URL
		must(t, api.Add(source.APIRow{URL: u, GPGSignatureFile: u + ".asc", SigstoreBundleFile: u + ".sigstore",
			SigstoreCertFile: u + ".crt", SigstoreSignatureFile: u + ".sig", SBOMFile: u + ".spdx.json"}))
	}
	cs := newCountingServer(t, dir)
	tr := httpTree(t, dir, cs, true, api)
	ctx := context.Background()
	dirs, only, err := tr.Select(ctx, []string{"3.13"})
	must(t, err)
	rep, err := tr.Run(ctx, dirs, only)
	must(t, err)
	want := needed(t, dir, dirs, func(n string) bool {
		return strings.HasSuffix(n, ".sigstore") || strings.HasSuffix(n, ".crt") || strings.HasSuffix(n, ".sig") || strings.HasSuffix(n, ".spdx.json")
	})
	checkRequests(t, cs, want, tr.Jobs)

	ascs, sbom := 0, false
	for _, a := range rep.Artifacts {
		if a.PGP.File == "" {
			continue
		}
		ascs++
		m := a.PGP
		if m.Status != report.StatusNotChecked || m.Fingerprint != "" || m.KeyID != "" || m.Signer != "" || m.Created != "" || m.Hash != "" {
			t.Errorf("%s: PGP %+v, want not-checked without signer details", a.Name, m)
		}
		if codesOf(a, report.CodePGPNotChecked) != 1 {
			t.Errorf("%s: findings %+v, want one pgp-not-checked", a.Name, a.Findings)
		}
		if a.Name == sbomFor && a.Digests["sbom"] != "" {
			sbom = true
		}
	}
	if ascs == 0 {
		t.Error("no published .asc seen: the test proves nothing")
	}
	if api[sbomFor].SHA256 != "" && !sbom {
		t.Errorf("the SBOM of %s was not used as a digest", sbomFor)
	}
}

// With artifacts, every listed file of the release is needed once: the
// artifact, its .asc, its bundle, its SBOM. An artifact longer than the
// API's size is a digest-mismatch, not a read error.
func TestHTTPNeededRequestsWithArtifacts(t *testing.T) {
	tarball := "../../shared/realdata/artifacts/Python-3.13.5.tar.xz" // CI has it, a clone does not
	st, err := os.Stat(tarball)
	if err != nil {
		t.Skipf("needs %s", tarball)
	}
	for _, short := range []bool{false, true} {
		dir := t.TempDir()
		api, err := mirror.Build(dir, mirror.Options{RealData: realData, Artifact: tarball})
		must(t, err)
		const name = "Python-3.13.5.tar.xz"
		f := api[name]
		f.Size = st.Size()
		if short {
			f.Size = st.Size() - 1
		}
		api[name] = f
		cs := newCountingServer(t, dir)
		tr := httpTree(t, dir, cs, false, api)
		ctx := context.Background()
		dirs, only, err := tr.Select(ctx, []string{"3.13.5"})
		must(t, err)
		rep, err := tr.Run(ctx, dirs, only)
		must(t, err)
		checkRequests(t, cs, needed(t, dir, dirs, func(string) bool { return true }), tr.Jobs)
		for _, a := range rep.Artifacts {
			if a.Name != name {
				continue
			}
			switch {
			case short && (codesOf(a, report.CodeDigestMismatch) != 1 || codesOf(a, report.CodeSourceError) != 0):
				t.Errorf("API size too small: findings %+v, want one digest-mismatch and no source-error", a.Findings)
			case !short && (a.PGP.Status != report.StatusVerified || a.Sigstore.Status != report.StatusVerified):
				t.Errorf("PGP %s, Sigstore %s, want both verified; findings %+v", a.PGP.Status, a.Sigstore.Status, a.Findings)
			}
		}
	}
}
