package cli

import (
	"bytes"

	"github.com/sigaudit/sigaudit/report"
)

// Until report.Options, report.Render, report.StepSummary and Report.Tool
// land on main, these stand in for them; the flags are parsed and checked
// already.

type reportOptions struct {
	Show  string
	Wide  bool
	Width int
	Color bool
}

func renderReport(w *bytes.Buffer, format string, rep *report.Report, _ reportOptions) error {
	return report.Write(w, format, rep)
}

// stepSummary is the Markdown report cut to maxStepSummary at a line end.
func stepSummary(rep *report.Report) []byte {
	var buf bytes.Buffer
	if err := report.Write(&buf, "markdown", rep); err != nil {
		return nil
	}
	b := buf.Bytes()
	if len(b) > maxStepSummary {
		note := []byte("\n_(cut at 64 KiB: see the full report)_\n")
		b = b[:maxStepSummary-len(note)]
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			b = b[:i+1]
		}
		b = append(b, note...)
	}
	return b
}

func fillTool(*report.Report) {}
