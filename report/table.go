package report

import (
	"strconv"
	"strings"
)

// The table format of audit and verify: summary first (one row per
// release line, one per finding group with what to do), then the
// artifacts with findings (or all, or none, per Options.Show), the
// details of gaps and mismatches, and the one-line verdict last.

func renderTableReport(r *Report, o Options) string {
	var b strings.Builder
	s := summarize(r)
	show := o.show()
	if h := toolLine(r.Tool); h != "" {
		b.WriteString(h + "\n\n")
	}
	if len(r.Artifacts) > 1 || show == "summary" {
		writeSummaryText(&b, s, o)
	}
	switch {
	case show == "summary":
	case len(r.Artifacts) == 1:
		// One artifact (verify): its row, who signed, every finding.
		writeArtifactTable(&b, r, o, true)
		writeSignatures(&b, r.Artifacts[0], o)
		for _, f := range r.Artifacts[0].Findings {
			paragraph(&b, o, f.Severity+" "+f.Code+": "+f.Message, "  ", "      ")
		}
		if len(r.Artifacts[0].Findings) > 0 {
			b.WriteByte('\n')
		}
	default:
		if show == "all" {
			writeArtifactTable(&b, r, o, false)
		}
		writeFindingTable(&b, r, s, o, show == "all")
		writeDetails(&b, r, s, o, show == "all")
	}
	b.WriteString(s.verdict() + "\n")
	return b.String()
}

// toolLine names the tool and data behind a report, when the command line
// said.
func toolLine(t Tool) string {
	if t.Name == "" && t.Version == "" {
		return ""
	}
	name := t.Name
	if name == "" {
		name = "sigaudit"
	}
	parts := []string{cell(name + " " + t.Version)}
	if t.TimelineRevision != "" {
		parts = append(parts, "timeline "+cell(t.TimelineRevision))
	}
	if t.TrustedRootSHA256 != "" {
		parts = append(parts, "trusted root "+cell(shortHex(t.TrustedRootSHA256)))
	}
	return strings.Join(parts, ", ")
}

