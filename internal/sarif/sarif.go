// Package sarif holds the SARIF 2.1.0 document sigaudit writes, shared by
// the report (audit, verify) and recipe (lint) renderers: the subset
// GitHub code scanning reads, with what it needs to track alerts between
// runs (driver.version, rules with help, ruleIndex, partialFingerprints).
package sarif

// Schema and Version are the SARIF document's $schema and version.
const (
	Schema  = "https://json.schemastore.org/sarif-2.1.0.json"
	Version = "2.1.0"
)

// Log is a SARIF document.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one tool's run.
type Run struct {
	Tool    Tool     `json:"tool"`
	Results []Result `json:"results"`
}

// Tool names the tool.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver is sigaudit and its rules (one per finding code).
type Driver struct {
	Name           string `json:"name"`
	Version        string `json:"version,omitempty"`
	InformationURI string `json:"informationUri"`
	Rules          []Rule `json:"rules"`
}

// Rule is one finding code.
type Rule struct {
	ID               string  `json:"id"`
	Name             string  `json:"name,omitempty"`
	ShortDescription Message `json:"shortDescription"`
	FullDescription  Message `json:"fullDescription,omitzero"`
	Help             Message `json:"help,omitzero"`
	HelpURI          string  `json:"helpUri,omitempty"`
	DefaultConfig    Config  `json:"defaultConfiguration"`
}

// Config is a rule's default level.
type Config struct {
	Level string `json:"level"`
}

// Message is a plain-text message.
type Message struct {
	Text string `json:"text"`
}

// Result is one finding.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Message           `json:"message"`
	Locations           []Location        `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
}

// Location is where a finding is.
type Location struct {
	PhysicalLocation Physical `json:"physicalLocation"`
}

// Physical is a file and, when known, a line.
type Physical struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

// ArtifactLocation is a relative URI reference.
type ArtifactLocation struct {
	URI string `json:"uri"`
}

// Region is a line (1-based).
type Region struct {
	StartLine int `json:"startLine"`
}

// Level is the SARIF level of a sigaudit severity: mismatch is an error,
// gap a warning, anything else a note.
func Level(severity string) string {
	switch severity {
	case "mismatch":
		return "error"
	case "gap":
		return "warning"
	}
	return "note"
}

// New is a document of one run of sigaudit with these rules and results.
func New(driver Driver, results []Result) Log {
	if driver.Rules == nil {
		driver.Rules = []Rule{}
	}
	if results == nil {
		results = []Result{}
	}
	return Log{Schema: Schema, Version: Version, Runs: []Run{{Tool: Tool{Driver: driver}, Results: results}}}
}
