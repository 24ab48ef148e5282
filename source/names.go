// Package source finds CPython release artifacts and their signatures in a
// tree laid out like https://www.python.org/ftp/python/ — a local directory
// or an HTTP mirror — and names them. It does no verification.
package source

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/sigaudit/sigaudit/timeline"
)

// Kinds of artifact, as the timeline's rules know them.
const (
	KindSource  = "source"
	KindWindows = "windows"
	KindMacOS   = "macos"
	KindAndroid = "android"
	KindDocs    = "docs"
	KindUnknown = "unknown"
)

// Signature and metadata suffixes published beside an artifact.
var siblingSuffixes = []string{".asc", ".sigstore", ".crt", ".sig", ".spdx.json"}

// IsSibling reports whether name is a signature or SBOM file, not an artifact.
func IsSibling(name string) bool {
	for _, s := range siblingSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return strings.HasSuffix(name, ".md5") || strings.HasSuffix(name, ".sha256")
}

// Name is what a python.org file name says.
type Name struct {
	Version string // e.g. 3.13.5 or 3.14.0rc1; "" if unknown
	Kind    string
	Known   bool
}

// ver captures the version; a re-spin suffix (3.10.0post2, 3.7.2.post1)
// names the same release.
const ver = `([0-9]+\.[0-9]+\.[0-9]+(?:(?:a|b|rc)[0-9]+)?)(?:\.?post[0-9]+)?`

// namePatterns are compiled on first use, one by one: a command that
// names one source tarball compiles one pattern, not all of them.
var namePatterns = []struct {
	re   func() *regexp.Regexp
	kind string
}{
	{lazyRE(`^Python-` + ver + `\.(?:tgz|tar\.xz|tar\.bz2)$`), KindSource},
	{lazyRE(`^python-` + ver + `(?:-(?:amd64|arm64))?(?:-webinstall)?\.exe$`), KindWindows},
	{lazyRE(`^python-` + ver + `(?:\.amd64)?\.msi$`), KindWindows},
	{lazyRE(`^python-` + ver + `(?:\.amd64|-amd64|-arm64)?-pdb\.zip$`), KindWindows},
	{lazyRE(`^python-` + ver + `-embed-(?:amd64|win32|arm64)\.zip$`), KindWindows},
	{lazyRE(`^python-` + ver + `(?:-(?:amd64|arm64|win32))?\.nupkg$`), KindWindows},
	{lazyRE(`^windows-` + ver + `\.json$`), KindWindows},
	{lazyRE(`^python-` + ver + `-macos(?:x)?[0-9][0-9.]*\.(?:pkg|dmg)$`), KindMacOS},
	{lazyRE(`^python-` + ver + `-macosx?\.dmg$`), KindMacOS},
	{lazyRE(`^python-` + ver + `-(?:x86_64|aarch64|arm64|i686)-linux-android\.tar\.gz$`), KindAndroid},
	{lazyRE(`^python-` + ver + `-docs-(?:html|pdf-a4|pdf-letter|text|texinfo)\.(?:tar\.bz2|zip)$`), KindDocs},
}

var chmRE = lazyRE(`^[Pp]ython([0-9]+)((?:a|b|rc)[0-9]+)?\.chm$`)

// lazyRE compiles expr on first use. sigaudit starts often (once per
// artifact in a Dockerfile), so package initialization compiles nothing.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// ParseName maps a python.org file name to a version and kind. dirVersion
// is the release directory the file sits in ("" if unknown); it resolves
// names that do not spell the version out (python3135.chm).
func ParseName(name, dirVersion string) Name {
	if len(name) > 255 {
		return Name{Kind: KindUnknown}
	}
	for _, p := range namePatterns {
		if m := p.re().FindStringSubmatch(name); m != nil {
			if _, err := timeline.ParseVersion(m[1]); err != nil {
				break
			}
			return Name{Version: m[1], Kind: p.kind, Known: true}
		}
	}
	if m := chmRE().FindStringSubmatch(name); m != nil && dirVersion != "" {
		if v, err := timeline.ParseVersion(dirVersion); err == nil {
			base := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
			if m[1] == strings.ReplaceAll(base, ".", "") {
				return Name{Version: base + m[2], Kind: KindDocs, Known: true}
			}
		}
	}
	return Name{Kind: KindUnknown}
}

// SafeName reports whether name is a plain file name that may be joined to
// a directory: no separators, no "..", no control bytes, not too long.
func SafeName(name string) bool {
	if name == "" || name == "." || name == ".." || len(name) > 255 {
		return false
	}
	for _, r := range name {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return false
		}
	}
	return !strings.HasPrefix(name, ".")
}

// ReleaseDir is the directory python.org puts a version's files in: X.Y.Z,
// pre-releases included (3.14.0rc1's files are in 3.14.0/).
func ReleaseDir(version string) (string, bool) {
	v, err := timeline.ParseVersion(version)
	if err != nil {
		return "", false
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch), true
}

// dirHolds reports whether the release directory dir may hold version's
// files: python.org's layout (X.Y.Z/ for X.Y.Z and its pre-releases) or a
// per-version directory (3.14.0rc1/).
func dirHolds(dir, version string) bool {
	if dir == version {
		return true
	}
	rd, ok := ReleaseDir(version)
	return ok && rd == dir
}
