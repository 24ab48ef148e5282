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
	PEP761Accepted string      `json:"pep761_accepted"`
	PGPDelayed     bool        `json:"pgp_delayed"`
	Rows           []PolicyRow `json:"lines"`
}

// PolicyFormats lists the renderers for policy output.
var PolicyFormats = []string{"table", "json", "markdown"}

// WritePolicy renders p.
func WritePolicy(w io.Writer, format string, p *Policy) error {
	if p.Rows == nil {
		p.Rows = []PolicyRow{}
	}
	for i := range p.Rows {
		if p.Rows[i].PGP.Fingerprints == nil {
			p.Rows[i].PGP.Fingerprints = []string{}
		}
	}
	switch format {
	case "json":
		return writeJSON(w, p)
	case "table", "markdown":
		if err := renderTable(w, format == "markdown", policyHeader(p), policyRows(p)); err != nil {
			return err
		}
		// A version without Sigstore says why (e.g. 3.12.0a1: python.org
		// signed 3.12 from 3.12.0a7 on).
		for _, r := range p.Rows {
			if r.Version != "" && !r.Sigstore.Expected && r.Sigstore.Reason != "" {
				fmt.Fprintf(w, "\n%s: Sigstore not expected: %s\n", r.Version, r.Sigstore.Reason)
			}
		}
		return nil
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

func policyHeader(p *Policy) []string {
	h := []string{"Line", "Manager", "PGP expected", "PGP key", "Sigstore identity", "Issuer", "Stable since", "End of life"}
	if perVersion(p) {
		h = append([]string{"Version", "Methods"}, h...)
	}
	return h
}

func policyRows(p *Policy) [][]string {
	var rows [][]string
	for _, r := range p.Rows {
		pgp := "no"
		if r.PGP.Expected {
			pgp = "until " + r.PGP.Until
			if r.PGP.Until == "" {
				pgp = "yes"
			}
		}
		key := strings.Join(r.PGP.Fingerprints, " ")
		if key == "" {
			key = "-"
		}
		row := []string{r.Line, r.Manager, pgp, key, r.Sigstore.Identity, r.Sigstore.Issuer, r.StableSince, r.EndOfLife}
		if r.Planned {
			row[6] += " (planned)"
		}
		if perVersion(p) {
			row = append([]string{r.Version, r.Methods}, row...)
		}
		for i := range row {
			row[i] = cell(row[i])
		}
		rows = append(rows, row)
	}
	return rows
}
