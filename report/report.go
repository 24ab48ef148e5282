// Package report is sigaudit's single result model and its renderers: one
// function per output format, each a pure function of the model. Nothing
// else in sigaudit formats output.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Severities of findings.
const (
	Gap      = "gap"      // a guaranteed method is missing
	Mismatch = "mismatch" // a signature is invalid, by the wrong signer, or digests disagree
	Note     = "note"     // worth knowing, not a failure by default
)

// Statuses that the audit adds to those of the pgp and sigstore packages.
const (
	StatusMissing     = "missing"      // guaranteed but absent
	StatusNotExpected = "not-expected" // not guaranteed and absent
	StatusNotChecked  = "not-checked"  // present but not verified (e.g. --digest-only for PGP)
	StatusVerified    = "verified"
	// StatusError: the artifact or a signature exists but could not be
	// read (permissions, a read error): an operational error, no verdict.
	StatusError = "error"
)

// Finding is one gap, mismatch or note about an artifact.
type Finding struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// Method is the verdict on one signature method for one artifact.
type Method struct {
	Status      string `json:"status"`
	File        string `json:"file,omitempty"`
	Signer      string `json:"signer,omitempty"`      // PGP: manager name, if known
	Fingerprint string `json:"fingerprint,omitempty"` // PGP: signing (primary) key fingerprint
	KeyID       string `json:"key_id,omitempty"`
	Created     string `json:"created,omitempty"` // PGP signature creation / Sigstore signing time (RFC 3339)
	Hash        string `json:"hash,omitempty"`
	Identity    string `json:"identity,omitempty"` // Sigstore certificate SAN
	Issuer      string `json:"issuer,omitempty"`
	MediaType   string `json:"media_type,omitempty"`
	TimeProof   string `json:"time_proof,omitempty"` // tlog, rfc3161, none
	LogIndex    *int64 `json:"log_index,omitempty"`
	Digest      string `json:"digest,omitempty"` // sha256 the bundle signs, hex
	Reason      string `json:"reason,omitempty"`
}

// Expected says which methods PEP 761 and the timeline guarantee.
type Expected struct {
	PGP      bool `json:"pgp"`
	Sigstore bool `json:"sigstore"`
}

// Artifact is the audit of one release file.
type Artifact struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Line    string `json:"line"`
	Kind    string `json:"kind"`
	SHA256  string `json:"sha256,omitempty"`
	// Digests holds every SHA-256 known for the artifact, by source:
	// artifact (computed), bundle, sbom, api, "sha256 flag".
	Digests  map[string]string `json:"digests,omitempty"`
	Expected Expected          `json:"expected"`
	PGP      Method            `json:"pgp"`
	Sigstore Method            `json:"sigstore"`
	Findings []Finding         `json:"findings"`
}

// Report is the result of verify or audit.
type Report struct {
	Artifacts []Artifact `json:"artifacts"`
}

// Worst returns the most severe finding severity present, "" if none.
func (r *Report) Worst() string {
	worst := ""
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if rank(f.Severity) > rank(worst) {
				worst = f.Severity
			}
		}
	}
	return worst
}

// Fails reports whether any finding has one of the severities in failOn
// (the command line turns --fail-on into that set).
func (r *Report) Fails(failOn map[string]bool) bool {
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if failOn[f.Severity] {
				return true
			}
		}
	}
	return false
}

// Errors reports whether an operational error kept a verdict from being
// reached (a method with status "error"): the command then exits 1.
func (r *Report) Errors() bool {
	for _, a := range r.Artifacts {
		if a.PGP.Status == StatusError || a.Sigstore.Status == StatusError {
			return true
		}
	}
	return false
}

func rank(sev string) int {
	switch sev {
	case Note:
		return 1
	case Gap:
		return 2
	case Mismatch:
		return 3
	}
	return 0
}

// Sort orders artifacts by line, version, then name, and findings by
// severity then code, so output is stable whatever order work finished in.
func (r *Report) Sort(lineLess func(a, b string) int, versionLess func(a, b string) int) {
	sort.SliceStable(r.Artifacts, func(i, j int) bool {
		a, b := r.Artifacts[i], r.Artifacts[j]
		if c := lineLess(a.Line, b.Line); c != 0 {
			return c < 0
		}
		if c := versionLess(a.Version, b.Version); c != 0 {
			return c < 0
		}
		return a.Name < b.Name
	})
	for i := range r.Artifacts {
		fs := r.Artifacts[i].Findings
		sort.SliceStable(fs, func(i, j int) bool {
			if rank(fs[i].Severity) != rank(fs[j].Severity) {
				return rank(fs[i].Severity) > rank(fs[j].Severity)
			}
			return fs[i].Code < fs[j].Code
		})
	}
}

// Formats lists the renderers for reports.
var Formats = []string{"table", "json", "markdown", "sarif", "junit"}

// Write renders r in format.
func Write(w io.Writer, format string, r *Report) error {
	if r.Artifacts == nil {
		r.Artifacts = []Artifact{}
	}
	for i := range r.Artifacts {
		if r.Artifacts[i].Findings == nil {
			r.Artifacts[i].Findings = []Finding{}
		}
	}
	switch format {
	case "table":
		return writeTable(w, r)
	case "json":
		return writeJSON(w, r)
	case "markdown":
		return writeMarkdown(w, r)
	case "sarif":
		return writeSARIF(w, r)
	case "junit":
		return writeJUnit(w, r)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// newTable is the one table style sigaudit uses: plain ASCII, no colour,
// header as typed, no wrapping (paths and identities stay whole).
func newTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleASCII),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.On},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
}

func newMarkdownTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
}

// trimWriter strips tablewriter's trailing padding from each line so output
// is stable and diff-friendly.
type trimWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (t *trimWriter) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	for {
		i := strings.IndexByte(string(t.buf), '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(t.buf[:i]), " ")
		if _, err := io.WriteString(t.w, line+"\n"); err != nil && t.err == nil {
			t.err = err
		}
		t.buf = t.buf[i+1:]
	}
	return len(p), t.err
}

func (t *trimWriter) Close() error {
	if len(t.buf) > 0 {
		if _, err := io.WriteString(t.w, strings.TrimRight(string(t.buf), " ")); err != nil && t.err == nil {
			t.err = err
		}
		t.buf = nil
	}
	return t.err
}

func renderTable(w io.Writer, md bool, header []string, rows [][]string) error {
	tw := &trimWriter{w: w}
	var t *tablewriter.Table
	if md {
		t = newMarkdownTable(tw)
	} else {
		t = newTable(tw)
	}
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	return tw.Close()
}

// OneLine keeps text on one line and free of terminal control bytes that
// hostile file names or server answers could carry: newlines and tabs
// become spaces, other control bytes '?'.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func cell(s string) string { return OneLine(s) }
