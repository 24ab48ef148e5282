package sigstore

import (
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
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

// LoadTrustedRoot reads a trusted_root.json file (bounded).
func LoadTrustedRoot(path string) (*root.TrustedRoot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxBundleSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBundleSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxBundleSize)
	}
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%s: not a trusted root: %v", path, err)
	}
	return tr, nil
}

// DefaultCacheDir is where RefreshTrustedRoot keeps TUF metadata.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "sigaudit", "tuf"), nil
}

// RefreshTrustedRoot fetches the current public-good trusted root through
// TUF, starting from the root.json embedded in sigstore-go and caching
// metadata in cacheDir. It needs the network.
func RefreshTrustedRoot(cacheDir string) (*root.TrustedRoot, error) {
	if cacheDir == "" {
		return nil, errors.New("no TUF cache directory")
	}
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return nil, err
	}
	opts := tuf.DefaultOptions().WithCachePath(cacheDir)
	tr, err := root.FetchTrustedRootWithOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("TUF refresh failed: %w", err)
	}
	return tr, nil
}
