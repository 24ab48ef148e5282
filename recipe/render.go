package recipe

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/sigaudit/sigaudit/internal/sarif"
	"github.com/sigaudit/sigaudit/report"
)

// Schema names the JSON shape of `sigaudit lint --format json`.
const Schema = "sigaudit-lint/1"

// Result is the JSON document `sigaudit lint` writes.
type Result struct {
	Schema  string    `json:"schema"`
	Recipes []*Recipe `json:"recipes"`
}

// RenderFormats lists the formats Write renders.
var RenderFormats = []string{"table", "json", "sarif", "markdown", "github"}

// Worst returns the most severe finding severity, "" if none.
func Worst(rs []*Recipe) string {
	worst := ""
	for _, r := range rs {
		for _, f := range r.Findings {
			if rank(f.Severity) > rank(worst) {
				worst = f.Severity
			}
		}
	}
	return worst
}

// Fails reports whether any finding has a severity in failOn.
func Fails(rs []*Recipe, failOn map[string]bool) bool {
	for _, r := range rs {
		for _, f := range r.Findings {
			if failOn[f.Severity] {
				return true
			}
		}
	}
	return false
}

// Write renders lint results in format.
func Write(w io.Writer, format string, rs []*Recipe) error {
	for _, r := range rs {
		if r.Pins == nil {
			r.Pins = []Artifact{}
		}
		if r.Findings == nil {
			r.Findings = []Finding{}
		}
	}
	if rs == nil {
		rs = []*Recipe{}
	}
	switch format {
	case "table":
		return writeTable(w, rs)
	case "json":
		return writeJSON(w, Result{Schema: Schema, Recipes: rs})
	case "sarif":
		return writeSARIF(w, rs)
	case "markdown":
		return writeMarkdown(w, rs)
	case "github":
		return writeGitHub(w, rs)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(RenderFormats, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// wrap breaks s into lines of at most width columns (runes), indenting
// continuation lines by indent.
func wrap(s string, width int, indent string) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		for len([]rune(word)) > width-len(indent) {
			r := []rune(word)
			if line != "" {
				out = append(out, line)
				line = ""
			}
			cut := width - len(indent)
			out = append(out, indent+string(r[:cut]))
			word = string(r[cut:])
		}
		switch {
		case line == "":
			line = indent + word
		case len([]rune(line))+1+len([]rune(word)) > width:
			out = append(out, line)
			line = indent + word
		default:
			line += " " + word
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// writeTable writes, per recipe, its pins and findings, at most 80
// columns wide.
func writeTable(w io.Writer, rs []*Recipe) error {
	var b strings.Builder
	var gaps, mismatches, notes, errs int
	for i, r := range rs {
		if i > 0 {
			b.WriteString("\n")
		}
		head := report.OneLine(r.File)
		if r.Format != "" {
			head += " (" + string(r.Format) + ")"
		}
		for _, l := range wrap(head, 80, "") {
			b.WriteString(l + "\n")
		}
		if r.Error != "" {
			errs++
			for _, l := range wrap("error: "+report.OneLine(r.Error), 80, "  ") {
				b.WriteString(l + "\n")
			}
		}
		for _, p := range r.Pins {
			ver := p.Version
			if ver == "" {
				ver = "(computed)"
			}
			sum := "no checksum"
			switch {
			case p.SHA256 != "":
				sum = "sha256 " + short(p.SHA256)
			case len(p.Checksums) > 0 && p.Checksums[0].Ref != "":
				sum = p.Checksums[0].Algorithm + " from " + report.OneLine(p.Checksums[0].Ref)
			case len(p.Checksums) > 0:
				sum = p.Checksums[0].Algorithm + " " + short(p.Checksums[0].Hex)
			}
			line := fmt.Sprintf("%d: %s %s, %s", p.Line, ver, report.OneLine(p.Artifact), sum)
			for k, l := range wrap(line, 80, "      ") {
				if k == 0 {
					l = "  " + strings.TrimLeft(l, " ")
				}
				b.WriteString(l + "\n")
			}
		}
		for _, f := range r.Findings {
			switch f.Severity {
			case report.Gap:
				gaps++
			case report.Mismatch:
				mismatches++
			default:
				notes++
			}
			first := fmt.Sprintf("  %d: %s %s:", f.Line, f.Severity, f.Code)
			for k, l := range wrap(first+" "+report.OneLine(f.Message), 80, "      ") {
				if k == 0 {
					l = "  " + strings.TrimLeft(l, " ")
				}
				b.WriteString(l + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "\n%d recipes: %d mismatches, %d gaps, %d notes, %d errors\n", len(rs), mismatches, gaps, notes, errs)
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps untrusted text from rendering as Markdown (links,
// images, emphasis, tables, HTML).
func mdEscape(s string) string {
	s = report.OneLine(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+-.!|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func writeMarkdown(w io.Writer, rs []*Recipe) error {
	var b strings.Builder
	b.WriteString("## sigaudit lint\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "\n### %s (%s)\n\n", mdEscape(r.File), mdEscape(string(r.Format)))
		if r.Error != "" {
			fmt.Fprintf(&b, "- **error**: %s\n", mdEscape(r.Error))
		}
		if len(r.Pins) > 0 {
			b.WriteString("| line | version | artifact | sha256 |\n|---|---|---|---|\n")
			for _, p := range r.Pins {
				fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", p.Line, mdEscape(p.Version), mdEscape(p.Artifact), mdEscape(p.SHA256))
			}
			b.WriteString("\n")
		}
		if len(r.Findings) == 0 && r.Error == "" {
			b.WriteString("No findings.\n")
		}
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "- line %d **%s** `%s`: %s\n", f.Line, f.Severity, f.Code, mdEscape(f.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghEscape escapes a GitHub workflow command's data; ghProp a property.
func ghEscape(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeGitHub writes GitHub Actions workflow commands that annotate the
// recipe's lines in a pull request.
func writeGitHub(w io.Writer, rs []*Recipe) error {
	var b strings.Builder
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(&b, "::error file=%s,title=%s::%s\n", ghProp(r.File), ghProp("sigaudit lint"), ghEscape(r.Error))
		}
		for _, f := range r.Findings {
			level := "notice"
			switch f.Severity {
			case report.Mismatch:
				level = "error"
			case report.Gap:
				level = "warning"
			}
			line := f.Line
			if line < 1 {
				line = 1
			}
			fmt.Fprintf(&b, "::%s file=%s,line=%d,title=%s::%s\n", level, ghProp(r.File), line, ghProp("sigaudit "+f.Code), ghEscape(f.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// SARIF 2.1.0 (internal/sarif's types, shared with the audit reports),
// as GitHub code scanning reads it, pointing at the recipe's file and
// line; GitHub computes the fingerprints itself from the line.

// sarifURI turns a path as given into a relative URI reference.
func sarifURI(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	p = strings.TrimPrefix(p, "./")
	var b strings.Builder
	for _, r := range p {
		switch {
		case r == '%' || r == ' ' || r == '#' || r == '?' || r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "%%%02X", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func writeSARIF(w io.Writer, rs []*Recipe) error {
	rules := map[string]sarif.Rule{}
	type pending struct {
		res  sarif.Result
		rule string
	}
	var found []pending
	for _, r := range rs {
		if r.Error != "" {
			found = append(found, pending{sarif.Result{RuleID: "recipe-error", Level: "error", Message: sarif.Message{Text: report.OneLine(r.Error)},
				Locations: []sarif.Location{{PhysicalLocation: sarif.Physical{ArtifactLocation: sarif.ArtifactLocation{URI: sarifURI(r.File)}}}}}, "recipe-error"})
			rules["recipe-error"] = sarif.Rule{ID: "recipe-error", ShortDescription: sarif.Message{Text: "the file could not be read or holds nothing to check"}, DefaultConfig: sarif.Config{Level: "error"}}
		}
		for _, f := range r.Findings {
			if _, ok := rules[f.Code]; !ok {
				rules[f.Code] = sarif.Rule{ID: f.Code, ShortDescription: sarif.Message{Text: codeDescription(f.Code)}, DefaultConfig: sarif.Config{Level: sarif.Level(f.Severity)}}
			}
			loc := sarif.Physical{ArtifactLocation: sarif.ArtifactLocation{URI: sarifURI(r.File)}}
			if f.Line > 0 {
				loc.Region = &sarif.Region{StartLine: f.Line}
			}
			found = append(found, pending{sarif.Result{RuleID: f.Code, Level: sarif.Level(f.Severity), Message: sarif.Message{Text: report.OneLine(f.Message)}, Locations: []sarif.Location{{PhysicalLocation: loc}}}, f.Code})
		}
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	driver := sarif.Driver{Name: "sigaudit", InformationURI: "https://peps.python.org/pep-0761/"}
	index := map[string]int{}
	for i, id := range ids {
		index[id] = i
		driver.Rules = append(driver.Rules, rules[id])
	}
	var results []sarif.Result
	for _, p := range found {
		p.res.RuleIndex = index[p.rule]
		results = append(results, p.res)
	}
	return writeJSON(w, sarif.New(driver, results))
}
