package sigstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/sigaudit/sigaudit/internal/testing/tufrepo"
)

// compactRoot is a valid trusted root with other bytes than the embedded one
// (compact JSON): what a TUF update delivers when the root changed.
func compactRoot(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, embeddedRoot); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type trustFixture struct {
	repo *tufrepo.Repo
	opts TrustOptions
	dir  string
	// after the first successful update
	state TrustState
	files map[string][]byte
}

// newTrustFixture builds a TUF repository serving the embedded trusted
// root, and updates a fresh cache from it once.
func newTrustFixture(t *testing.T) *trustFixture {
	t.Helper()
	repo, err := tufrepo.New(map[string][]byte{"trusted_root.json": embeddedRoot})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(repo)
	t.Cleanup(srv.Close)
	f := &trustFixture{repo: repo, dir: t.TempDir()}
	f.opts = TrustOptions{CacheDir: f.dir, MirrorURL: srv.URL, InitialRoot: repo.RootJSON(), HTTPClient: srv.Client()}
	st, err := UpdateTrust(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Origin != OriginTUFCache || st.Info.SHA256 != sha256hex(embeddedRoot) || st.TUFRootVersion != 1 || st.Repository != srv.URL {
		t.Fatalf("first update: %+v", st)
	}
	f.state = st
	f.files = snapshotDir(t, f.dir)
	return f
}

func sha256hex(b []byte) string {
	info, err := DescribeRoot(b)
	if err != nil {
		panic(err)
	}
	return info.SHA256
}

func snapshotDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[strings.TrimPrefix(p, dir)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// refused checks that an update fails with ErrTrustUpdate and a message
// containing want, and that the cache is byte for byte what it was.
func (f *trustFixture) refused(t *testing.T, want string) {
	t.Helper()
	_, err := UpdateTrust(context.Background(), f.opts)
	if err == nil {
		t.Fatal("update accepted")
	}
	t.Logf("refused: %v", err)
	if !errors.Is(err, ErrTrustUpdate) || !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want ErrTrustUpdate and %q", err, want)
	}
	if !strings.HasPrefix(err.Error(), "trust root update failed; the previous trust root stays in use: ") {
		t.Errorf("unclear error: %v", err)
	}
	after := snapshotDir(t, f.dir)
	if len(after) != len(f.files) {
		t.Errorf("cache changed: %d files, was %d", len(after), len(f.files))
	}
	for p, b := range f.files {
		if !bytes.Equal(after[p], b) {
			t.Errorf("cache file %s changed", p)
		}
	}
	st, _, err := CurrentTrust(f.dir, "")
	if err != nil || st.Info.SHA256 != f.state.Info.SHA256 || st.Origin != OriginTUFCache {
		t.Errorf("root in use after a refused update: %+v, %v", st, err)
	}
	// The refresh used by --refresh-trust is the same code.
	if _, err := RefreshTrustedRootContext(context.Background(), f.opts); !errors.Is(err, ErrTrustUpdate) {
		t.Errorf("--refresh-trust: %v", err)
	}
}

func TestTrustUpdate(t *testing.T) {
	f := newTrustFixture(t)
	// The cache is what is in use now.
	st, b, err := CurrentTrust(f.dir, "")
	if err != nil || st.Origin != OriginTUFCache || !bytes.Equal(b, embeddedRoot) || st.Repository != f.opts.MirrorURL {
		t.Fatalf("current: %+v %v", st, err)
	}
	if st.Age(st.Updated.Add(time.Hour)) != time.Hour || len(st.Info.Windows) != st.Info.Keys {
		t.Errorf("state %+v", st)
	}
	// A new trusted root is published: the next update installs it, and
	// --refresh-trust returns it.
	nr := compactRoot(t)
	if err := f.repo.SetTarget("trusted_root.json", nr); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Publish(); err != nil {
		t.Fatal(err)
	}
	tr, err := RefreshTrustedRootContext(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.RekorLogs()) != 2 {
		t.Errorf("refreshed root has %d logs", len(tr.RekorLogs()))
	}
	st, b, err = CurrentTrust(f.dir, "")
	if err != nil || !bytes.Equal(b, nr) || st.Info.SHA256 != sha256hex(nr) {
		t.Fatalf("after update: %+v %v", st, err)
	}
	// Export writes exactly those bytes; a file given with --trusted-root
	// takes precedence over the cache.
	out := filepath.Join(t.TempDir(), "trusted_root.json")
	if _, err := ExportTrust(f.dir, "", out); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, nr) {
		t.Error("export differs")
	}
	if st, _, err := CurrentTrust(f.dir, out); err != nil || st.Origin != OriginFile || st.Path != out {
		t.Errorf("file origin: %+v %v", st, err)
	}
	if _, _, err := LoadTrust(f.dir, out); err != nil {
		t.Error(err)
	}
	// No staging directory is left behind.
	ents, _ := os.ReadDir(f.dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && e.Name() != ".lock" {
			t.Errorf("left %s", e.Name())
		}
	}
}

