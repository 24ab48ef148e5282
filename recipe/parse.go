package recipe

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// assignment is one variable definition (shell, Dockerfile ENV, Jinja set,
// RPM %global).
type assignment struct {
	line  int
	value string   // raw, expanded lazily
	items []string // bash array items (nil for a scalar)
	lines []int    // line of each array item
}

type parser struct {
	format Format
	name   string
	text   string
	lines  []string
	vars   map[string][]assignment
	pins   []Artifact
	byURL  map[string]int
	verify Verification
	scopes []string // release line scope of each line ("" none), from case arms and key maps
	budget int
	cache  map[string]cached // expanded variable values, by name#assignment
}

type cached struct {
	v  string
	ok bool
}

func newParser(f Format, name string, content []byte) *parser {
	text := strings.ReplaceAll(string(content), "\r\n", "\n")
	p := &parser{format: f, name: name, text: text, lines: strings.Split(text, "\n"), vars: map[string][]assignment{}, byURL: map[string]int{}, cache: map[string]cached{}}
	return p
}

func (p *parser) recipe() *Recipe {
	sort.SliceStable(p.pins, func(i, j int) bool { return p.pins[i].Line < p.pins[j].Line })
	for i := range p.pins {
		for _, c := range p.pins[i].Checksums {
			if c.Algorithm == "sha256" && c.Hex != "" {
				p.pins[i].SHA256 = c.Hex
				break
			}
		}
	}
	pins := p.pins
	if pins == nil {
		pins = []Artifact{}
	}
	return &Recipe{File: p.name, Format: p.format, Pins: pins, Findings: []Finding{}, Verify: p.verify}
}

func (p *parser) run() {
	switch p.format {
	case DockerVersionsJSON:
		p.versionsJSON()
		return
	case Nix:
		p.nix()
	case SigningKey:
		p.signingKey()
		return
	}
	p.collectVars()
	p.collectScopes()
	p.findURLs()
	p.arrayChecksums()
	p.namedChecksums()
	p.nearbyChecksums()
	p.variableChecksums()
	p.findVerification()
	p.formatRules()
	if p.format == Generic {
		p.computedDownloads()
	}
}

// ---------- variables ----------

var (
	reShellAssign = lazyRegexp(`^\s*(?:export\s+|local\s+|readonly\s+|declare\s+(?:-\w+\s+)?)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)
	reDockerENV   = lazyRegexp(`^\s*ENV\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s*=\s*|\s+)(.*)$`)
	reJinjaSet    = lazyRegexp(`\{%-?\s*set\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*["']([^"']*)["']\s*-?%\}`)
	reRPMGlobal   = lazyRegexp(`^%(?:global|define)\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.*?)\s*$`)
	reRPMURL      = lazyRegexp(`^(?i)url:\s*(\S+)`)
	rePSAssign    = lazyRegexp(`^\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*["']([^"']*)["']\s*;?\s*(?:#.*)?$`)
)

func (p *parser) set(name string, a assignment) { p.vars[name] = append(p.vars[name], a) }

func (p *parser) collectVars() {
	if p.format == Gentoo {
		// PV comes from the ebuild's file name: python-3.14.4_p1.ebuild.
		base := strings.TrimSuffix(path.Base(p.name), ".ebuild")
		if i := strings.Index(base, "-"); i > 0 {
			p.set("PN", assignment{value: base[:i]})
			p.set("PV", assignment{value: base[i+1:]})
			p.set("P", assignment{value: base})
		}
	}
	for i := 0; i < len(p.lines); i++ {
		l := p.lines[i]
		n := i + 1
		if m := reJinjaSet.FindAllStringSubmatch(l, -1); m != nil {
			for _, s := range m {
				p.set(s[1], assignment{line: n, value: s[2]})
			}
			continue
		}
		if m := reRPMGlobal.FindStringSubmatch(l); m != nil {
			p.set(m[1], assignment{line: n, value: m[2]})
			continue
		}
		if m := reRPMURL.FindStringSubmatch(l); m != nil && p.format == FedoraSpec {
			p.set("url", assignment{line: n, value: m[1]})
			continue
		}
		if m := reDockerENV.FindStringSubmatch(l); m != nil && (p.format == Dockerfile || p.format == DockerTemplate || p.format == Manylinux || p.format == Generic) {
			p.set(m[1], assignment{line: n, value: unquote(strings.TrimSpace(m[2]))})
			continue
		}
		if m := rePSAssign.FindStringSubmatch(l); m != nil {
			p.set(m[1], assignment{line: n, value: m[2]}) // PowerShell: $Name = "value"
			continue
		}
		m := reShellAssign.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		v := m[2]
		if strings.HasPrefix(v, "(") {
			items, lines, end := p.readArray(i, strings.Index(l, "=(")+2)
			p.set(m[1], assignment{line: n, items: items, lines: lines})
			i = end
			continue
		}
		val, end := p.readWord(i, strings.Index(l, "=")+1)
		p.set(m[1], assignment{line: n, value: val})
		if end > i {
			i = end
		}
	}
}

// readWord reads a shell word starting at column col of line i, following
// a double-quoted string over lines. It returns the word and the last line.
func (p *parser) readWord(i, col int) (string, int) {
	var b strings.Builder
	var quote byte
	for li := i; li < len(p.lines) && li < i+200; li++ {
		l := p.lines[li]
		start := 0
		if li == i {
			start = col
		}
		for j := start; j < len(l); j++ {
			c := l[j]
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote != 0:
				b.WriteByte(c)
			case c == '"' || c == '\'':
				quote = c
			case c == ' ' || c == '\t' || c == ';' || c == '#' && (j == start || l[j-1] == ' '):
				return b.String(), li
			case c == '\\' && j == len(l)-1:
			default:
				b.WriteByte(c)
			}
		}
		if quote == 0 {
			return b.String(), li
		}
		b.WriteByte('\n')
	}
	return b.String(), i
}

