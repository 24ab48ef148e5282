package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

func methodCell(m Method) string {
	s := m.Status
	switch {
	case m.Status == StatusVerified && m.Signer != "":
		s += " (" + m.Signer + ")"
	case m.Status == StatusVerified && m.Identity != "":
		s += " (" + m.Identity + ")"
	case m.Status == "wrong-signer" && m.Signer != "":
		s += " (" + m.Signer + ")"
	case m.Status == "wrong-signer" && m.Fingerprint != "":
		s += " (" + m.Fingerprint + ")"
	case m.Status == "wrong-identity" && m.Identity != "":
		s += " (" + m.Identity + ")"
	}
	return s
}

func expectedCell(e Expected) string {
	switch {
	case e.PGP && e.Sigstore:
		return "PGP+Sigstore"
	case e.Sigstore:
		return "Sigstore"
	case e.PGP:
		return "PGP"
	}
	return "none"
}

func findingsCell(fs []Finding) string {
	if len(fs) == 0 {
		return "ok"
	}
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Severity+":"+f.Code)
	}
	return strings.Join(parts, " ")
}

func artifactRows(r *Report) [][]string {
	var rows [][]string
	for _, a := range r.Artifacts {
		row := []string{a.Name, a.Version, a.Kind, expectedCell(a.Expected), methodCell(a.PGP), methodCell(a.Sigstore), findingsCell(a.Findings)}
		for i := range row {
			row[i] = cell(row[i])
		}
		rows = append(rows, row)
	}
	return rows
}

var artifactHeader = []string{"Artifact", "Version", "Kind", "Expected", "PGP", "Sigstore", "Findings"}

// counts returns how many findings of each severity r holds.
func counts(r *Report) (gaps, mismatches, notes int) {
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			switch f.Severity {
			case Gap:
				gaps++
			case Mismatch:
				mismatches++
			case Note:
				notes++
			}
		}
	}
	return
}

func summary(r *Report) string {
	g, m, n := counts(r)
	return fmt.Sprintf("%d artifacts: %d gaps, %d mismatches, %d notes", len(r.Artifacts), g, m, n)
}

func writeFindingList(w io.Writer, r *Report, prefix string) error {
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if _, err := fmt.Fprintf(w, "%s%s %s %s: %s\n", prefix, cell(a.Name), f.Severity, f.Code, cell(f.Message)); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeTable(w io.Writer, r *Report) error {
	if err := renderTable(w, false, artifactHeader, artifactRows(r)); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "\n%s\n", summary(r)); err != nil {
		return err
	}
	return writeFindingList(w, r, "  ")
}

func writeMarkdown(w io.Writer, r *Report) error {
	if _, err := fmt.Fprintf(w, "## sigaudit\n\n%s\n\n", summary(r)); err != nil {
		return err
	}
	rows := artifactRows(r)
	for _, row := range rows {
		for i := range row {
			row[i] = strings.ReplaceAll(row[i], "|", `\|`)
		}
	}
	if err := renderTable(w, true, artifactHeader, rows); err != nil {
		return err
	}
	g, m, n := counts(r)
	if g+m+n == 0 {
		return nil
	}
	if _, err := io.WriteString(w, "\n### Findings\n\n"); err != nil {
		return err
	}
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if _, err := fmt.Fprintf(w, "- **%s** `%s` `%s`: %s\n", f.Severity, cell(a.Name), f.Code, cell(f.Message)); err != nil {
				return err
			}
		}
	}
	return nil
}

// SARIF 2.1.0, the subset GitHub code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	DefaultConfig    sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
}

type sarifArtifactLoc struct {
	URI string `json:"uri"`
}

func sarifLevel(sev string) string {
	switch sev {
	case Mismatch:
		return "error"
	case Gap:
		return "warning"
	}
	return "note"
}

func writeSARIF(w io.Writer, r *Report) error {
	rules := map[string]sarifRule{}
	results := []sarifResult{}
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if _, ok := rules[f.Code]; !ok {
				rules[f.Code] = sarifRule{ID: f.Code, ShortDescription: sarifMessage{Text: CodeDescription(f.Code)}, DefaultConfig: sarifConfig{Level: sarifLevel(f.Severity)}}
			}
			uri := a.Name
			if a.Version != "" {
				uri = a.Version + "/" + a.Name
			}
			results = append(results, sarifResult{
				RuleID: f.Code, Level: sarifLevel(f.Severity), Message: sarifMessage{Text: a.Name + ": " + f.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifactLoc{URI: uri}}}},
			})
		}
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	driver := sarifDriver{Name: "sigaudit", InformationURI: "https://peps.python.org/pep-0761/", Rules: []sarifRule{}}
	for _, id := range ids {
		driver.Rules = append(driver.Rules, rules[id])
	}
	return writeJSON(w, sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	})
}

// JUnit XML as CI systems read it: one test case per artifact, failed when
// it has a gap or mismatch; notes go to system-out.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string         `xml:"classname,attr"`
	Name      string         `xml:"name,attr"`
	Failures  []junitFailure `xml:"failure,omitempty"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0xFFFE && r != 0xFFFF && !(r >= 0xD800 && r <= 0xDFFF)) {
			return r
		}
		return '?'
	}, s)
}

func writeJUnit(w io.Writer, r *Report) error {
	suite := junitSuite{Name: "sigaudit"}
	for _, a := range r.Artifacts {
		c := junitCase{Classname: xmlSafe("sigaudit." + a.Line), Name: xmlSafe(a.Name)}
		var notes []string
		for _, f := range a.Findings {
			if f.Severity == Note {
				notes = append(notes, f.Code+": "+f.Message)
				continue
			}
			c.Failures = append(c.Failures, junitFailure{Message: xmlSafe(f.Message), Type: f.Severity + ":" + f.Code, Text: xmlSafe(f.Message)})
		}
		if len(notes) > 0 {
			c.SystemOut = xmlSafe(strings.Join(notes, "\n"))
		}
		if len(c.Failures) > 0 {
			suite.Failures++
		}
		suite.Tests++
		suite.Cases = append(suite.Cases, c)
	}
	out := junitSuites{Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
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