func TestTrustKeyRotation(t *testing.T) {
	f := newTrustFixture(t)
	if err := f.repo.RotateRoot(true); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.SetTarget("trusted_root.json", compactRoot(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Publish(); err != nil {
		t.Fatal(err)
	}
	st, err := UpdateTrust(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.TUFRootVersion != 2 || st.Info.SHA256 != sha256hex(compactRoot(t)) {
		t.Errorf("after rotation: %+v", st)
	}
	// A fresh client that only knows root v1 follows the rotation too.
	fresh := f.opts
	fresh.CacheDir = t.TempDir()
	if st, err := UpdateTrust(context.Background(), fresh); err != nil || st.TUFRootVersion != 2 {
		t.Errorf("fresh client: %+v %v", st, err)
	}
}

func TestTrustRotationNotCrossSigned(t *testing.T) {
	f := newTrustFixture(t)
	// Root v2 signed only by the new key: an attacker's rotation.
	if err := f.repo.RotateRoot(false); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Publish(); err != nil {
		t.Fatal(err)
	}
	f.refused(t, "root")
}

func TestTrustRollbackTimestamp(t *testing.T) {
	f := newTrustFixture(t)
	oldTS := f.repo.Get("timestamp.json")
	if err := f.repo.Publish(); err != nil {
		t.Fatal(err)
	}
	if _, err := UpdateTrust(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	f.files = snapshotDir(t, f.dir)
	f.repo.Put("timestamp.json", oldTS) // version 1 < 2
	f.refused(t, "timestamp")
}

func TestTrustRollbackSnapshot(t *testing.T) {
	f := newTrustFixture(t)
	if err := f.repo.Publish(); err != nil { // snapshot v2
		t.Fatal(err)
	}
	if _, err := UpdateTrust(context.Background(), f.opts); err != nil {
		t.Fatal(err)
	}
	f.files = snapshotDir(t, f.dir)
	// A fresh timestamp pointing at snapshot v1.
	f.repo.Timestamp.Signed.Version++
	f.repo.Timestamp.Signed.Meta["snapshot.json"].Version = 1
	if err := f.repo.PublishTimestamp(); err != nil {
		t.Fatal(err)
	}
	f.refused(t, "snapshot")
}

func TestTrustFreeze(t *testing.T) {
	f := newTrustFixture(t)
	// A new timestamp that expired an hour ago.
	f.repo.Timestamp.Signed.Version++
	f.repo.Timestamp.Signed.Expires = time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	if err := f.repo.PublishTimestamp(); err != nil {
		t.Fatal(err)
	}
	f.refused(t, "expired")
}

func TestTrustFreezeClock(t *testing.T) {
	f := newTrustFixture(t)
	// The same repository seen two years later: everything has expired.
	f.opts.Now = func() time.Time { return time.Now().AddDate(2, 0, 0) }
	f.refused(t, "expired")
}

func TestTrustMixAndMatchSnapshot(t *testing.T) {
	f := newTrustFixture(t)
	if err := f.repo.Publish(); err != nil { // v2
		t.Fatal(err)
	}
	v2 := f.repo.Get("2.snapshot.json")
	if err := f.repo.Publish(); err != nil { // v3
		t.Fatal(err)
	}
	// The timestamp names snapshot v3, the mirror serves v2 under that name.
	f.repo.Put("3.snapshot.json", v2)
	f.refused(t, "expected 3, got 2 (a version older than the one trusted, or not the version the signed metadata names: rollback or mix-and-match)")
}

func TestTrustMixAndMatchTargets(t *testing.T) {
	f := newTrustFixture(t)
	v1 := f.repo.Get("1.targets.json")
	if err := f.repo.SetTarget("trusted_root.json", compactRoot(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Publish(); err != nil {
		t.Fatal(err)
	}
	// The snapshot names targets v2, the mirror serves v1 under that name.
	f.repo.Put("2.targets.json", v1)
	f.refused(t, "targets")
}

func TestTrustTamperedTarget(t *testing.T) {
	f := newTrustFixture(t)
	nr := compactRoot(t)
	if err := f.repo.SetTarget("trusted_root.json", nr); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Publish(); err != nil {
		t.Fatal(err)
	}
	// Same length, other bytes.
	bad := bytes.Replace(nr, []byte(`"https://rekor.sigstore.dev"`), []byte(`"https://rekor.sigstore.dex"`), 1)
	bad = bad[:len(nr)]
	f.repo.Put(f.repo.TargetPath("trusted_root.json"), bad)
	f.refused(t, "hash")
	// Longer than listed.
	f.repo.Put(f.repo.TargetPath("trusted_root.json"), append(nr, ' '))
	f.refused(t, "length")
}

func TestTrustTargetNotARoot(t *testing.T) {
	f := newTrustFixture(t)
	if err := f.repo.SetTarget("trusted_root.json", []byte(`{"mediaType":"nonsense"}`)); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Publish(); err != nil {
		t.Fatal(err)
	}
	f.refused(t, "not a trusted root")
}

func TestTrustWrongInitialRoot(t *testing.T) {
	f := newTrustFixture(t)
	other, err := tufrepo.New(map[string][]byte{"trusted_root.json": embeddedRoot})
	if err != nil {
		t.Fatal(err)
	}
	// A fresh cache trusting another repository's root: the metadata
	// served is not signed by its keys.
	o := f.opts
	o.CacheDir = t.TempDir()
	o.InitialRoot = other.RootJSON()
	if _, err := UpdateTrust(context.Background(), o); !errors.Is(err, ErrTrustUpdate) {
		t.Errorf("foreign root accepted: %v", err)
	}
	if st, _, err := CurrentTrust(o.CacheDir, ""); err != nil || st.Origin != OriginEmbedded {
		t.Errorf("after refused first update: %+v %v", st, err)
	}
	o.InitialRoot = []byte("{}")
	if _, err := UpdateTrust(context.Background(), o); err == nil || !strings.Contains(err.Error(), "initial TUF root") {
		t.Errorf("bad initial root: %v", err)
	}
}

func TestTrustUnreachable(t *testing.T) {
	f := newTrustFixture(t)
	srv := httptest.NewServer(nil) // 404 everywhere
	srv.Close()
	f.opts.MirrorURL = srv.URL
	_, err := UpdateTrust(context.Background(), f.opts)
	if !errors.Is(err, ErrTrustUpdate) {
		t.Fatalf("unreachable mirror: %v", err)
	}
	if st, _, _ := CurrentTrust(f.dir, ""); st.Info.SHA256 != f.state.Info.SHA256 {
		t.Error("root changed")
	}
	for _, u := range []string{"ftp://x", "not a url", "https://"} {
		f.opts.MirrorURL = u
		if _, err := UpdateTrust(context.Background(), f.opts); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
			t.Errorf("%q: %v", u, err)
		}
	}
	if _, err := UpdateTrust(context.Background(), TrustOptions{}); err == nil {
		t.Error("no cache dir accepted")
	}
}

func TestCurrentTrust(t *testing.T) {
	st, b, err := CurrentTrust("", "")
	if err != nil || st.Origin != OriginEmbedded || !bytes.Equal(b, embeddedRoot) || !st.AsOf.Equal(EmbeddedRootAsOf) {
		t.Fatalf("%+v %v", st, err)
	}
	dir := t.TempDir()
	if st, _, err := CurrentTrust(dir, ""); err != nil || st.Origin != OriginEmbedded {
		t.Errorf("empty cache: %+v %v", st, err)
	}
	// A corrupt cached root is an error, not a silent fallback.
	if err := os.WriteFile(filepath.Join(dir, "trusted_root.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := CurrentTrust(dir, ""); err == nil {
		t.Error("corrupt cache accepted")
	}
	// A cached root without state (unknown date) is older than the
	// embedded one: the embedded root is used, and says why.
	if err := os.WriteFile(filepath.Join(dir, "trusted_root.json"), compactRoot(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _, err := CurrentTrust(dir, ""); err != nil || st.Origin != OriginEmbedded || !strings.Contains(st.Note, "older") {
		t.Errorf("stale cache: %+v %v", st, err)
	}
	// Not a regular file, not a root.
	if _, _, err := CurrentTrust("", dir); err == nil {
		t.Error("directory accepted as --trusted-root")
	}
	p := filepath.Join(dir, "x.json")
	os.WriteFile(p, []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`), 0o644)
	if _, _, err := CurrentTrust("", p); err == nil {
		t.Error("empty root accepted")
	}
	var _ *root.TrustedRoot
}

func TestTrustOversizedAndCancelled(t *testing.T) {
	f := newTrustFixture(t)
	// A mirror serving an endless timestamp.json: cut at go-tuf's bound.
	f.repo.Put("timestamp.json", bytes.Repeat([]byte(" "), 1<<20))
	f.refused(t, "more than the 16384 bytes expected")
	// A cancelled update.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := UpdateTrust(ctx, f.opts); !errors.Is(err, context.Canceled) || !errors.Is(err, ErrTrustUpdate) {
		t.Errorf("cancelled: %v", err)
	}
	if st, _, _ := CurrentTrust(f.dir, ""); st.Info.SHA256 != f.state.Info.SHA256 {
		t.Error("root changed")
	}
}

// A cache updated long ago (every cached file expired since) still
// updates from a repository that has moved on, rotated its root included.
func TestTrustStaleCacheUpdates(t *testing.T) {
	f := newTrustFixture(t)
	later := time.Now().AddDate(2, 0, 0)
	exp := later.AddDate(1, 0, 0).UTC().Truncate(time.Second)
	f.repo.Root.Signed.Expires = exp
	f.repo.Targets.Signed.Expires = exp
	f.repo.Snapshot.Signed.Expires = exp
	f.repo.Timestamp.Signed.Expires = exp
	if err := f.repo.RotateRoot(true); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.SetTarget("trusted_root.json", compactRoot(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Publish(); err != nil {
		t.Fatal(err)
	}
	f.opts.Now = func() time.Time { return later }
	st, err := UpdateTrust(context.Background(), f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.TUFRootVersion != 2 || st.Info.SHA256 != sha256hex(compactRoot(t)) || !st.Updated.Equal(later.UTC().Truncate(time.Second)) {
		t.Errorf("%+v", st)
	}
}
