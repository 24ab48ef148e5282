package cli

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/sigaudit/sigaudit/pgp"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
)

// trustFlags select the PGP keyring and the Sigstore trust root.
type trustFlags struct {
	keyrings     multiFlag
	trustedRoot  string
	offline      bool
	refreshTrust bool
	tufCache     string
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (t *trustFlags) register(fs *flag.FlagSet) {
	fs.Var(&t.keyrings, "keyring", "add the PGP public keys in `FILE` to the embedded keyring (repeatable)")
	fs.StringVar(&t.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json `FILE` to use instead of the embedded public-good root")
	fs.BoolVar(&t.offline, "offline", false, "never touch the network for trust material (the default unless --refresh-trust)")
	fs.BoolVar(&t.refreshTrust, "refresh-trust", false, "update the Sigstore trust root through TUF (needs the network)")
	fs.StringVar(&t.tufCache, "tuf-cache", "", "TUF metadata cache `DIR` for --refresh-trust (default: the user cache dir)")
}

func (t *trustFlags) check() error {
	if t.offline && t.refreshTrust {
		return usageErr("drop one of them", "--offline and --refresh-trust cannot be combined")
	}
	if t.trustedRoot != "" && t.refreshTrust {
		return usageErr("drop one of them", "--trusted-root and --refresh-trust cannot be combined")
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
			f, err := os.Open(p)
			if err != nil {
				return nil, usageErr("check the --keyring path", "cannot read keyring: %v", err)
			}
			err = k.AddArmored(f)
			f.Close()
			if err != nil {
				return nil, usageErr("pass an armored or binary OpenPGP public key file", "--keyring %q: %v", p, err)
			}
		}
		return k, nil
	})
	verifier := sync.OnceValues(func() (*sigstore.Verifier, error) {
		switch {
		case t.trustedRoot != "":
			tr, err := sigstore.LoadTrustedRoot(t.trustedRoot)
			if err != nil {
				return nil, usageErr("pass a Sigstore trusted_root.json", "--trusted-root: %v", err)
			}
			return sigstore.NewVerifier(tr), nil
		case t.refreshTrust:
			dir := t.tufCache
			if dir == "" {
				d, err := sigstore.DefaultCacheDir()
				if err != nil {
					return nil, opErr("pass --tuf-cache DIR", "no user cache dir: %v", err)
				}
				dir = d
			}
			tr, err := sigstore.RefreshTrustedRoot(dir)
			if err != nil {
				return nil, opErr("without a network, drop --refresh-trust to use the embedded root or pass --trusted-root FILE", "%v", err)
			}
			return sigstore.NewVerifier(tr), nil
		}
		tr, err := sigstore.EmbeddedTrustedRoot()
		if err != nil {
			return nil, err
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

// reportFlags are the output flags of verify and audit.
type reportFlags struct {
	format string
	failOn string
}

func (r *reportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.format, "format", "table", "output `format`: "+strings.Join(report.Formats, ", "))
	fs.StringVar(&r.failOn, "fail-on", "gap", "exit 3 on findings of this `severity` or worse: note, gap, mismatch (note < gap < mismatch), or none")
}

func (r *reportFlags) check() error {
	if err := checkFormat(r.format, report.Formats); err != nil {
		return err
	}
	if _, err := failSet(r.failOn); err != nil {
		return err
	}
	return nil
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
	return nil, usageErr("use --fail-on note|gap|mismatch|none", "unknown --fail-on %q", s)
}

// emit renders rep and returns errFindings when it fails the threshold.
func (r *reportFlags) emit(w io.Writer, rep *report.Report) error {
	if err := report.Write(w, r.format, rep); err != nil {
		return opErr("", "writing report: %v", err)
	}
	if rep.Errors() {
		return opErr("see the artifacts with status \"error\"", "some files could not be read: no verdict for them")
	}
	fs, _ := failSet(r.failOn)
	if rep.Fails(fs) {
		return errFindings
	}
	return nil
}

// userErr unwraps an *Error a loader returned.
func userErr(err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return opErr("", "%v", err)
}
