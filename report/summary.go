package report

import (
	"sort"
	"strconv"
	"strings"
)

// summary is what every human format opens with and what the JSON's
// "summary" object holds: counts per severity and method, per release
// line, and per finding group. It is computed from the model on every
// render; the model is never changed.
type summary struct {
	Artifacts        int            `json:"artifacts"`
	Gaps             int            `json:"gaps"`
	Mismatches       int            `json:"mismatches"`
	Notes            int            `json:"notes"`
	PGPVerified      int            `json:"pgp_verified"`
	SigstoreVerified int            `json:"sigstore_verified"`
	Lines            []lineSummary  `json:"lines"`
	Groups           []findingGroup `json:"finding_groups"`
	// Absent names the signature classes of which no file exists anywhere
	// in the report ("pgp", "sigstore") while at least two artifacts are
	// missing a guaranteed one: a mirror that does not carry them.
	Absent []string `json:"absent"`
}

type lineSummary struct {
	Line             string `json:"line"`
	Artifacts        int    `json:"artifacts"`
	PGPVerified      int    `json:"pgp_verified"`
	SigstoreVerified int    `json:"sigstore_verified"`
	Gaps             int    `json:"gaps"`
	Mismatches       int    `json:"mismatches"`
	Notes            int    `json:"notes"`
}

// findingGroup is one code x severity x kind, over a version range.
type findingGroup struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	From     string `json:"from"`
	To       string `json:"to"`
	Files    int    `json:"files"`
	Versions int    `json:"versions"`
}

func (g findingGroup) versionRange() string {
	switch {
	case g.From == "" && g.To == "":
		return "-"
	case g.From == g.To:
		return g.From
	}
	return g.From + " - " + g.To
}

func summarize(r *Report) summary {
	m := newSummer()
	for _, a := range r.Artifacts {
		m.add(a)
	}
	return m.result()
}

// displayLine is how the summary names an artifact's line ("-" for none).
func displayLine(line string) string {
	if line == "" {
		return "-"
	}
	return line
}

type groupKey struct{ code, sev, kind string }

// summer counts a summary one artifact at a time; lines are listed in the
// order they first appear.
type summer struct {
	s                                          summary
	lines                                      map[string]int
	groups                                     map[groupKey]*findingGroup
	versions                                   map[groupKey]map[string]bool
	order                                      []groupKey
	pgpFiles, sigFiles, pgpMissing, sigMissing int
}

func newSummer() *summer {
	return &summer{
		s:     summary{Lines: []lineSummary{}, Groups: []findingGroup{}, Absent: []string{}},
		lines: map[string]int{}, groups: map[groupKey]*findingGroup{}, versions: map[groupKey]map[string]bool{},
	}
}

func (m *summer) add(a Artifact) {
	s := &m.s
	s.Artifacts++
	line := displayLine(a.Line)
	li, ok := m.lines[line]
	if !ok {
		li = len(s.Lines)
		m.lines[line] = li
		s.Lines = append(s.Lines, lineSummary{Line: line})
	}
	ls := &s.Lines[li]
	ls.Artifacts++
	if a.PGP.Status == StatusVerified {
		ls.PGPVerified++
		s.PGPVerified++
	}
	if a.Sigstore.Status == StatusVerified {
		ls.SigstoreVerified++
		s.SigstoreVerified++
	}
	if a.PGP.File != "" || !absentStatus(a.PGP.Status) {
		m.pgpFiles++
	}
	if a.Sigstore.File != "" || !absentStatus(a.Sigstore.Status) {
		m.sigFiles++
	}
	for _, f := range a.Findings {
		switch f.Severity {
		case Gap:
			ls.Gaps++
			s.Gaps++
		case Mismatch:
			ls.Mismatches++
			s.Mismatches++
		case Note:
			ls.Notes++
			s.Notes++
		}
		switch f.Code {
		case CodePGPMissing:
			m.pgpMissing++
		case CodeSigstoreMissing:
			m.sigMissing++
		}
		m.group(f, a)
	}
}

// group counts f in its code x severity x kind group.
func (m *summer) group(f Finding, a Artifact) {
	k := groupKey{f.Code, f.Severity, a.Kind}
	g, ok := m.groups[k]
	if !ok {
		g = &findingGroup{Code: f.Code, Severity: f.Severity, Kind: a.Kind, From: a.Version, To: a.Version}
		m.groups[k] = g
		m.versions[k] = map[string]bool{}
		m.order = append(m.order, k)
	}
	g.Files++
	if a.Version != "" {
		m.versions[k][a.Version] = true
		if g.From == "" || compareVersions(a.Version, g.From) < 0 {
			g.From = a.Version
		}
		if g.To == "" || compareVersions(a.Version, g.To) > 0 {
			g.To = a.Version
		}
	}
}

