package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/internal/prehash"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

const verifyUsage = `
Usage: sigaudit verify [flags] ARTIFACT...

Verifies local CPython release files: finds the signatures beside each
(ARTIFACT.asc, ARTIFACT.sigstore or ARTIFACT.crt + ARTIFACT.sig, and
ARTIFACT.spdx.json), applies PEP 761 to say which are guaranteed, verifies
PGP and Sigstore against the expected signer in one read of the file, and
prints one row per artifact.

With --sha256 HEX the artifact need not exist: ARTIFACT names it (and where
its signatures are) and Sigstore is checked against the digest; PGP, which
needs the file, is reported as not checked.

Example (a Dockerfile one-liner):
  sigaudit verify Python-3.13.5.tar.xz
`

func runVerify(e *env, args []string) error {
	fs := flagSet(e, "verify", verifyUsage)
	var tf timelineFlags
	var trust trustFlags
	var rf reportFlags
	tf.register(fs)
	trust.register(fs)
	rf.register(fs)
	asc := fs.String("asc", "", "PGP signature `FILE` (default ARTIFACT.asc; one artifact only)")
	bundle := fs.String("bundle", "", "Sigstore bundle `FILE` (default ARTIFACT.sigstore; one artifact only)")
	sha := fs.String("sha256", "", "verify Sigstore against this SHA-256 `HEX` instead of reading the artifact (one artifact only)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("run 'sigaudit verify --help'", "no artifact given")
	}
	if (*asc != "" || *bundle != "" || *sha != "") && len(pos) > 1 {
		return usageErr("verify one artifact at a time with them", "--asc, --bundle and --sha256 take one artifact")
	}
	var digest string
	if *sha != "" {
		d, ok := source.NormalizeSHA256(*sha)
		if !ok {
			return usageErr("give 64 hex digits", "malformed --sha256 %q", *sha)
		}
		digest = d
	}
	if err := rf.check(); err != nil {
		return err
	}
	if err := trust.check(); err != nil {
		return err
	}
	tl, err := tf.load()
	if err != nil {
		return err
	}
	keyring, verifier, err := trust.loaders()
	if err != nil {
		return err
	}
	a := &audit.Auditor{Timeline: tl, Options: tf.options(), Keyring: keyring, Sigstore: verifier, DigestOnly: digest != ""}
	rep := &report.Report{}
	for _, p := range pos {
		f, err := localFiles(p, *asc, *bundle, digest)
		if err != nil {
			return err
		}
		rep.Artifacts = append(rep.Artifacts, a.Audit(e.ctx, f))
	}
	return rf.emit(e.stdout, rep)
}

// localFiles describes a local artifact and the files beside it.
func localFiles(path, asc, bundle, digest string) (audit.Files, error) {
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
			if r := prehash.Take(path); r.SameFile(st) {
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
