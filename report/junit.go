package report

import (
	"encoding/xml"
	"io"
	"strings"
)

// JUnit XML as CI systems read it: one test suite per release line, one
// test case per artifact; a gap or mismatch fails it, a source-error is an
// error (nothing was verified), an artifact of which nothing is expected
// and nothing is wrong is skipped; notes go to system-out. Class names
// carry no dots inside the line ("sigaudit.3_13"), so CI tools that split
// packages on dots keep one class per line.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string         `xml:"classname,attr"`
	Name      string         `xml:"name,attr"`
	Time      string         `xml:"time,attr"`
	Failures  []junitFailure `xml:"failure,omitempty"`
	Errors    []junitFailure `xml:"error,omitempty"`
	Skipped   *junitSkipped  `xml:"skipped,omitempty"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// xmlSafe drops what XML 1.0 cannot carry (the encoder escapes the rest).
func xmlSafe(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0x7f && r != 0xFFFE && r != 0xFFFF && !(r >= 0x80 && r < 0xa0)) {
			return r
		}
		return '?'
	}, s)
}

func junitClass(line string) string {
	if line == "" {
		line = "unknown"
	}
	return "sigaudit." + strings.ReplaceAll(xmlSafe(cell(line)), ".", "_")
}

func writeJUnit(w io.Writer, r *Report) error {
	out := junitSuites{Name: "sigaudit", Time: "0", Suites: []junitSuite{}}
	byLine := map[string]int{}
	for _, a := range r.Artifacts {
		line := a.Line
		if line == "" {
			line = "unknown"
		}
		si, ok := byLine[line]
		if !ok {
			si = len(out.Suites)
			byLine[line] = si
			out.Suites = append(out.Suites, junitSuite{Name: "sigaudit " + xmlSafe(cell(line)), Time: "0", Timestamp: r.Time})
		}
		s := &out.Suites[si]
		c := junitCase{Classname: junitClass(a.Line), Name: xmlSafe(a.Name), Time: "0"}
		var notes []string
		bad := false
		for _, f := range a.Findings {
			switch {
			case f.Severity == Note:
				notes = append(notes, f.Code+": "+f.Message)
			case f.Code == CodeSourceError:
				c.Errors = append(c.Errors, junitFailure{Message: xmlSafe(f.Message), Type: f.Severity + ":" + f.Code, Text: xmlSafe(f.Message)})
			default:
				bad = true
				c.Failures = append(c.Failures, junitFailure{Message: xmlSafe(f.Message), Type: f.Severity + ":" + f.Code, Text: xmlSafe(f.Message)})
			}
		}
		if len(notes) > 0 {
			c.SystemOut = xmlSafe(strings.Join(notes, "\n"))
		}
		switch {
		case len(c.Errors) > 0:
			s.Errors++
			out.Errors++
			if bad {
				s.Failures++
				out.Failures++
			}
		case bad:
			s.Failures++
			out.Failures++
		case !a.Expected.PGP && !a.Expected.Sigstore:
			c.Skipped = &junitSkipped{Message: "PEP 761 guarantees no signature for this artifact"}
			s.Skipped++
			out.Skipped++
		}
		s.Tests++
		out.Tests++
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
