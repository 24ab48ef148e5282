package cli

import (
	"slices"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/pgp"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// timelineFlags are the flags every command that applies the policy takes.
type timelineFlags struct {
	policy     string
	pgpDelayed bool
}

func (t *timelineFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&t.policy, "policy", "", "policy `FILE` (YAML or JSON) that adds or overrides release lines, managers, keys and identities")
	fs.BoolVar(&t.pgpDelayed, "pgp-delayed", false, "apply PEP 761's delay clause: the first manager to stop keeps PGP, the stop moves to the next new manager")
}

func (t *timelineFlags) load() (*timeline.Timeline, error) {
	tl := timeline.Default()
	if t.policy == "" {
		return tl, nil
	}
	f, err := source.OpenLocalFile(t.policy)
	if err != nil {
		return nil, errReadPolicy(err)
	}
	defer f.Close()
	tl, err = tl.WithPolicy(f, t.policy)
	if err != nil {
		return nil, errBadPolicy(err)
	}
	return tl, nil
}

func (t *timelineFlags) options() timeline.Options {
	return timeline.Options{PGPDelayed: t.pgpDelayed}
}

// trustFlags select the PGP keyring and the Sigstore trust root.
type trustFlags struct {
	keyrings     []string
	trustedRoot  string
	offline      bool
	refreshTrust bool
	tufCache     string
}

func (t *trustFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&t.keyrings, "keyring", nil, "add the PGP public keys in `FILE` to the embedded keyring (repeatable)")
	fs.StringVar(&t.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json `FILE` to use instead of the embedded public-good root")
	fs.BoolVar(&t.offline, "offline", false, "never touch the network for trust material (the default unless --refresh-trust)")
	fs.BoolVar(&t.refreshTrust, "refresh-trust", false, "update the Sigstore trust root through TUF (needs the network)")
	fs.StringVar(&t.tufCache, "tuf-cache", "", "TUF cache `DIR` of 'sigaudit trust update' and --refresh-trust (default: the user cache dir)")
}

func (t *trustFlags) check() error {
	if t.offline && t.refreshTrust {
		return conflictErr("--offline", "--refresh-trust")
	}
	if t.trustedRoot != "" && t.refreshTrust {
		return conflictErr("--trusted-root", "--refresh-trust")
	}
	return nil
}

// loaders returns lazy, memoized loaders for the keyring and the Sigstore
// verifier, so start-up work happens only when an artifact needs it. Trust
// material the user named (--keyring, --trusted-root, --refresh-trust) is
// loaded at once, so a bad file is the command's error, not a finding on
// every artifact.
func (t *trustFlags) loaders() (func() (*pgp.Keyring, error), func() (*sigstore.Verifier, error), error) {
	keyring := sync.OnceValues(func() (*pgp.Keyring, error) {
		k, err := pgp.DefaultKeyring()
		if err != nil {
			return nil, err
		}
		for _, p := range t.keyrings {
			f, err := source.OpenLocalFile(p)
			if err != nil {
				return nil, errReadKeyring(err)
			}
			err = k.AddArmored(f)
			f.Close()
			if err != nil {
				return nil, errBadKeyring(p, err)
			}
		}
		return k, nil
	})
	verifier := sync.OnceValues(func() (*sigstore.Verifier, error) {
		switch {
		case t.trustedRoot != "":
			tr, err := sigstore.LoadTrustedRoot(t.trustedRoot)
			if err != nil {
				return nil, flagFileErr("--trusted-root", "pass a Sigstore trusted_root.json", err)
			}
			return sigstore.NewVerifier(tr), nil
		case t.refreshTrust:
			dir := t.tufCache
			if dir == "" {
				d, err := sigstore.DefaultCacheDir()
				if err != nil {
					return nil, errNoUserCacheDir(err)
				}
				dir = d
			}
			tr, err := sigstore.RefreshTrustedRoot(dir)
			if err != nil {
				return nil, errRefreshTrust(err)
			}
			return sigstore.NewVerifier(tr), nil
		}
		// The root of the last 'sigaudit trust update' when it is newer
		// than the embedded one, else the embedded root.
		dir := t.tufCache
		if dir == "" {
			dir, _ = sigstore.DefaultCacheDir()
		}
		tr, _, err := sigstore.LoadTrust(dir, "")
		if err != nil {
			return nil, errTUFCache(err)
		}
		return sigstore.NewVerifier(tr), nil
	})
	if len(t.keyrings) > 0 {
		if _, err := keyring(); err != nil {
			return nil, nil, userErr(err)
		}
	}
	if t.trustedRoot != "" || t.refreshTrust {
		if _, err := verifier(); err != nil {
			return nil, nil, userErr(err)
		}
	}
	return keyring, verifier, nil
}

