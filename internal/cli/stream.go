package cli

import (
	"io"
	"os"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// streams says whether the audit report can be written as the artifacts
// are audited, with memory flat in their number: JSON to stdout or
// --output and nothing else. The other formats, the side outputs and the
// GitHub step summary need the whole report (column widths, the
// artifacts with findings), which is then collected.
func (r *reportFlags) streams(e *env) bool {
	return r.format == "json" && r.sarif == "" && r.junit == "" && r.markdown == "" &&
		e.getenv("GITHUB_STEP_SUMMARY") == ""
}

// streamAudit audits the tree and writes its JSON report through a
// report.JSONStream: each artifact is encoded into a temporary file as it
// is audited, and only counts stay in memory. The bytes are those the
// collected report renders.
func streamAudit(e *env, t *audit.Tree, dirs []string, only audit.Only, rf *reportFlags) error {
	spill, drop := newSpill()
	defer drop()
	js := report.NewJSONStream(spill, timeline.CompareLines, source.CompareVersions)
	var addErr error
	err := streamTree(e, t, dirs, only, func(a report.Artifact) {
		if addErr == nil {
			addErr = js.Add(a)
		}
	})
	if err != nil {
		return interruptedErr("audit", err)
	}
	if addErr != nil {
		return errRendering("report", addErr)
	}
	tl := tool(rf.trustedRoot, rf.tufCache)
	write := func(w io.Writer) error { return js.WriteJSON(w, tl, "") }
	if rf.output == "" {
		if err := write(e.stdout); err != nil {
			return errWriting("report", err)
		}
	} else {
		tmp, err := writeTempWith(rf.output, write)
		if err != nil {
			return errCreateOutput("--output", err)
		}
		if err := os.Rename(tmp, rf.output); err != nil {
			os.Remove(tmp)
			return errWriting("--output", err)
		}
	}
	if js.Errors() {
		return errUnreadArtifacts()
	}
	if fs, _ := failSet(rf.failOn); js.Fails(fs) {
		return errFindings
	}
	return nil
}

// newSpill is a temporary file for a JSONStream, removed by drop (on Unix
// it is unlinked at once, so not even a killed run leaves it behind), or
// nil, a spill in memory, where no temporary file can be made (a
// container without /tmp).
func newSpill() (spill report.Spill, drop func()) {
	f, err := os.CreateTemp("", "sigaudit-report-*.json")
	if err != nil {
		return nil, func() {}
	}
	removed := os.Remove(f.Name()) == nil
	return f, func() {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
	}
}
