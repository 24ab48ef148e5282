package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sigaudit/sigaudit/internal/testing/history"
)

// historyGolden is the JSON of a whole-history digest-only audit, gzipped
// (issue 17's safety net: refactors must leave it byte-identical).
var historyGolden = filepath.Join("testdata", "golden", "history-digest-only.json.gz")

// TestWholeHistoryJSONGolden runs `sigaudit audit --source DIR --api
// DIR/api.json --digest-only --format json all` over the copy of
// python.org's 3.7+ history that internal/testing/history builds from the
// embedded record and the real bundles of the repository and ../shared
// (no stand-ins, so the output is the same on every run), and compares
// the JSON byte for byte with the golden file (-update rewrites it). The
// set of real bundles depends on ../shared: without it the test skips.
func TestWholeHistoryJSONGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("whole history in -short mode")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "..", "shared", "realdata", "sigstore-bundles")); err != nil {
		t.Skip("../shared/realdata/sigstore-bundles is absent: the golden is made with its real bundles")
	}
	h := history.BuildHistory(t, history.Options{})
	args := []string{"audit", "--source", h.Dir, "--api", h.API, "--digest-only", "--format", "json", "all"}
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (the copy lacks most bundles)\nstderr: %s", code, errb.String())
	}
	got := stableTool(out.Bytes())
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(got)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(historyGolden, z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	zb, err := os.ReadFile(historyGolden)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cli -run TestWholeHistoryJSONGolden -update creates it)", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zb))
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the whole-history JSON differs from %s (%d bytes, want %d): %s", historyGolden, len(got), len(want), firstDiff(got, want))
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := bufio.NewScanner(bytes.NewReader(got)), bufio.NewScanner(bytes.NewReader(want))
	g.Buffer(nil, 1<<20)
	w.Buffer(nil, 1<<20)
	for n := 1; ; n++ {
		gok, wok := g.Scan(), w.Scan()
		if !gok && !wok {
			return "same lines"
		}
		if gok != wok || g.Text() != w.Text() {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", n, g.Text(), w.Text())
		}
	}
}
