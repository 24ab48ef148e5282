package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"sort"
)

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
		out.Artifacts[i] = wireArtifact(a)
	}
	return marshalNoEscape(out)
}

// wireArtifact is a's wire form (a is not changed).
func wireArtifact(a Artifact) artifactJSON {
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
	return artifactJSON(a)
}

// Spill keeps the encoded artifacts of a JSONStream until the document is
// written: a temporary *os.File keeps memory flat in the number of
// artifacts.
type Spill interface {
	io.Writer
	io.ReaderAt
}

// JSONStream writes the JSON report of an audit whose artifacts arrive one
// at a time, byte for byte what Render(w, "json", rep) writes for the same
// artifacts sorted with rep.Sort(lineLess, versionLess). The document
// opens with the summary, so each artifact is encoded at once into the
// spill and only its sort key and the summary's counts stay in memory;
// WriteJSON then writes the opening, the artifacts in report order, and
// the closing.
type JSONStream struct {
	spill                 Spill
	off                   int64
	index                 []spilled
	sum                   *summer
	severities            map[string]bool
	errors                bool
	lineLess, versionLess func(a, b string) int
	enc, ind              bytes.Buffer
}

// spilled is one encoded artifact: its sort key and where it is.
type spilled struct {
	line, version, name string
	off                 int64
	n                   int
}

// NewJSONStream starts a report whose artifacts go to spill (kept in
// memory when spill is nil) and are ordered as Report.Sort orders them.
func NewJSONStream(spill Spill, lineLess, versionLess func(a, b string) int) *JSONStream {
	if spill == nil {
		spill = &memSpill{}
	}
	return &JSONStream{spill: spill, sum: newSummer(), severities: map[string]bool{}, lineLess: lineLess, versionLess: versionLess}
}

// artifactIndent is the indentation of an artifact in the document: an
// element of "artifacts", one level inside the top-level object.
const artifactIndent = "    "

// Add encodes one artifact into the spill and counts it. a is not
// changed (its findings are sorted in a copy, as Report.Sort sorts them).
func (s *JSONStream) Add(a Artifact) error {
	a.Findings = sortedFindings(a.Findings)
	s.sum.add(a)
	for _, f := range a.Findings {
		s.severities[f.Severity] = true
	}
	s.errors = s.errors || a.PGP.Status == StatusError || a.Sigstore.Status == StatusError
	s.enc.Reset()
	e := json.NewEncoder(&s.enc)
	e.SetEscapeHTML(false)
	if err := e.Encode(wireArtifact(a)); err != nil {
		return err
	}
	s.ind.Reset()
	s.ind.WriteString(artifactIndent)
	if err := json.Indent(&s.ind, bytes.TrimSuffix(s.enc.Bytes(), []byte("\n")), artifactIndent, "  "); err != nil {
		return err
	}
	n, err := s.spill.Write(s.ind.Bytes())
	if err != nil {
		return err
	}
	s.index = append(s.index, spilled{line: a.Line, version: a.Version, name: a.Name, off: s.off, n: n})
	s.off += int64(n)
	return nil
}

// Len is the number of artifacts added.
func (s *JSONStream) Len() int { return len(s.index) }

// Fails is Report.Fails over the artifacts added.
func (s *JSONStream) Fails(failOn map[string]bool) bool {
	for sev := range s.severities {
		if failOn[sev] {
			return true
		}
	}
	return false
}

// Errors is Report.Errors over the artifacts added.
func (s *JSONStream) Errors() bool { return s.errors }

// WriteJSON writes the whole document: schema, tool, time (omitted when
// empty), summary, then the artifacts in report order.
func (s *JSONStream) WriteJSON(w io.Writer, tool Tool, time string) error {
	sort.SliceStable(s.index, func(i, j int) bool {
		a, b := s.index[i], s.index[j]
		if c := s.lineLess(a.line, b.line); c != 0 {
			return c < 0
		}
		if c := s.versionLess(a.version, b.version); c != 0 {
			return c < 0
		}
		return a.name < b.name
	})
	sum := s.sum.result()
	s.orderLines(sum.Lines)
	var head bytes.Buffer
	if err := writeJSON(&head, reportJSON{Schema: Schema, Tool: tool, Time: time, Summary: sum, Artifacts: []artifactJSON{}}); err != nil {
		return err
	}
	const empty = "[]\n}\n"
	open := bytes.TrimSuffix(head.Bytes(), []byte(empty))
	if len(s.index) == 0 {
		_, err := w.Write(head.Bytes())
		return err
	}
	out := bufio.NewWriterSize(w, 64<<10)
	bw := &errWriter{w: out}
	bw.write(open)
	bw.write([]byte("[\n"))
	var buf []byte
	for i, e := range s.index {
		if i > 0 {
			bw.write([]byte(",\n"))
		}
		if cap(buf) < e.n {
			buf = make([]byte, e.n)
		}
		if _, err := s.spill.ReadAt(buf[:e.n], e.off); err != nil {
			return err
		}
		bw.write(buf[:e.n])
	}
	bw.write([]byte("\n  ]\n}\n"))
	if bw.err != nil {
		return bw.err
	}
	return out.Flush()
}

// orderLines puts the per-line summaries in the order a sorted report
// shows them: by first appearance among the sorted artifacts.
func (s *JSONStream) orderLines(lines []lineSummary) {
	first := map[string]int{}
	for i, e := range s.index {
		l := displayLine(e.line)
		if _, ok := first[l]; !ok {
			first[l] = i
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return first[lines[i].Line] < first[lines[j].Line] })
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

// memSpill is a Spill in memory.
type memSpill struct{ b []byte }

func (m *memSpill) Write(p []byte) (int, error) {
	m.b = append(m.b, p...)
	return len(p), nil
}

func (m *memSpill) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(m.b)) {
		return 0, io.EOF
	}
	n := copy(p, m.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
