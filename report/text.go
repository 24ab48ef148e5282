package report

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// This file holds the plain-text machinery every human format shares: a
// table that fits a width, word wrapping, and the escaping of untrusted
// text (file names, messages, certificate identities) for a terminal.

// OneLine keeps text on one line and free of terminal control bytes that
// hostile file names or server answers could carry: newlines and tabs
// become spaces, other control bytes (C0, DEL, C1) and invalid UTF-8 '?'.
// Bidirectional overrides are replaced too, so a name cannot reorder what
// the terminal shows.
func OneLine(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return '?'
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
			return '?'
		}
		return r
	}, s)
}

func cell(s string) string { return OneLine(s) }

// width is the display width of s in a terminal.
func width(s string) int { return runewidth.StringWidth(s) }

// shorten cuts s to at most w columns, keeping its start and end around
// an ellipsis, so "python-3.14.0a1-aarch64-linux-android.tar.gz" stays
// recognizable.
func shorten(s string, w int) string {
	if width(s) <= w {
		return s
	}
	if w <= 1 {
		return runewidth.Truncate(s, w, "")
	}
	rs := []rune(s)
	head, tail := (w-1)/2+(w-1)%2, (w-1)/2
	var b strings.Builder
	hw := 0
	i := 0
	for ; i < len(rs) && hw+runewidth.RuneWidth(rs[i]) <= head; i++ {
		hw += runewidth.RuneWidth(rs[i])
	}
	b.WriteString(string(rs[:i]))
	b.WriteString("…")
	tw := 0
	j := len(rs)
	for j > i && tw+runewidth.RuneWidth(rs[j-1]) <= tail {
		j--
		tw += runewidth.RuneWidth(rs[j])
	}
	b.WriteString(string(rs[j:]))
	return b.String()
}

// initials abbreviates given names ("Hugo van Kemenade" -> "H. van
// Kemenade") until s fits w columns.
func initials(s string, w int) string {
	words := strings.Fields(s)
	for i := 0; i < len(words)-1 && width(strings.Join(words, " ")) > w; i++ {
		r := []rune(words[i])
		if len(r) > 2 && r[0] >= 'A' && (r[0] <= 'Z' || r[0] > 0x7f) {
			words[i] = string(r[0]) + "."
		}
	}
	return strings.Join(words, " ")
}

// wrap breaks s into lines of at most w columns (w <= 0: no limit); every
// line after the first starts with indent. Words longer than a line are
// cut.
func wrap(s string, w int, first, indent string) []string {
	s = cell(s)
	if w <= 0 {
		return []string{first + s}
	}
	var lines []string
	cur := first
	curEmpty := true
	for _, word := range strings.Fields(s) {
		sep := " "
		if curEmpty {
			sep = ""
		}
		if width(cur)+len(sep)+width(word) <= w {
			cur += sep + word
			curEmpty = false
			continue
		}
		if !curEmpty {
			lines = append(lines, cur)
			cur, curEmpty = indent, true
		}
		for width(cur)+width(word) > w {
			room := w - width(cur)
			if room < 1 {
				room = 1
			}
			part := runewidth.Truncate(word, room, "")
			if part == "" {
				_, n := utf8.DecodeRuneInString(word)
				part = word[:n]
			}
			lines = append(lines, cur+part)
			word = word[len(part):]
			cur = indent
		}
		cur += word
		curEmpty = word == ""
	}
	if !curEmpty || len(lines) == 0 {
		lines = append(lines, strings.TrimRight(cur, " "))
	}
	return lines
}

// col is a column of a text table.
type col struct {
	head string
	// flex columns give up width (their cells are shortened with an
	// ellipsis) when the table is wider than the terminal.
	flex  bool
	right bool
	// short is the header used when the table does not fit otherwise.
	short string
	// person columns shorten "Pablo Galindo Salgado" to "P. Galindo
	// Salgado" before cutting it.
	person bool
}

// trow is a row of a text table; after, if set, is printed below it,
// indented and wrapped to the table's width (what to do about a finding
// group, say).
type trow struct {
	cells []string
	after string
}

type textTable struct {
	cols []col
	rows []trow
}

func (t *textTable) add(cells ...string) { t.rows = append(t.rows, trow{cells: cells}) }

// render writes the table: one space of margin, two between columns, a
// dashed line under the header, no trailing spaces. Unless o.Wide, flex
// columns shrink until the table fits o.width().
func (t *textTable) render(b *strings.Builder, o Options) {
	limit := o.width()
	ws := t.widths(o, limit)
	tw := 1 + 2*(len(ws)-1)
	for _, w := range ws {
		tw += w
	}
	t.line(b, headers(t.cols), ws, o, true)
	if o.Wide || tw <= limit {
		b.WriteString(strings.Repeat("-", tw))
	} else {
		b.WriteString(strings.Repeat("-", limit))
	}
	b.WriteByte('\n')
	for _, r := range t.rows {
		t.line(b, r.cells, ws, o, false)
		if r.after != "" {
			w := limit
			if o.Wide {
				w = 0
			}
			for _, l := range wrap(r.after, w, "     -> ", "        ") {
				b.WriteString(l)
				b.WriteByte('\n')
			}
		}
	}
}

