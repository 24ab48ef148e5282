package cli

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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
	af      auditorFlags
	rf      reportFlags
	asc     string
	bundle  string
	sha     string
	release string
	kind    string
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
	fs.StringVar(&f.sha, "sha256", "", "verify Sigstore against this SHA-256 `HEX`; a file at ARTIFACT is still read and must match (one artifact only)")
	fs.StringVar(&f.release, "release", "", "the file is this release's artifact (`VERSION`), for files not named like python.org's (one artifact only)")
	fs.StringVar(&f.kind, "kind", "", "with --release: the artifact's `KIND` (source, windows, macos, android, docs; default from the extension)")
	return cmd
}

func runVerify(e *env, pos []string, f *verifyFlags) error {
	if len(pos) == 0 {
		return errNoArtifact()
	}
	if (f.asc != "" || f.bundle != "" || f.sha != "" || f.release != "") && len(pos) > 1 {
		return oneArtifactErr("--asc, --bundle, --sha256 and --release")
	}
	if err := checkKind("--kind", f.kind); err != nil {
		return err
	}
	var digest string
	if f.sha != "" {
		d, ok := source.NormalizeSHA256(f.sha)
		if !ok {
			return sha256Err(f.sha)
		}
		digest = d
	}
	if err := f.rf.check(); err != nil {
		return err
	}
	// Digest-only when there is no file to read: --sha256 names it.
	digestOnly := false
	if digest != "" {
		if _, err := os.Stat(pos[0]); errors.Is(err, fs.ErrNotExist) {
			digestOnly = true
		}
	}
	a, err := f.af.auditor(digestOnly)
	if err != nil {
		return err
	}
	names := make([]named, len(pos))
	for i, p := range pos {
		if _, err := statArtifact(p, digest); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		n, err := nameFile(p, f.release, f.kind)
		if err != nil {
			return err
		}
		names[i] = n
	}
	rep := &report.Report{}
	prog := newProgress(e, "files")
	for i, p := range pos {
		lf, err := localFiles(e, p, names[i], f.asc, f.bundle, digest)
		if err != nil {
			return err
		}
		art := a.Audit(e.ctx, lf)
		rep.Artifacts = append(rep.Artifacts, art)
		if len(pos) > 1 {
			prog.update(i+1, len(pos))
		}
	}
	f.rf.trustedRoot, f.rf.tufCache = f.af.trust.trustedRoot, f.af.trust.tufCache
	return f.rf.emit(e, rep)
}

// digestFlag is the Digests key of --sha256.
const digestFlag = "sha256 flag"

// named is what the command line says a local file is: its name as
// python.org publishes it (from --release and --kind, or the file's own
// name) and the release directory it sits in.
type named struct {
	name, dir string
}

// nameFile maps path to a python.org artifact name. A file whose name
// python.org does not use (docker-library's python.tar.xz) needs
// --release, and --kind unless its extension says it.
func nameFile(path, release, kind string) (named, error) {
	base := filepath.Base(path)
	if !source.SafeName(base) {
		return named{}, errBadArtifactPath(path)
	}
	dir := filepath.Base(filepath.Dir(path))
	if _, err := timeline.ParseVersion(dir); err != nil {
		dir = ""
	}
	own := source.ParseName(base, dir)
	if release == "" {
		if !own.Known {
			return named{}, errUnknownArtifactName(base)
		}
		if kind != "" && own.Kind != kind {
			return named{}, errKindMismatch(base, own.Kind, kind)
		}
		return named{base, dir}, nil
	}
	v, err := timeline.ParseVersion(release)
	if err != nil {
		return named{}, versionErr(err)
	}
	if own.Known {
		if own.Version != v.String() || (kind != "" && own.Kind != kind) {
			return named{}, errReleaseMismatch(base, own.Kind, own.Version, v.String())
		}
		return named{base, dir}, nil
	}
	name, ok := canonicalName(base, v.String(), kind)
	if !ok {
		return named{}, errUnknownArtifactKind(orUnknown(kind), base)
	}
	return named{name, ""}, nil
}

// canonicalName is a python.org name of the given kind for version v, with
// the compression or package format of base's extension. The kind is
// inferred from the extension when empty. Every name of a kind and
// version carries the same guarantees.
func canonicalName(base, v, kind string) (string, bool) {
	ext := ""
	for _, e := range []string{".tar.xz", ".tar.bz2", ".tar.gz", ".tgz", ".exe", ".msi", ".nupkg", ".zip", ".pkg", ".dmg", ".json"} {
		if strings.HasSuffix(base, e) {
			ext = e
			break
		}
	}
	if kind == "" {
		switch ext {
		case ".tar.xz", ".tar.bz2", ".tgz":
			kind = source.KindSource
		case ".exe", ".msi", ".nupkg":
			kind = source.KindWindows
		case ".pkg", ".dmg":
			kind = source.KindMacOS
		}
	}
	names := map[string]map[string]string{
		source.KindSource:  {".tar.xz": "Python-V.tar.xz", ".tar.bz2": "Python-V.tar.bz2", ".tgz": "Python-V.tgz"},
		source.KindWindows: {".exe": "python-V-amd64.exe", ".msi": "python-V.amd64.msi", ".nupkg": "python-V.nupkg", ".zip": "python-V-embed-amd64.zip", ".json": "windows-V.json"},
		source.KindMacOS:   {".pkg": "python-V-macos11.pkg", ".dmg": "python-V-macosx.dmg"},
		source.KindAndroid: {".tar.gz": "python-V-aarch64-linux-android.tar.gz"},
		source.KindDocs:    {".zip": "python-V-docs-html.zip", ".tar.bz2": "python-V-docs-html.tar.bz2"},
	}
	pattern, ok := names[kind][ext]
	if !ok {
		return "", false
	}
	name := strings.ReplaceAll(pattern, "V", v)
	n := source.ParseName(name, "")
	return name, n.Known && n.Kind == kind && n.Version == v
}

// localFiles describes a local artifact and the files beside it.
func localFiles(e *env, path string, nm named, asc, bundle, digest string) (audit.Files, error) {
	st, statErr := statArtifact(path, digest)
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return audit.Files{}, statErr
	}
	f := audit.Files{Name: nm.name, DirVersion: nm.dir, Digests: map[string]string{}}
	if digest != "" {
		// With the file present too, it is read and its SHA-256 must
		// agree with --sha256 (digest-mismatch otherwise).
		f.Digests[digestFlag] = digest
	}
	if statErr == nil {
		f.Artifact = func() (io.ReadCloser, error) { return openRegular(path) }
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

// statArtifact stats an artifact named on the command line: an error
// wrapping fs.ErrNotExist when it is absent and digest is given, a usage or
// operational error when it cannot be used.
func statArtifact(path, digest string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return nil, errArtifactIsDir(path)
	case err == nil && !st.Mode().IsRegular():
		return nil, errArtifactNotRegular(path)
	case errors.Is(err, fs.ErrNotExist) && digest != "":
		return nil, err
	case errors.Is(err, fs.ErrNotExist):
		return nil, errArtifactMissing(path)
	case err != nil:
		return nil, errReadArtifact(err)
	}
	return st, nil
}

// openRegular opens p, refusing anything but a regular file without
// blocking on it (source.OpenLocalFile).
func openRegular(p string) (*os.File, error) { return source.OpenLocalFile(p) }

// readLocal reads a whole regular file of at most limit bytes
// (source.ReadLocalFile).
func readLocal(p string, limit int64) ([]byte, error) { return source.ReadLocalFile(p, limit) }
