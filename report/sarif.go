package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"sort"
)

// SARIF 2.1.0, with what GitHub code scanning needs to track alerts
// between runs: driver.version, one rule per finding code with full
// descriptions and helpUri, a region, and partialFingerprints that stay
// the same for the same rule, version and artifact.
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
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	Name             string       `json:"name"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	Help             sarifMessage `json:"help"`
	HelpURI          string       `json:"helpUri"`
	DefaultConfig    sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           sarifRegion      `json:"region"`
}

type sarifArtifactLoc struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
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

// artifactPath is where an artifact lives in a python.org-like tree:
// VERSION/NAME (the name alone when the version is unknown).
func artifactPath(a Artifact) string {
	if a.Version == "" {
		return a.Name
	}
	return a.Version + "/" + a.Name
}

// fingerprint identifies one finding across runs: rule, version and
// artifact, never the message (which may carry digests that change).
func fingerprint(code string, a Artifact) string {
	h := sha256.Sum256([]byte(code + "\x00" + a.Version + "\x00" + a.Name))
	return hex.EncodeToString(h[:16])
}

func toolVersion(t Tool) string {
	if t.Version == "" {
		return "devel"
	}
	return t.Version
}

func writeSARIF(w io.Writer, r *Report) error {
	level := map[string]string{}
	var ids []string
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if _, ok := level[f.Code]; !ok {
				level[f.Code] = sarifLevel(f.Severity)
				ids = append(ids, f.Code)
			}
		}
	}
	sort.Strings(ids)
	index := map[string]int{}
	driver := sarifDriver{Name: "sigaudit", Version: cell(toolVersion(r.Tool)), InformationURI: "https://peps.python.org/pep-0761/", Rules: []sarifRule{}}
	for i, id := range ids {
		index[id] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: id, Name: id,
			ShortDescription: sarifMessage{Text: codeDescription(id)},
			FullDescription:  sarifMessage{Text: codeDescription(id) + ". What to do: " + codeRemedy(id)},
			Help:             sarifMessage{Text: codeRemedy(id)},
			HelpURI:          helpURI(id),
			DefaultConfig:    sarifConfig{Level: level[id]},
		})
	}
	results := []sarifResult{}
	for _, a := range r.Artifacts {
		uri := (&url.URL{Path: cell(artifactPath(a))}).EscapedPath()
		for _, f := range a.Findings {
			results = append(results, sarifResult{
				RuleID: f.Code, RuleIndex: index[f.Code], Level: sarifLevel(f.Severity),
				Message: sarifMessage{Text: cell(a.Name) + ": " + cell(f.Message)},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifactLoc{URI: uri}, Region: sarifRegion{StartLine: 1},
				}}},
				PartialFingerprints: map[string]string{"sigaudit/v1": fingerprint(f.Code, a)},
			})
		}
	}
	return writeJSON(w, sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	})
}
