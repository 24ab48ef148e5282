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
	s := summary{Artifacts: len(r.Artifacts), Lines: []lineSummary{}, Groups: []findingGroup{}, Absent: []string{}}
	lines := map[string]int{}
	type gkey struct{ code, sev, kind string }
	groups := map[gkey]*findingGroup{}
	versions := map[gkey]map[string]bool{}
	var order []gkey
	pgpFiles, sigFiles, pgpMissing, sigMissing := 0, 0, 0, 0
	for _, a := range r.Artifacts {
		line := a.Line
		if line == "" {
			line = "-"
		}
		li, ok := lines[line]
		if !ok {
			li = len(s.Lines)
			lines[line] = li
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
			pgpFiles++
		}
		if a.Sigstore.File != "" || !absentStatus(a.Sigstore.Status) {
			sigFiles++
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
				pgpMissing++
			case CodeSigstoreMissing:
				sigMissing++
			}
			k := gkey{f.Code, f.Severity, a.Kind}
			g, ok := groups[k]
			if !ok {
				g = &findingGroup{Code: f.Code, Severity: f.Severity, Kind: a.Kind, From: a.Version, To: a.Version}
				groups[k] = g
				versions[k] = map[string]bool{}
				order = append(order, k)
			}
			g.Files++
			if a.Version != "" {
				versions[k][a.Version] = true
				if g.From == "" || compareVersions(a.Version, g.From) < 0 {
					g.From = a.Version
				}
				if g.To == "" || compareVersions(a.Version, g.To) > 0 {
					g.To = a.Version
				}
			}
		}
	}
	for _, k := range order {
		g := *groups[k]
		g.Versions = len(versions[k])
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
	if pgpFiles == 0 && pgpMissing >= 2 {
		s.Absent = append(s.Absent, "pgp")
	}
	if sigFiles == 0 && sigMissing >= 2 {
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