// readArray reads a bash array `( a "b" 'c' # comment )` starting after its
// parenthesis; it returns the items, their lines and the closing line.
func (p *parser) readArray(i, col int) ([]string, []int, int) {
	var items []string
	var lines []int
	var cur strings.Builder
	var quote byte
	started := false
	flush := func(n int) {
		if started {
			items = append(items, cur.String())
			lines = append(lines, n)
		}
		cur.Reset()
		started = false
	}
	for li := i; li < len(p.lines) && li < i+500; li++ {
		l := p.lines[li]
		start := 0
		if li == i {
			start = col
		}
		for j := start; j < len(l); j++ {
			c := l[j]
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote != 0:
				cur.WriteByte(c)
			case c == '"' || c == '\'':
				quote = c
				started = true
			case c == '#' && !started:
				j = len(l)
			case c == ' ' || c == '\t':
				flush(li + 1)
			case c == ')':
				flush(li + 1)
				return items, lines, li
			default:
				cur.WriteByte(c)
				started = true
			}
		}
		if quote == 0 {
			flush(li + 1)
		}
	}
	return items, lines, i
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// lookup returns the value of name as defined at line n: the last
// definition before it, or the first after it.
func (p *parser) lookup(name string, n int) (assignment, bool) {
	a, _, ok := p.lookupIndex(name, n)
	return a, ok
}

func (p *parser) lookupIndex(name string, n int) (assignment, int, bool) {
	as := p.vars[name]
	if len(as) == 0 {
		return assignment{}, 0, false
	}
	best := -1
	for i, a := range as {
		if a.line <= n {
			best = i
		}
	}
	if best < 0 {
		best = 0
	}
	return as[best], best, true
}

var (
	reShellRef = lazyRegexp(`\$\{([A-Za-z_][A-Za-z0-9_]*)((?:%%|%|##|#|/|:-)[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
	reJinjaRef = lazyRegexp(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)
	reRPMRef   = lazyRegexp(`%\{(\??)([A-Za-z_][A-Za-z0-9_]*)\}`)
)

// expand substitutes the variables it knows in s, as seen from line n. ok
// is false when something could not be resolved.
func (p *parser) expand(s string, n int) (string, bool) {
	p.budget = 256 // variable substitutions per expansion: hostile files cannot blow it up
	return p.expandDepth(s, n, 0)
}

func (p *parser) expandDepth(s string, n, depth int) (string, bool) {
	if depth > 8 || len(s) > 4096 || p.budget <= 0 {
		return s, false
	}
	ok := true
	val := func(name string) (string, bool) {
		p.budget--
		if p.budget <= 0 {
			return "", false
		}
		a, idx, found := p.lookupIndex(name, n)
		if !found || (a.items != nil && len(a.items) == 0) {
			return "", false
		}
		// A value is expanded once, where it is assigned.
		key := name + "#" + strconv.Itoa(idx)
		if c, ok := p.cache[key]; ok {
			return c.v, c.ok
		}
		raw := a.value
		if a.items != nil {
			raw = a.items[0]
		}
		p.cache[key] = cached{"", false} // a self-reference resolves to nothing
		v, k := p.expandDepth(raw, a.line, depth+1)
		if k && unresolved(v) {
			v, k = "", false // a command substitution or template: keep the reference
		}
		p.cache[key] = cached{v, k}
		return v, k
	}
	s = reShellRef.ReplaceAllStringFunc(s, func(m string) string {
		sm := reShellRef.FindStringSubmatch(m)
		name, op := sm[1], sm[2]
		if name == "" {
			name = sm[3]
		}
		v, k := val(name)
		if !k {
			ok = false
			return m
		}
		return applyOp(v, op)
	})
	s = reJinjaRef.ReplaceAllStringFunc(s, func(m string) string {
		v, k := val(reJinjaRef.FindStringSubmatch(m)[1])
		if !k {
			ok = false
			return m
		}
		return v
	})
	s = reRPMRef.ReplaceAllStringFunc(s, func(m string) string {
		sm := reRPMRef.FindStringSubmatch(m)
		v, k := val(sm[2])
		if !k {
			if sm[1] == "?" {
				return ""
			}
			ok = false
			return m
		}
		return v
	})
	return s, ok
}

// applyOp applies a shell parameter expansion operator.
func applyOp(v, op string) string {
	if len(op) > 64 || len(v) > 1024 {
		return v
	}
	switch {
	case op == "":
		return v
	case strings.HasPrefix(op, "%%"):
		for i := 0; i <= len(v); i++ {
			if ok, _ := path.Match(op[2:], v[i:]); ok {
				return v[:i]
			}
		}
	case strings.HasPrefix(op, "%"):
		for i := len(v); i >= 0; i-- {
			if ok, _ := path.Match(op[1:], v[i:]); ok {
				return v[:i]
			}
		}
	case strings.HasPrefix(op, "##"):
		for i := len(v); i >= 0; i-- {
			if ok, _ := path.Match(op[2:], v[:i]); ok {
				return v[i:]
			}
		}
	case strings.HasPrefix(op, "#"):
		for i := 0; i <= len(v); i++ {
			if ok, _ := path.Match(op[1:], v[:i]); ok {
				return v[i:]
			}
		}
	case strings.HasPrefix(op, "/"):
		from, to, _ := strings.Cut(op[1:], "/")
		return strings.Replace(v, from, to, 1)
	case strings.HasPrefix(op, ":-"):
		if v == "" {
			return op[2:]
		}
	}
	return v
}

// ---------- scopes (case arms, per-line key maps) ----------

var (
	reCaseArm   = lazyRegexp(`^\s*"?([0-9]+\.[0-9]+)"?((?:\s*\|\s*"?[0-9]+\.[0-9]+"?)*)\s*\)`)
	reMapEntry  = lazyRegexp(`^\s*"([0-9]+\.[0-9]+)"\s*:`)
	reCaseEnd   = lazyRegexp(`;;|^\s*esac\b`)
	reLineToken = lazyRegexp(`[0-9]+\.[0-9]+`)
)

func (p *parser) collectScopes() {
	p.scopes = make([]string, len(p.lines)+2)
	cur := ""
	for i, l := range p.lines {
		if m := reCaseArm.FindStringSubmatch(l); m != nil {
			cur = strings.Join(reLineToken.FindAllString(m[0], -1), "|")
		} else if strings.HasPrefix(strings.TrimSpace(l), "*)") {
			cur = "*"
		}
		scope := cur
		if m := reMapEntry.FindStringSubmatch(l); m != nil {
			scope = m[1]
		}
		p.scopes[i+1] = scope
		if reCaseEnd.MatchString(l) {
			cur = ""
		}
	}
}

// ---------- URLs ----------

var (
	rePyURL   = lazyRegexp(`https?://(?:www\.)?python\.org/ftp/python/[^\s"'<>\\)\]},;|` + "`" + `]*`)
	reHex64   = lazyRegexp(`^[0-9a-fA-F]{64}$`)
	reBraceEx = lazyRegexp(`^(.*?)\{([^{}$]*,[^{}$]*)\}(.*)$`)
)

