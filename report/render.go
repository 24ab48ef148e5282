package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Options say how a human format is laid out. The command line fills
// them from --show, --wide, the terminal width and NO_COLOR.
type Options struct {
	// Show is "findings" (the default: summary, then the artifacts that
	// have findings), "all" (every artifact) or "summary" (only the
	// summary and the verdict).
	Show string
	// Wide prints full values (fingerprints, identities, issuers, names)
	// instead of fitting the width.
	Wide bool
	// Width is the terminal width tables fit in; 0 means 80.
	Width int
	// Color colours status and severity words (ANSI); the command line
	// sets it only for a terminal without NO_COLOR.
	Color bool
	// Plan, if set, is drawn as the timeline chart of the html format.
	Plan *Plan
}

func (o Options) width() int {
	if o.Width <= 0 {
		return 80
	}
	if o.Width < 40 {
		return 40
	}
	return o.Width
}

func (o Options) show() string {
	switch o.Show {
	case "all", "summary":
		return o.Show
	}
	return "findings"
}

// ShowValues are the values of Options.Show (--show).
var ShowValues = []string{"findings", "all", "summary"}

// Formats lists the renderers for reports.
var Formats = []string{"table", "json", "markdown", "sarif", "junit", "github", "html"}

// Render writes rep in format. It never changes rep.
func Render(w io.Writer, format string, rep *Report, opt Options) error {
	switch format {
	case "table":
		return writeString(w, renderTableReport(rep, opt))
	case "json":
		return writeJSON(w, rep)
	case "markdown":
		return writeString(w, renderMarkdown(rep, opt))
	case "sarif":
		return writeSARIF(w, rep)
	case "junit":
		return writeJUnit(w, rep)
	case "github":
		return writeString(w, renderGitHub(rep))
	case "html":
		return writeHTML(w, rep, opt.Plan)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

func writeString(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

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

// marshalNoEscape is json.Marshal without HTML escaping ("<" stays "<").
func marshalNoEscape(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// snake turns a key into snake_case ("sha256 flag" -> "sha256_flag").
func snake(k string) string {
	return strings.ToLower(strings.NewReplacer(" ", "_", "-", "_").Replace(k))
}
