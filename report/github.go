package report

import "strings"

// The github format: GitHub Actions workflow commands, one annotation per
// finding (said once for a class absent everywhere), the verdict last.
// Values are escaped as the runner expects (actions/toolkit's
// escapeData/escapeProperty), after control bytes are removed, so no name
// can end the command or start another.

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(cell(s))
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(cell(s))
}

func ghLevel(sev string) string {
	switch sev {
	case Mismatch, Gap:
		return "error"
	}
	return "notice"
}

func renderGitHub(r *Report) string {
	var b strings.Builder
	s := summarize(r)
	for _, c := range s.Absent {
		b.WriteString("::error title=" + ghProperty("sigaudit: "+c+" absent") + "::" + ghData(s.absentText(c)) + "\n")
	}
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if s.suppressed(f) {
				continue
			}
			b.WriteString("::" + ghLevel(f.Severity) + " file=" + ghProperty(artifactPath(a)) + ",title=" +
				ghProperty(f.Code+" ("+f.Severity+")") + "::" + ghData(a.Name+": "+f.Message) + "\n")
		}
	}
	b.WriteString(ghData(s.verdict()) + "\n")
	return b.String()
}
