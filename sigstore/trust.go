package sigstore

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"
)

var base64Std = base64.StdEncoding

// embeddedRoot is the Sigstore public-good trusted_root.json from
// github.com/sigstore/root-signing @ 60cf2ce8b2e45d600dc17c4421e8c751e75772be
// targets/trusted_root.json (sha256 6494e21e…0b66, the targets.json v14
// entry). See testdata/realdata/PROVENANCE.md.
//
//go:embed trusted_root.json
var embeddedRoot []byte

// EmbeddedTrustedRoot returns the public-good trust root compiled into
// sigaudit. It needs no network.
func EmbeddedTrustedRoot() (*root.TrustedRoot, error) {
	return root.NewTrustedRootFromJSON(embeddedRoot)
}

// LoadTrustedRoot reads a trusted_root.json file (bounded, regular files
// only).
func LoadTrustedRoot(path string) (*root.TrustedRoot, error) {
	b, err := readRootFile(path)
	if err != nil {
		return nil, err
	}
	return parseRoot(path, b)
}

func parseRoot(name string, b []byte) (*root.TrustedRoot, error) {
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%s: not a trusted root: %v", name, err)
	}
	if _, err := DescribeRoot(b); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return tr, nil
}

// readRootFile reads a small trust file: regular files only (a FIFO or a
// device is refused before it is read, and opening never blocks), at most
// MaxBundleSize bytes.
func readRootFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi2, err := f.Stat(); err != nil || !fi2.Mode().IsRegular() || !os.SameFile(fi, fi2) {
		return nil, fmt.Errorf("%s: changed while being opened", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxBundleSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBundleSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxBundleSize)
	}
	return b, nil
}

// DefaultCacheDir is where `sigaudit trust update` and --refresh-trust keep
// the updated trust root and its TUF metadata.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "sigaudit", "tuf"), nil
}

// Origins of the trust root in use.
const (
	OriginEmbedded = "embedded" // compiled into sigaudit
	OriginTUFCache = "tuf"      // fetched by the last successful TUF update
	OriginFile     = "file"     // a --trusted-root file
)

// TrustState says which trust root is in use and what it holds.
type TrustState struct {
	Origin string `json:"origin"` // OriginEmbedded, OriginTUFCache or OriginFile
	Path   string `json:"path,omitempty"`
	// Repository is the TUF repository the cached root came from, Updated
	// when, and TUFRootVersion the version of the TUF root.json that
	// signed it (origin "tuf" only).
	Repository     string    `json:"repository,omitempty"`
	Updated        time.Time `json:"updated,omitzero"`
	TUFRootVersion int64     `json:"tuf_root_version,omitempty"`
	// AsOf is when the root was last known to be current: the update time
	// for "tuf", EmbeddedRootAsOf for "embedded", zero (unknown) for "file".
	AsOf time.Time `json:"as_of,omitzero"`
	Info RootInfo  `json:"root"`
	// Note explains a choice (e.g. the embedded root is newer than the
	// cached one), or is empty.
	Note string `json:"note,omitempty"`
}

// Age is how long ago the root was last known current (0 when unknown).
func (s TrustState) Age(now time.Time) time.Duration {
	if s.AsOf.IsZero() || now.Before(s.AsOf) {
		return 0
	}
	return now.Sub(s.AsOf)
}

// SigningTimeWarning warns when a bundle signed at t may need a newer root
// than the one in use (see RootInfo.SigningTimeWarning).
func (s TrustState) SigningTimeWarning(t time.Time) string {
	return s.Info.SigningTimeWarning(t, s.AsOf)
}

// Files in a trust cache directory.
const (
	cacheRootFile  = "trusted_root.json"
	cacheStateFile = "state.json"
	cacheMetaDir   = "metadata"
)

type cacheState struct {
	Repository     string    `json:"repository"`
	Updated        time.Time `json:"updated"`
	TUFRootVersion int64     `json:"tuf_root_version"`
	SHA256         string    `json:"sha256"`
}

