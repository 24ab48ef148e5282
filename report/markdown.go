package report

import (
	"strings"
)

// The markdown format (CI step summaries, pull request comments). Every
// untrusted value (file names, versions, messages, identities) is written
// as a code span: CommonMark and GitHub never turn the inside of a code
// span into a link, an image, an autolink or HTML. Pipes are escaped for
// table cells, newlines and control bytes removed.

// mdCode writes s as an inline code span whose fence is longer than any
// run of backticks in s.
func mdCode(s string) string {
	s = cell(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdCell is mdCode for a table cell: pipes escaped (GitHub splits cells
// on "|" even inside code spans, and reads "\|" as a pipe there).
func mdCell(s string) string {
	return strings.ReplaceAll(mdCode(s), "|", `\|`)
}

// mdTable writes a GitHub table; cells must already be escaped. right
// marks right-aligned (numeric) columns.
func mdTable(b *strings.Builder, header []string, right []bool, rows [][]string) {
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i < len(right) && right[i] {
			b.WriteString("--:|")
		} else {
			b.WriteString(":--|")
		}
	}
	b.WriteByte('\n')
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
}

func renderMarkdown(r *Report, o Options) string {
	var b strings.Builder
	s := summarize(r)
	b.WriteString("## sigaudit\n\n")
	if h := toolLine(r.Tool); h != "" {
		b.WriteString(mdCode(h) + "\n\n")
	}
	writeSummaryMarkdown(&b, s, len(s.Groups))
	show := o.show()
	if show != "summary" {
		writeArtifactsMarkdown(&b, r, s, show == "all" || len(r.Artifacts) == 1)
		writeDetailsMarkdown(&b, r, s, show == "all")
	}
	b.WriteString("**" + s.verdict() + "**\n")
	return b.String()
}

// writeSummaryMarkdown writes the per-line table, the absent classes and
// the first maxGroups finding groups.
func writeSummaryMarkdown(b *strings.Builder, s summary, maxGroups int) {
	b.WriteString("### Release lines\n\n")
	var rows [][]string
	for _, l := range s.Lines {
		rows = append(rows, []string{mdCell(l.Line), thousands(l.Artifacts), thousands(l.PGPVerified), thousands(l.SigstoreVerified),
			thousands(l.Gaps), thousands(l.Mismatches), thousands(l.Notes)})
	}
	mdTable(b, []string{"Line", "Artifacts", "PGP verified", "Sigstore verified", "Gaps", "Mismatches", "Notes"},
		[]bool{false, true, true, true, true, true, true}, rows)
	b.WriteByte('\n')
	for _, c := range s.Absent {
		b.WriteString("> " + s.absentText(c) + "\n\n")
	}
	if len(s.Groups) == 0 {
		return
	}
	b.WriteString("### Findings\n\n")
	rows = nil
	for i, g := range s.Groups {
		if i == maxGroups {
			rows = append(rows, []string{"…", "", "", thousands(len(s.Groups)-maxGroups) + " more groups", "", ""})
			break
		}
		rows = append(rows, []string{"`" + g.Code + "`", g.Severity, mdCell(g.Kind), mdCell(g.versionRange()), thousands(g.Files), codeRemedy(g.Code)})
	}
	mdTable(b, []string{"Finding", "Severity", "Kind", "Versions", "Files", "What to do"}, []bool{false, false, false, false, true, false}, rows)
	b.WriteByte('\n')
}

func writeArtifactsMarkdown(b *strings.Builder, r *Report, s summary, all bool) {
	var rows [][]string
	for _, a := range r.Artifacts {
		var codes []string
		for _, f := range a.Findings {
			if !s.suppressed(f) {
				codes = append(codes, f.Severity+":"+f.Code)
			}
		}
		if len(codes) == 0 && !all {
			continue
		}
		fs := "ok"
		if len(codes) > 0 {
			fs = mdCell(strings.Join(codes, " "))
		}
		rows = append(rows, []string{mdCell(a.Name), mdCell(a.Version), mdCell(a.Kind), expectedText(a.Expected),
			mdCell(methodText(a.PGP, true)), mdCell(methodText(a.Sigstore, true)), fs})
	}
	if len(rows) == 0 {
		return
	}
	if all {
		b.WriteString("### Artifacts\n\n")
	} else {
		b.WriteString("### Artifacts with findings\n\n")
	}
	mdTable(b, []string{"Artifact", "Version", "Kind", "Expected", "PGP", "Sigstore", "Findings"}, nil, rows)
	b.WriteByte('\n')
}

func writeDetailsMarkdown(b *strings.Builder, r *Report, s summary, all bool) {
	started := false
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if s.suppressed(f) || (f.Severity == Note && !all) {
				continue
			}
			if !started {
				b.WriteString("### Details\n\n")
				started = true
			}
			b.WriteString("- **" + f.Severity + "** " + mdCode(a.Name) + " `" + f.Code + "`: " + mdCode(f.Message) + "\n")
		}
	}
	if started {
		b.WriteByte('\n')
	}
}

// StepSummaryLimit is GitHub's limit for one step summary, which
// StepSummary stays under.
const stepSummaryLimit = 64 << 10

// StepSummary is the grouped Markdown summary (per line, per finding
// group, the artifacts with findings while they fit, the verdict) to
// append to $GITHUB_STEP_SUMMARY: at most 64 KiB, finding groups cut with
// a "more groups" row when needed.
func StepSummary(rep *Report) []byte {
	s := summarize(rep)
	groups := len(s.Groups)
	artifacts := true
	for {
		var b strings.Builder
		b.WriteString("## sigaudit\n\n")
		if h := toolLine(rep.Tool); h != "" {
			b.WriteString(mdCode(h) + "\n\n")
		}
		writeSummaryMarkdown(&b, s, groups)
		if artifacts {
			// The artifacts with findings (the one artifact of a verify),
			// while they fit.
			writeArtifactsMarkdown(&b, rep, s, len(rep.Artifacts) == 1)
		}
		b.WriteString("**" + s.verdict() + "**\n")
		if b.Len() <= stepSummaryLimit {
			return []byte(b.String())
		}
		switch {
		case artifacts:
			artifacts = false
		case groups > 1:
			groups /= 2
		case len(s.Lines) > 1:
			s.Lines = s.Lines[:len(s.Lines)/2]
		default:
			return []byte(strings.ToValidUTF8(b.String()[:stepSummaryLimit], ""))
		}
	}
}
