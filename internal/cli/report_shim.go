package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"time"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/timeline"
)

type reportOptions = report.Options

func renderReport(w io.Writer, format string, rep *report.Report, opt reportOptions) error {
	return report.Render(w, format, rep, opt)
}

func stepSummary(rep *report.Report) []byte { return report.StepSummary(rep) }

// tool says which sigaudit, with which data, made a document; trustedRoot
// is the --trusted-root file in use, or "" for the embedded root.
func tool(trustedRoot string) report.Tool {
	t := report.Tool{Name: "sigaudit", Version: Version(), Commit: Commit(), TimelineRevision: timeline.EmbeddedInfo().Revision}
	if trustedRoot != "" {
		if b, err := os.ReadFile(trustedRoot); err == nil {
			sum := sha256.Sum256(b)
			t.TrustedRootSHA256 = hex.EncodeToString(sum[:])
		}
	} else if ri, err := sigstore.EmbeddedRootInfo(); err == nil {
		t.TrustedRootSHA256 = ri.SHA256
	}
	return t
}

// stamp fills the report's tool and, for JUnit, the time it was made.
func (r *reportFlags) stamp(e *env, rep *report.Report) {
	rep.Tool = tool(r.trustedRoot)
	if r.format == "junit" || r.junit != "" {
		rep.Time = e.now().UTC().Format(time.RFC3339)
	}
}
