package history

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

func since37() (n, bundles int) {
	for _, a := range record.All() {
		if Since37(a) {
			n++
			if a.Bundle {
				bundles++
			}
		}
	}
	return n, bundles
}

func TestBuildLayout(t *testing.T) {
	h := BuildHistory(t, Options{})
	n, bundles := since37()
	if len(h.Artifacts) != n || n != 2103 {
		t.Fatalf("%d artifacts, record has %d 3.7+ rows (2103 at the pinned tracker commit)", len(h.Artifacts), n)
	}
	if len(h.Real) < 13 || len(h.StandIn) != 0 || h.TrustedRoot != "" {
		t.Fatalf("real %d, stand-ins %d, root %q", len(h.Real), len(h.StandIn), h.TrustedRoot)
	}
	// Pre-releases live in their X.Y.Z directory.
	for _, p := range []string{"3.12.0/python-3.12.0a1-amd64.exe", "3.14.0/windows-3.14.0b3.json"} {
		dir, name := filepath.Split(p)
		if _, ok := record.Lookup(filepath.Clean(dir), name); !ok {
			t.Errorf("record lacks %s", p)
		}
	}
	src, err := source.OpenDir(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()
	vers, err := src.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for _, a := range h.Artifacts {
		dirs[a.Dir] = true
	}
	if len(vers) != len(dirs) {
		t.Errorf("%d directories, want %d", len(vers), len(dirs))
	}
	// Only real bundles are in the tree, each where python.org puts it.
	files := 0
	for _, v := range vers {
		names, err := src.List(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			files++
			base, ok := bytes.CutSuffix([]byte(n), []byte(".sigstore"))
			if !ok || !h.Real[v+"/"+string(base)] {
				t.Errorf("unexpected file %s/%s", v, n)
			}
		}
	}
	if files != len(h.Real) {
		t.Errorf("%d files in the tree, %d real bundles", files, len(h.Real))
	}
	if !h.Real["3.13.5/Python-3.13.5.tar.xz"] || !h.Real["3.7.17/Python-3.7.17.tgz"] {
		t.Error("real bundles missing")
	}

	// The API lists every artifact once, with the record's digest and size,
	// and claims a bundle exactly where python.org publishes one.
	b, err := os.ReadFile(h.API)
	if err != nil {
		t.Fatal(err)
	}
	api, err := source.ParseAPI(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(api) != n {
		t.Fatalf("API has %d names, want %d", len(api), n)
	}
	var rows []source.APIRow
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	claims := 0
	for i, a := range h.Artifacts {
		r := rows[i]
		if r.Name != a.Name || r.URL != "https://www.python.org/ftp/python/"+a.Path() || r.SHA256 != a.SHA256 || int64(r.Size) != a.Size {
			t.Errorf("row %d = %+v, artifact %+v", i, r, a)
		}
		if (r.SigstoreBundleFile != "") != a.Bundle {
			t.Errorf("%s: bundle claim %q, record %v", a.Path(), r.SigstoreBundleFile, a.Bundle)
		}
		if r.SigstoreBundleFile != "" {
			claims++
		}
	}
	if claims != bundles {
		t.Errorf("%d claims, %d bundles", claims, bundles)
	}

	// Deterministic.
	h2 := BuildHistory(t, Options{})
	if !bytes.Equal(h.APIBody, h2.APIBody) {
		t.Error("two builds differ")
	}
}

func TestSHA256Modes(t *testing.T) {
	for _, tc := range []struct {
		mode SHA256Mode
		want func(record.Artifact) bool
	}{
		{SHA256None, func(record.Artifact) bool { return false }},
		{SHA256Since2026, func(a record.Artifact) bool {
			w, ok := record.SigningWindow(versionOf(a))
			return ok && w.First.Year() >= 2026
		}},
	} {
		h := BuildHistory(t, Options{SHA256: tc.mode})
		var rows []source.APIRow
		if err := json.Unmarshal(h.APIBody, &rows); err != nil {
			t.Fatal(err)
		}
		with := 0
		for i, a := range h.Artifacts {
			if (rows[i].SHA256 != "") != tc.want(a) {
				t.Errorf("mode %d: %s sha256_sum %q", tc.mode, a.Path(), rows[i].SHA256)
			}
			if rows[i].SHA256 != "" {
				with++
			}
		}
		if tc.mode == SHA256Since2026 && (with == 0 || with == len(rows)) {
			t.Errorf("since 2026: %d of %d rows have a digest", with, len(rows))
		}
		if _, err := source.ParseAPI(h.APIBody); err != nil {
			t.Error(err)
		}
	}
	// 3.14.3 (signed 2026-02-03) has one; 3.13.5 (2025) has none.
	h := BuildHistory(t, Options{SHA256: SHA256Since2026, Filter: func(a record.Artifact) bool {
		return a.Dir == "3.14.3" || a.Dir == "3.13.5"
	}})
	api, _ := source.ParseAPI(h.APIBody)
	if api["Python-3.14.3.tgz"].SHA256 == "" || api["Python-3.13.5.tgz"].SHA256 != "" {
		t.Errorf("3.14.3 %q, 3.13.5 %q", api["Python-3.14.3.tgz"].SHA256, api["Python-3.13.5.tgz"].SHA256)
	}
}

// TestStandIns checks that stand-ins verify only under the copy's trusted
// root, that the real bundles still verify under it, and that each signs
// the record's digest with the line's identity inside the version's window.
func TestStandIns(t *testing.T) {
	h := BuildHistory(t, Options{StandIns: true, Filter: func(a record.Artifact) bool {
		return a.Dir == "3.13.5" || a.Dir == "3.12.0"
	}})
	if h.TrustedRoot == "" || len(h.StandIn) == 0 {
		t.Fatal("no stand-ins")
	}
	for p := range h.Real {
		if h.StandIn[p] {
			t.Errorf("%s is both real and stand-in", p)
		}
	}
	tr, err := sigstore.LoadTrustedRoot(h.TrustedRoot)
	if err != nil {
		t.Fatal(err)
	}
	merged := sigstore.NewVerifier(tr)
	pg, err := sigstore.EmbeddedTrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	public := sigstore.NewVerifier(pg)
	checked := map[bool]int{}
	for _, a := range h.Artifacts {
		if !a.Bundle {
			if _, err := os.Stat(filepath.Join(h.Dir, a.Dir, a.Name+".sigstore")); err == nil {
				t.Errorf("%s: bundle written where python.org has none", a.Path())
			}
			continue
		}
		b, _, err := sigstore.ReadBundle(bytes.NewReader(fixtures.ReadFile(t, filepath.Join(h.Dir, a.Dir, a.Name+".sigstore"))))
		if err != nil {
			t.Fatal(err)
		}
		pv, _ := timeline.ParseVersion(versionOf(a))
		line, _ := timeline.Default().Line(pv.Line())
		exp := sigstore.Expect{Identities: []sigstore.Identity{{SAN: line.Identity, Issuer: line.Issuer}}}
		d, _ := hex.DecodeString(a.SHA256)
		v := merged.VerifyBundle(b, sigstore.Artifact{SHA256: d}, exp)
		if v.Status != sigstore.Verified {
			t.Errorf("%s (stand-in %v): %s: %s", a.Path(), h.StandIn[a.Path()], v.Status, v.Reason)
			continue
		}
		w, _ := record.SigningWindow(versionOf(a))
		if h.StandIn[a.Path()] && (v.SigningTime.Before(w.First) || v.SigningTime.After(w.Last)) {
			t.Errorf("%s: stand-in signed %s, outside %s..%s", a.Path(), v.SigningTime, w.First, w.Last)
		}
		pv2 := public.VerifyBundle(b, sigstore.Artifact{SHA256: d}, exp)
		if (pv2.Status == sigstore.Verified) != h.Real[a.Path()] {
			t.Errorf("%s: under the public-good root alone: %s (real %v)", a.Path(), pv2.Status, h.Real[a.Path()])
		}
		checked[h.StandIn[a.Path()]]++
	}
	if checked[true] == 0 || checked[false] == 0 {
		t.Errorf("checked %v", checked)
	}
}

func TestServe(t *testing.T) {
	s := Serve(t, Options{Filter: func(a record.Artifact) bool { return a.Dir == "3.13.5" || a.Dir == "3.14.0" }})
	src, err := source.NewHTTP(s.Base, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	vers, err := src.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vers) != 2 || vers[0] != "3.13.5" || vers[1] != "3.14.0" {
		t.Fatalf("versions %v", vers)
	}
	names, err := src.List(ctx, "3.13.5")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 4 {
		t.Errorf("3.13.5 lists %v, want its 4 real bundles", names)
	}
	b, err := source.ReadSmall(ctx, src, "3.13.5", "Python-3.13.5.tgz.sigstore", 1<<20)
	if err != nil || !bytes.Contains(b, []byte("messageSignature")) {
		t.Fatalf("bundle over HTTP: %v", err)
	}
	api, err := source.FetchAPI(ctx, src.Client(), s.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := api["python-3.14.0-amd64.exe"]
	if !ok || f.URL != s.Base+"3.14.0/python-3.14.0-amd64.exe" {
		t.Errorf("API row %+v", f)
	}
}

func TestPerVersionDirs(t *testing.T) {
	h := BuildHistory(t, Options{PerVersionDirs: true, Filter: func(a record.Artifact) bool { return a.Dir == "3.14.0" }})
	dirs := map[string]int{}
	for _, a := range h.Artifacts {
		dirs[a.Dir]++
		if _, err := os.Stat(filepath.Join(h.Dir, a.Dir)); err != nil {
			t.Error(err)
		}
	}
	if dirs["3.14.0"] == 0 || dirs["3.14.0b3"] == 0 || dirs["3.14.0rc1"] == 0 {
		t.Errorf("directories %v", dirs)
	}
	if !h.Real["3.14.0/Python-3.14.0.tgz"] {
		t.Error("real 3.14.0 bundle not placed")
	}
	api, _ := source.ParseAPI(h.APIBody)
	if u := api["windows-3.14.0b3.json"].URL; u != "https://www.python.org/ftp/python/3.14.0b3/windows-3.14.0b3.json" {
		t.Errorf("url %s", u)
	}
}