// auditorFlags are the flags that build an audit.Auditor: the timeline and
// the trust material.
type auditorFlags struct {
	timeline timelineFlags
	trust    trustFlags
}

func (a *auditorFlags) register(fs *pflag.FlagSet) {
	a.timeline.register(fs)
	a.trust.register(fs)
}

// auditor checks the flags, loads the timeline and the trust material, in
// that order, and returns the Auditor every auditing command uses.
func (a *auditorFlags) auditor(digestOnly bool) (*audit.Auditor, error) {
	if err := a.trust.check(); err != nil {
		return nil, err
	}
	tl, err := a.timeline.load()
	if err != nil {
		return nil, err
	}
	keyring, verifier, err := a.trust.loaders()
	if err != nil {
		return nil, err
	}
	return &audit.Auditor{Timeline: tl, Options: a.timeline.options(), Keyring: keyring, Sigstore: verifier, DigestOnly: digestOnly}, nil
}

func checkFormat(format string, allowed []string) error {
	for _, f := range allowed {
		if f == format {
			return nil
		}
	}
	return formatErr(format, allowed)
}

// reportFlags are the output flags of verify and audit.
type reportFlags struct {
	format   string
	failOn   string
	show     string
	wide     bool
	output   string
	sarif    string
	junit    string
	markdown string
	// trustedRoot and tufCache say which trust root is in use, for
	// Report.Tool.
	trustedRoot, tufCache string
	// plan, if set, is drawn as the timeline chart of the html format.
	plan *report.Plan
}

// wants reports whether format is written to stdout or to --output.
func (r *reportFlags) wants(format string) bool {
	return r.format == format
}

// showValues are the values of --show.
var showValues = report.ShowValues

func (r *reportFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&r.format, "format", "table", "output `FORMAT`: "+strings.Join(report.Formats, ", "))
	fs.StringVar(&r.failOn, "fail-on", "gap", "exit 3 on findings of this `SEVERITY` or worse: note, gap, mismatch (note < gap < mismatch), or none")
	fs.StringVar(&r.show, "show", "findings", "what table and markdown list: `WHAT` is findings (summary, then artifacts with findings), all, or summary")
	fs.BoolVar(&r.wide, "wide", false, "print full values (fingerprints, identities, names) instead of fitting the terminal")
	fs.StringVarP(&r.output, "output", "o", "", "write the report to `FILE` instead of stdout (atomically)")
	fs.StringVar(&r.sarif, "sarif", "", "also write a SARIF report to `FILE` (for code scanning)")
	fs.StringVar(&r.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	fs.StringVar(&r.markdown, "markdown", "", "also write a Markdown report to `FILE`")
}

func (r *reportFlags) check() error {
	if err := checkFormat(r.format, report.Formats); err != nil {
		return err
	}
	if _, err := failSet(r.failOn); err != nil {
		return err
	}
	if !slices.Contains(showValues, r.show) {
		return choiceErr("--show", r.show, showValues)
	}
	seen := map[string]string{}
	for _, o := range r.outputs() {
		if prev, ok := seen[o.path]; ok {
			return errSameOutput(prev, o.flag, o.path)
		}
		seen[o.path] = o.flag
	}
	return nil
}

// sideOutput is one report file a run writes besides (or instead of)
// stdout.
type sideOutput struct {
	flag, path, format string
}

func (r *reportFlags) outputs() []sideOutput {
	var out []sideOutput
	for _, o := range []sideOutput{
		{"--output", r.output, r.format},
		{"--sarif", r.sarif, "sarif"},
		{"--junit", r.junit, "junit"},
		{"--markdown", r.markdown, "markdown"},
	} {
		if o.path != "" {
			out = append(out, o)
		}
	}
	return out
}

func failSet(s string) (map[string]bool, error) {
	switch s {
	case "note":
		return map[string]bool{report.Note: true, report.Gap: true, report.Mismatch: true}, nil
	case "gap":
		return map[string]bool{report.Gap: true, report.Mismatch: true}, nil
	case "mismatch":
		return map[string]bool{report.Mismatch: true}, nil
	case "none":
		return map[string]bool{}, nil
	}
	return nil, choiceErr("--fail-on", s, []string{"note", "gap", "mismatch", "none"})
}

// emit renders rep to stdout (or --output) and to every side output,
// appends the step summary when GITHUB_STEP_SUMMARY is set, and returns
// errFindings when the report fails the --fail-on threshold.
func (r *reportFlags) emit(e *env, rep *report.Report) error {
	if err := writeReports(e, r, rep); err != nil {
		return err
	}
	if rep.Errors() {
		return errUnreadArtifacts()
	}
	fs, _ := failSet(r.failOn)
	if rep.Fails(fs) {
		return errFindings
	}
	return nil
}