// widths cleans the cells and returns each column's width: the widest
// cell, or, unless o.Wide and when the table is wider than limit, the
// short headers and then the widest flex column shrunk one at a time
// (never below its header or 8).
func (t *textTable) widths(o Options, limit int) []int {
	n := len(t.cols)
	ws := make([]int, n)
	measure := func() {
		for i, c := range t.cols {
			ws[i] = width(c.head)
		}
		for ri := range t.rows {
			for i := range t.rows[ri].cells {
				t.rows[ri].cells[i] = cell(t.rows[ri].cells[i])
				if w := width(t.rows[ri].cells[i]); i < n && w > ws[i] {
					ws[i] = w
				}
			}
		}
	}
	measure()
	total := func() int {
		s := 1 + 2*(n-1)
		for _, w := range ws {
			s += w
		}
		return s
	}
	if o.Wide {
		return ws
	}
	if total() > limit {
		for i := range t.cols {
			if t.cols[i].short != "" {
				t.cols[i].head = t.cols[i].short
			}
		}
		measure()
	}
	for total() > limit {
		// Shrink the widest flex column by one.
		best := -1
		for i, c := range t.cols {
			min := width(c.head)
			if min < 8 {
				min = 8
			}
			if c.flex && ws[i] > min && (best < 0 || ws[i] > ws[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		ws[best]--
	}
	return ws
}

// line writes one row (or the header) padded to the widths ws.
func (t *textTable) line(b *strings.Builder, cells []string, ws []int, o Options, header bool) {
	n := len(t.cols)
	var l strings.Builder
	l.WriteByte(' ')
	for i := 0; i < n; i++ {
		v := ""
		if i < len(cells) {
			v = cells[i]
		}
		if !o.Wide {
			if t.cols[i].person {
				v = initials(v, ws[i])
			}
			v = shorten(v, ws[i])
		}
		pad := strings.Repeat(" ", max(0, ws[i]-width(v)))
		styled := v
		if !header && o.Color {
			styled = colorize(v)
		}
		if t.cols[i].right {
			l.WriteString(pad + styled)
		} else {
			l.WriteString(styled + pad)
		}
		if i < n-1 {
			l.WriteString("  ")
		}
	}
	b.WriteString(strings.TrimRight(l.String(), " "))
	b.WriteByte('\n')
}

func headers(cs []col) []string {
	h := make([]string, len(cs))
	for i, c := range cs {
		h[i] = c.head
	}
	return h
}

// paragraph writes s wrapped to the width (not wrapped with Wide).
func paragraph(b *strings.Builder, o Options, s, first, indent string) {
	w := o.width()
	if o.Wide {
		w = 0
	}
	for _, l := range wrap(s, w, first, indent) {
		b.WriteString(l)
		b.WriteByte('\n')
	}
}

// ANSI colours for status and severity words, only with Options.Color.
// Red for what is wrong, yellow for what is missing, green for verified:
// the word itself always says it too, colour is never the only signal.
func colorize(s string) string {
	code := ""
	switch s {
	case StatusVerified, "ok":
		code = "32"
	case StatusMissing, Gap:
		code = "33"
	case Mismatch, "invalid", "malformed", "wrong-signer", "unknown-signer", "weak-hash",
		"wrong-identity", "digest-mismatch", "untrusted", "unsupported", "error":
		code = "31"
	case Note:
		code = "36"
	}
	if code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// plural writes "1 gap", "2 gaps", "2,103 artifacts".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// shortIssuer names the OIDC issuers python.org's managers use.
func shortIssuer(iss string) string {
	switch strings.TrimRight(iss, "/") {
	case "https://accounts.google.com":
		return "google"
	case "https://github.com/login/oauth":
		return "github"
	case "https://login.microsoftonline.com":
		return "microsoft"
	case "https://token.actions.githubusercontent.com":
		return "gh-actions"
	}
	if iss == "" {
		return ""
	}
	s := strings.TrimPrefix(strings.TrimPrefix(iss, "https://"), "http://")
	return s
}

// shortIdentity writes "thomas@python.org" as "thomas@…": every manager
// identity on record but one is a python.org address, and the local part
// names the person; the ellipsis says the value is cut (--wide and JSON
// give it whole, and plan's commands carry it).
func shortIdentity(id string) string {
	if l, ok := strings.CutSuffix(id, "@python.org"); ok && l != "" && !strings.Contains(l, "@") {
		return l + "@…"
	}
	return id
}

// shortKey is the short (8 hex digit) key id of a fingerprint, for
// display only: the full fingerprint is in --wide and JSON.
func shortKey(fpr string) string {
	if len(fpr) > 8 {
		return fpr[len(fpr)-8:]
	}
	return fpr
}
