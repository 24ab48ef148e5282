package report

import (
	"fmt"
	"io"
	"strings"
)

// PlanCommands are the verification commands for one line.
type PlanCommands struct {
	// Download fetches the artifact and its signatures from python.org
	// (pre-releases live in the X.Y.Z directory).
	Download string `json:"download,omitempty"`
	Sigaudit string `json:"sigaudit"`
	Cosign   string `json:"cosign,omitempty"` // only where Sigstore is guaranteed
	GPG      string `json:"gpg,omitempty"`    // only while PGP lasts
}

// PlanRow is what a packager shipping one line must pin.
type PlanRow struct {
	Line            string       `json:"line"`
	Version         string       `json:"version,omitempty"`
	Manager         string       `json:"manager"`
	Methods         string       `json:"methods"`
	PGPUntil        string       `json:"pgp_until"` // end of life, or "never"
	PGPFingerprints []string     `json:"pgp_fingerprints"`
	Identity        string       `json:"identity"`
	Issuer          string       `json:"issuer"`
	EndOfLife       string       `json:"end_of_life"`
	PastEndOfLife   bool         `json:"past_end_of_life"`
	Commands        PlanCommands `json:"commands"`
	// For the timeline chart (filled by the command line from the
	// timeline; empty when unknown):
	// FirstStable is the line's first stable release date (YYYY-MM-DD or
	// YYYY-MM).
	FirstStable string `json:"first_stable,omitempty"`
	// SigstoreFrom is the first version of the line python.org signed with
	// Sigstore (source tarballs), SigstoreSince its release date.
	SigstoreFrom  string `json:"sigstore_from,omitempty"`
	SigstoreSince string `json:"sigstore_since,omitempty"`
	// Planned lines have no stable release yet.
	Planned bool `json:"planned,omitempty"`
	// Kinds are the installers the packager ships besides the source
	// tarball (plan --kind), each with its own signer.
	Kinds []PlanKind `json:"kinds,omitempty"`
}

// PlanKind is what verifies one kind of artifact of a line.
type PlanKind struct {
	Kind            string       `json:"kind"`
	Methods         string       `json:"methods"`
	PGPSigner       string       `json:"pgp_signer,omitempty"`
	PGPFingerprints []string     `json:"pgp_fingerprints"`
	Identity        string       `json:"identity,omitempty"`
	Issuer          string       `json:"issuer,omitempty"`
	Commands        PlanCommands `json:"commands"`
}

// Plan is the output of `sigaudit plan`.
type Plan struct {
	Tool       Tool      `json:"tool"`
	At         string    `json:"at"`
	PGPDelayed bool      `json:"pgp_delayed"`
	Rows       []PlanRow `json:"lines"`
}

type planSummary struct {
	Lines         int `json:"lines"`
	PGPLines      int `json:"pgp_lines"`
	PastEndOfLife int `json:"past_end_of_life"`
}

// MarshalJSON writes the versioned document (schema, tool, summary first).
func (p Plan) MarshalJSON() ([]byte, error) {
	type rows []PlanRow
	out := struct {
		Schema     string      `json:"schema"`
		Tool       Tool        `json:"tool"`
		Summary    planSummary `json:"summary"`
		At         string      `json:"at"`
		PGPDelayed bool        `json:"pgp_delayed"`
		Rows       rows        `json:"lines"`
	}{Schema: Schema, Tool: p.Tool, At: p.At, PGPDelayed: p.PGPDelayed, Rows: make(rows, len(p.Rows))}
	for i, r := range p.Rows {
		if r.PGPFingerprints == nil {
			r.PGPFingerprints = []string{}
		}
		out.Rows[i] = r
		out.Summary.Lines++
		if r.PGPUntil != "never" && r.PGPUntil != "" {
			out.Summary.PGPLines++
		}
		if r.PastEndOfLife {
			out.Summary.PastEndOfLife++
		}
	}
	return marshalNoEscape(out)
}

// PlanFormats lists the renderers for plans.
var PlanFormats = []string{"table", "json", "markdown", "svg"}

// WritePlan renders p with the default options.
func WritePlan(w io.Writer, format string, p *Plan) error {
	return RenderPlan(w, format, p, Options{})
}

// RenderPlan renders p; it never changes p.
func RenderPlan(w io.Writer, format string, p *Plan, o Options) error {
	switch format {
	case "json":
		return writeJSON(w, p)
	case "svg":
		return planSVG(w, p, svgOptions{})
	case "table":
		return writeString(w, planText(p, o))
	case "markdown":
		return writeString(w, planMarkdown(p))
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(PlanFormats, ", "))
}

