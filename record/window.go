package record

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// WindowSlack is how much earlier than a version's first known signing a
// verified signing time may be and still fall in its window. The record's
// windows are transparency-log integration times; sigaudit reports the
// earliest proof of a bundle, and an RFC 3161 timestamp is taken a few
// seconds before the entry is integrated.
const WindowSlack = time.Minute

// version is a parsed CPython version, for ordering only.
type version struct {
	major, minor, patch int
	pre                 int // 0 a, 1 b, 2 rc, 3 final
	preNum              int
}

// Compiled on first use: package initialization compiles nothing.
var (
	versionRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})(?:(a|b|rc)([0-9]{1,3}))?$`)
	})
	// inNameRE finds the version a python.org file name spells out.
	inNameRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:[Pp]ython|windows)-([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?:(?:a|b|rc)[0-9]{1,3})?)`)
	})
)

func parseVersion(s string) (version, bool) {
	m := versionRE().FindStringSubmatch(s)
	if m == nil {
		return version{}, false
	}
	v := version{pre: 3}
	v.major, _ = strconv.Atoi(m[1])
	v.minor, _ = strconv.Atoi(m[2])
	v.patch, _ = strconv.Atoi(m[3])
	if m[4] != "" {
		v.pre = map[string]int{"a": 0, "b": 1, "rc": 2}[m[4]]
		v.preNum, _ = strconv.Atoi(m[5])
	}
	return v, true
}

func (v version) line() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

func (v version) less(o version) bool {
	a := [5]int{v.major, v.minor, v.patch, v.pre, v.preNum}
	b := [5]int{o.major, o.minor, o.patch, o.pre, o.preNum}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func lineLess(a, b version) bool {
	return a.major < b.major || a.major == b.major && a.minor < b.minor
}

// lineInfo is what the record knows of one release line.
type lineInfo struct {
	newest      version   // newest version with a file or a bundle
	newestName  string    // its spelling
	lastSigned  time.Time // newest signing of any of its versions
	lastVersion string    // the version signed then
}

type versionIndex struct {
	published map[string]bool // versions with at least one file
	lines     map[string]*lineInfo
	newest    version // newest version of all
	lastSign  time.Time
	lastVer   string
}

var index = sync.OnceValue(func() *versionIndex {
	d := load()
	x := &versionIndex{published: map[string]bool{}, lines: map[string]*lineInfo{}}
	note := func(s string) (version, *lineInfo, bool) {
		v, ok := parseVersion(s)
		if !ok {
			return v, nil, false
		}
		li := x.lines[v.line()]
		if li == nil {
			li = &lineInfo{newest: v, newestName: s}
			x.lines[v.line()] = li
		} else if li.newest.less(v) {
			li.newest, li.newestName = v, s
		}
		if x.newest.less(v) {
			x.newest = v
		}
		return v, li, true
	}
	for _, a := range d.all {
		if m := inNameRE().FindStringSubmatch(a.Name); m != nil {
			if _, _, ok := note(m[1]); ok {
				x.published[m[1]] = true
			}
		}
		// Not a.Dir: 3.15.0/ holds 3.15.0's pre-releases, not 3.15.0.
	}
	for _, name := range d.order {
		w := d.windows[name]
		_, li, ok := note(name)
		if !ok {
			continue
		}
		if w.Last.After(li.lastSigned) {
			li.lastSigned, li.lastVersion = w.Last, name
		}
		if w.Last.After(x.lastSign) {
			x.lastSign, x.lastVer = w.Last, name
		}
	}
	return x
})

// SignedInWindow reports whether a Sigstore bundle whose verified signing
// time is t could belong to version (e.g. "3.13.5", "3.15.0a8"), by
// python.org's record of when it signed each version. line, when not "",
// is the release line the caller expects ("3.13"); a version of another
// line is refused. reason says why, either way.
//
//   - A version the record has bundles for: t must fall in its signing
//     window (record.SigningWindow, WindowSlack earlier at most). Signing
//     is not monotonic in version: 3.7.14 and 3.10.1 were signed long
//     after their release, and their windows say so.
//   - A version newer than every version of its line the record knows (or
//     of a line newer than every line it knows): t must not be before the
//     newest signing the record knows of that line (of any line, for a new
//     line).
//   - A version the record has files but no bundles for, or an older
//     version missing from the record, or a line python.org never signed:
//     false (unknown is not proven).
func SignedInWindow(version string, t time.Time, line string) (ok bool, reason string) {
	v, valid := parseVersion(version)
	if !valid {
		return false, fmt.Sprintf("malformed version %q", version)
	}
	if line != "" && line != v.line() {
		return false, fmt.Sprintf("version %s is not in line %s", version, line)
	}
	if t.IsZero() {
		return false, "no signing time"
	}
	t = t.UTC()
	const layout = time.RFC3339
	if w, ok := SigningWindow(version); ok {
		if t.Before(w.First.Add(-WindowSlack)) || t.After(w.Last) {
			return false, fmt.Sprintf("signed %s, outside %s's signing window %s to %s (%d bundles in python.org's record)",
				t.Format(layout), version, w.First.Format(layout), w.Last.Format(layout), w.Bundles)
		}
		return true, fmt.Sprintf("signed %s, within %s's signing window %s to %s (%d bundles in python.org's record)",
			t.Format(layout), version, w.First.Format(layout), w.Last.Format(layout), w.Bundles)
	}
	x := index()
	if x.published[version] {
		return false, fmt.Sprintf("python.org's record has %s's files but no Sigstore bundle for any of them", version)
	}
	li := x.lines[v.line()]
	switch {
	case li != nil && !li.newest.less(v):
		return false, fmt.Sprintf("%s is not in python.org's record, though the record knows %s of line %s: unknown", version, li.newestName, v.line())
	case li != nil && li.lastSigned.IsZero():
		return false, fmt.Sprintf("python.org's record has no Sigstore bundle for any version of %s", v.line())
	case li != nil:
		if t.Before(li.lastSigned.Add(-WindowSlack)) {
			return false, fmt.Sprintf("%s is newer than python.org's record (newest of %s: %s, signed until %s), but was signed %s, before that",
				version, v.line(), li.newestName, li.lastSigned.Format(layout), t.Format(layout))
		}
		return true, fmt.Sprintf("%s is newer than python.org's record (newest of %s: %s, signed until %s); signed %s, not before that",
			version, v.line(), li.newestName, li.lastSigned.Format(layout), t.Format(layout))
	case lineLess(v, x.newest):
		return false, fmt.Sprintf("line %s is older than python.org's record and absent from it: unknown", v.line())
	}
	if t.Before(x.lastSign.Add(-WindowSlack)) {
		return false, fmt.Sprintf("line %s is newer than python.org's record (newest signing: %s, %s), but %s was signed %s, before that",
			v.line(), x.lastVer, x.lastSign.Format(layout), version, t.Format(layout))
	}
	return true, fmt.Sprintf("line %s is newer than python.org's record (newest signing: %s, %s); signed %s, not before that",
		v.line(), x.lastVer, x.lastSign.Format(layout), t.Format(layout))
}
