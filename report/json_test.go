package report

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// lineCmp and versionCmp stand in for timeline.CompareLines and
// source.CompareVersions (report imports neither).
func lineCmp(a, b string) int { return compareVersions(a+".0", b+".0") }

func versionCmp(a, b string) int { return compareVersions(a, b) }

// streamJSON feeds arts, in that order, to a JSONStream over spill.
func streamJSON(t *testing.T, arts []Artifact, spill Spill, tool Tool, time string) ([]byte, *JSONStream) {
	t.Helper()
	s := NewJSONStream(spill, lineCmp, versionCmp)
	for _, a := range arts {
		if err := s.Add(a); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := s.WriteJSON(&buf, tool, time); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), s
}

// TestJSONStreamMatchesRender: the streamed document is byte for byte
// what Render writes for the sorted report, whatever order the artifacts
// arrive in, in memory and through a file; and the stream leaves the
// artifacts it is given unchanged.
func TestJSONStreamMatchesRender(t *testing.T) {
	reports := map[string]*Report{"empty": {}, "hostile": hostileReport(), "one without findings": {Artifacts: []Artifact{{Name: "x"}}}}
	for _, name := range reportReplays {
		var r Report
		readReplay(t, name, &r)
		reports[name] = &r
	}
	r := clone(reports["audit-planted.json"])
	r.Time = "2026-11-25T00:00:00Z"
	for i := range r.Artifacts {
		r.Artifacts[i].Line = "" // lines that sort before every line, as directory problems do
		if i%3 == 0 {
			r.Artifacts[i].Line = "-"
		}
	}
	reports["no lines"] = r
	rng := rand.New(rand.NewPCG(1, 2))
	for name, r := range reports {
		want := clone(r)
		want.Sort(lineCmp, versionCmp)
		wantJSON := render(t, "json", want, Options{})
		for round := range 3 {
			arts := clone(r).Artifacts
			if round > 0 {
				rng.Shuffle(len(arts), func(i, j int) { arts[i], arts[j] = arts[j], arts[i] })
			}
			before := clone(&Report{Artifacts: arts})
			var spill Spill
			if round == 2 {
				f, err := os.CreateTemp(t.TempDir(), "spill")
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				spill = f
			}
			got, s := streamJSON(t, arts, spill, r.Tool, r.Time)
			if !bytes.Equal(got, wantJSON) {
				t.Errorf("%s, round %d: streamed JSON differs from Render's:\n%s", name, round, firstLineDiff(got, wantJSON))
			}
			if !equalJSON(t, &Report{Artifacts: arts}, before) {
				t.Errorf("%s: the stream changed the artifacts it was given", name)
			}
			for _, failOn := range []map[string]bool{{}, {Note: true}, {Gap: true, Mismatch: true}, {Mismatch: true}} {
				if s.Fails(failOn) != want.Fails(failOn) {
					t.Errorf("%s: Fails(%v) = %v, Report says %v", name, failOn, s.Fails(failOn), want.Fails(failOn))
				}
			}
			if s.Errors() != want.Errors() || s.Len() != len(want.Artifacts) {
				t.Errorf("%s: Errors %v Len %d, Report says %v %d", name, s.Errors(), s.Len(), want.Errors(), len(want.Artifacts))
			}
		}
	}
}

func equalJSON(t *testing.T, a, b *Report) bool {
	return bytes.Equal(render(t, "json", a, Options{}), render(t, "json", b, Options{}))
}

func firstLineDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return "(same lines)"
}
