package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// svgOptions shape the timeline chart.
type svgOptions struct {
	// Width in pixels; 0 means 800.
	Width int
	// Title overrides the chart's title.
	Title string
}

// The timeline chart: one row per release line, years on the x axis, a
// band "PGP guaranteed" (until end of life, or none), a band "Sigstore"
// (from the first signed release to end of life), the end of life, a
// "today" marker at the plan's date, the manager and Sigstore identity as
// labels. Self-contained (no fonts, scripts or links), text as text,
// Okabe-Ito colours plus a pattern per band so colour is never the only
// signal. Every band carries data-line, data-band, data-from and data-to
// so tests (and scripts) can read the chart structurally.

const (
	svgPGPColor      = "#E69F00" // Okabe-Ito orange
	svgSigstoreColor = "#0072B2" // Okabe-Ito blue
	svgEOLColor      = "#D55E00" // vermillion
	svgTodayColor    = "#000000"
)

// chartDate parses YYYY-MM-DD or YYYY-MM; month precision means the start
// of the month (start) or its end (end).
func chartDate(s string, end bool) (time.Time, bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		if end {
			return t.AddDate(0, 1, -1), true
		}
		return t, true
	}
	return time.Time{}, false
}

func yearFrac(t time.Time) float64 {
	start := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	next := start.AddDate(1, 0, 0)
	return float64(t.Year()) + float64(t.Sub(start))/float64(next.Sub(start))
}

// svgText escapes s for XML text and attribute values (control bytes
// dropped first: XML 1.0 cannot carry them).
func svgText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(xmlSafe(cell(s))))
	return b.String()
}

type svgBand struct {
	kind, from, to string // kind: "pgp" or "sigstore"
	label          string
}

// planBands computes the bands of one row, with the dates they stand for
// (those of the plan JSON).
func planBands(r PlanRow) []svgBand {
	var out []svgBand
	start := r.FirstStable
	if r.PGPUntil != "" && r.PGPUntil != "never" && start != "" {
		out = append(out, svgBand{kind: "pgp", from: start, to: r.PGPUntil, label: "PGP guaranteed"})
	}
	sfrom := r.SigstoreSince
	if sfrom == "" && lineStart(r.SigstoreFrom) {
		// Signed from the line's first release: the band starts with the
		// line (no date of that release is known).
		sfrom = start
	}
	if sfrom != "" && r.Identity != "" && r.EndOfLife != "" {
		out = append(out, svgBand{kind: "sigstore", from: sfrom, to: r.EndOfLife, label: "Sigstore"})
	}
	return out
}