// result is the summary of the artifacts added so far.
func (m *summer) result() summary {
	s := m.s
	s.Lines = append([]lineSummary{}, m.s.Lines...)
	s.Groups = []findingGroup{}
	for _, k := range m.order {
		g := *m.groups[k]
		g.Versions = len(m.versions[k])
		s.Groups = append(s.Groups, g)
	}
	sort.SliceStable(s.Groups, func(i, j int) bool {
		a, b := s.Groups[i], s.Groups[j]
		if rank(a.Severity) != rank(b.Severity) {
			return rank(a.Severity) > rank(b.Severity)
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Kind < b.Kind
	})
	s.Absent = []string{}
	if m.pgpFiles == 0 && m.pgpMissing >= 2 {
		s.Absent = append(s.Absent, "pgp")
	}
	if m.sigFiles == 0 && m.sigMissing >= 2 {
		s.Absent = append(s.Absent, "sigstore")
	}
	return s
}

// absentStatus is true for the statuses a method has when no signature
// file for it exists.
func absentStatus(st string) bool {
	return st == "" || st == StatusMissing || st == StatusNotExpected
}

func (s summary) absent(class string) bool {
	for _, c := range s.Absent {
		if c == class {
			return true
		}
	}
	return false
}

// suppressed reports whether a finding is said once for the whole report
// (its class is absent everywhere) instead of per artifact.
func (s summary) suppressed(f Finding) bool {
	return (f.Code == CodePGPMissing && s.absent("pgp")) || (f.Code == CodeSigstoreMissing && s.absent("sigstore"))
}

// absentText is the one sentence said instead of repeating a finding on
// every artifact.
func (s summary) absentText(class string) string {
	n := 0
	for _, g := range s.Groups {
		if (class == "pgp" && g.Code == CodePGPMissing) || (class == "sigstore" && g.Code == CodeSigstoreMissing) {
			n += g.Files
		}
	}
	if class == "pgp" {
		return "No .asc file anywhere in this report: all " + plural(n, "artifact", "artifacts") +
			" for which PEP 761 guarantees a PGP signature are pgp-missing. The source does not carry PGP signatures (a mirror that drops them?); fetch them from python.org."
	}
	return "No Sigstore bundle (.sigstore, or .crt + .sig) anywhere in this report: all " + plural(n, "artifact", "artifacts") +
		" for which one is guaranteed are sigstore-missing. The source does not carry Sigstore material; fetch it from python.org."
}

// verdict is the one line every human format ends with.
func (s summary) verdict() string {
	return plural(s.Artifacts, "artifact", "artifacts") + ": " + plural(s.Gaps, "gap", "gaps") + ", " +
		plural(s.Mismatches, "mismatch", "mismatches") + ", " + plural(s.Notes, "note", "notes")
}

// compareVersions orders CPython versions: 3.9.0 < 3.10.0a1 < 3.10.0b2 <
// 3.10.0rc1 < 3.10.0. Anything that does not parse sorts as text, after
// the versions that do.
func compareVersions(a, b string) int {
	pa, oka := parseVersion(a)
	pb, okb := parseVersion(b)
	switch {
	case oka && okb:
		for i := range pa {
			if pa[i] != pb[i] {
				if pa[i] < pb[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	case oka:
		return -1
	case okb:
		return 1
	}
	return strings.Compare(a, b)
}

func parseVersion(v string) ([5]int, bool) {
	var out [5]int
	parts := strings.SplitN(v, ".", 3)
	if len(parts) != 3 {
		return out, false
	}
	var err error
	if out[0], err = strconv.Atoi(parts[0]); err != nil {
		return out, false
	}
	if out[1], err = strconv.Atoi(parts[1]); err != nil {
		return out, false
	}
	p := parts[2]
	i := 0
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		i++
	}
	if i == 0 {
		return out, false
	}
	out[2], _ = strconv.Atoi(p[:i])
	out[3] = 3 // final
	if rest := p[i:]; rest != "" {
		var tag string
		for _, t := range []string{"rc", "a", "b"} {
			if strings.HasPrefix(rest, t) {
				tag = t
				break
			}
		}
		if tag == "" {
			return out, false
		}
		n, err := strconv.Atoi(rest[len(tag):])
		if err != nil {
			return out, false
		}
		out[3] = map[string]int{"a": 0, "b": 1, "rc": 2}[tag]
		out[4] = n
	}
	return out, true
}
