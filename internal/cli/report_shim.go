package cli

import (
	"io"
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
// is the --trusted-root file in use, or "" for the root of the TUF cache
// or the embedded one.
func tool(trustedRoot, tufCache string) report.Tool {
	t := report.Tool{Name: "sigaudit", Version: Version(), Commit: Commit(), TimelineRevision: timeline.EmbeddedInfo().Revision}
	if trustedRoot == "" && tufCache == "" {
		tufCache, _ = sigstore.DefaultCacheDir()
	}
	if st, _, err := sigstore.CurrentTrust(tufCache, trustedRoot); err == nil {
		t.TrustedRootSHA256 = st.Info.SHA256
	}
	return t
}

// stamp fills the report's tool and, for JUnit, the time it was made.
func (r *reportFlags) stamp(e *env, rep *report.Report) {
	rep.Tool = tool(r.trustedRoot, r.tufCache)
	if r.format == "junit" || r.junit != "" {
		rep.Time = e.now().UTC().Format(time.RFC3339)
	}
}
