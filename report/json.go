package report


// reportJSON is the wire form of a Report: schema, tool and summary first.
type reportJSON struct {
	Schema    string         `json:"schema"`
	Tool      Tool           `json:"tool"`
	Time      string         `json:"time,omitempty"`
	Summary   summary        `json:"summary"`
	Artifacts []artifactJSON `json:"artifacts"`
}

// artifactJSON has the snake_case digest keys and never-null findings.
type artifactJSON Artifact

// MarshalJSON writes the versioned document: "schema", "tool", "summary",
// then the artifacts (findings always an array, digest sources in
// snake_case).
func (r Report) MarshalJSON() ([]byte, error) {
	out := reportJSON{Schema: Schema, Tool: r.Tool, Time: r.Time, Summary: summarize(&r), Artifacts: make([]artifactJSON, len(r.Artifacts))}
	for i, a := range r.Artifacts {
		if a.Findings == nil {
			a.Findings = []Finding{}
		}
		if len(a.Digests) > 0 {
			d := make(map[string]string, len(a.Digests))
			for k, v := range a.Digests {
				d[snake(k)] = v
			}
			a.Digests = d
		}
		out.Artifacts[i] = artifactJSON(a)
	}
	return marshalNoEscape(out)
}