// braceExpand expands one level of `a{,.asc}` as bash does.
func braceExpand(s string) []string {
	m := reBraceEx.FindStringSubmatch(s)
	if m == nil || strings.HasSuffix(m[1], "$") {
		return []string{s}
	}
	var out []string
	for _, alt := range strings.Split(m[2], ",") {
		out = append(out, m[1]+alt+m[3])
	}
	return out
}

// addURL records a python.org URL found at line n. It returns the pin's
// index, or -1 for a signature, SBOM or directory URL.
func (p *parser) addURL(raw string, n int) int {
	u := strings.TrimRight(raw, ".:")
	frag := ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, frag = u[:i], u[i+1:]
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	rest := u[strings.Index(u, "/ftp/python/")+len("/ftp/python/"):]
	dir, file := path.Split(rest)
	dir = strings.TrimSuffix(dir, "/")
	if strings.ContainsAny(file, "${(") && !strings.Contains(file, ".") {
		// fetch_source "Python-${V}.tar.xz" "${URL}/${DIST_DIR}": the URL
		// names a directory; the file name is an argument on the same line.
		if m := reNextName.FindString(p.lines[n-1]); m != "" && !strings.Contains(m, "/") {
			file = m
			u += "/" + m
		}
	}
	if file == "" && strings.ContainsAny(dir, "${%") && n < len(p.lines) {
		// A computed URL split over lines (deadsnakes' f-strings).
		if m := reNextName.FindString(p.lines[n]); m != "" {
			file = m
			u += m
		}
	}
	if file == "" {
		return -1
	}
	for _, suf := range []string{".asc", ".sig"} {
		if strings.HasSuffix(file, suf) {
			if !p.verify.ASC {
				p.verify.ASC, p.verify.ASCLine = true, n
			}
			return -1
		}
	}
	if source.IsSibling(file) {
		return -1
	}
	if i, ok := p.byURL[u]; ok {
		if frag != "" && len(p.pins[i].Checksums) == 0 {
			p.addFragment(i, frag, n)
		}
		return i
	}
	pin := Artifact{URL: u, Artifact: file, Line: n}
	if !strings.ContainsAny(u, "${}%") {
		nm := source.ParseName(file, dir)
		if nm.Known {
			pin.Version, pin.Kind = nm.Version, nm.Kind
		}
	}
	p.pins = append(p.pins, pin)
	i := len(p.pins) - 1
	p.byURL[u] = i
	if frag != "" {
		p.addFragment(i, frag, n)
	}
	return i
}

func (p *parser) addFragment(i int, frag string, n int) {
	frag = strings.TrimPrefix(frag, "sha256=")
	if reHex64.MatchString(frag) {
		p.pins[i].Checksums = append(p.pins[i].Checksums, Checksum{Algorithm: "sha256", Hex: strings.ToLower(frag), Written: frag, Line: n})
	}
}

var reNextName = lazyRegexp(`[Pp]ython-[^'"\s]+`)

var reCommentLine = lazyRegexp(`^\s*(#|//|--|;)`)

func (p *parser) findURLs() {
	for i, l := range p.lines {
		n := i + 1
		if !strings.Contains(l, "python") && !strings.Contains(l, "$") && !strings.Contains(l, "{") && !strings.Contains(l, "%") {
			continue
		}
		if p.format == DebianWatch {
			continue // uscan regexps, handled in formatRules
		}
		cands := []string{l}
		if strings.ContainsAny(l, "${%") {
			if e, ok := p.expand(l, n); e != l && ok && !unresolved(e) {
				cands = []string{e}
			} else if e != l && rePyURL.MatchString(e) && !strings.Contains(l, "python.org/ftp/python/") {
				// e.g. source=("${url}/ftp/${_pkg}/${_pyver}/${_tarfile}")
				cands = []string{e}
			}
		}
		found := false
		for _, c := range cands {
			for _, w := range braceExpandAll(c) {
				for _, u := range rePyURL.FindAllString(w, -1) {
					if strings.ContainsAny(u, "${%(") {
						continue // unresolved: kept as written below
					}
					p.addURL(u, n)
					found = true
				}
			}
			if found {
				break
			}
		}
		// A URL whose version part stays a variable: keep it as written.
		if src := cands[0]; !found && strings.Contains(src, "python.org/ftp/python/") && !reCommentLine.MatchString(l) {
			for _, u := range rePyURLLoose.FindAllString(src, -1) {
				p.addURL(u, n)
			}
		}
		if !found && strings.Contains(l, ".asc") && reDownloadVerb.MatchString(l) && !p.verify.ASC && !reCommentLine.MatchString(l) {
			p.verify.ASC, p.verify.ASCLine = true, n
		}
	}
}

var (
	rePyURLLoose   = lazyRegexp(`https?://(?:www\.)?python\.org/ftp/python/[^\s"'<>\\;|` + "`" + `]*`)
	reDownloadVerb = lazyRegexp(`\b(?:wget|curl|fetch_source|Invoke-WebRequest|Download-File)\b|source=|SRC_URI|Source[0-9]*:`)
)