// CurrentTrust says which trust root is in use and returns its bytes: the
// trustedRootPath file when given; otherwise the root of the last
// successful update in cacheDir (when cacheDir is not empty and holds one),
// unless the embedded root is newer; otherwise the embedded root. A cached
// root that cannot be read or parsed is an error, never a silent fallback.
func CurrentTrust(cacheDir, trustedRootPath string) (TrustState, []byte, error) {
	if trustedRootPath != "" {
		b, err := readRootFile(trustedRootPath)
		if err != nil {
			return TrustState{}, nil, err
		}
		if _, err := parseRoot(trustedRootPath, b); err != nil {
			return TrustState{}, nil, err
		}
		info, _ := DescribeRoot(b)
		return TrustState{Origin: OriginFile, Path: trustedRootPath, Info: info}, b, nil
	}
	emb, err := EmbeddedRootInfo()
	if err != nil {
		return TrustState{}, nil, err
	}
	embedded := TrustState{Origin: OriginEmbedded, AsOf: EmbeddedRootAsOf, Info: emb}
	if cacheDir == "" {
		return embedded, embeddedRoot, nil
	}
	p := filepath.Join(cacheDir, cacheRootFile)
	b, err := readRootFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return embedded, embeddedRoot, nil
	}
	if err != nil {
		return TrustState{}, nil, fmt.Errorf("cached trust root: %v", err)
	}
	if _, err := parseRoot(p, b); err != nil {
		return TrustState{}, nil, fmt.Errorf("cached trust root: %v", err)
	}
	info, _ := DescribeRoot(b)
	st := TrustState{Origin: OriginTUFCache, Path: p, Info: info}
	if sb, err := readRootFile(filepath.Join(cacheDir, cacheStateFile)); err == nil {
		var cs cacheState
		if json.Unmarshal(sb, &cs) == nil && cs.SHA256 == info.SHA256 {
			st.Repository, st.Updated, st.TUFRootVersion, st.AsOf = cs.Repository, cs.Updated.UTC(), cs.TUFRootVersion, cs.Updated.UTC()
		}
	}
	if st.AsOf.Before(EmbeddedRootAsOf) && info.SHA256 != emb.SHA256 {
		embedded.Note = fmt.Sprintf("the root cached in %s (updated %s) is older than the embedded one: using the embedded root",
			cacheDir, dateOrUnknown(st.Updated))
		return embedded, embeddedRoot, nil
	}
	return st, b, nil
}

func dateOrUnknown(t time.Time) string {
	if t.IsZero() {
		return "at an unknown date"
	}
	return t.Format("2006-01-02")
}

// LoadTrust returns the trust root in use (see CurrentTrust), parsed.
func LoadTrust(cacheDir, trustedRootPath string) (*root.TrustedRoot, TrustState, error) {
	st, b, err := CurrentTrust(cacheDir, trustedRootPath)
	if err != nil {
		return nil, st, err
	}
	tr, err := parseRoot(st.Origin+" trust root", b)
	return tr, st, err
}

// ExportTrust writes the trust root in use to outPath (atomically, mode
// 0644), for machines that then run with --trusted-root outPath.
func ExportTrust(cacheDir, trustedRootPath, outPath string) (TrustState, error) {
	st, b, err := CurrentTrust(cacheDir, trustedRootPath)
	if err != nil {
		return st, err
	}
	if err := writeFileAtomic(outPath, b, 0o644); err != nil {
		return st, err
	}
	return st, nil
}

// TrustOptions configures UpdateTrust.
type TrustOptions struct {
	// CacheDir receives the updated root and the TUF metadata (required).
	CacheDir string
	// MirrorURL is the TUF repository; empty means Sigstore's public-good
	// repository (https://tuf-repo-cdn.sigstore.dev).
	MirrorURL string
	// InitialRoot is the TUF root.json to trust on first use of a
	// repository; nil means the public-good root.json embedded in
	// sigstore-go. Once a repository has been updated, the newer of the
	// cached TUF root and InitialRoot is the starting point.
	InitialRoot []byte
	// HTTPClient fetches the metadata; nil means a client with a 60 s
	// timeout.
	HTTPClient *http.Client
	// Now is the reference time for metadata expiry; nil means time.Now.
	Now func() time.Time
}

// ErrTrustUpdate wraps every failure of UpdateTrust: the previous root
// stays in use.
var ErrTrustUpdate = errors.New("trust root update failed; the previous trust root stays in use")

// UpdateTrust fetches trusted_root.json through TUF (root rotation,
// rollback, freeze and mix-and-match protection, target length and hashes)
// and installs it in o.CacheDir. The update is done in a staging directory
// and installed by renames only once everything verified: on any failure
// the previous root and metadata stay as they were, and the error wraps
// ErrTrustUpdate.
func UpdateTrust(ctx context.Context, o TrustOptions) (TrustState, error) {
	st, err := updateTrust(ctx, o)
	if err != nil {
		return TrustState{}, fmt.Errorf("%w: %w", ErrTrustUpdate, err)
	}
	return st, nil
}

