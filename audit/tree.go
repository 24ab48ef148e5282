package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// Only restricts release directories to some of the versions they hold
// (pre-releases live in the X.Y.Z directory): directory -> versions. A
// directory absent from Only is audited whole.
type Only map[string][]string

// Select turns command-line selectors (VERSION, LINE or "all") into the
// release directories of the source. A directory selected whole by any
// selector (its own version, its line, "all") is audited whole, whatever
// pre-releases of it were named too.
func (t *Tree) Select(ctx context.Context, selectors []string) ([]string, Only, error) {
	all, err := t.Source.Versions(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("listing %s: %w", t.Source, err)
	}
	only := Only{}
	whole := map[string]bool{}
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
					whole[v], matched = true, true
				}
			}
		case timeline.IsLine(s):
			for _, v := range all {
				pv, _ := timeline.ParseVersion(v)
				if pv.Line() == s {
					add(v)
					whole[v], matched = true, true
				}
			}
		default:
			pv, err := timeline.ParseVersion(s)
			if err != nil {
				return nil, nil, fmt.Errorf("%q: %w: %w", s, ErrBadSelector, err)
			}
			dir := fmt.Sprintf("%d.%d.%d", pv.Major, pv.Minor, pv.Patch)
			for _, v := range all {
				if v != dir && v != s {
					continue
				}
				add(v)
				matched = true
				if v == s {
					whole[v] = true
				} else if !slices.Contains(only[v], s) {
					only[v] = append(only[v], s)
				}
			}
		}
		if !matched {
			return nil, nil, fmt.Errorf("%q: %w in %s", s, ErrNoRelease, t.Source)
		}
	}
	for v := range whole {
		delete(only, v)
	}
	source.SortVersions(out)
	return out, only, nil
}

// ErrNoRelease is returned by Select for a selector that matches no
// release directory.
var ErrNoRelease = errors.New("matches no release directory")

// ErrBadSelector is returned by Select for a selector that is neither a
// version, a line nor "all" (it wraps the version parser's error).
var ErrBadSelector = errors.New("not a version, a line or \"all\"")

// job is one artifact to audit.
type job struct {
	dir, name string
	list      *source.Listing // the release directory, read once
}

// Run audits every artifact in the given release directories.
func (t *Tree) Run(ctx context.Context, dirs []string, only Only) (*report.Report, error) {
	rep := &report.Report{}
	err := t.Stream(ctx, dirs, only, func(a report.Artifact) { rep.Artifacts = append(rep.Artifacts, a) })
	if err != nil {
		return nil, err
	}
	rep.Sort(timeline.CompareLines, source.CompareVersions)
	return rep, nil
}

// dirWork is one release directory's share of a tree audit.
type dirWork struct {
	problem *report.Artifact // the directory's own problem, if any
	n       int              // its jobs
	start   int              // index of its first job among all jobs
}