// braceExpandAll expands brace alternatives that follow a quoted URL:
// "…tar.xz"{,.asc}.
func braceExpandAll(s string) []string {
	s2 := strings.ReplaceAll(strings.ReplaceAll(s, `"{`, `{`), `'{`, `{`)
	if s2 == s && !strings.Contains(s, "{,") {
		return []string{s}
	}
	out := []string{s}
	for _, f := range strings.Fields(s2) {
		f = strings.Trim(f, `"'()`)
		f = strings.ReplaceAll(strings.ReplaceAll(f, `"`, ""), `'`, "")
		if strings.Contains(f, "python.org") {
			out = append(out, braceExpand(f)...)
		}
	}
	return out
}

// ---------- checksums ----------

var sumAlgos = map[int]string{32: "md5", 40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}

func (p *parser) addChecksum(i int, alg, value string, n int) {
	c := Checksum{Algorithm: alg, Written: value, Line: n}
	switch {
	case strings.Contains(value, "{{") || strings.Contains(value, "$"):
		c.Ref = value
	default:
		h, ok := decodeDigest(alg, value)
		if !ok {
			return
		}
		c.Hex = h
	}
	for _, o := range p.pins[i].Checksums {
		if o.Algorithm == c.Algorithm && o.Hex == c.Hex && o.Ref == c.Ref {
			return
		}
	}
	p.pins[i].Checksums = append(p.pins[i].Checksums, c)
}

// decodeDigest turns hex, Nix SRI (sha256-BASE64) or Nix base32 into hex.
func decodeDigest(alg, v string) (string, bool) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '-'); i > 0 && strings.HasPrefix(v, alg) {
		b, err := base64.StdEncoding.DecodeString(v[i+1:])
		if err != nil {
			return "", false
		}
		return hex.EncodeToString(b), true
	}
	if b, err := hex.DecodeString(v); err == nil && (alg == "" || sumAlgos[len(v)] == alg || alg == "blake2b" && len(b) == 64) {
		return strings.ToLower(v), true
	}
	if alg == "sha256" && len(v) == 52 {
		if b, ok := nixBase32(v); ok {
			return hex.EncodeToString(b), true
		}
	}
	return "", false
}

// nixBase32 decodes Nix's base32 (used for sha256 = "…" before SRI).
func nixBase32(s string) ([]byte, bool) {
	const alphabet = "0123456789abcdfghijklmnpqrsvwxyz"
	n := len(s) * 5 / 8
	out := make([]byte, n)
	for i := 0; i < len(s); i++ {
		c := strings.IndexByte(alphabet, s[len(s)-1-i])
		if c < 0 {
			return nil, false
		}
		b := i * 5
		j, k := b/8, b%8
		if j < n {
			out[j] |= byte(c << k)
		}
		if j+1 < n {
			out[j+1] |= byte(c >> (8 - k))
		} else if c>>(8-k) != 0 {
			return nil, false
		}
	}
	return out, true
}

var reSumsArray = lazyRegexp(`^(sha256|sha512|sha384|sha224|sha1|md5|b2|cksum)sums(?:_[a-z0-9_]+)?$|^TERMUX_PKG_SHA256$`)

// arrayChecksums pairs source arrays with their parallel checksum arrays
// (makepkg's source/sha512sums, termux's SRCURL/SHA256).
func (p *parser) arrayChecksums() {
	for name, as := range p.vars {
		alg := ""
		if m := reSumsArray.FindStringSubmatch(name); m != nil {
			alg = m[1]
			if alg == "" {
				alg = "sha256"
			}
			if alg == "b2" {
				alg = "blake2b"
			}
		}
		if alg == "" {
			continue
		}
		for _, sums := range as {
			if sums.items == nil {
				continue // APKBUILD writes "hex  name" lines: namedChecksums
			}
			srcName := "source" + strings.TrimPrefix(strings.TrimPrefix(name, alg+"sums"), "b2sums")
			if strings.HasPrefix(name, "TERMUX") {
				srcName = "TERMUX_PKG_SRCURL"
			}
			src, ok := p.lookup(srcName, sums.line)
			if !ok || src.items == nil {
				continue
			}
			var flat []string
			var flatLines []int
			for k, it := range src.items {
				for _, e := range braceExpand(it) {
					flat = append(flat, e)
					flatLines = append(flatLines, src.lines[k])
				}
			}
			for k, it := range flat {
				if k >= len(sums.items) {
					break
				}
				e, _ := p.expand(it, flatLines[k])
				u := rePyURL.FindString(e)
				if u == "" {
					continue
				}
				idx := p.addURL(u, flatLines[k])
				if idx < 0 || strings.EqualFold(sums.items[k], "SKIP") {
					continue
				}
				p.addChecksum(idx, alg, sums.items[k], sums.lines[k])
			}
		}
	}
}

var (
	reNamedSum = lazyRegexp(`^\s*([0-9a-fA-F]{32,128})\s+\*?([A-Za-z0-9._+-]+)\s*$`)
	reBSDSum   = lazyRegexp(`^\s*(SHA512|SHA256|SHA384|MD5|SHA1|BLAKE2b)\s*\(([^)]+)\)\s*=\s*([0-9a-fA-F]+)\s*$`)
	reDIST     = lazyRegexp(`^DIST\s+(\S+)\s+([0-9]+)\s+(.*)$`)
)

