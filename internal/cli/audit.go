package cli

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

const auditUsage = `
Usage: sigaudit audit [flags] VERSION|LINE|all ...

Audits every artifact of the selected releases in a python.org-like tree
(default https://www.python.org/ftp/python/): what PEP 761 guarantees, what
is published, what verifies. "all" selects every release of a line sigaudit
knows (3.7 on). A pre-release (3.14.0rc1) selects its files in 3.14.0/.

With --digest-only no artifact is downloaded: Sigstore is checked against
the SHA-256 that python.org's API (--api) or the SBOM gives, and PGP is
reported as not checked.
`

// DefaultSource is python.org's release tree.
const DefaultSource = "https://www.python.org/ftp/python/"

func runAudit(e *env, args []string) error {
	fs := flagSet(e, "audit", auditUsage)
	var tf timelineFlags
	var trust trustFlags
	var rf reportFlags
	tf.register(fs)
	trust.register(fs)
	rf.register(fs)
	var tr treeFlags
	tr.register(fs, true)
	digestOnly := fs.Bool("digest-only", false, "do not download artifacts: check Sigstore against API/SBOM SHA-256 values, PGP not checked")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("name releases: e.g. 'sigaudit audit 3.13.5', '3.13' or 'all'", "no release selected")
	}
	for _, p := range pos {
		if p == "all" || timeline.IsLine(p) {
			continue
		}
		if _, err := timeline.ParseVersion(p); err != nil {
			return versionErr(err)
		}
	}
	if err := rf.check(); err != nil {
		return err
	}
	t, err := tr.tree(e, &tf, &trust, *digestOnly)
	if err != nil {
		return err
	}
	if e.stderrIsTerminal {
		t.Progress = func(done, total int) {
			fmt.Fprintf(e.stderr, "\rsigaudit: %d/%d artifacts", done, total)
			if done == total {
				fmt.Fprintln(e.stderr)
			}
		}
	}
	dirs, only, err := t.Select(e.ctx, pos)
	if err != nil {
		return selectErr(err)
	}
	rep, err := t.Run(e.ctx, dirs, only)
	if err != nil {
		return opErr("", "audit interrupted: %v", err)
	}
	return rf.emit(e.stdout, rep)
}

// treeFlags select a release tree and how it is read (audit, checksums).
type treeFlags struct {
	src, api, cache string
	jobs            int
	timeout         time.Duration
}

func (t *treeFlags) register(fs *flag.FlagSet, cache bool) {
	fs.StringVar(&t.src, "source", DefaultSource, "release tree: an http(s) `URL` or a local DIR laid out like python.org/ftp/python/")
	fs.StringVar(&t.api, "api", "", "python.org downloads API release_file listing (`URL` or FILE) for SHA-256 values and claimed signature files")
	fs.IntVar(&t.jobs, "jobs", 4, "how many artifacts to check at once (`N`, 1 to 64)")
	fs.DurationVar(&t.timeout, "timeout", 30*time.Second, "HTTP `DURATION` to wait for an answer, and for each chunk of a download")
	if cache {
		fs.StringVar(&t.cache, "cache", "", "keep downloaded files in `DIR` (atomic writes; HTTP sources only)")
	}
}

// tree checks the flags and builds the audit over the selected source.
func (t *treeFlags) tree(e *env, tf *timelineFlags, trust *trustFlags, digestOnly bool) (*audit.Tree, error) {
	if t.jobs < 1 || t.jobs > 64 {
		return nil, usageErr("use --jobs between 1 and 64", "--jobs %d out of range", t.jobs)
	}
	if t.timeout <= 0 {
		return nil, usageErr("use e.g. --timeout 30s", "--timeout must be positive")
	}
	if err := trust.check(); err != nil {
		return nil, err
	}
	tl, err := tf.load()
	if err != nil {
		return nil, err
	}
	s, client, err := openSource(t.src, t.timeout, t.cache)
	if err != nil {
		return nil, err
	}
	keyring, verifier, err := trust.loaders()
	if err != nil {
		return nil, err
	}
	tree := &audit.Tree{
		Auditor: &audit.Auditor{Timeline: tl, Options: tf.options(), Keyring: keyring, Sigstore: verifier, DigestOnly: digestOnly},
		Source:  s,
		Jobs:    t.jobs,
	}
	if t.api != "" {
		a, err := loadAPI(e, t.api, client)
		if err != nil {
			return nil, err
		}
		tree.API = a
	}
	return tree, nil
}

func openSource(src string, timeout time.Duration, cache string) (source.Source, *http.Client, error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		h, err := source.NewHTTP(src, timeout)
		if err != nil {
			return nil, nil, usageErr("use --source https://host/path/ or a directory", "%v", err)
		}
		h.IdleTimeout = timeout
		h.Cache = cache
		return h, h.Client(), nil
	}
	st, err := os.Stat(src)
	if err != nil || !st.IsDir() {
		return nil, nil, usageErr("use --source URL or an existing directory laid out like python.org/ftp/python/", "source %q is not a directory", src)
	}
	d, err := source.OpenDir(src)
	if err != nil {
		return nil, nil, opErr("", "cannot open source: %v", err)
	}
	return d, &http.Client{Timeout: timeout}, nil
}

func loadAPI(e *env, api string, client *http.Client) (source.API, error) {
	if strings.HasPrefix(api, "http://") || strings.HasPrefix(api, "https://") {
		a, err := source.FetchAPI(e.ctx, client, api)
		if err != nil {
			return nil, opErr("check --api, or drop it", "cannot read the downloads API: %v", err)
		}
		return a, nil
	}
	b, err := readLocal(api, source.MaxAPISize)
	if err != nil {
		return nil, usageErr("check the --api path", "cannot read --api file: %v", err)
	}
	a, err := source.ParseAPI(b)
	if err != nil {
		return nil, usageErr("pass a release_file listing from python.org's API", "--api %q: %v", api, err)
	}
	return a, nil
}

// selectErr words an error from selecting releases in a tree.
func selectErr(err error) error {
	var ul *timeline.UnknownLineError
	if errors.As(err, &ul) {
		return versionErr(err)
	}
	if strings.Contains(err.Error(), "matches no release directory") {
		return usageErr("list the tree to see which releases it has", "%v", err)
	}
	if strings.Contains(err.Error(), "malformed version") {
		return versionErr(err)
	}
	return opErr("check --source, the network, or --timeout", "%v", err)
}
