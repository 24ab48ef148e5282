// Package mirror lays the real python.org material of shared/realdata (or
// the repository's testdata/realdata copy) out like python.org/ftp/python/,
// with an API listing in the shape of python.org's downloads API. The demo
// script and the tests use it.
package mirror

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sigaudit/sigaudit/source"
)

// Options say what to lay out.
type Options struct {
	// RealData is a realdata folder with sigstore-bundles/ (and MANIFEST.json)
	// and asc/ or pgp/signatures/.
	RealData string
	// Artifact, if set, is the real Python-3.13.5.tar.xz to copy in.
	Artifact string
}

type manifestEntry struct {
	File, Artifact, URL, SHA256 string
}

// Build writes the tree under dst and returns the API listing it wrote to
// dst/api.json.
func Build(dst string, o Options) (source.API, error) {
	b, err := os.ReadFile(filepath.Join(o.RealData, "sigstore-bundles", "MANIFEST.json"))
	if err != nil {
		return nil, err
	}
	var man []manifestEntry
	if err := json.Unmarshal(b, &man); err != nil {
		return nil, err
	}
	var api []source.APIRow
	for _, m := range man {
		ver := path.Base(path.Dir(m.URL))
		dir := filepath.Join(dst, ver)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := copyFile(filepath.Join(o.RealData, "sigstore-bundles", filepath.Base(m.File)), filepath.Join(dir, m.Artifact+".sigstore")); err != nil {
			return nil, err
		}
		f := source.APIRow{Name: m.Artifact, URL: m.URL, SHA256: m.SHA256, SigstoreBundleFile: m.URL + ".sigstore"}
		for _, ascDir := range []string{"asc", filepath.Join("pgp", "signatures")} {
			asc := filepath.Join(o.RealData, ascDir, m.Artifact+".asc")
			if _, err := os.Stat(asc); err == nil {
				if err := copyFile(asc, filepath.Join(dir, m.Artifact+".asc")); err != nil {
					return nil, err
				}
				f.GPGSignatureFile = m.URL + ".asc"
				break
			}
		}
		if o.Artifact != "" && m.Artifact == filepath.Base(o.Artifact) {
			if err := copyFile(o.Artifact, filepath.Join(dir, m.Artifact)); err != nil {
				return nil, err
			}
		}
		api = append(api, f)
	}
	out, err := json.MarshalIndent(api, "", " ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dst, "api.json"), out, 0o644); err != nil {
		return nil, err
	}
	return source.ParseAPI(out)
}

func copyFile(src, dst string) error {
	if !strings.HasPrefix(filepath.Clean(dst), filepath.Clean(filepath.Dir(filepath.Dir(dst)))) {
		return fmt.Errorf("bad destination %s", dst)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".part-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
