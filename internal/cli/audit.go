package cli

import (
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

const auditLong = `Audits every artifact of the selected releases in a python.org-like tree
(default https://www.python.org/ftp/python/): what PEP 761 guarantees, what
is published, what verifies. "all" selects every release of a line sigaudit
knows (3.7 on). A pre-release (3.14.0rc1) selects its files in 3.14.0/.

With --digest-only no artifact is downloaded: Sigstore is checked against
the SHA-256 that python.org's API (--api) or the SBOM gives, and PGP is
reported as not checked.`

// defaultSource is python.org's release tree.
const defaultSource = "https://www.python.org/ftp/python/"

func newAuditCmd(e *env) *cobra.Command {
	var af auditorFlags
	var rf reportFlags
	var tr treeFlags
	var digestOnly bool
	cmd := &cobra.Command{
		Use:   "audit [flags] VERSION|LINE|all ...",
		Short: "audit every artifact of releases in a python.org-like tree",
		Long:  auditLong,
		Example: `  sigaudit audit 3.13.5
  sigaudit audit --digest-only --api release_files.json all`,
		RunE: func(cmd *cobra.Command, pos []string) error {
			return runAudit(e, pos, &af, &rf, &tr, digestOnly)
		},
	}
	fs := cmd.Flags()
	af.register(fs)
	rf.register(fs)
	tr.register(fs, true)
	fs.BoolVar(&digestOnly, "digest-only", false, "do not download artifacts: check Sigstore against API/SBOM SHA-256 values, PGP not checked")
	return cmd
}

// checkSelectors validates release selectors before any tree is read.
func checkSelectors(pos []string) error {
	for _, p := range pos {
		if p == "all" || timeline.IsLine(p) {
			continue
		}
		if _, err := timeline.ParseVersion(p); err != nil {
			return versionErr(err)
		}
	}
	return nil
}

func runAudit(e *env, pos []string, af *auditorFlags, rf *reportFlags, tr *treeFlags, digestOnly bool) error {
	if len(pos) == 0 {
		return noReleaseErr("'sigaudit audit 3.13.5', '3.13' or 'all'")
	}
	if err := checkSelectors(pos); err != nil {
		return err
	}
	if err := rf.check(); err != nil {
		return err
	}
	t, err := tr.tree(e, af, digestOnly)
	if err != nil {
		return err
	}
	t.Progress = newProgress(e, "artifacts").update
	dirs, only, err := t.Select(e.ctx, pos)
	if err != nil {
		return selectErr(err)
	}
	rf.trustedRoot, rf.tufCache = af.trust.trustedRoot, af.trust.tufCache
	if rf.streams(e) {
		return streamAudit(e, t, dirs, only, rf)
	}
	rep, err := runTree(e, t, dirs, only)
	if err != nil {
		return interruptedErr("audit", err)
	}
	if rf.wants("html") {
		rf.plan = auditPlan(t.Auditor.Timeline, t.Auditor.Options, rep, e.now().UTC())
	}
	return rf.emit(e, rep)
}

// runTree runs the audit and, once it has returned, removes the temp file
// of any download to --cache still open (a canceled run leaves them), so
// no partial file survives Ctrl-C or SIGTERM.
func runTree(e *env, t *audit.Tree, dirs []string, only audit.Only) (*report.Report, error) {
	if h, ok := t.Source.(*source.HTTP); ok {
		defer h.DropPartials()
	}
	return t.Run(e.ctx, dirs, only)
}

// streamTree is runTree handing each report entry to emit as it is made.
func streamTree(e *env, t *audit.Tree, dirs []string, only audit.Only, emit func(report.Artifact)) error {
	if h, ok := t.Source.(*source.HTTP); ok {
		defer h.DropPartials()
	}
	return t.Stream(e.ctx, dirs, only, emit)
}

// treeFlags select a release tree and how it is read (audit, checksums).
type treeFlags struct {
	src, api, cache string
	jobs            int
	timeout         time.Duration
}

func (t *treeFlags) register(fs *pflag.FlagSet, cache bool) {
	fs.StringVar(&t.src, "source", defaultSource, "release tree: an http(s) `URL` or a local DIR laid out like python.org/ftp/python/")
	fs.StringVar(&t.api, "api", "", "python.org downloads API release_file listing (`URL` or FILE) for SHA-256 values and claimed signature files")
	fs.IntVar(&t.jobs, "jobs", 4, "how many artifacts to check at once (`N`, 1 to 64)")
	fs.DurationVar(&t.timeout, "timeout", 30*time.Second, "HTTP `DURATION` to wait for an answer, and for each chunk of a download")
	if cache {
		fs.StringVar(&t.cache, "cache", "", "keep downloaded files in `DIR` (atomic writes; HTTP sources only)")
	}
}

// tree checks the flags and builds the audit over the selected source.
func (t *treeFlags) tree(e *env, af *auditorFlags, digestOnly bool) (*audit.Tree, error) {
	if t.jobs < 1 || t.jobs > 64 {
		return nil, errJobsRange(t.jobs)
	}
	if t.timeout <= 0 {
		return nil, errTimeoutNotPositive("30s")
	}
	a, err := af.auditor(digestOnly)
	if err != nil {
		return nil, err
	}
	s, err := openSource(t.src, t.timeout, t.cache)
	if err != nil {
		return nil, err
	}
	if h, ok := s.(*source.HTTP); ok {
		h.SetMaxConns(t.jobs + 2) // the jobs plus listings
	}
	tree := &audit.Tree{Auditor: a, Source: s, Jobs: t.jobs}
	if t.api != "" {
		a, err := loadAPI(e, t.api, s, t.timeout)
		if err != nil {
			return nil, err
		}
		tree.API = a
	}
	return tree, nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func openSource(src string, timeout time.Duration, cache string) (source.Source, error) {
	if isURL(src) {
		h, err := source.NewHTTP(src, timeout)
		if err != nil {
			return nil, errBadSourceURL(err)
		}
		h.IdleTimeout = timeout
		h.Cache = cache
		return h, nil
	}
	st, err := os.Stat(src)
	if err != nil || !st.IsDir() {
		return nil, errSourceNotDir(src)
	}
	d, err := source.OpenDir(src)
	if err != nil {
		return nil, errOpenSource(err)
	}
	return d, nil
}

// loadAPI reads --api: a URL through the HTTP source (so --timeout bounds
// the wait for each chunk) or through an HTTP client of its own over a
// local tree, else a local file.
func loadAPI(e *env, api string, s source.Source, timeout time.Duration) (source.API, error) {
	if isURL(api) {
		h, ok := s.(*source.HTTP)
		if !ok {
			var err error
			if h, err = source.NewHTTP(api, timeout); err != nil {
				return nil, errAPIFetch(err)
			}
			h.IdleTimeout = timeout
		}
		a, err := h.FetchAPI(e.ctx, api)
		if err != nil {
			return nil, errAPIFetch(err)
		}
		return a, nil
	}
	a, err := source.LoadAPIFile(api)
	if err != nil {
		return nil, errAPIFile(api, err)
	}
	return a, nil
}
