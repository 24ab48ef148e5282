// Package timeline holds the CPython release-line facts (managers, keys,
// Sigstore identities, dates) and the PEP 761 rules that turn them into the
// signature methods guaranteed for a release. It is pure: no I/O beyond the
// readers it is handed, no printing.
package timeline

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Version is a CPython release version: X.Y.Z with an optional pre-release
// suffix aN, bN or rcN.
type Version struct {
	Major, Minor, Patch int
	Pre                 string // "", "a", "b" or "rc"
	PreNum              int
}

// maxVersionLen bounds what ParseVersion looks at, so hostile input (a file
// name, an API field) cannot make error messages or regexps expensive.
const maxVersionLen = 32

// Compiled when first used, not at start (sigaudit --version needs neither).
var (
	versionRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})(?:(a|b|rc)([1-9][0-9]{0,2}))?$`)
	})
	lineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$`) })
)

// ParseVersion parses a CPython version such as "3.13.5", "3.14.0rc2".
func ParseVersion(s string) (Version, error) {
	if len(s) > maxVersionLen {
		return Version{}, fmt.Errorf("malformed version %q…: longer than %d characters", s[:maxVersionLen], maxVersionLen)
	}
	m := versionRE().FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("malformed version %q: want X.Y.Z with an optional aN, bN or rcN suffix (e.g. 3.13.5, 3.15.0a8)", s)
	}
	v := Version{Major: atoi(m[1]), Minor: atoi(m[2]), Patch: atoi(m[3]), Pre: m[4]}
	if m[5] != "" {
		v.PreNum = atoi(m[5])
	}
	return v, nil
}

// ParseLine parses a release line such as "3.13".
func ParseLine(s string) (major, minor int, err error) {
	if len(s) > maxVersionLen {
		return 0, 0, fmt.Errorf("malformed release line %q…: longer than %d characters", s[:maxVersionLen], maxVersionLen)
	}
	m := lineRE().FindStringSubmatch(s)
	if m == nil {
		return 0, 0, fmt.Errorf("malformed release line %q: want X.Y (e.g. 3.13)", s)
	}
	return atoi(m[1]), atoi(m[2]), nil
}

// IsLine reports whether s has the shape of a release line ("3.13") rather
// than a version.
func IsLine(s string) bool { return lineRE().MatchString(s) }

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil { // unreachable: the regexps admit only short digit runs
		panic(err)
	}
	return n
}

// Line returns the release line, e.g. "3.13" for 3.13.5.
func (v Version) Line() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// IsPreRelease reports whether v is an alpha, beta or release candidate.
func (v Version) IsPreRelease() bool { return v.Pre != "" }

func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += v.Pre + strconv.Itoa(v.PreNum)
	}
	return s
}

var preRank = map[string]int{"a": 0, "b": 1, "rc": 2, "": 3}

// Compare returns -1, 0 or +1 as v sorts before, equal to or after o, with
// pre-releases before the final release (3.14.0a1 < 3.14.0rc1 < 3.14.0).
func (v Version) Compare(o Version) int {
	for _, d := range [][2]int{
		{v.Major, o.Major}, {v.Minor, o.Minor}, {v.Patch, o.Patch},
		{preRank[v.Pre], preRank[o.Pre]}, {v.PreNum, o.PreNum},
	} {
		if d[0] < d[1] {
			return -1
		}
		if d[0] > d[1] {
			return 1
		}
	}
	return 0
}

// CompareLines orders "3.9" before "3.10".
func CompareLines(a, b string) int {
	amaj, amin, aerr := ParseLine(a)
	bmaj, bmin, berr := ParseLine(b)
	if aerr != nil || berr != nil {
		return strings.Compare(a, b)
	}
	switch {
	case amaj != bmaj:
		return cmpInt(amaj, bmaj)
	default:
		return cmpInt(amin, bmin)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
