package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sigaudit/sigaudit/report"
)

// Everything sigaudit writes to stderr besides errors lives here: progress
// lines and per-item warnings. Reports go to stdout (or --output files).

// warnRejected says why checksums printed no line for an artifact.
func warnRejected(e *env, r report.Rejected) {
	fmt.Fprintf(e.stderr, "sigaudit: %s: %s: %s\n", r.Status, report.OneLine(r.Name), report.OneLine(r.Reason))
}

// warnf prints one warning line.
func warnf(e *env, format string, args ...any) {
	fmt.Fprintf(e.stderr, "sigaudit: warning: %s\n", report.OneLine(fmt.Sprintf(format, args...)))
}

// progressInterval bounds how often a progress line is redrawn.
const progressInterval = 100 * time.Millisecond

// progress draws "sigaudit: 120/2103 artifacts  45/s  ETA 44s" on one
// terminal line, at most every progressInterval, and ends the line when the
// job is done. It is safe for concurrent use. On anything that is not a
// terminal it prints nothing.
type progress struct {
	w       io.Writer
	what    string
	now     func() time.Time
	enabled bool

	mu      sync.Mutex
	start   time.Time
	last    time.Time
	drawn   bool
	widest  int
	updates int // lines drawn (for tests)
}

func newProgress(e *env, what string) *progress {
	return &progress{w: e.stderr, what: what, now: e.now, enabled: e.stderrIsTerminal}
}

// update records that done of total items are finished.
func (p *progress) update(done, total int) {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.start.IsZero() {
		p.start = now
	}
	final := done >= total
	if !final && p.drawn && now.Sub(p.last) < progressInterval {
		return
	}
	p.last = now
	p.drawn = true
	p.updates++
	line := progressLine(p.what, done, total, now.Sub(p.start))
	pad := ""
	if n := p.widest - len(line); n > 0 {
		pad = fmt.Sprintf("%*s", n, "")
	}
	if len(line) > p.widest {
		p.widest = len(line)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	if final {
		fmt.Fprintln(p.w)
	}
}

// progressLine formats one progress line: count, rate and ETA once a rate
// is known.
func progressLine(what string, done, total int, elapsed time.Duration) string {
	s := fmt.Sprintf("sigaudit: %d/%d %s", done, total, what)
	if done <= 0 || elapsed <= 0 {
		return s
	}
	rate := float64(done) / elapsed.Seconds()
	if rate >= 10 {
		s += fmt.Sprintf("  %.0f/s", rate)
	} else {
		s += fmt.Sprintf("  %.1f/s", rate)
	}
	if done < total {
		eta := time.Duration(float64(total-done) / rate * float64(time.Second))
		s += "  ETA " + shortDuration(eta)
	} else {
		s += "  in " + shortDuration(elapsed)
	}
	return s
}

// shortDuration prints 44s, 3m05s or 1h02m.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