func updateTrust(ctx context.Context, o TrustOptions) (TrustState, error) {
	if o.CacheDir == "" {
		return TrustState{}, errors.New("no trust cache directory")
	}
	repo := o.MirrorURL
	if repo == "" {
		repo = tuf.DefaultMirror
	}
	u, err := url.Parse(repo)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return TrustState{}, fmt.Errorf("TUF repository %q: not an http(s) URL", repo)
	}
	anchor := o.InitialRoot
	if anchor == nil {
		anchor = tuf.DefaultRoot()
	}
	if _, err := tufRootVersion(anchor); err != nil {
		return TrustState{}, fmt.Errorf("initial TUF root: %v", err)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	if err := os.MkdirAll(o.CacheDir, 0o700); err != nil {
		return TrustState{}, err
	}
	unlock, err := lockDir(o.CacheDir)
	if err != nil {
		return TrustState{}, err
	}
	defer unlock()
	metaDir := filepath.Join(o.CacheDir, cacheMetaDir, tuf.URLToPath(repo))
	staging, err := os.MkdirTemp(o.CacheDir, ".update-")
	if err != nil {
		return TrustState{}, err
	}
	defer os.RemoveAll(staging)

	anchor, err = seedStaging(metaDir, staging, anchor)
	if err != nil {
		return TrustState{}, err
	}
	data, err := fetchTrustedRoot(ctx, repo, anchor, staging, hc, now)
	if err != nil {
		return TrustState{}, err
	}
	info, _ := DescribeRoot(data)
	rootMeta, err := os.ReadFile(filepath.Join(staging, "root.json"))
	if err != nil {
		return TrustState{}, err
	}
	rv, _ := tufRootVersion(rootMeta)
	cs := cacheState{Repository: repo, Updated: now().UTC().Truncate(time.Second), TUFRootVersion: rv, SHA256: info.SHA256}
	state, err := json.MarshalIndent(cs, "", "  ")
	if err != nil {
		return TrustState{}, err
	}
	if err := installTrust(o.CacheDir, metaDir, staging, data, state); err != nil {
		return TrustState{}, err
	}
	return TrustState{
		Origin: OriginTUFCache, Path: filepath.Join(o.CacheDir, cacheRootFile),
		Repository: repo, Updated: cs.Updated, TUFRootVersion: rv, AsOf: cs.Updated, Info: info,
	}, nil
}

// seedStaging copies the metadata trusted so far into staging, so that
// rollback and freeze are detected against it, and returns the root to
// start from: the cached one when it is not older than anchor.
func seedStaging(metaDir, staging string, anchor []byte) ([]byte, error) {
	for _, name := range []string{"root.json", "timestamp.json", "snapshot.json", "targets.json"} {
		b, err := readRootFile(filepath.Join(metaDir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cached TUF metadata: %v", err)
		}
		if err := os.WriteFile(filepath.Join(staging, name), b, 0o600); err != nil {
			return nil, err
		}
		if name == "root.json" {
			cv, err1 := tufRootVersion(b)
			av, _ := tufRootVersion(anchor)
			if err1 == nil && cv >= av {
				anchor = b
			}
		}
	}
	return anchor, nil
}

// fetchTrustedRoot refreshes the TUF metadata of repo into staging (go-tuf
// checks signatures, versions, expiry, lengths and hashes) and returns
// the trusted root target it names, parsed once to check it.
func fetchTrustedRoot(ctx context.Context, repo string, anchor []byte, staging string, hc *http.Client, now func() time.Time) ([]byte, error) {
	cfg, err := config.New(repo, anchor)
	if err != nil {
		return nil, err
	}
	cfg.LocalMetadataDir = staging
	cfg.LocalTargetsDir = filepath.Join(staging, "targets")
	cfg.Fetcher = &httpFetcher{ctx: ctx, c: hc}
	cfg.PrefixTargetsWithHash = true
	up, err := updater.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("initial TUF root: %v", err)
	}
	up.UnsafeSetRefTime(now().UTC())
	if err := up.Refresh(); err != nil {
		return nil, fmt.Errorf("TUF metadata from %s: %w%s", repo, err, explainTUF(err))
	}
	ti, err := up.GetTargetInfo(cacheRootFile)
	if err != nil {
		return nil, fmt.Errorf("TUF repository %s: %w%s", repo, err, explainTUF(err))
	}
	if ti.Length <= 0 || ti.Length > MaxBundleSize {
		return nil, fmt.Errorf("TUF repository %s: %s is %d bytes, not within 1..%d", repo, cacheRootFile, ti.Length, MaxBundleSize)
	}
	_, data, err := up.DownloadTarget(ti, filepath.Join(staging, "targets", cacheRootFile), "")
	if err != nil {
		return nil, fmt.Errorf("TUF target %s from %s: %w%s", cacheRootFile, repo, err, explainTUF(err))
	}
	if _, err := parseRoot("TUF target "+cacheRootFile, data); err != nil {
		return nil, err
	}
	return data, nil
}

