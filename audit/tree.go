package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// Tree audits releases published in a source.
type Tree struct {
	Auditor *Auditor
	Source  source.Source
	API     source.API // optional
	Jobs    int
	// Progress, if set, is called after each artifact (for a terminal).
	Progress func(done, total int)
}

// ErrNoRelease is returned by Select when a selector matches no release
// directory of the source.
var ErrNoRelease = errors.New("matches no release directory")

// Select turns command-line selectors (VERSION, LINE or "all") into the
// release directories of the source, and says which selectors matched
// nothing.
func (t *Tree) Select(ctx context.Context, selectors []string) ([]string, map[string]string, error) {
	all, err := t.Source.Versions(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("listing %s: %w", t.Source, err)
	}
	only := map[string]string{}
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, s := range selectors {
		matched := false
		switch {
		case s == "all":
			for _, v := range all {
				pv, _ := timeline.ParseVersion(v)
				if _, ok := t.Auditor.Timeline.Line(pv.Line()); ok {
					add(v)
					matched = true
				}
			}
		case timeline.IsLine(s):
			for _, v := range all {
				pv, _ := timeline.ParseVersion(v)
				if pv.Line() == s {
					add(v)
					matched = true
				}
			}
		default:
			pv, err := timeline.ParseVersion(s)
			if err != nil {
				return nil, nil, err
			}
			// Pre-releases live in the X.Y.Z directory.
			dir := fmt.Sprintf("%d.%d.%d", pv.Major, pv.Minor, pv.Patch)
			for _, v := range all {
				if v == dir || v == s {
					add(v)
					matched = true
					if v != s {
						only[v] = s
					}
				}
			}
		}
		if !matched {
			return nil, nil, fmt.Errorf("%q %w in %s", s, ErrNoRelease, t.Source)
		}
	}
	source.SortVersions(out)
	return out, only, nil
}

// job is one artifact to audit.
type job struct {
	dir, name string
}

// Run audits every artifact in the given release directories.
func (t *Tree) Run(ctx context.Context, dirs []string, only map[string]string) (*report.Report, error) {
	var jobs []job
	rep := &report.Report{}
	for _, d := range dirs {
		names, err := t.Source.List(ctx, d)
		if err != nil {
			rep.Artifacts = append(rep.Artifacts, report.Artifact{
				Name: d + "/", Version: d, Kind: source.KindUnknown,
				PGP: report.Method{Status: report.StatusNotChecked}, Sigstore: report.Method{Status: report.StatusNotChecked},
				Findings: []report.Finding{{Severity: report.Mismatch, Code: report.CodeSourceError, Message: fmt.Sprintf("cannot list %s: %v", d, err)}},
			})
			continue
		}
		arts := map[string]bool{}
		for _, n := range names {
			if !source.IsSibling(n) {
				arts[n] = true
				continue
			}
			// A signature whose artifact is missing still names an artifact.
			for _, suf := range source.SiblingSuffixes {
				if base, ok := strings.CutSuffix(n, suf); ok && source.ParseName(base, d).Known {
					arts[base] = true
					break
				}
			}
		}
		// What python.org's API lists for this release counts too: a file
		// it claims but the tree lacks is audited (and found missing).
		for n, f := range t.API {
			if apiDir(f.URL) == d {
				arts[n] = true
			}
		}
		var list []string
		for n := range arts {
			if v := only[d]; v != "" && source.ParseName(n, d).Version != v {
				continue
			}
			list = append(list, n)
		}
		sort.Strings(list)
		for _, n := range list {
			jobs = append(jobs, job{dir: d, name: n})
		}
	}

	results := make([]report.Artifact, len(jobs))
	nj := max(t.Jobs, 1)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	ch := make(chan int)
	for w := 0; w < nj; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				results[i] = t.one(ctx, jobs[i])
				if t.Progress != nil {
					mu.Lock()
					done++
					t.Progress(done, len(jobs))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		ch <- i
	}
	close(ch)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Artifacts = append(rep.Artifacts, results...)
	rep.Sort(timeline.CompareLines, source.CompareVersions)
	return rep, nil
}

func (t *Tree) one(ctx context.Context, j job) report.Artifact {
	f := Files{
		Name:       j.name,
		DirVersion: j.dir,
		Artifact: func() (io.ReadCloser, error) {
			return t.Source.Open(ctx, j.dir, j.name)
		},
		Sibling: func(suffix string, limit int64) ([]byte, error) {
			return source.ReadSmall(ctx, t.Source, j.dir, j.name+suffix, limit)
		},
		Digests: map[string]string{},
	}
	var claims []string
	if api, ok := t.API[j.name]; ok {
		if api.SHA256 != "" {
			f.Digests["api"] = api.SHA256
		}
		for suffix, url := range map[string]string{".asc": api.GPGSignatureFile, ".sigstore": api.SigstoreBundleFile, ".crt": api.SigstoreCertFile, ".sig": api.SigstoreSignatureFile, ".spdx.json": api.SBOMFile} {
			if url != "" {
				claims = append(claims, suffix)
			}
		}
	}
	a := t.Auditor.Audit(ctx, f)
	sort.Strings(claims)
	for _, suffix := range claims {
		rc, err := t.Source.Open(ctx, j.dir, j.name+suffix)
		if err == nil {
			rc.Close()
			continue
		}
		if errors.Is(err, source.ErrNotFound) {
			a.Findings = append(a.Findings, report.Finding{Severity: report.Mismatch, Code: report.CodeAPIClaimMissing,
				Message: fmt.Sprintf("python.org's API lists %s%s, but it is not published", j.name, suffix)})
		}
	}
	return a
}

// apiDir is the release directory of an API file URL.
func apiDir(u string) string {
	return path.Base(path.Dir(u))
}