func shortHex(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

func writeSummaryText(b *strings.Builder, s summary, o Options) {
	lt := textTable{cols: []col{{head: "Line"}, {head: "Artifacts", short: "Files", right: true}, {head: "PGP verified", short: "PGP ok", right: true},
		{head: "Sigstore verified", short: "Sig. ok", right: true}, {head: "Gaps", right: true}, {head: "Mismatches", short: "Mism.", right: true}, {head: "Notes", right: true}}}
	for _, l := range s.Lines {
		lt.add(l.Line, thousands(l.Artifacts), thousands(l.PGPVerified), thousands(l.SigstoreVerified),
			thousands(l.Gaps), thousands(l.Mismatches), thousands(l.Notes))
	}
	lt.render(b, o)
	b.WriteByte('\n')
	for _, c := range s.Absent {
		paragraph(b, o, s.absentText(c), "", "")
		b.WriteByte('\n')
	}
	if len(s.Groups) == 0 {
		return
	}
	gt := textTable{cols: []col{{head: "Finding", flex: true}, {head: "Severity"}, {head: "Kind"}, {head: "Versions", flex: true}, {head: "Files", right: true}}}
	seen := map[string]bool{}
	for _, g := range s.Groups {
		row := trow{cells: []string{g.Code, g.Severity, g.Kind, g.versionRange(), thousands(g.Files)}}
		// What to do, once per code.
		if !seen[g.Code] {
			row.after = codeRemedy(g.Code)
			seen[g.Code] = true
		}
		gt.rows = append(gt.rows, row)
	}
	gt.render(b, o)
	b.WriteByte('\n')
}

func methodText(m Method, wide bool) string {
	s := m.Status
	if s == "" {
		s = "-"
	}
	if !wide {
		return s
	}
	who := ""
	switch {
	case m.Signer != "":
		who = m.Signer
	case m.Identity != "":
		who = m.Identity
	case m.Fingerprint != "":
		who = m.Fingerprint
	}
	if who != "" && (m.Status == StatusVerified || m.Status == "wrong-signer" || m.Status == "wrong-identity" || m.Status == "unknown-signer") {
		s += " (" + who + ")"
	}
	return s
}

func writeArtifactTable(b *strings.Builder, r *Report, o Options, expected bool) {
	t := textTable{cols: []col{{head: "Artifact", flex: true}, {head: "Version"}, {head: "Kind"}, {head: "PGP"}, {head: "Sigstore"}}}
	if o.Wide || expected {
		t.cols = append(t.cols, col{head: "Expected"})
	}
	for _, a := range r.Artifacts {
		row := []string{a.Name, a.Version, a.Kind, methodText(a.PGP, o.Wide), methodText(a.Sigstore, o.Wide)}
		if o.Wide || expected {
			row = append(row, expectedText(a.Expected))
		}
		t.add(row...)
	}
	t.render(b, o)
	b.WriteByte('\n')
}

func expectedText(e Expected) string {
	switch {
	case e.PGP && e.Sigstore:
		return "PGP+Sigstore"
	case e.Sigstore:
		return "Sigstore only"
	case e.PGP:
		return "PGP only"
	}
	return "none"
}

// writeFindingTable lists every finding not said once for the whole
// report, one row per finding, the artifact named on its first row.
func writeFindingTable(b *strings.Builder, r *Report, s summary, o Options, all bool) {
	t := textTable{cols: []col{{head: "Artifact", flex: true}, {head: "Version"}, {head: "Finding"}}}
	if o.Wide {
		t.cols = []col{{head: "Artifact"}, {head: "Version"}, {head: "Kind"}, {head: "PGP"}, {head: "Sigstore"}, {head: "Severity"}, {head: "Finding"}}
	}
	for _, a := range r.Artifacts {
		first := true
		for _, f := range a.Findings {
			if s.suppressed(f) {
				continue
			}
			name, ver, kind, pgp, sig := a.Name, a.Version, a.Kind, methodText(a.PGP, false), methodText(a.Sigstore, false)
			if !first {
				name, ver, kind, pgp, sig = "", "", "", "", ""
			}
			first = false
			if o.Wide {
				t.add(name, ver, kind, pgp, sig, f.Severity, f.Code)
			} else {
				t.add(name, ver, f.Code)
			}
		}
	}
	if len(t.rows) == 0 {
		return
	}
	t.render(b, o)
	b.WriteByte('\n')
}

// writeDetails gives the message of each gap and mismatch (and note, with
// all) not said once for the whole report.
func writeDetails(b *strings.Builder, r *Report, s summary, o Options, all bool) {
	started := false
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			// Without --show all, the groups say enough of notes and of
			// missing signatures (what to do is the same for each file).
			terse := !all && len(r.Artifacts) > 1 && (f.Severity == Note || f.Code == CodePGPMissing || f.Code == CodeSigstoreMissing)
			if s.suppressed(f) || terse {
				continue
			}
			if !started {
				b.WriteString("Details:\n")
				started = true
			}
			paragraph(b, o, a.Name+": "+f.Severity+" "+f.Code+": "+f.Message, "  ", "      ")
		}
	}
	if started {
		b.WriteByte('\n')
	}
}

// writeSignatures tells who signed one artifact, and when.
func writeSignatures(b *strings.Builder, a Artifact, o Options) {
	var lines []string
	if p := a.PGP; p.Status != "" && !absentStatus(p.Status) {
		parts := []string{p.Status}
		if p.Signer != "" {
			parts = append(parts, p.Signer)
		}
		if p.Fingerprint != "" {
			k := p.Fingerprint
			if !o.Wide {
				k = shortKey(k)
			}
			parts = append(parts, "key "+k)
		}
		if p.Hash != "" {
			parts = append(parts, p.Hash)
		}
		if p.Created != "" {
			parts = append(parts, "signed "+p.Created)
		}
		lines = append(lines, "  PGP:      \x00"+strings.Join(parts, ", "))
	}
	if m := a.Sigstore; m.Status != "" && !absentStatus(m.Status) {
		parts := []string{m.Status}
		if m.Identity != "" {
			id, iss := m.Identity, m.Issuer
			if !o.Wide {
				iss = shortIssuer(iss)
			}
			if iss != "" {
				id += " (" + iss + ")"
			}
			parts = append(parts, id)
		}
		if m.LogIndex != nil {
			parts = append(parts, "log index "+strconv.FormatInt(*m.LogIndex, 10))
		}
		if m.Created != "" {
			t := "signed " + m.Created
			if m.TimeProof != "" {
				t += " (" + m.TimeProof + ")"
			}
			parts = append(parts, t)
		}
		lines = append(lines, "  Sigstore: \x00"+strings.Join(parts, ", "))
	}
	if len(lines) == 0 {
		return
	}
	for _, l := range lines {
		head, text, _ := strings.Cut(l, "\x00")
		paragraph(b, o, text, head, "            ")
	}
	b.WriteByte('\n')
}