// namedChecksums reads checksums given with the file name: sha256sum
// output, APKBUILD sums, BSD-style `SHA512 (name) = hex`, Gentoo DIST.
// A python.org file named there with no URL becomes a pin of its own.
func (p *parser) namedChecksums() {
	for i, l := range p.lines {
		n := i + 1
		type sum struct{ alg, val string }
		var file string
		var sums []sum
		var size int64
		if m := reNamedSum.FindStringSubmatch(l); m != nil {
			alg := sumAlgos[len(m[1])]
			if alg == "" {
				continue
			}
			file, sums = m[2], []sum{{alg, m[1]}}
		} else if m := reBSDSum.FindStringSubmatch(l); m != nil {
			file, sums = strings.TrimSpace(m[2]), []sum{{strings.ToLower(m[1]), m[3]}}
		} else if m := reDIST.FindStringSubmatch(l); m != nil {
			file = m[1]
			size, _ = strconv.ParseInt(m[2], 10, 64)
			f := strings.Fields(m[3])
			for k := 0; k+1 < len(f); k += 2 {
				sums = append(sums, sum{strings.ToLower(f[k]), f[k+1]})
			}
		} else {
			continue
		}
		if source.IsSibling(file) {
			if strings.HasSuffix(file, ".asc") && !p.verify.ASC {
				p.verify.ASC, p.verify.ASCLine = true, n
			}
			continue
		}
		idx := -1
		for k := range p.pins {
			if p.pins[k].Artifact == file {
				idx = k
				break
			}
		}
		if idx < 0 {
			nm := source.ParseName(file, "")
			if !nm.Known {
				continue
			}
			p.pins = append(p.pins, Artifact{Version: nm.Version, Kind: nm.Kind, Artifact: file, Line: n})
			idx = len(p.pins) - 1
		}
		if size > 0 {
			p.pins[idx].Size = size
		}
		for _, s := range sums {
			p.addChecksum(idx, s.alg, s.val, n)
		}
	}
}

var (
	reNearSum      = lazyRegexp(`(?i)(?:^|[^a-z0-9_])(sha256|sha512|sha1|md5|blake2b|hash)["']?\s*(?:[:=]\s*)?["']?\s*(?:sha256[:-])?([0-9a-fA-F]{32,128}|[A-Za-z0-9+/]{43}=)["']?`)
	reSRI          = lazyRegexp(`["'](sha256|sha512)-([A-Za-z0-9+/]+={0,2})["']`)
	rePurlChecksum = lazyRegexp(`[?&]checksum=(?:sha256:)?([0-9a-f]{64})`)
	reURLKey       = lazyRegexp(`(?i)(^|\s|")(url|source|uri|download_url)\s*[:=]?\s*["']?https?://|\burl\s+"https?://`)
)

// nearbyChecksums attaches checksums written on the URL's line or the few
// lines after it (Homebrew's url/sha256, conda's url/sha256,
// python-build-standalone's dicts, paketo's source/source-checksum).
func (p *parser) nearbyChecksums() {
	for i := range p.pins {
		pin := &p.pins[i]
		if len(pin.Checksums) > 0 || pin.URL == "" {
			continue
		}
		last := pin.Line + 6
		if pin.Version == "" {
			last = pin.Line
		}
		for n := pin.Line; n <= last && n <= len(p.lines); n++ {
			l := p.lines[n-1]
			if n > pin.Line && (reURLKey.MatchString(l) || rePyURL.MatchString(l)) {
				break
			}
			if n == pin.Line {
				// Only what follows the URL, and a purl's checksum= parameter.
				if k := strings.Index(l, pin.Artifact); k >= 0 {
					l = l[k:]
				}
				if m := rePurlChecksum.FindStringSubmatch(p.lines[n-1]); m != nil {
					p.addChecksum(i, "sha256", m[1], n)
				}
			}
			for _, m := range reSRI.FindAllStringSubmatch(l, -1) {
				p.addChecksum(i, m[1], m[1]+"-"+m[2], n)
			}
			for _, m := range reNearSum.FindAllStringSubmatch(l, -1) {
				alg := strings.ToLower(m[1])
				if alg == "hash" {
					alg = sumAlgos[len(m[2])]
				}
				if alg == "" {
					continue
				}
				p.addChecksum(i, alg, m[2], n)
			}
			if len(p.pins[i].Checksums) > 0 {
				break
			}
		}
	}
}

var reSumVar = lazyRegexp(`(?i)^(?:python_?)?(?:sha256|checksum)$|python.*(?:sha256|checksum)|(?:sha256|checksum).*python`)

// variableChecksums attaches a checksum held in a variable (ENV
// PYTHON_SHA256 in a Dockerfile) to the file's artifact, when the file
// downloads one artifact.
func (p *parser) variableChecksums() {
	var artifacts []int
	for i := range p.pins {
		if len(p.pins[i].Checksums) == 0 {
			artifacts = append(artifacts, i)
		}
	}
	if len(artifacts) != 1 {
		return
	}
	names := make([]string, 0, len(p.vars))
	for name := range p.vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !reSumVar.MatchString(name) || reSumsArray.MatchString(name) {
			continue
		}
		a := p.vars[name][len(p.vars[name])-1]
		if a.items != nil || !strings.Contains(p.text, "$"+name) && !strings.Contains(p.text, "${"+name) && !strings.Contains(p.text, "$env:"+name) {
			continue
		}
		v := strings.TrimSpace(a.value)
		switch {
		case reHex64.MatchString(v):
			p.addChecksum(artifacts[0], "sha256", v, a.line)
		case strings.Contains(v, "{{") && strings.Contains(strings.ToLower(v), "sha256"):
			p.addChecksum(artifacts[0], "sha256", v, a.line)
		}
	}
}

// ---------- verification ----------

var (
	reGPGVerify      = lazyRegexp(`\bgpg2?\b[^\n]*--verify\b|\bgpgv2?\b|%gpgverify|pgpsigurlmangle`)
	reSigstoreVerify = lazyRegexp(`cosign\s+verify-blob|sigstore\s+verify|sigaudit\s+verify|VERIFY_SIG_METHOD=["']?sigstore|python3?\s+-m\s+sigstore`)
	reFingerprint    = lazyRegexp(`(?:^|[^0-9A-Za-z])([0-9A-Fa-f]{40})(?:[^0-9A-Za-z]|$)`)
	reKeyContext     = lazyRegexp(`(?i)gpg|pgp|fingerprint|key|validpgpkeys|signing`)
	reIdentity       = lazyRegexp(`(?:--certificate-identity|--cert-identity|--identity|VERIFY_SIG_CERT_IDENTITY|SIGSTORE_IDENTITY|CERT_IDENTITY)(?:=|\s+)["']?([^"'\s;)]+)`)
	reIssuer         = lazyRegexp(`(?:--certificate-oidc-issuer|--cert-oidc-issuer|--issuer|VERIFY_SIG_CERT_OIDC_ISSUER|SIGSTORE_ISSUER|CERT_OIDC_ISSUER)(?:=|\s+)["']?([^"'\s;)]+)`)
	reKeyring        = lazyRegexp(`VERIFY_SIG_OPENPGP_KEY_PATH=["']?(\S+?)["']?\s*$|gpg2?\s[^\n]*--import\s+["']?([^"'\s]+)`)
	reKeyURL         = lazyRegexp(`https?://\S*(?:\.gpg|\.asc|pubkeys\.txt|pgp_keys\.asc)\S*`)
)

