package mirror

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// HistoryOptions say which part of python.org's history BuildHistory lays
// out.
type HistoryOptions struct {
	// RealData is a realdata folder (shared/realdata or testdata/realdata):
	// sigstore-bundles/ with MANIFEST.json, and .asc files in asc/ or
	// pgp/signatures/. The artifacts come from the embedded record.
	RealData string
	// Lines selects release lines ("3.13"); empty means every line from 3.7.
	Lines []string
	// BaseURL is the URL the API rows point at (default python.org's).
	BaseURL string
}

// History is what BuildHistory laid out.
type History struct {
	Dirs      []string // release directories, in version order
	Artifacts int
	Bundles   int // .sigstore files
	Real      int // of which python.org's own bundle for that very artifact
	SBOMs     int
	ASCs      int
}

// BuildHistory lays python.org's history out under dst as python.org does
// (one directory per release, pre-releases in X.Y.Z/), from the real
// digests table: every artifact as an empty placeholder, a .sigstore beside
// every artifact python.org publishes a bundle for, an .asc beside every
// artifact of a line before 3.14, an SPDX SBOM beside source tarballs from
// 3.12.2 and Windows installers from 3.13.0, and dst/api.json in the shape
// of python.org's release_file listing (name, url, sha256_sum, filesize,
// and the signature and SBOM URLs).
//
// Only a few real bundles exist in realdata; every other artifact gets a
// real bundle of the same line (same signer) in its place, and the API
// gives that bundle's digest, so that a digest-only audit does the full
// verification work for every bundle. The tree is for benchmarks and
// request counting, not for verdicts.
func BuildHistory(dst string, o HistoryOptions) (*History, error) {
	if o.BaseURL == "" {
		o.BaseURL = "https://www.python.org/ftp/python/"
	}
	man, err := readManifest(o.RealData)
	if err != nil {
		return nil, err
	}
	hb := &historyBuilder{dst: dst, o: o, h: &History{}, dirs: map[string]bool{}, want: map[string]bool{}}
	hb.realBundle, hb.lineBundle = bundlesOf(man)
	hb.asc = findASC(o.RealData)
	for _, l := range o.Lines {
		hb.want[l] = true
	}
	// python.org's artifacts as the embedded record holds them (the same
	// rows as the digests table, checked by record's tests).
	for _, a := range record.All() {
		if err := hb.add(a); err != nil {
			return nil, err
		}
	}
	h := hb.h
	for d := range hb.dirs {
		h.Dirs = append(h.Dirs, d)
	}
	source.SortVersions(h.Dirs)
	api := hb.api
	sort.SliceStable(api, func(i, j int) bool { return api[i].URL < api[j].URL })
	out, err := json.Marshal(api)
	if err != nil {
		return nil, err
	}
	return h, os.WriteFile(filepath.Join(dst, "api.json"), out, 0o644)
}

// bundlesOf indexes realdata's bundles by artifact name, and picks one
// real bundle per line (a source tarball's when there is one).
func bundlesOf(man []manifestEntry) (byName, byLine map[string]manifestEntry) {
	byName, byLine = map[string]manifestEntry{}, map[string]manifestEntry{}
	for _, m := range man {
		byName[m.Artifact] = m
		n := source.ParseName(m.Artifact, "")
		if v, err := timeline.ParseVersion(n.Version); err == nil {
			if _, ok := byLine[v.Line()]; !ok || n.Kind == source.KindSource {
				byLine[v.Line()] = m
			}
		}
	}
	// Lines without a real bundle take one of a line with the same release
	// manager: 3.8 was Łukasz Langa's as 3.9 is; 3.15 is Hugo van
	// Kemenade's as 3.14 is.
	for line, same := range map[string]string{"3.8": "3.9", "3.15": "3.14"} {
		if _, ok := byLine[line]; !ok {
			if m, ok := byLine[same]; ok {
				byLine[line] = m
			}
		}
	}
	return byName, byLine
}

// historyBuilder writes a history tree one artifact at a time.
type historyBuilder struct {
	dst                    string
	o                      HistoryOptions
	realBundle, lineBundle map[string]manifestEntry
	asc                    string // a real .asc to copy beside 3.7-3.13 artifacts
	want                   map[string]bool
	h                      *History
	dirs                   map[string]bool
	api                    []source.APIRow
}

// add writes one artifact of the record (3.7 on, in the lines wanted):
// an empty file, a real bundle where python.org publishes one, a real
// .asc up to 3.13, an SBOM where python.org publishes one, and its API
// row.
func (hb *historyBuilder) add(a record.Artifact) error {
	dir, name := a.Dir, a.Name
	v, err := timeline.ParseVersion(dir)
	if err != nil || v.Major != 3 || v.Minor < 7 || !source.SafeName(name) || !source.SafeName(dir) {
		return nil
	}
	if len(hb.want) > 0 && !hb.want[v.Line()] {
		return nil
	}
	h, d := hb.h, filepath.Join(hb.dst, dir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	hb.dirs[dir] = true
	if err := os.WriteFile(filepath.Join(d, name), nil, 0o644); err != nil {
		return err
	}
	h.Artifacts++
	url := hb.o.BaseURL + dir + "/" + name
	row := source.APIRow{Name: name, URL: url, SHA256: a.SHA256, Size: source.APISize(a.Size)}
	n := source.ParseName(name, dir)
	if a.Bundle {
		m, real := hb.realBundle[name]
		if !real {
			m = hb.lineBundle[v.Line()]
		}
		if m.File != "" {
			if err := copyFile(filepath.Join(hb.o.RealData, "sigstore-bundles", filepath.Base(m.File)), filepath.Join(d, name+".sigstore")); err != nil {
				return err
			}
			row.SHA256, row.SigstoreBundleFile = m.SHA256, url+".sigstore"
			h.Bundles++
			if real {
				h.Real++
			}
		}
	}
	if v.Minor < 14 && hb.asc != "" {
		if err := copyFile(hb.asc, filepath.Join(d, name+".asc")); err != nil {
			return err
		}
		row.GPGSignatureFile = url + ".asc"
		h.ASCs++
	}
	sbom := (n.Kind == source.KindSource && v.Compare(mustVersion("3.12.2")) >= 0) ||
		(n.Kind == source.KindWindows && strings.HasSuffix(name, ".exe") && v.Compare(mustVersion("3.13.0")) >= 0)
	if sbom {
		doc := fmt.Sprintf(`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":%q,"packages":[{"name":"CPython","packageFileName":%q,"checksums":[{"algorithm":"SHA256","checksumValue":%q}]}]}`+"\n", name, name, row.SHA256)
		if err := os.WriteFile(filepath.Join(d, name+".spdx.json"), []byte(doc), 0o644); err != nil {
			return err
		}
		row.SBOMFile = url + ".spdx.json"
		h.SBOMs++
	}
	hb.api = append(hb.api, row)
	return nil
}

func mustVersion(s string) timeline.Version {
	v, err := timeline.ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

func readManifest(realData string) ([]manifestEntry, error) {
	b, err := os.ReadFile(filepath.Join(realData, "sigstore-bundles", "MANIFEST.json"))
	if err != nil {
		return nil, err
	}
	var man []manifestEntry
	return man, json.Unmarshal(b, &man)
}

// findASC returns a real .asc file of realData ("" if none).
func findASC(realData string) string {
	for _, d := range []string{"asc", filepath.Join("pgp", "signatures")} {
		m, _ := filepath.Glob(filepath.Join(realData, d, "*.asc"))
		if len(m) > 0 {
			sort.Strings(m)
			return m[len(m)-1]
		}
	}
	return ""
}