// installTrust puts an update in place: metadata first, then the root,
// then its state. Until the root's rename, the previous root is what
// CurrentTrust returns.
func installTrust(cacheDir, metaDir, staging string, root, state []byte) error {
	if err := os.RemoveAll(filepath.Join(staging, "targets")); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(metaDir), 0o700); err != nil {
		return err
	}
	aside := ""
	if _, err := os.Lstat(metaDir); err == nil {
		aside = metaDir + ".old-" + randHex()
		if err := os.Rename(metaDir, aside); err != nil {
			return err
		}
	}
	if err := os.Rename(staging, metaDir); err != nil {
		if aside != "" {
			_ = os.Rename(aside, metaDir)
		}
		return err
	}
	if aside != "" {
		_ = os.RemoveAll(aside)
	}
	if err := writeFileAtomic(filepath.Join(cacheDir, cacheRootFile), root, 0o644); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(cacheDir, cacheStateFile), state, 0o644)
}

// explainTUF names the attack or fault a go-tuf error stands for.
func explainTUF(err error) string {
	switch {
	case errors.Is(err, &metadata.ErrExpiredMetadata{}):
		return " (expired metadata: the repository or a mirror is frozen or stale)"
	case errors.Is(err, &metadata.ErrBadVersionNumber{}):
		return " (a version older than the one trusted, or not the version the signed metadata names: rollback or mix-and-match)"
	case errors.Is(err, &metadata.ErrLengthOrHashMismatch{}), errors.Is(err, &metadata.ErrDownloadLengthMismatch{}):
		return " (length or hash differs from the signed metadata: tampered or mixed-up file)"
	case errors.Is(err, &metadata.ErrUnsignedMetadata{}):
		return " (not signed by the trusted keys: a forged or foreign repository, or a key rotation not signed by the previous root)"
	case errors.Is(err, &metadata.ErrDownloadHTTP{}):
		return " (the repository did not serve a file the metadata needs)"
	}
	return ""
}

// RefreshTrustedRoot updates the trust root from the public-good TUF
// repository into cacheDir (UpdateTrust) and returns it. It needs the
// network.
func RefreshTrustedRoot(cacheDir string) (*root.TrustedRoot, error) {
	return RefreshTrustedRootContext(context.Background(), TrustOptions{CacheDir: cacheDir})
}

// RefreshTrustedRootContext is RefreshTrustedRoot with options.
func RefreshTrustedRootContext(ctx context.Context, o TrustOptions) (*root.TrustedRoot, error) {
	st, err := UpdateTrust(ctx, o)
	if err != nil {
		return nil, err
	}
	b, err := readRootFile(st.Path)
	if err != nil {
		return nil, err
	}
	return parseRoot(st.Path, b)
}

func tufRootVersion(b []byte) (int64, error) {
	var m struct {
		Signed struct {
			Type    string `json:"_type"`
			Version int64  `json:"version"`
		} `json:"signed"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return 0, fmt.Errorf("not TUF root metadata: %v", err)
	}
	if m.Signed.Type != "root" || m.Signed.Version < 1 {
		return 0, errors.New("not TUF root metadata (no _type root and version >= 1)")
	}
	return m.Signed.Version, nil
}

func randHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeFileAtomic writes b to a temporary file beside path, syncs it and
// renames it into place.
func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// httpFetcher is go-tuf's fetcher over a caller's http.Client, bounded and
// cancelled with ctx.
type httpFetcher struct {
	ctx context.Context
	c   *http.Client
}

func (f *httpFetcher) DownloadFile(u string, maxLength int64, _ time.Duration) ([]byte, error) {
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "sigaudit")
	resp, err := f.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &metadata.ErrDownloadHTTP{StatusCode: resp.StatusCode, URL: u}
	}
	if resp.ContentLength > maxLength {
		return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("%s is %d bytes, more than the %d expected", u, resp.ContentLength, maxLength)}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxLength+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > maxLength {
		return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("%s is more than the %d bytes expected", u, maxLength)}
	}
	return b, nil
}