// knownKeyURLs maps where recipes fetch a single release manager's key to
// that key's fingerprint; other key URLs are whole keyrings.
var knownKeyURLs = map[string]string{
	"github.com/Yhg1s.gpg":              "7169605F62C751356D054A26A821E680E5FA6305",
	"keybase.io/pablogsal/pgp_keys.asc": "A035C8C19219BA821ECEA86B64E628F8D684696D",
	"keybase.io/ambv/pgp_keys.asc":      "E3FF2839C048B25C084DEBE9B26995E310250568",
	"keybase.io/nad/pgp_keys.asc":       "0D96DF4D4110E5C43FBFB17F2D347EA6AA65421D",
}

func (p *parser) isChecksumValue(h string) bool {
	h = strings.ToLower(h)
	for _, pin := range p.pins {
		for _, c := range pin.Checksums {
			if c.Hex == h {
				return true
			}
		}
	}
	return false
}

func (p *parser) scopeAt(n int) string {
	if n < len(p.scopes) && p.scopes[n] != "*" {
		return p.scopes[n]
	}
	return ""
}

func (p *parser) findVerification() {
	v := &p.verify
	seenKey := map[string]bool{}
	addKey := func(k Key) {
		id := k.Fingerprint + "|" + k.Keyring + "|" + k.Scope
		if seenKey[id] {
			return
		}
		seenKey[id] = true
		v.Keys = append(v.Keys, k)
	}
	inValidPGP := false
	for i, l := range p.lines {
		n := i + 1
		trim := strings.TrimSpace(l)
		if strings.HasPrefix(trim, "validpgpkeys") {
			inValidPGP = true
		}
		if !strings.HasPrefix(trim, "#") || strings.HasPrefix(trim, "#!") { // not a comment
			p.verifyCommands(l, n, addKey)
		}
		p.keyURLs(l, n, addKey)
		// Fingerprints.
		if inValidPGP || reKeyContext.MatchString(l) || reMapEntry.MatchString(l) {
			for _, m := range reFingerprint.FindAllStringSubmatch(l, -1) {
				if p.isChecksumValue(m[1]) || strings.Contains(l, "commit") {
					continue
				}
				addKey(Key{Fingerprint: strings.ToUpper(m[1]), Scope: p.scopeAt(n), Line: n})
			}
		}
		if inValidPGP {
			code := l
			if k := strings.Index(code, "#"); k >= 0 {
				code = code[:k]
			}
			if strings.Contains(code, ")") {
				inValidPGP = false
			}
		}
		p.identities(l, n)
	}
	if p.format == PKGBUILD && len(v.Keys) > 0 && v.ASC {
		v.PGP = true // makepkg checks .asc sources against validpgpkeys
		if v.PGPLine == 0 {
			v.PGPLine = v.ASCLine
		}
	}
	if p.format == Gentoo && strings.Contains(p.text, "verify-sig") && v.ASC && !strings.Contains(p.text, "VERIFY_SIG_METHOD=sigstore") {
		v.PGP, v.PGPLine = true, v.ASCLine
	}
	if v.DigestFromBundle > 0 {
		v.BundleVerified = v.Sigstore
	}
}

// verifyCommands notes, on line n (not a comment), the first gpg and
// cosign/sigstore verification, a digest taken from a bundle, and the
// keyrings gpg is given.
func (p *parser) verifyCommands(l string, n int, addKey func(Key)) {
	v := &p.verify
	if !v.PGP && (strings.Contains(l, "gpg") || strings.Contains(l, "pgpsig")) && reGPGVerify.MatchString(l) {
		v.PGP, v.PGPLine = true, n
	}
	if !v.Sigstore && (strings.Contains(l, "verify") || strings.Contains(l, "sigstore")) && reSigstoreVerify.MatchString(l) {
		v.Sigstore, v.SigstoreLine = true, n
	}
	if strings.Contains(l, "messageDigest") && v.DigestFromBundle == 0 {
		v.DigestFromBundle = n
	}
	if m := keyringIn(l); m != nil {
		ring := m[1] + m[2]
		if !strings.Contains(ring, "$") || strings.Contains(ring, "/") {
			addKey(Key{Keyring: ring, Scope: p.scopeAt(n), Line: n})
		}
	}
	if strings.Contains(l, "%gpgverify") && !v.PGP {
		v.PGP, v.PGPLine = true, n
	}
}

// keyURLs notes the keys line n downloads (Fedora's Source2, Gentoo's
// keyring package): a known key URL is its fingerprint, a pubkeys.txt a
// keyring.
func (p *parser) keyURLs(l string, n int, addKey func(Key)) {
	el := l
	if strings.Contains(l, "%{") || strings.Contains(l, "$") {
		el, _ = p.expand(l, n)
	}
	for _, u := range reKeyURL.FindAllString(el, -1) {
		if strings.Contains(u, "python.org/ftp/") {
			continue
		}
		if !strings.Contains(l, "Source") && !strings.Contains(l, "keybase") && !strings.Contains(l, "gpg") && !strings.Contains(l, "pubkeys") {
			continue
		}
		matched := false
		for k, fp := range knownKeyURLs {
			if strings.Contains(u, k) {
				if !strings.Contains(u, "fingerprint=") {
					addKey(Key{Fingerprint: fp, Scope: p.scopeAt(n), Line: n})
				}
				matched = true
			}
		}
		if !matched && strings.Contains(u, "pubkeys.txt") {
			addKey(Key{Keyring: u, Scope: p.scopeAt(n), Line: n})
		}
	}
}

