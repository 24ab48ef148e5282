package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"sort"

	"github.com/sigaudit/sigaudit/internal/sarif"
)

// SARIF 2.1.0 (the types are internal/sarif's, shared with lint's
// renderer), with what GitHub code scanning needs to track alerts between
// runs: driver.version, one rule per finding code with full descriptions
// and helpUri, a region, and partialFingerprints that stay the same for
// the same rule, version and artifact.

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
				level[f.Code] = sarif.Level(f.Severity)
				ids = append(ids, f.Code)
			}
		}
	}
	sort.Strings(ids)
	index := map[string]int{}
	driver := sarif.Driver{Name: "sigaudit", Version: cell(toolVersion(r.Tool)), InformationURI: "https://peps.python.org/pep-0761/"}
	for i, id := range ids {
		index[id] = i
		driver.Rules = append(driver.Rules, sarif.Rule{
			ID: id, Name: id,
			ShortDescription: sarif.Message{Text: codeDescription(id)},
			FullDescription:  sarif.Message{Text: codeDescription(id) + ". What to do: " + codeRemedy(id)},
			Help:             sarif.Message{Text: codeRemedy(id)},
			HelpURI:          helpURI(id),
			DefaultConfig:    sarif.Config{Level: level[id]},
		})
	}
	var results []sarif.Result
	for _, a := range r.Artifacts {
		uri := (&url.URL{Path: cell(artifactPath(a))}).EscapedPath()
		for _, f := range a.Findings {
			results = append(results, sarif.Result{
				RuleID: f.Code, RuleIndex: index[f.Code], Level: sarif.Level(f.Severity),
				Message: sarif.Message{Text: cell(a.Name) + ": " + cell(f.Message)},
				Locations: []sarif.Location{{PhysicalLocation: sarif.Physical{
					ArtifactLocation: sarif.ArtifactLocation{URI: uri}, Region: &sarif.Region{StartLine: 1},
				}}},
				PartialFingerprints: map[string]string{"sigaudit/v1": fingerprint(f.Code, a)},
			})
		}
	}
	return writeJSON(w, sarif.New(driver, results))
}
