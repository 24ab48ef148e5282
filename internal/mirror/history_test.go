package mirror

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/source"
)

func realData(t *testing.T) string {
	for _, d := range []string{"../../testdata/realdata", "../../../shared/realdata"} {
		if _, err := os.Stat(filepath.Join(d, "sigstore-bundles", "MANIFEST.json")); err == nil {
			return d
		}
	}
	t.Skip("no realdata")
	return ""
}

func TestHistoryServed(t *testing.T) {
	dst := t.TempDir()
	h, err := BuildHistory(dst, HistoryOptions{RealData: realData(t), Lines: []string{"3.13"}, BaseURL: "http://mirror.invalid" + FTPPath})
	if err != nil {
		t.Fatal(err)
	}
	// The table's 3.13 line: 251 artifacts, every one with a bundle.
	if h.Artifacts != 251 || h.Bundles != 251 || h.Real < 6 || h.SBOMs == 0 || h.ASCs != 251 {
		t.Errorf("history: %+v", h)
	}
	s, err := NewServer(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Delay = time.Millisecond
	srv := httptest.NewUnstartedServer(s)
	srv.Config.ConnState = s.ConnState
	srv.Start()
	defer srv.Close()
	ctx := context.Background()
	hs, err := source.NewHTTP(srv.URL+FTPPath, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := hs.Versions(ctx)
	if err != nil || strings.Join(vs, " ") != strings.Join(h.Dirs, " ") {
		t.Fatalf("versions %v %v, want %v", vs, err, h.Dirs)
	}
	api, err := hs.FetchAPI(ctx, srv.URL+APIPath)
	if err != nil || len(api) != 251 {
		t.Fatalf("API: %d rows, %v", len(api), err)
	}
	ls, errs := source.ReadDirs(ctx, hs, vs, 4)
	arts := 0
	for i, l := range ls {
		if errs[i] != nil || !l.Listed {
			t.Fatalf("%s: %v", vs[i], errs[i])
		}
		arts += len(l.Artifacts(""))
		for _, n := range l.Artifacts("") {
			if f, ok := api[n]; !ok || f.Dir() != l.Version || !slices.Contains(f.Claims(), ".sigstore") || !l.Has(n+".sigstore") {
				t.Errorf("%s/%s: API %+v", l.Version, n, f)
			}
		}
	}
	if arts != 251 {
		t.Errorf("%d artifacts listed", arts)
	}
	st := s.Stats()
	if st.Requests != int64(2+len(vs)) || st.NotFound != 0 || len(st.Repeated()) != 0 {
		t.Errorf("stats %+v", st)
	}
	// What a digest-only audit does through the Listing API, 4 jobs: every
	// published bundle and SBOM fetched once, every API claim checked, no
	// other request.
	hs.SetMaxConns(4 + 2)
	type job struct {
		l    *source.Listing
		name string
	}
	ch := make(chan job)
	done := make(chan bool)
	for range 4 {
		go func() {
			for j := range ch {
				for _, suf := range []string{".sigstore", ".crt", ".sig", ".spdx.json"} {
					if _, err := j.l.Fetch(ctx, j.name+suf, 1<<20); err != nil && !errors.Is(err, source.ErrNotFound) {
						t.Error(err)
					}
				}
				for _, suf := range api[j.name].Claims() {
					if ok, err := j.l.Exists(ctx, j.name+suf); !ok || err != nil {
						t.Errorf("%s%s: claimed, %v %v", j.name, suf, ok, err)
					}
				}
			}
			done <- true
		}()
	}
	for _, l := range ls {
		for _, n := range l.Artifacts("") {
			ch <- job{l, n}
		}
	}
	close(ch)
	for range 4 {
		<-done
	}
	st = s.Stats()
	if want := int64(2 + len(vs) + h.Bundles + h.SBOMs); st.Requests != want || st.NotFound != 0 || len(st.Repeated()) != 0 {
		t.Errorf("%d requests, want %d; %d 404s, repeated %v", st.Requests, want, st.NotFound, st.Repeated())
	}
	if st.Connections > 6 || st.PeakOpen > 6 {
		t.Errorf("%d connections, %d at once", st.Connections, st.PeakOpen)
	}
	// A path without its slash is redirected; escapes are refused.
	for p, want := range map[string]int{FTPPath + "3.13.5": http.StatusOK, FTPPath + "../api.json": http.StatusNotFound, FTPPath + "api.json": http.StatusNotFound, "/etc/passwd": http.StatusNotFound} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

// The whole 3.7+ history: python.org's 2,103 artifacts, 886 of them with a
// bundle (the figures issues 15 and 18 measure on).
func TestWholeHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("lays out 2,103 files")
	}
	h, err := BuildHistory(t.TempDir(), HistoryOptions{RealData: realData(t)})
	if err != nil {
		t.Fatal(err)
	}
	if h.Artifacts != 2103 || h.Bundles != 886 || h.Real != 13 {
		t.Errorf("history: %+v", h)
	}
}
