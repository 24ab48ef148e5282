package audit

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sigaudit/sigaudit/internal/mirror"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
)

// realTree lays the real bundles out like python.org/ftp/python/ (no
// artifacts) and returns a digest-only Tree over it, without an API.
func realTree(t *testing.T) (*Tree, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := mirror.Build(dir, mirror.Options{RealData: realData}); err != nil {
		t.Fatal(err)
	}
	d, err := source.OpenDir(dir)
	must(t, err)
	t.Cleanup(func() { d.Close() })
	return &Tree{Auditor: realAuditor(true), Source: d, Jobs: 2}, dir
}

func runTree(t *testing.T, tr *Tree, selectors ...string) *report.Report {
	t.Helper()
	dirs, only, err := tr.Select(context.Background(), selectors)
	must(t, err)
	rep, err := tr.Run(context.Background(), dirs, only)
	must(t, err)
	return rep
}

func copyReal(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	must(t, err)
	must(t, os.WriteFile(to, b, 0o644))
}

func names(rep *report.Report) []string {
	var out []string
	for _, a := range rep.Artifacts {
		out = append(out, a.Name)
	}
	return out
}

// Issue 16 item 1: a real bundle served under another artifact's name
// (another release by the same signer, another artifact of the release)
// verifies for the signer, but nothing binds its digest to the name:
// checksums must not print it as proven, and the audit reports it.
func TestChecksumsReplayedRealBundles(t *testing.T) {
	for _, c := range []struct{ name, from, to string }{
		{"3.13.0 as 3.13.5", "3.13.0/Python-3.13.0.tar.xz.sigstore", "3.13.5/Python-3.13.5.tar.xz.sigstore"},
		{"3.12.0 as 3.13.5", "3.12.0/Python-3.12.0.tgz.sigstore", "3.13.5/Python-3.13.5.tgz.sigstore"},
		{"tgz as exe", "3.13.5/Python-3.13.5.tgz.sigstore", "3.13.5/python-3.13.5-amd64.exe.sigstore"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, dir := realTree(t)
			copyReal(t, filepath.Join(dir, c.from), filepath.Join(dir, c.to))
			rep := runTree(t, tr, "3.13.5")
			victim := filepath.Base(strings.TrimSuffix(c.to, ".sigstore"))
			ck := ChecksumsWith(rep, ChecksumOptions{AllowUnproven: true})
			for _, s := range ck.Checksums {
				if s.Name == victim {
					t.Fatalf("%s printed (%s): %+v", victim, s.Level, s)
				}
			}
			found := false
			for _, r := range ck.Rejected {
				if r.Name == victim {
					found = r.Status == "unverified"
					if r.Proof == nil || r.Proof.DigestsAgree {
						t.Errorf("proof %+v says the digests agree", r.Proof)
					}
				}
			}
			if !found {
				t.Errorf("%s not rejected as unverified: %+v", victim, ck.Rejected)
			}
			for _, a := range rep.Artifacts {
				if a.Name == victim && (a.Sigstore.Status == report.StatusVerified || !hasCode(a.Findings, report.CodeDigestMismatch)) {
					t.Errorf("audit of %s: sigstore %s, findings %s", victim, a.Sigstore.Status, codes(a))
				}
			}
		})
	}
}

// The real, untouched bundles are proven: each by the record (no API
// given), with (a)-(d) held.
func TestChecksumsRealProven(t *testing.T) {
	tr, _ := realTree(t)
	rep := runTree(t, tr, "3.13.5", "3.11.2")
	ck := ChecksumsWith(rep, ChecksumOptions{})
	var got []string
	for _, s := range ck.Checksums {
		p := s.Proof
		if !s.Proven || s.Level != report.LevelProven || !p.Signer || !p.SigningWindow || !p.UniqueInRelease || !p.DigestsAgree || !slices.Contains(p.Independent, "record") {
			t.Errorf("%s: %+v %+v", s.Name, s, p)
		}
		got = append(got, s.Name)
	}
	// The legacy pair of the planted CLI mirror is not here: every real
	// bundle of 3.13.5 and 3.11.2.
	want := []string{"Python-3.11.2.tar.xz", "Python-3.11.2.tgz", "Python-3.13.5.tar.xz", "Python-3.13.5.tgz", "python-3.13.5-amd64.exe", "python-3.13.5-embed-amd64.zip"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("proven %v, want %v; rejected %+v", got, want, ck.Rejected)
	}
}