// identities notes the Sigstore identities and issuers written on line
// n. A value given through a variable is judged where the variable is
// set (per line in a case statement), not where it is used.
func (p *parser) identities(l string, n int) {
	lowerL := strings.ToLower(l)
	if !strings.Contains(lowerL, "identity") && !strings.Contains(lowerL, "issuer") {
		return
	}
	v := &p.verify
	for _, m := range reIdentity.FindAllStringSubmatch(l, -1) {
		if !strings.ContainsAny(m[1], "${}") {
			v.Identities = append(v.Identities, Identity{Value: m[1], Scope: p.scopeAt(n), Line: n})
		}
	}
	for _, m := range reIssuer.FindAllStringSubmatch(l, -1) {
		if !strings.ContainsAny(m[1], "${}") {
			v.Identities = append(v.Identities, Identity{Value: m[1], Issuer: true, Scope: p.scopeAt(n), Line: n})
		}
	}
}

// ---------- computed CPython downloads ----------

var (
	reArtifactTemplate = lazyRegexp(`["']([^"'\s]*/[Pp]ython-\$\{?[A-Za-z_][^"'\s]*?(?:\.tgz|\.tar\.xz|\.exe|\$\{?[A-Za-z_]\w*\}?))["']`)
	reDownloadCall     = lazyRegexp(`\b(?:Download-File|Invoke-WebRequest|wget|curl|urlretrieve|urlopen|requests\.get|http\.Get|fetch_source)\b`)
)

// computedDownloads finds, in a file that names no python.org URL, a
// CPython artifact path built from variables (actions/python-versions'
// "${base}/${versionName}/Python-${nativeVersion}.tgz") in a file that
// downloads: a download sigaudit cannot resolve but can still judge.
func (p *parser) computedDownloads() {
	if len(p.pins) > 0 || !reDownloadCall.MatchString(p.text) {
		return
	}
	for i, l := range p.lines {
		if reCommentLine.MatchString(l) {
			continue
		}
		for _, m := range reArtifactTemplate.FindAllStringSubmatch(l, -1) {
			p.pins = append(p.pins, Artifact{URL: m[1], Artifact: path.Base(m[1]), Line: i + 1})
		}
	}
}

// ---------- per-format rules ----------

var reManylinuxRun = lazyRegexp(`build-cpython\.sh\s+(?:(\S+@\S+)\s+(https://\S+)\s+)?([0-9]+\.[0-9]+\.[0-9]+(?:(?:a|b|rc)[0-9]+)?)`)

func (p *parser) formatRules() {
	v := &p.verify
	switch p.format {
	case Pyenv, Brew, Conda, Standalone, Paketo, Termux, SHA256Sum, APKBUILD, Nix:
		v.VerifiesByConstruct = true
	case DockerTemplate:
		v.VerifiesByConstruct = true
	case FedoraSpec:
		v.ChecksumElsewhere = "the dist-git sources file"
	case Gentoo:
		v.ChecksumElsewhere = "the Manifest"
	case GentooManifest:
		v.Delegated = "the ebuild"
	case FedoraSources:
		v.Delegated = "the spec file"
	case DockerVersionsSh:
		v.Delegated = "versions.json and the Dockerfile template"
	case Manylinux:
		for i, l := range p.lines {
			n := i + 1
			m := reManylinuxRun.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			ver := m[3]
			pv, err := timeline.ParseVersion(ver)
			if err != nil {
				continue
			}
			file := "Python-" + ver + ".tar.xz"
			p.addURL("https://www.python.org/ftp/python/"+dirOf(pv)+"/"+file, n)
			if m[1] != "" {
				v.Identities = append(v.Identities, Identity{Value: m[1], Scope: ver, Line: n}, Identity{Value: m[2], Issuer: true, Scope: ver, Line: n})
			}
		}
		if !strings.Contains(p.text, "cosign") && !strings.Contains(p.text, "gpg") {
			v.Delegated = "build-cpython.sh"
		}
	case DebianWatch:
		for i, l := range p.lines {
			if strings.Contains(l, "python.org/ftp/python") {
				u := l[strings.Index(l, "http"):]
				if f := strings.Fields(u); len(f) > 0 {
					u = f[0]
				}
				p.pins = append(p.pins, Artifact{URL: u, Artifact: path.Base(u), Line: i + 1})
			}
		}
	}
}

func (p *parser) signingKey() {
	for _, fp := range armoredFingerprints([]byte(p.text)) {
		p.verify.Keys = append(p.verify.Keys, Key{Fingerprint: fp, Line: 1})
	}
}

// ---------- Nix ----------

var (
	reNixAttr    = lazyRegexp(`^\s*([A-Za-z_][A-Za-z0-9_'-]*)\s*=\s*(?:callPackage|\{|__spliced|\(|darwin)`)
	reNixField   = lazyRegexp(`^\s*(major|minor|patch|suffix)\s*=\s*"([^"]*)"\s*;`)
	reNixHash    = lazyRegexp(`^\s*(hash|sha256)\s*=\s*"([^"]+)"\s*;`)
	reNixSVStart = lazyRegexp(`sourceVersion\s*=\s*\{`)
	reNixInterp  = lazyRegexp(`^(?:python|pypy|rustpython|graalpython)[0-9][0-9a-z_]*$`)
)