// planSVG draws p as a timeline chart. It never changes p.
func planSVG(w io.Writer, p *Plan, opt svgOptions) error {
	width := opt.Width
	if width <= 0 {
		width = 800
	}
	c := &svgChart{x0: svgLabelW, x1: float64(width - svgRight)}
	c.minY, c.maxY = yearSpan(p)
	height := svgTop + svgRowH*len(p.Rows) + 70
	title := opt.Title
	if title == "" {
		title = "PEP 761 signing timeline per CPython release line"
		if p.PGPDelayed {
			title += " (PGP delay clause applied)"
		}
	}
	desc := fmt.Sprintf("%d release lines; for each, when PEP 761 guarantees PGP signatures and since when python.org signs with Sigstore", len(p.Rows))
	if p.At != "" {
		desc += "; today is " + p.At
	}
	desc += "."

	f := c.f
	f(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	f("<title id=\"chart-title\">%s</title>\n<desc id=\"chart-desc\">%s</desc>\n", svgText(title), svgText(desc))
	f(`<defs>
<pattern id="pat-pgp" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="%s"/><line x1="0" y1="0" x2="0" y2="8" stroke="#ffffff" stroke-width="3"/></pattern>
<pattern id="pat-sigstore" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/><circle cx="3" cy="3" r="1.2" fill="#ffffff"/></pattern>
</defs>
`, svgPGPColor, svgSigstoreColor)
	f("<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height)
	f("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", svgText(title))
	c.axis(len(p.Rows))
	for i, r := range p.Rows {
		c.row(svgTop+i*svgRowH, r)
	}
	if tx, ok := c.xOf(p.At, false); ok {
		bottom := svgTop + svgRowH*len(p.Rows)
		f("<g class=\"today\" data-date=\"%s\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">today %s</text></g>\n",
			svgText(p.At), tx, svgTop-6, tx, bottom, svgTodayColor, tx, bottom+14, svgText(p.At))
	}
	c.legend(svgTop + svgRowH*len(p.Rows) + 34)
	return writeString(w, c.b.String())
}

// The plan chart's geometry: label column, top margin, row height, right
// margin.
const (
	svgLabelW = 210
	svgTop    = 64
	svgRowH   = 46
	svgRight  = 20
)

// svgChart is a plan chart being written: its x axis (whole years from
// minY to maxY over x0..x1) and the SVG so far.
type svgChart struct {
	minY, maxY int
	x0, x1     float64
	b          strings.Builder
}

func (c *svgChart) f(format string, a ...any) { fmt.Fprintf(&c.b, format, a...) }

// yearSpan is the x axis of a plan: from the earliest date's year to the
// year after the latest (this year and the next when it has no date).
func yearSpan(p *Plan) (minY, maxY int) {
	consider := func(s string, end bool) {
		t, ok := chartDate(s, end)
		if !ok {
			return
		}
		if minY == 0 || t.Year() < minY {
			minY = t.Year()
		}
		if t.Year()+1 > maxY {
			maxY = t.Year() + 1
		}
	}
	for _, r := range p.Rows {
		consider(r.FirstStable, false)
		consider(r.SigstoreSince, false)
		consider(r.EndOfLife, true)
		consider(r.PGPUntil, true)
	}
	consider(p.At, false)
	if minY == 0 {
		minY, maxY = time.Now().Year(), time.Now().Year()+1
	}
	return minY, maxY
}

// xOf places a chart date (its start, or its end when end) on the x axis.
func (c *svgChart) xOf(s string, end bool) (float64, bool) {
	t, ok := chartDate(s, end)
	if !ok {
		return 0, false
	}
	return c.x0 + (yearFrac(t)-float64(c.minY))/float64(c.maxY-c.minY)*(c.x1-c.x0), true
}

// axis draws a line per year over the rows, labelled (every other year
// past 14 years).
func (c *svgChart) axis(rows int) {
	c.f("<g class=\"axis\" aria-hidden=\"true\">\n")
	for y := c.minY; y <= c.maxY; y++ {
		x := c.x0 + float64(y-c.minY)/float64(c.maxY-c.minY)*(c.x1-c.x0)
		c.f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#cccccc\"/>\n", x, svgTop-8, x, svgTop+svgRowH*rows)
		if (c.maxY-c.minY) <= 14 || (y-c.minY)%2 == 0 {
			c.f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333333\">%d</text>\n", x, svgTop-14, y)
		}
	}
	c.f("</g>\n")
}

// row draws one release line at y: its name, manager and identity, its
// PGP and Sigstore bands, and its end of life.
func (c *svgChart) row(y int, r PlanRow) {
	f := c.f
	f("<g class=\"row\" data-line=\"%s\" role=\"listitem\" aria-label=\"%s\">\n", svgText(r.Line), svgText(rowLabel(r)))
	f("<text class=\"line\" x=\"10\" y=\"%d\" font-weight=\"bold\" font-size=\"14\">%s</text>\n", y+16, svgText(r.release()))
	f("<text class=\"manager\" x=\"62\" y=\"%d\">%s</text>\n", y+16, svgText(r.Manager))
	if r.Identity != "" {
		f("<text class=\"identity\" x=\"62\" y=\"%d\" fill=\"#444444\" font-size=\"11\">%s</text>\n", y+32, svgText(r.Identity+" ("+shortIssuer(r.Issuer)+")"))
	}
	for _, band := range planBands(r) {
		bx0, ok0 := c.xOf(band.from, false)
		bx1, ok1 := c.xOf(band.to, true)
		if !ok0 || !ok1 || bx1 < bx0 {
			continue
		}
		by, fill := y+4, "url(#pat-pgp)"
		if band.kind == "sigstore" {
			by, fill = y+22, "url(#pat-sigstore)"
		}
		f("<rect class=\"band %s\" data-line=\"%s\" data-band=\"%s\" data-from=\"%s\" data-to=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\" stroke=\"#333333\" stroke-width=\"0.5\"><title>%s</title></rect>\n",
			band.kind, svgText(r.Line), band.kind, svgText(band.from), svgText(band.to), bx0, by, bx1-bx0, fill,
			svgText(r.Line+": "+band.label+" "+band.from+" to "+band.to))
	}
	if sigstoreUndated(r) {
		f("<text class=\"sigstore-from\" x=\"%.1f\" y=\"%d\" fill=\"#555555\" font-size=\"11\">Sigstore from %s (date unknown)</text>\n", c.x0+4, y+33, svgText(r.SigstoreFrom))
	}
	if r.PGPUntil == "never" {
		f("<text class=\"no-pgp\" x=\"%.1f\" y=\"%d\" fill=\"#555555\" font-size=\"11\">no PGP</text>\n", c.x0+4, y+15)
	}
	if ex, ok := c.xOf(r.EndOfLife, true); ok {
		f("<line class=\"eol\" data-line=\"%s\" data-date=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"><title>%s</title></line>\n",
			svgText(r.Line), svgText(r.EndOfLife), ex, y+2, ex, y+38, svgEOLColor, svgText(r.Line+": end of life "+r.EndOfLife))
	}
	f("</g>\n")
}

// legend explains the bands and lines at y.
func (c *svgChart) legend(ly int) {
	f := c.f
	f("<g class=\"legend\">\n")
	f("<rect x=\"10\" y=\"%d\" width=\"24\" height=\"12\" fill=\"url(#pat-pgp)\" stroke=\"#333333\" stroke-width=\"0.5\"/><text x=\"40\" y=\"%d\">PGP guaranteed (PEP 761)</text>\n", ly, ly+10)
	f("<rect x=\"220\" y=\"%d\" width=\"24\" height=\"12\" fill=\"url(#pat-sigstore)\" stroke=\"#333333\" stroke-width=\"0.5\"/><text x=\"250\" y=\"%d\">Sigstore (first signed release on)</text>\n", ly, ly+10)
	f("<line x1=\"470\" y1=\"%d\" x2=\"470\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/><text x=\"478\" y=\"%d\">end of life</text>\n", ly-2, ly+14, svgEOLColor, ly+10)
	f("<line x1=\"570\" y1=\"%d\" x2=\"570\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"4 3\"/><text x=\"578\" y=\"%d\">today</text>\n", ly-2, ly+14, svgTodayColor, ly+10)
	f("</g>\n</svg>\n")
}

// lineStart reports whether v is the first release of its line (X.Y.0 or a
// pre-release of it).
func lineStart(v string) bool {
	p, ok := parseVersion(v)
	return ok && p[2] == 0
}

// sigstoreUndated is true when a row's Sigstore start is known only as a
// version later in the line, with no date: the chart says it in words
// instead of drawing a band from a wrong date.
func sigstoreUndated(r PlanRow) bool {
	return r.SigstoreSince == "" && r.SigstoreFrom != "" && !lineStart(r.SigstoreFrom)
}

func rowLabel(r PlanRow) string {
	parts := []string{"Python " + r.release(), "manager " + r.Manager}
	if r.PGPUntil == "never" || r.PGPUntil == "" {
		parts = append(parts, "no PGP")
	} else {
		parts = append(parts, "PGP until "+r.PGPUntil)
	}
	if r.Identity != "" {
		s := "Sigstore identity " + r.Identity
		if r.SigstoreFrom != "" {
			s += " from " + r.SigstoreFrom
		}
		parts = append(parts, s)
	}
	parts = append(parts, "end of life "+r.EndOfLife)
	if r.PastEndOfLife {
		parts = append(parts, "past end of life")
	}
	return strings.Join(parts, ", ")
}
