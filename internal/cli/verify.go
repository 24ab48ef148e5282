package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

const verifyLong = `Verifies local CPython release files: finds the signatures beside each
(ARTIFACT.asc, ARTIFACT.sigstore or ARTIFACT.crt + ARTIFACT.sig, and
ARTIFACT.spdx.json), applies PEP 761 to say which are guaranteed, verifies
PGP and Sigstore against the expected signer in one read of the file, and
prints one row per artifact.

With --sha256 HEX the artifact need not exist: ARTIFACT names it (and where
its signatures are) and Sigstore is checked against the digest; PGP, which
needs the file, is reported as not checked.`

type verifyFlags struct {
	af     auditorFlags
	rf     reportFlags
	asc    string
	bundle string
	sha    string
}

func newVerifyCmd(e *env) *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify [flags] ARTIFACT...",
		Short: "verify local release files and the signatures beside them",
		Long:  verifyLong,
		Example: `  sigaudit verify Python-3.13.5.tar.xz
  sigaudit verify --sha256 HEX --bundle Python-3.13.5.tar.xz.sigstore Python-3.13.5.tar.xz`,
		RunE: func(cmd *cobra.Command, pos []string) error {
			return runVerify(e, pos, &f)
		},
	}
	fs := cmd.Flags()
	f.af.register(fs)
	f.rf.register(fs)
	fs.StringVar(&f.asc, "asc", "", "PGP signature `FILE` (default ARTIFACT.asc; one artifact only)")
	fs.StringVar(&f.bundle, "bundle", "", "Sigstore bundle `FILE` (default ARTIFACT.sigstore; one artifact only)")
	fs.StringVar(&f.sha, "sha256", "", "verify Sigstore against this SHA-256 `HEX` instead of reading the artifact (one artifact only)")
	return cmd
}

func runVerify(e *env, pos []string, f *verifyFlags) error {
	if len(pos) == 0 {
		return usageErr("run 'sigaudit verify --help'", "no artifact given")
	}
	if (f.asc != "" || f.bundle != "" || f.sha != "") && len(pos) > 1 {
		return usageErr("verify one artifact at a time with them", "--asc, --bundle and --sha256 take one artifact")
	}
	var digest string
	if f.sha != "" {
		d, ok := source.NormalizeSHA256(f.sha)
		if !ok {
			return usageErr("give 64 hex digits", "malformed --sha256 %q", f.sha)
		}
		digest = d
	}
	if err := f.rf.check(); err != nil {
		return err
	}
	a, err := f.af.auditor(digest != "")
	if err != nil {
		return err
	}
	rep := &report.Report{}
	prog := newProgress(e, "files")
	for i, p := range pos {
		lf, err := localFiles(e, p, f.asc, f.bundle, digest)
		if err != nil {
			return err
		}
		rep.Artifacts = append(rep.Artifacts, a.Audit(e.ctx, lf))
		if len(pos) > 1 {
			prog.update(i+1, len(pos))
		}
	}
	return f.rf.emit(e, rep)
}

// localFiles describes a local artifact and the files beside it.
func localFiles(e *env, path, asc, bundle, digest string) (audit.Files, error) {
	name := filepath.Base(path)
	if !source.SafeName(name) {
		return audit.Files{}, usageErr("name a file", "bad artifact path %q", path)
	}
	dir := filepath.Base(filepath.Dir(path))
	if _, err := timeline.ParseVersion(dir); err != nil {
		dir = ""
	}
	st, statErr := os.Stat(path)
	if statErr == nil && st.IsDir() {
		return audit.Files{}, usageErr("name the artifact file", "%q is a directory", path)
	}
	if statErr != nil && digest == "" {
		if errors.Is(statErr, fs.ErrNotExist) {
			return audit.Files{}, usageErr("check the path, or pass --sha256 HEX to verify Sigstore from a digest", "artifact %q does not exist", path)
		}
		return audit.Files{}, opErr("", "cannot read artifact: %v", statErr)
	}
	f := audit.Files{Name: name, DirVersion: dir, Digests: map[string]string{}}
	if digest != "" {
		f.Digests["sha256 flag"] = digest
	}
	if statErr == nil && digest == "" {
		f.Artifact = func() (io.ReadCloser, error) { return os.Open(path) }
		f.Hashed = func() *audit.Hashed {
			// A pass started during initialization (internal/prehash), used
			// only if it read the file that path names now.
			if r := e.prehashed(path); r.SameFile(st) {
				return &audit.Hashed{Hashes: r.Hashes}
			}
			return nil
		}
	}
	f.Sibling = func(suffix string, limit int64) ([]byte, error) {
		p := path + suffix
		switch {
		case suffix == ".asc" && asc != "":
			p = asc
		case suffix == ".sigstore" && bundle != "":
			p = bundle
		}
		return readLocal(p, limit)
	}
	return f, nil
}

func readLocal(p string, limit int64) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", p, source.ErrNotFound)
		}
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes: %w", p, limit, source.ErrTooLarge)
	}
	return b, nil
}