// Issue 16 item 5: a pre-release and its final release selected
// together (in any order, or through the line or "all") audit both.
func TestSelectPreReleaseWithFinal(t *testing.T) {
	tr, dir := realTree(t)
	// A 3.14.0rc1 tarball beside 3.14.0's files.
	copyReal(t, filepath.Join(dir, "3.14.0", "Python-3.14.0.tgz.sigstore"), filepath.Join(dir, "3.14.0", "Python-3.14.0rc1.tgz.sigstore"))
	for _, sel := range [][]string{{"3.14.0rc1", "3.14.0"}, {"3.14.0", "3.14.0rc1"}, {"3.14.0rc1", "3.14"}, {"all", "3.14.0rc1"}} {
		rep := runTree(t, tr, sel...)
		got := names(rep)
		if !slices.Contains(got, "Python-3.14.0.tgz") || !slices.Contains(got, "Python-3.14.0rc1.tgz") {
			t.Errorf("%v: audited %v", sel, got)
		}
	}
	rep := runTree(t, tr, "3.14.0rc1")
	if got := names(rep); slices.Contains(got, "Python-3.14.0.tgz") || !slices.Contains(got, "Python-3.14.0rc1.tgz") {
		t.Errorf("3.14.0rc1 alone: audited %v", got)
	}
}

// Issue 16 item 5: an empty release directory, or one without a source
// tarball of the selected version, is a gap, and checksums rejects it.
func TestEmptyReleaseIsAGap(t *testing.T) {
	tr, dir := realTree(t)
	must(t, os.MkdirAll(filepath.Join(dir, "3.13.6"), 0o755))
	must(t, os.Remove(filepath.Join(dir, "3.13.0", "Python-3.13.0.tgz.sigstore")))
	must(t, os.Remove(filepath.Join(dir, "3.13.0", "Python-3.13.0.tar.xz.sigstore")))
	must(t, os.Remove(filepath.Join(dir, "3.13.0", "Python-3.13.0.tar.xz.asc")))
	must(t, os.WriteFile(filepath.Join(dir, "3.13.0", "README.txt"), []byte("x"), 0o644))
	for _, sel := range []string{"3.13.6", "3.13.0", "3.14.0rc2"} {
		rep := runTree(t, tr, sel)
		var gap bool
		for _, a := range rep.Artifacts {
			gap = gap || hasCode(a.Findings, report.CodeReleaseIncomplete)
		}
		if !gap || !rep.Fails(map[string]bool{report.Gap: true}) {
			t.Errorf("%s: no release-incomplete gap: %v", sel, names(rep))
		}
		if ck := ChecksumsWith(rep, ChecksumOptions{}); len(ck.Rejected) == 0 || ck.Rejected[0].Status != "unverified" {
			t.Errorf("%s: checksums %+v", sel, ck)
		}
	}
}

