package report

import (
	"fmt"
	"io"
	"strings"
)

// PlanCommands are the verification commands for one line.
type PlanCommands struct {
	Sigaudit string `json:"sigaudit"`
	Cosign   string `json:"cosign"`
	GPG      string `json:"gpg,omitempty"` // only while PGP lasts
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
}

// Plan is the output of `sigaudit plan`.
type Plan struct {
	At         string    `json:"at"`
	PGPDelayed bool      `json:"pgp_delayed"`
	Rows       []PlanRow `json:"lines"`
}

// PlanFormats lists the renderers for plans.
var PlanFormats = []string{"table", "json", "markdown"}

// WritePlan renders p.
func WritePlan(w io.Writer, format string, p *Plan) error {
	if p.Rows == nil {
		p.Rows = []PlanRow{}
	}
	for i := range p.Rows {
		if p.Rows[i].PGPFingerprints == nil {
			p.Rows[i].PGPFingerprints = []string{}
		}
	}
	switch format {
	case "json":
		return writeJSON(w, p)
	case "table", "markdown":
		md := format == "markdown"
		header := []string{"Line", "Version", "Manager", "Methods", "PGP until", "PGP key", "Sigstore identity", "Issuer", "Past EOL"}
		var rows [][]string
		for _, r := range p.Rows {
			key := strings.Join(r.PGPFingerprints, " ")
			if key == "" {
				key = "-"
			}
			past := "no"
			if r.PastEndOfLife {
				past = "yes (" + r.EndOfLife + ")"
			}
			row := []string{r.Line, r.Version, r.Manager, r.Methods, r.PGPUntil, key, r.Identity, r.Issuer, past}
			for i := range row {
				row[i] = cell(row[i])
				if md {
					row[i] = strings.ReplaceAll(row[i], "|", `\|`)
				}
			}
			rows = append(rows, row)
		}
		if md {
			if _, err := fmt.Fprintf(w, "## PEP 761 verification plan (at %s)\n\n", p.At); err != nil {
				return err
			}
		}
		if err := renderTable(w, md, header, rows); err != nil {
			return err
		}
		if md {
			_, err := io.WriteString(w, "\n### Commands\n\n")
			if err != nil {
				return err
			}
		} else if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
		for _, r := range p.Rows {
			cmds := []string{r.Commands.Sigaudit, r.Commands.Cosign}
			if r.Commands.GPG != "" {
				cmds = append(cmds, r.Commands.GPG)
			}
			var err error
			if md {
				_, err = fmt.Fprintf(w, "%s:\n\n```sh\n%s\n```\n\n", r.Line, strings.Join(cmds, "\n"))
			} else {
				_, err = fmt.Fprintf(w, "%s:\n  %s\n", r.Line, strings.Join(cmds, "\n  "))
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(PlanFormats, ", "))
}
