package report

import (
	"fmt"
	"io"
	"strings"
)

// PolicyPGP is what a policy row says of PGP.
type PolicyPGP struct {
	Expected     bool     `json:"expected"`
	Until        string   `json:"until,omitempty"` // end of life of the guarantee
	Signer       string   `json:"signer,omitempty"`
	Fingerprints []string `json:"fingerprints"`
	Reason       string   `json:"reason"`
}

// PolicySigstore is what a policy row says of Sigstore.
type PolicySigstore struct {
	Expected bool   `json:"expected"`
	From     string `json:"from,omitempty"`
	// Since is the release date of From (YYYY-MM-DD), for the timeline
	// chart; empty when unknown.
	Since    string `json:"since,omitempty"`
	Identity string `json:"identity"`
	Issuer   string `json:"issuer"`
	Reason   string `json:"reason"`
}

// PolicyRow is one line (or one version) of `sigaudit policy`.
type PolicyRow struct {
	Line        string         `json:"line"`
	Version     string         `json:"version,omitempty"`
	Manager     string         `json:"manager"`
	PEP         int            `json:"pep,omitempty"`
	Methods     string         `json:"methods"`
	PGP         PolicyPGP      `json:"pgp"`
	Sigstore    PolicySigstore `json:"sigstore"`
	StableSince string         `json:"stable_since"`
	EndOfLife   string         `json:"end_of_life"`
	Planned     bool           `json:"planned,omitempty"`
}

// Policy is the output of `sigaudit policy`.
type Policy struct {
	Tool           Tool        `json:"tool"`
	PEP761Accepted string      `json:"pep761_accepted"`
	PGPDelayed     bool        `json:"pgp_delayed"`
	Rows           []PolicyRow `json:"lines"`
}

type policySummary struct {
	Lines         int `json:"lines"`
	PGPExpected   int `json:"pgp_expected"`
	SigstoreLines int `json:"sigstore_expected"`
}

// MarshalJSON writes the versioned document (schema, tool, summary first).
func (p Policy) MarshalJSON() ([]byte, error) {
	type rows []PolicyRow
	out := struct {
		Schema         string        `json:"schema"`
		Tool           Tool          `json:"tool"`
		Summary        policySummary `json:"summary"`
		PEP761Accepted string        `json:"pep761_accepted"`
		PGPDelayed     bool          `json:"pgp_delayed"`
		Rows           rows          `json:"lines"`
	}{Schema: Schema, Tool: p.Tool, PEP761Accepted: p.PEP761Accepted, PGPDelayed: p.PGPDelayed, Rows: make(rows, len(p.Rows))}
	for i, r := range p.Rows {
		if r.PGP.Fingerprints == nil {
			r.PGP.Fingerprints = []string{}
		}
		out.Rows[i] = r
		out.Summary.Lines++
		if r.PGP.Expected {
			out.Summary.PGPExpected++
		}
		if r.Sigstore.Expected {
			out.Summary.SigstoreLines++
		}
	}
	return marshalNoEscape(out)
}

// PolicyFormats lists the renderers for policy output.
var PolicyFormats = []string{"table", "json", "markdown", "svg"}

// WritePolicy renders p with the default options.
func WritePolicy(w io.Writer, format string, p *Policy) error {
	return RenderPolicy(w, format, p, Options{})
}

// RenderPolicy renders p; it never changes p.
func RenderPolicy(w io.Writer, format string, p *Policy, o Options) error {
	switch format {
	case "json":
		return writeJSON(w, p)
	case "svg":
		return planSVG(w, policyPlan(p), svgOptions{})
	case "table":
		var b strings.Builder
		t := policyTable(p, o)
		t.render(&b, o)
		if policyPlanned(p) && !o.Wide && !perVersion(p) {
			b.WriteString("* planned: the line has no stable release yet\n")
		}
		policyReasons(&b, p)
		return writeString(w, b.String())
	case "markdown":
		var b strings.Builder
		b.WriteString("## PEP 761 policy\n\n")
		header, rows := policyCells(p, true)
		for _, r := range rows {
			for i := range r {
				r[i] = mdCell(r[i])
			}
		}
		mdTable(&b, header, nil, rows)
		policyReasons(&b, p)
		return writeString(w, b.String())
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(PolicyFormats, ", "))
}

func perVersion(p *Policy) bool {
	for _, r := range p.Rows {
		if r.Version != "" {
			return true
		}
	}
	return false
}