// nix reads nixpkgs' interpreter set: each pythonXY attribute's
// sourceVersion and the hash after it (SRI or Nix base32) pin
// Python-X.Y.Z.tar.xz. PyPy and RustPython attributes are skipped.
func (p *parser) nix() {
	attr := ""
	for i := 0; i < len(p.lines); i++ {
		l := p.lines[i]
		if m := reNixAttr.FindStringSubmatch(l); m != nil && reNixInterp.MatchString(m[1]) {
			attr = m[1]
		}
		if !reNixSVStart.MatchString(l) {
			continue
		}
		f := map[string]string{}
		j := i
		for ; j < len(p.lines) && j < i+10; j++ {
			if m := reNixField.FindStringSubmatch(p.lines[j]); m != nil {
				f[m[1]] = m[2]
			}
			if strings.Contains(p.lines[j], "};") {
				break
			}
		}
		if !strings.HasPrefix(attr, "python") || f["major"] == "" {
			continue
		}
		ver := f["major"] + "." + f["minor"] + "." + f["patch"] + f["suffix"]
		pv, err := timeline.ParseVersion(ver)
		if err != nil {
			continue
		}
		file := "Python-" + ver + ".tar.xz"
		pin := Artifact{Version: ver, Kind: source.KindSource, Artifact: file, URL: "https://www.python.org/ftp/python/" + dirOf(pv) + "/" + file, Line: i + 1}
		for k := j; k < len(p.lines) && k < j+8; k++ {
			if m := reNixHash.FindStringSubmatch(p.lines[k]); m != nil {
				alg := "sha256"
				if strings.HasPrefix(m[2], "sha512-") {
					alg = "sha512"
				}
				if h, ok := decodeDigest(alg, m[2]); ok {
					pin.Checksums = append(pin.Checksums, Checksum{Algorithm: alg, Hex: h, Written: m[2], Line: k + 1})
				}
				break
			}
			if reNixSVStart.MatchString(p.lines[k]) {
				break
			}
		}
		p.pins = append(p.pins, pin)
		i = j
	}
	p.verify.VerifiesByConstruct = true
}

// ---------- docker-library versions.json ----------

// versionsEntry is one line of docker-library's versions.json.
type versionsEntry struct {
	Version   string `json:"version"`
	Checksums map[string]struct {
		SHA256 string `json:"sha256"`
	} `json:"checksums"`
}

func (p *parser) versionsJSON() {
	pins, err := versionsJSONPins([]byte(p.text))
	if err != nil {
		return
	}
	p.pins = pins
	p.verify.Delegated = "the Dockerfile template"
}

// versionsJSONPins reads docker-library's versions.json: per line,
// .version and .checksums.{source,windows}.sha256. An entry with no
// checksum is a pin with no checksum.
func versionsJSONPins(b []byte) ([]Artifact, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	text := string(b)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return lineOf(text, `"`+keys[i]+`"`) < lineOf(text, `"`+keys[j]+`"`) })
	var pins []Artifact
	for _, k := range keys {
		var e versionsEntry
		if json.Unmarshal(m[k], &e) != nil || e.Version == "" {
			continue
		}
		pv, err := timeline.ParseVersion(e.Version)
		if err != nil {
			continue
		}
		at := lineOf(text, `"`+k+`"`)
		for _, kind := range []string{"source", "windows"} {
			c, ok := e.Checksums[kind]
			if kind == "windows" && !ok {
				continue
			}
			file := "Python-" + e.Version + ".tar.xz"
			knd := source.KindSource
			if kind == "windows" {
				file, knd = "python-"+e.Version+"-amd64.exe", source.KindWindows
			}
			pin := Artifact{Version: e.Version, Kind: knd, Artifact: file, URL: "https://www.python.org/ftp/python/" + dirOf(pv) + "/" + file, Line: lineAfter(text, at, `"version": "`+e.Version+`"`)}
			if c.SHA256 != "" {
				n := lineAfter(text, at, c.SHA256)
				pin.Line = n
				if h, ok := decodeDigest("sha256", c.SHA256); ok {
					pin.Checksums = []Checksum{{Algorithm: "sha256", Hex: h, Written: c.SHA256, Line: n}}
				} else {
					pin.Checksums = []Checksum{{Algorithm: "sha256", Written: c.SHA256, Line: n}} // not a SHA-256: judged a mismatch
				}
			}
			pins = append(pins, pin)
		}
	}
	return pins, nil
}

func lineOf(text, sub string) int {
	i := strings.Index(text, sub)
	if i < 0 {
		return 0
	}
	return strings.Count(text[:i], "\n") + 1
}

// lineAfter is the line of the first sub at or after line from.
func lineAfter(text string, from int, sub string) int {
	off := 0
	for l := 1; l < from; l++ {
		k := strings.IndexByte(text[off:], '\n')
		if k < 0 {
			break
		}
		off += k + 1
	}
	i := strings.Index(text[off:], sub)
	if i < 0 {
		return from
	}
	return strings.Count(text[:off+i], "\n") + 1
}

// dirOf is the python.org directory a version's files live in: the
// version without its pre-release suffix (3.15.0a8 lives in 3.15.0/).
func dirOf(v timeline.Version) string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) + "." + strconv.Itoa(v.Patch)
}

// CheckVersionsJSON reads docker-library's versions.json in its current
// shape (per line: .version, .checksums.source.sha256,
// .checksums.windows.sha256) and judges each pinned SHA-256 against
// python.org's digest, as `sigaudit plan --from versions.json` does.
func CheckVersionsJSON(name string, content []byte, opt Options) (*Recipe, error) {
	if err := checkText(content); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	pins, err := versionsJSONPins(content)
	if err != nil {
		return nil, fmt.Errorf("%s: not docker-library's versions.json: %w", name, err)
	}
	r := &Recipe{File: name, Format: DockerVersionsJSON, Pins: pins, Findings: []Finding{}}
	r.Verify.Delegated = "the Dockerfile template"
	for i := range r.Pins {
		for _, c := range r.Pins[i].Checksums {
			if c.Hex != "" {
				r.Pins[i].SHA256 = c.Hex
			}
		}
	}
	if len(pins) == 0 {
		r.Error = errNothingFound.Error()
		return r, fmt.Errorf("%s: %w", name, errNothingFound)
	}
	Lint(r, opt)
	return r, nil
}

func keyringIn(l string) []string {
	if !strings.Contains(l, "VERIFY_SIG_OPENPGP") && !strings.Contains(l, "--import") {
		return nil
	}
	return reKeyring.FindStringSubmatch(l)
}

// unresolved reports whether an expansion still holds a shell command
// substitution, a parameter reference or a template expression.
func unresolved(s string) bool {
	return strings.Contains(s, "$(") || strings.Contains(s, "${") || strings.Contains(s, "{{") || strings.Contains(s, "`")
}