// Rule (c): one genuine bundle served under two names of a release. The
// artifact whose independent digests confirm it stays proven; the other
// is a mismatch.
func TestSameBundleTwiceInRelease(t *testing.T) {
	tr, dir := realTree(t)
	copyReal(t, filepath.Join(dir, "3.13.5", "Python-3.13.5.tgz.sigstore"), filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.bz2.sigstore"))
	rep := runTree(t, tr, "3.13.5")
	for _, a := range rep.Artifacts {
		switch a.Name {
		case "Python-3.13.5.tgz":
			if a.Sigstore.Status != report.StatusVerified {
				t.Errorf("the genuine tgz: %s %s", a.Sigstore.Status, codes(a))
			}
		case "Python-3.13.5.tar.bz2":
			if a.Sigstore.Status == report.StatusVerified || !hasCode(a.Findings, report.CodeDigestMismatch) {
				t.Errorf("the copy: %s %s", a.Sigstore.Status, codes(a))
			}
		}
	}
}

// Issue 16 item 9: the same artifact listed twice by the API with two
// SHA-256 values is a mismatch, whichever row the bundle agrees with, and
// neither row's claims are lost.
func TestAPIDuplicateRowsDisagree(t *testing.T) {
	tr, _ := realTree(t)
	const u = "https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz"
	real := "e6190f52699b534ee203d9f417bdbca05a92f23e35c19c691a50ed2942835385"
	api, err := source.ParseAPI([]byte(`[
 {"name": "a", "url": "` + u + `", "sha256_sum": "` + real + `", "sigstore_bundle_file": "` + u + `.sigstore"},
 {"name": "b", "url": "` + u + `", "sha256_sum": "` + strings.Repeat("ab", 32) + `", "gpg_signature_file": "` + u + `.asc"}]`))
	must(t, err)
	tr.API = api
	rep := runTree(t, tr, "3.13.5")
	for _, a := range rep.Artifacts {
		if a.Name != "Python-3.13.5.tgz" {
			continue
		}
		if a.Sigstore.Status == report.StatusVerified || !hasCode(a.Findings, report.CodeDigestMismatch) || !hasCode(a.Findings, report.CodeAPIClaimMissing) {
			t.Errorf("sigstore %s, findings %s", a.Sigstore.Status, codes(a))
		}
		return
	}
	t.Fatal("Python-3.13.5.tgz not audited")
}

// Select's own errors are typed: callers test them with errors.Is.
func TestSelectErrors(t *testing.T) {
	tr, _ := realTree(t)
	if _, _, err := tr.Select(context.Background(), []string{"3.99.1"}); !errors.Is(err, ErrNoRelease) {
		t.Errorf("absent release: %v, want ErrNoRelease", err)
	}
	if _, _, err := tr.Select(context.Background(), []string{"3.x.y"}); !errors.Is(err, ErrBadSelector) {
		t.Errorf("bad selector: %v, want ErrBadSelector", err)
	}
}

// countingSource counts every Open of every file (unlistedSource hides the
// directory listings: a mirror without them, whose files are probed).
type countingSource struct {
	source.Source
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingSource) Open(ctx context.Context, version, name string) (io.ReadCloser, error) {
	c.mu.Lock()
	c.opens[version+"/"+name]++
	c.mu.Unlock()
	return c.Source.Open(ctx, version, name)
}

// unlistedSource has no listings: ReadDir yields an unlisted Listing.
type unlistedSource struct{ *countingSource }

func (u unlistedSource) ReadDir(ctx context.Context, version string) (*source.Listing, error) {
	return source.NewListing(u, version, nil, false), nil
}

// No file is opened twice by a tree audit, with the API claiming every
// sibling (issue 17 step 4), whether the source lists directories or not.
func TestTreeOpensEachFileOnce(t *testing.T) {
	for _, unlisted := range []bool{false, true} {
		for _, digestOnly := range []bool{true, false} {
			tr, _ := realTree(t)
			cs := &countingSource{Source: tr.Source, opens: map[string]int{}}
			tr.Source = cs
			if unlisted {
				tr.Source = unlistedSource{cs}
			}
			tr.Auditor = realAuditor(digestOnly)
			api := source.API{}
			for _, n := range []string{"Python-3.13.5.tgz", "Python-3.13.5.tar.xz"} {
				u := "https://www.python.org/ftp/python/3.13.5/" + n
				must(t, api.Add(source.APIRow{Name: n, URL: u, GPGSignatureFile: u + ".asc", SigstoreBundleFile: u + ".sigstore",
					SigstoreCertFile: u + ".crt", SigstoreSignatureFile: u + ".sig", SBOMFile: u + ".spdx.json"}))
			}
			tr.API = api
			rep := runTree(t, tr, "3.13.5")
			if len(rep.Artifacts) == 0 {
				t.Fatal("nothing audited")
			}
			for f, n := range cs.opens {
				if n > 1 {
					t.Errorf("unlisted %v, digest-only %v: %s opened %d times", unlisted, digestOnly, f, n)
				}
			}
			claims := 0
			for _, a := range rep.Artifacts {
				claims += codesOf(a, report.CodeAPIClaimMissing)
			}
			if claims == 0 {
				t.Errorf("unlisted %v: no api-claim-missing although the API claims files the mirror lacks", unlisted)
			}
		}
	}
}

// Stream hands a directory's entries on as soon as it is audited, not
// after the whole tree: what it holds does not grow with the number of
// artifacts. Run is Stream, sorted.
func TestStreamIsIncremental(t *testing.T) {
	tr, _ := realTree(t)
	tr.Jobs = 1
	ctx := context.Background()
	dirs, only, err := tr.Select(ctx, []string{"all"})
	must(t, err)
	if len(dirs) < 3 {
		t.Skipf("only %d release directories", len(dirs))
	}
	done, total, firstEmit := 0, 0, -1
	tr.Progress = func(d, n int) { done, total = d, n }
	var streamed []string
	must(t, tr.Stream(ctx, dirs, only, func(a report.Artifact) {
		if firstEmit < 0 {
			firstEmit = done
		}
		streamed = append(streamed, a.Name)
	}))
	if firstEmit < 0 || firstEmit >= total {
		t.Errorf("first entry emitted after %d of %d artifacts", firstEmit, total)
	}
	tr.Progress = nil
	rep, err := tr.Run(ctx, dirs, only)
	must(t, err)
	if len(rep.Artifacts) != len(streamed) {
		t.Errorf("Run has %d entries, Stream emitted %d", len(rep.Artifacts), len(streamed))
	}
}

// A cancelled Stream returns ctx's error and leaves no worker behind.
func TestStreamCancelled(t *testing.T) {
	tr, _ := realTree(t)
	ctx, cancel := context.WithCancel(context.Background())
	dirs, only, err := tr.Select(ctx, []string{"all"})
	must(t, err)
	n := 0
	tr.Progress = func(int, int) {
		if n++; n == 2 {
			cancel()
		}
	}
	if err := tr.Stream(ctx, dirs, only, func(report.Artifact) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("Stream after cancel: %v", err)
	}
}

func TestInRelease(t *testing.T) {
	for _, c := range []struct {
		version, dir string
		want         bool
	}{
		{"3.13.5", "3.13.5", true},
		{"3.15.0a1", "3.15.0", true},
		{"3.13.5rc1", "3.13.5", true},
		{"3.13.0", "3.13.5", false},
		{"3.12.11", "3.13.5", false},
		{"3.13.5", "not-a-version", true},
	} {
		if got := inRelease(c.version, c.dir); got != c.want {
			t.Errorf("inRelease(%q, %q) = %v, want %v", c.version, c.dir, got, c.want)
		}
	}
}

// Rule (c) failing: an artifact whose bundle digest another artifact of
// the same release also has, and that no independent source gives it, is
// not proven; the artifact an independent source does give it stays
// proven, and the same digest in another release changes nothing.
func TestChecksumsSameDigestInRelease(t *testing.T) {
	tr, _ := realTree(t)
	rep := runTree(t, tr, "3.13.5", "3.11.2")
	var orig report.Artifact
	for _, a := range rep.Artifacts {
		if a.Name == "Python-3.13.5.tgz" {
			orig = a
		}
	}
	if orig.Sigstore.Digest == "" || orig.Digests["record"] != orig.Sigstore.Digest {
		t.Fatalf("Python-3.13.5.tgz: digest %q, record %q", orig.Sigstore.Digest, orig.Digests["record"])
	}
	twin := func(name, version string) report.Artifact {
		a := orig
		a.Name, a.Version = name, version
		a.Digests = map[string]string{"bundle": orig.Digests["bundle"]}
		return a
	}
	rep.Artifacts = append(rep.Artifacts, twin("Python-3.13.5-copy.tgz", "3.13.5"), twin("Python-3.11.2-copy.tgz", "3.11.2"))
	ck := ChecksumsWith(rep, ChecksumOptions{AllowUnproven: true})
	unique := map[string]bool{}
	for _, c := range ck.Checksums {
		unique[c.Name] = c.Proof.UniqueInRelease
		if c.Name == "Python-3.13.5-copy.tgz" && (c.Proven || c.Level != report.LevelUnproven || !strings.Contains(c.Note, "another artifact of the release has the same digest")) {
			t.Errorf("the twin in the same release: %+v", c)
		}
		if c.Name == "Python-3.13.5.tgz" && !c.Proven {
			t.Errorf("the artifact the record gives this digest lost its proof: %+v %+v", c, c.Proof)
		}
	}
	if u, ok := unique["Python-3.13.5-copy.tgz"]; !ok || u {
		t.Errorf("twin in 3.13.5: unique %v (present %v)", u, ok)
	}
	if !unique["Python-3.13.5.tgz"] {
		t.Error("Python-3.13.5.tgz: not unique, though the record gives it the digest")
	}
	if !unique["Python-3.11.2-copy.tgz"] {
		t.Error("a twin in another release was judged against 3.13.5's artifacts")
	}
}
