package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
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
				return nil, nil, err
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

// job is one artifact to audit.
type job struct {
	dir, name string
	list      *source.Listing // the release directory, read once
	api       *source.APIFile // what python.org's API says of it, if anything
}

// Run audits every artifact in the given release directories.
func (t *Tree) Run(ctx context.Context, dirs []string, only Only) (*report.Report, error) {
	rep := &report.Report{}
	byDir := t.API.ByDir()
	listings, errs := source.ReadDirs(ctx, t.Source, dirs, t.Jobs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var jobs []job
	for i, d := range dirs {
		js, problem := t.dirJobs(d, listings[i], errs[i], only[d], byDir[d])
		if problem != nil {
			rep.Artifacts = append(rep.Artifacts, *problem)
		}
		jobs = append(jobs, js...)
	}
	results, err := t.runJobs(ctx, jobs)
	if err != nil {
		return nil, err
	}
	sameDigest(results, jobs)
	rep.Artifacts = append(rep.Artifacts, results...)
	rep.Sort(timeline.CompareLines, source.CompareVersions)
	return rep, nil
}

// dirJobs lists one release directory: its artifacts (and those the API
// claims for it), restricted to the versions in only when given. A
// directory that cannot be listed, is empty, or holds no source tarball of
// a selected version is reported as a problem entry.
func (t *Tree) dirJobs(d string, list *source.Listing, err error, only []string, apiNames []string) ([]job, *report.Artifact) {
	if err != nil {
		p := dirProblem(d, report.Mismatch, report.CodeSourceError, fmt.Sprintf("cannot list %s: %v", d, err))
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
		if pn.Known && pn.Kind == source.KindSource {
			tarball[pn.Version] = true
		}
		names = append(names, n)
	}
	sort.Strings(names)
	jobs := make([]job, 0, len(names))
	for _, n := range names {
		j := job{dir: d, name: n, list: list}
		if f, ok := t.API[n]; ok {
			j.api = &f
		}
		jobs = append(jobs, j)
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
		p := dirProblem(d, report.Gap, report.CodeReleaseIncomplete, fmt.Sprintf("release directory %s/ holds no artifact of %s", d, strings.Join(want, ", ")))
		return nil, &p
	case len(lacking) > 0:
		p := dirProblem(d, report.Gap, report.CodeReleaseIncomplete, fmt.Sprintf("release directory %s/ holds no source tarball of %s", d, strings.Join(lacking, ", ")))
		return jobs, &p
	}
	return jobs, nil
}

// dirProblem is a report entry for a release directory itself.
func dirProblem(d, sev, code, msg string) report.Artifact {
	return report.Artifact{
		Name: d + "/", Version: d, Kind: source.KindUnknown,
		PGP: report.Method{Status: report.StatusNotChecked}, Sigstore: report.Method{Status: report.StatusNotChecked},
		Findings: []report.Finding{{Severity: sev, Code: code, Message: msg}},
	}
}

// runJobs audits the jobs with t.Jobs workers, results in job order.
func (t *Tree) runJobs(ctx context.Context, jobs []job) ([]report.Artifact, error) {
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
	return results, nil
}

// sameDigest applies rule (c) of a proven digest: no other artifact of the
// same release directory carries the same SHA-256. A bundle that signs
// what another artifact's bundle signs is one artifact's bundle served
// under two names: both are reported, since which one is genuine cannot be
// told from the bundles alone.
func sameDigest(results []report.Artifact, jobs []job) {
	type key struct{ dir, digest string }
	names := map[key][]int{}
	for i, a := range results {
		if d := a.Digests["bundle"]; d != "" {
			k := key{jobs[i].dir, d}
			names[k] = append(names[k], i)
		}
	}
	for k, idx := range names {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			if ownDigest(results[i], k.digest) {
				continue // an independent source says the digest is this artifact's
			}
			var others []string
			for _, j := range idx {
				if j != i {
					others = append(others, results[j].Name)
				}
			}
			a := &results[i]
			if hasCode(a.Findings, report.CodeDigestMismatch) {
				continue // already a mismatch; one finding of the code is enough
			}
			if a.Sigstore.Status == report.StatusVerified {
				a.Sigstore.Status = string(sigstore.DigestMismatch)
				a.Sigstore.Reason = "another artifact of the release has a bundle for the same SHA-256"
			}
			a.Findings = append(a.Findings, report.Finding{Severity: report.Mismatch, Code: report.CodeDigestMismatch,
				Message: fmt.Sprintf("the bundle signs %s, as the bundle of %s in %s/ does: one artifact's bundle is served under two names", k.digest, strings.Join(others, ", "), k.dir)})
		}
	}
}

func (t *Tree) one(ctx context.Context, j job) report.Artifact {
	var size int64
	f := Files{
		Name:       j.name,
		DirVersion: j.dir,
		Artifact: func() (io.ReadCloser, error) {
			return j.list.Open(ctx, j.name, size)
		},
		Sibling: func(suffix string, limit int64) ([]byte, error) {
			return j.list.Fetch(ctx, j.name+suffix, limit)
		},
		Digests: map[string]string{},
	}
	var claims []string
	if api := j.api; api != nil {
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
		for suffix := range api.Claims() {
			claims = append(claims, suffix)
		}
	}
	a := t.Auditor.Audit(ctx, f)
	sort.Strings(claims)
	// Audit fetched (or, from the listing, knew absent) every sibling: a
	// claim is decided without another request.
	for _, suffix := range claims {
		if j.list.Presence(j.name+suffix) == source.Unknown {
			// A source without listings, a sibling Audit did not need.
			if rc, err := j.list.Open(ctx, j.name+suffix, 0); err == nil {
				rc.Close()
			}
		}
		if j.list.Presence(j.name+suffix) == source.Absent {
			a.Findings = append(a.Findings, report.Finding{Severity: report.Mismatch, Code: report.CodeAPIClaimMissing,
				Message: fmt.Sprintf("python.org's API lists %s%s, but it is not published", j.name, suffix)})
		}
	}
	return a
}

// ownDigest says whether an independent source (not the bundle) gives the
// artifact that digest.
func ownDigest(a report.Artifact, digest string) bool {
	for _, src := range independentSources {
		if a.Digests[src] == digest {
			return true
		}
	}
	return false
}