func policyPlanned(p *Policy) bool {
	for _, r := range p.Rows {
		if r.Planned {
			return true
		}
	}
	return false
}

func pgpUntil(r PolicyRow) string {
	if !r.PGP.Expected {
		return "no"
	}
	if r.PGP.Until == "" {
		return "yes"
	}
	return r.PGP.Until
}

func keys(fprs []string, wide bool) string {
	if len(fprs) == 0 {
		return "-"
	}
	var out []string
	for _, f := range fprs {
		if !wide {
			f = shortKey(f)
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// policyCells are the full cells (markdown, --wide).
func policyCells(p *Policy, wide bool) ([]string, [][]string) {
	h := []string{"Line", "Manager", "PGP until", "PGP key", "Sigstore identity", "Issuer", "Stable since", "End of life"}
	if perVersion(p) {
		h = append([]string{"Version", "Methods"}, h...)
	}
	var rows [][]string
	for _, r := range p.Rows {
		stable := r.StableSince
		if r.Planned {
			stable += " (planned)"
		}
		row := []string{r.Line, r.Manager, pgpUntil(r), keys(r.PGP.Fingerprints, wide), r.Sigstore.Identity, r.Sigstore.Issuer, stable, r.EndOfLife}
		if perVersion(p) {
			row = append([]string{r.Version, r.Methods}, row...)
		}
		rows = append(rows, row)
	}
	return h, rows
}

// policyTable fits 80 columns unless o.Wide: short key ids, short
// identities and issuers; the line's dates are left to --wide.
func policyTable(p *Policy, o Options) textTable {
	if o.Wide {
		h, rows := policyCells(p, true)
		t := textTable{}
		for _, c := range h {
			t.cols = append(t.cols, col{head: c})
		}
		for _, r := range rows {
			t.add(r...)
		}
		return t
	}
	var t textTable
	if perVersion(p) {
		t.cols = []col{{head: "Version"}, {head: "Methods"}, {head: "PGP until"}, {head: "PGP key"}, {head: "Sigstore identity", short: "Sigstore", flex: true}, {head: "Issuer"}}
		for _, r := range p.Rows {
			t.add(r.Version, r.Methods, pgpUntil(r), keys(r.PGP.Fingerprints, false), shortIdentity(r.Sigstore.Identity), shortIssuer(r.Sigstore.Issuer))
		}
		return t
	}
	// The line's dates beyond PGP's end are left to --wide.
	t.cols = []col{{head: "Line"}, {head: "Manager", flex: true, person: true}, {head: "PGP until"}, {head: "PGP key"}, {head: "Sigstore identity", short: "Sigstore", flex: true}, {head: "Issuer"}}
	for _, r := range p.Rows {
		line := r.Line
		if r.Planned {
			line += "*"
		}
		t.add(line, r.Manager, pgpUntil(r), keys(r.PGP.Fingerprints, false), shortIdentity(r.Sigstore.Identity), shortIssuer(r.Sigstore.Issuer))
	}
	return t
}

// policyReasons says why a version has no Sigstore expectation (e.g.
// 3.12.0a1: python.org signed 3.12 from 3.12.0a7 on).
func policyReasons(b *strings.Builder, p *Policy) {
	for _, r := range p.Rows {
		if r.Version != "" && !r.Sigstore.Expected && r.Sigstore.Reason != "" {
			fmt.Fprintf(b, "\n%s: Sigstore not expected: %s\n", r.Version, OneLine(r.Sigstore.Reason))
		}
	}
}

// policyPlan is the timeline of a policy: the plan's chart without a
// "today" marker (a policy has no date).
func policyPlan(p *Policy) *Plan {
	out := &Plan{PGPDelayed: p.PGPDelayed}
	for _, r := range p.Rows {
		until := "never"
		if r.PGP.Expected {
			until = r.PGP.Until
		}
		out.Rows = append(out.Rows, PlanRow{
			Line: r.Line, Version: r.Version, Manager: r.Manager, Methods: r.Methods, PGPUntil: until,
			PGPFingerprints: r.PGP.Fingerprints, Identity: r.Sigstore.Identity, Issuer: r.Sigstore.Issuer,
			EndOfLife: r.EndOfLife, FirstStable: r.StableSince, SigstoreFrom: r.Sigstore.From,
			SigstoreSince: r.Sigstore.Since, Planned: r.Planned,
		})
	}
	return out
}