// Stream audits every artifact in the given release directories and hands
// each report entry to emit as soon as its whole directory is audited:
// directories in the order given, a directory's own problem first, then
// its artifacts by name. Only the entries not yet emitted are held, at
// most the largest directory plus a few per worker, so memory does not
// grow with the number of artifacts (issue 18 item 5). emit runs on the
// caller's goroutine. This is not the report's order (Report.Sort): a
// directory's own problem and an artifact of an unknown name have no line
// and sort before every line, and a directory can hold several versions;
// report.JSONStream puts the entries in that order itself. After a cancellation some directories may have been
// emitted; the error is ctx's.
func (t *Tree) Stream(ctx context.Context, dirs []string, only Only, emit func(report.Artifact)) error {
	byDir := t.API.ByDir()
	listings, errs := source.ReadDirs(ctx, t.Source, dirs, t.Jobs)
	if err := ctx.Err(); err != nil {
		return err
	}
	var work []dirWork
	var jobs []job
	largest := 0
	for i, d := range dirs {
		js, problem := t.dirJobs(d, listings[i], errs[i], only[d], byDir[d])
		listings[i] = nil // the jobs hold it until the directory is emitted
		work = append(work, dirWork{problem: problem, n: len(js), start: len(jobs)})
		jobs = append(jobs, js...)
		largest = max(largest, len(js))
	}
	out, release := t.runJobs(ctx, jobs, largest)
	pending := map[int]outcome{}
	next, done := 0, 0
	for r := range out {
		pending[r.i] = r.o
		if done++; t.Progress != nil {
			t.Progress(done, len(jobs))
		}
		for next < len(work) && dirDone(work[next], pending) {
			w := work[next]
			results := make([]outcome, w.n)
			for k := range w.n {
				results[k] = pending[w.start+k]
				delete(pending, w.start+k)
				jobs[w.start+k] = job{} // done: let its listing go
			}
			sameDigest(results, dirs[next])
			if w.problem != nil {
				emit(*w.problem)
			}
			for k := range results {
				emit(results[k].artifact())
			}
			release(w.n)
			next++
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for ; next < len(work); next++ { // directories with no job
		if work[next].problem != nil {
			emit(*work[next].problem)
		}
	}
	return nil
}

// dirDone says whether every job of w has its result in pending.
func dirDone(w dirWork, pending map[int]outcome) bool {
	for k := range w.n {
		if _, ok := pending[w.start+k]; !ok {
			return false
		}
	}
	return true
}

// dirJobs lists one release directory: its artifacts (and those the API
// claims for it), restricted to the versions in only when given. A
// directory that cannot be listed, is empty, or holds no source tarball of
// a selected version is reported as a problem entry.
func (t *Tree) dirJobs(d string, list *source.Listing, err error, only []string, apiNames []string) ([]job, *report.Artifact) {
	if err != nil {
		p := dirProblem(d, sourceError(report.Mismatch, "cannot list %s: %v", d, err))
		p.PGP.Status, p.Sigstore.Status = report.StatusError, report.StatusError
		return nil, &p
	}
	arts := map[string]bool{}
	// Every artifact the listing shows (and the artifact a signature
	// names when the artifact itself is missing).
	for _, n := range list.Artifacts("") {
		arts[n] = true
	}
	// What python.org's API lists for this release counts too: a file it
	// claims but the tree lacks is audited (and found missing).
	for _, n := range apiNames {
		arts[n] = true
	}
	var names []string
	tarball := map[string]bool{} // versions with a source tarball
	for n := range arts {
		pn := source.ParseName(n, d)
		if len(only) > 0 && !slices.Contains(only, pn.Version) {
			continue
		}
		if pn.Known && pn.Kind == source.KindSource && inRelease(pn.Version, d) {
			tarball[pn.Version] = true
		}
		names = append(names, n)
	}
	sort.Strings(names)
	jobs := make([]job, 0, len(names))
	for _, n := range names {
		jobs = append(jobs, job{dir: d, name: n, list: list})
	}
	// Each version asked for needs a source tarball; a directory selected
	// whole needs one of some version (3.15.0/ may hold only alphas yet).
	want := only
	if len(want) == 0 {
		want = []string{d}
	}
	var lacking []string
	for _, v := range only {
		if !tarball[v] {
			lacking = append(lacking, v)
		}
	}
	if len(only) == 0 && len(tarball) == 0 {
		lacking = want
	}
	switch {
	case len(names) == 0:
		p := dirProblem(d, releaseIncomplete("release directory %s/ holds no artifact of %s", d, strings.Join(want, ", ")))
		return nil, &p
	case len(lacking) > 0:
		p := dirProblem(d, releaseIncomplete("release directory %s/ holds no source tarball of %s", d, strings.Join(lacking, ", ")))
		return jobs, &p
	}
	return jobs, nil
}

// inRelease says whether version belongs in release directory d: 3.15.0/
// holds 3.15.0 and its pre-releases, never another release's tarball (an
// older tarball placed there leaves the release without one). A directory
// whose name is no version accepts any.
func inRelease(version, d string) bool {
	dv, err := timeline.ParseVersion(d)
	if err != nil {
		return true
	}
	v, err := timeline.ParseVersion(version)
	return err == nil && v.Major == dv.Major && v.Minor == dv.Minor && v.Patch == dv.Patch
}

// dirProblem is a report entry for a release directory itself.
func dirProblem(d string, f report.Finding) report.Artifact {
	return report.Artifact{
		Name: d + "/", Version: d, Kind: source.KindUnknown,
		PGP: report.Method{Status: report.StatusNotChecked}, Sigstore: report.Method{Status: report.StatusNotChecked},
		Findings: []report.Finding{f},
	}
}

// jobResult is one job's outcome.
type jobResult struct {
	i int
	o outcome
}

// runJobs audits the jobs with t.Jobs workers, in job order, never more
// than largest + 4 per worker ahead of the results the caller has
// released (release(n) after handing n results on). The channel closes
// when every job is done or ctx is cancelled.
func (t *Tree) runJobs(ctx context.Context, jobs []job, largest int) (<-chan jobResult, func(n int)) {
	nj := max(t.Jobs, 1)
	window := make(chan struct{}, largest+4*nj)
	out := make(chan jobResult, nj)
	ch := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < nj; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				out <- jobResult{i, t.one(ctx, jobs[i])}
			}
		}()
	}
	go func() {
		defer close(ch)
		for i := range jobs {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case ch <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(out)
	}()
	release := func(n int) {
		for range n {
			<-window
		}
	}
	return out, release
}

// sameDigest applies rule (c) of a proven digest to the outcomes of one
// release directory: no other artifact of it carries the same SHA-256. A
// bundle that signs what another artifact's bundle signs is one
// artifact's bundle served under two names: both are reported, since
// which one is genuine cannot be told from the bundles alone.
func sameDigest(results []outcome, dir string) {
	byDigest := map[string][]int{}
	for i := range results {
		if d := results[i].bundleDigest(); d != "" {
			byDigest[d] = append(byDigest[d], i)
		}
	}
	for d, idx := range byDigest {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			o := &results[i]
			if o.ownDigest(d) || o.digestMismatched() {
				// An independent source says the digest is this
				// artifact's, or its own audit already found a
				// digest-mismatch (one finding of the code is enough).
				continue
			}
			var others []string
			for _, j := range idx {
				if j != i {
					others = append(others, results[j].head.Name)
				}
			}
			f := servedTwice(d, others, dir)
			o.twice = &f
		}
	}
}

// one audits one artifact. The listing and the API's claims go into
// Files: Audit decides api-claim-missing, and opens each file once.
func (t *Tree) one(ctx context.Context, j job) outcome {
	var size int64
	f := Files{
		Name:       j.name,
		DirVersion: j.dir,
		Sibling:    j.list.SiblingFunc(ctx, j.name),
		Digests:    map[string]string{},
		Exists: func(suffix string) (bool, error) {
			return j.list.Exists(ctx, j.name+suffix)
		},
	}
	if api, ok := t.API[j.name]; ok {
		size = api.Size
		// Every row's SHA-256: rows that disagree are a digest-mismatch.
		for i, d := range api.SHA256s {
			key := "api"
			if i > 0 {
				key = fmt.Sprintf("api row %d", i+1)
			}
			f.Digests[key] = d
		}
		if api.SHA256 != "" && len(api.SHA256s) == 0 {
			f.Digests["api"] = api.SHA256
		}
		f.Claims = api.Claims()
	}
	f.APISize = size
	f.Artifact = j.list.OpenFunc(ctx, j.name, size)
	return t.Auditor.outcome(ctx, f)
}