func (r PlanRow) release() string {
	if r.Version != "" {
		return r.Version
	}
	return r.Line
}

func (r PlanRow) commands() []string {
	var cmds []string
	for _, pc := range append([]PlanCommands{r.Commands}, kindCommands(r.Kinds)...) {
		for _, c := range []string{pc.Download, pc.Sigaudit, pc.Cosign, pc.GPG} {
			if c != "" {
				cmds = append(cmds, c)
			}
		}
	}
	return cmds
}

func kindCommands(kinds []PlanKind) []PlanCommands {
	var out []PlanCommands
	for _, k := range kinds {
		out = append(out, k.Commands)
	}
	return out
}

func planText(p *Plan, o Options) string {
	var b strings.Builder
	var t textTable
	past := false
	if o.Wide {
		t.cols = []col{{head: "Line"}, {head: "Version"}, {head: "Manager"}, {head: "Methods"}, {head: "PGP until"}, {head: "PGP key"}, {head: "Sigstore identity"}, {head: "Issuer"}, {head: "Past EOL"}}
		for _, r := range p.Rows {
			eol := "no"
			if r.PastEndOfLife {
				eol = "yes (" + r.EndOfLife + ")"
			}
			t.add(r.Line, r.Version, r.Manager, r.Methods, r.PGPUntil, keys(r.PGPFingerprints, true), r.Identity, r.Issuer, eol)
		}
	} else {
		// The PGP key is in the gpg command below (in full).
		t.cols = []col{{head: "Release"}, {head: "Manager", flex: true, person: true}, {head: "PGP until"}, {head: "Sigstore identity", short: "Sigstore", flex: true}, {head: "Issuer"}, {head: "End of life"}}
		for _, r := range p.Rows {
			eol := r.EndOfLife
			if r.PastEndOfLife {
				eol += "*"
				past = true
			}
			t.add(r.release(), r.Manager, r.PGPUntil, shortIdentity(r.Identity), shortIssuer(r.Issuer), eol)
		}
	}
	t.render(&b, o)
	if past {
		b.WriteString("* past end of life on " + cell(p.At) + "\n")
	}
	b.WriteByte('\n')
	w := o.width()
	if o.Wide {
		w = 0
	}
	for _, r := range p.Rows {
		b.WriteString(cell(r.release()) + ":\n")
		for _, c := range r.commands() {
			for _, l := range shellWrap(cell(c), w, "  ", "      ") {
				b.WriteString(l + "\n")
			}
		}
	}
	return b.String()
}

// shellWrap breaks a shell command into lines of at most w columns joined
// by backslash-newline, so it can still be pasted.
func shellWrap(cmd string, w int, first, indent string) []string {
	if w <= 0 || width(first+cmd) <= w {
		return []string{first + cmd}
	}
	words := strings.Fields(cmd)
	var lines []string
	cur := first
	empty := true
	for _, word := range words {
		if !empty && width(cur)+1+width(word)+2 > w {
			lines = append(lines, cur+" \\")
			cur, empty = indent, true
		}
		if !empty {
			cur += " "
		}
		cur += word
		empty = false
	}
	return append(lines, cur)
}

func planMarkdown(p *Plan) string {
	var b strings.Builder
	b.WriteString("## PEP 761 verification plan (at " + mdCode(p.At) + ")\n\n")
	var rows [][]string
	for _, r := range p.Rows {
		past := "no"
		if r.PastEndOfLife {
			past = "yes (" + r.EndOfLife + ")"
		}
		rows = append(rows, []string{mdCell(r.Line), mdCell(r.Version), mdCell(r.Manager), mdCell(r.Methods), mdCell(r.PGPUntil),
			mdCell(keys(r.PGPFingerprints, true)), mdCell(r.Identity), mdCell(r.Issuer), mdCell(past)})
	}
	mdTable(&b, []string{"Line", "Version", "Manager", "Methods", "PGP until", "PGP key", "Sigstore identity", "Issuer", "Past EOL"}, nil, rows)
	b.WriteString("\n### Commands\n\n")
	for _, r := range p.Rows {
		cmds := r.commands()
		for i := range cmds {
			cmds[i] = cell(cmds[i])
		}
		fence := "```"
		for strings.Contains(strings.Join(cmds, "\n"), fence) {
			fence += "`"
		}
		b.WriteString(mdCode(r.release()) + ":\n\n" + fence + "sh\n" + strings.Join(cmds, "\n") + "\n" + fence + "\n\n")
	}
	return b.String()
}
