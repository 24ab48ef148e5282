package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joshdk/go-junit"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"
)

// Hostile names and messages, as a malicious mirror could serve them.
var hostileNames = []string{
	"[x](http://e)",
	"![i](u)",
	"<img src=x onerror=alert(1)>",
	"<script>alert(1)</script>",
	"`code` ``fence``",
	"a|b|c",
	"line\nbreak\r\n## heading",
	"ansi\x1b[31mred\x1b[0m\x07bell",
	"http://evil.example/x",
	"www.evil.example",
	"mail@evil.example",
	"&lt;entity&gt; &amp;",
	"::error::injected",
	"%0A::warning::x",
	"bidi\u202eexe.zip",
	"]]></x><x>",
	"\"quote' and , colon:",
	"*em* _em_ ~~del~~ # h",
	"bad utf8 \xff\xfe",
}

func hostileReport() *Report {
	r := &Report{Tool: Tool{Name: "sigaudit", Version: "<v>"}}
	for i, n := range hostileNames {
		r.Artifacts = append(r.Artifacts, Artifact{
			Name: n, Version: "3.13." + string(rune('0'+i%10)), Line: "3.13", Kind: "source",
			Expected: Expected{PGP: true, Sigstore: true},
			PGP:      Method{Status: "wrong-signer", Signer: n, File: n + ".asc"},
			Sigstore: Method{Status: "wrong-identity", Identity: n, Issuer: n},
			Findings: []Finding{{Severity: Mismatch, Code: CodeSigstoreIdentity, Message: "certificate is for " + n}, {Severity: Note, Code: CodeUnknownArtifact, Message: n}},
		})
	}
	return r
}

// Markdown: rendered by a CommonMark + GFM renderer (tables, autolinks,
// strikethrough), a hostile name never becomes a link, an image or HTML.
func TestHostileMarkdown(t *testing.T) {
	r := hostileReport()
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	for _, show := range ShowValues {
		src := render(t, "markdown", r, Options{Show: show})
		var out bytes.Buffer
		if err := md.Convert(src, &out); err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "a", "img", "script", "h1", "h4", "del", "em":
					t.Errorf("--show %s: markdown renders a <%s> from a hostile value", show, n.Data)
				}
			}
			if n.Type == html.RawNode {
				t.Errorf("raw HTML %q", n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		if n := strings.Count(out.String(), "<h2"); n != 1 {
			t.Errorf("--show %s: %d h2 headings", show, n)
		}
		if strings.Contains(out.String(), "<!-- raw HTML omitted -->") {
			t.Errorf("--show %s: the markdown carries raw HTML", show)
		}
		if bytes.ContainsAny(src, "\x1b\x07\r") {
			t.Errorf("--show %s: control bytes in markdown", show)
		}
	}
	// Tables keep their shape: every row of the artifacts table has the
	// header's cell count.
	src := string(render(t, "markdown", r, Options{Show: "all"}))
	var out bytes.Buffer
	md.Convert([]byte(src), &out)
	doc, _ := html.Parse(&out)
	var rows [][]int
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "table" {
			rows = append(rows, nil)
		}
		if n.Type == html.ElementNode && n.Data == "tr" {
			c := 0
			for k := n.FirstChild; k != nil; k = k.NextSibling {
				if k.Type == html.ElementNode {
					c++
				}
			}
			rows[len(rows)-1] = append(rows[len(rows)-1], c)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, tbl := range rows {
		for _, c := range tbl {
			if c != tbl[0] {
				t.Errorf("a hostile value broke a markdown table: cells per row %v", tbl)
				break
			}
		}
	}
}

// Text formats carry no control byte and keep one finding per line.
func TestHostileText(t *testing.T) {
	r := hostileReport()
	for _, f := range []string{"table", "github"} {
		for _, o := range []Options{{}, {Show: "all", Wide: true}} {
			out := string(render(t, f, r, o))
			for _, c := range out {
				if (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x202e {
					t.Errorf("%s: control character %U in output", f, c)
					break
				}
			}
		}
	}
	gh := string(render(t, "github", r, Options{}))
	lines := strings.Split(strings.TrimSpace(gh), "\n")
	if len(lines) != 2*len(hostileNames)+1 {
		t.Errorf("%d lines for %d findings: a name started a line", len(lines), 2*len(hostileNames))
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "::error file=") && !strings.HasPrefix(l, "::notice file=") {
			t.Errorf("not an annotation: %q", l)
		}
		if strings.HasPrefix(l, "::") {
			head := l[:strings.Index(l[2:], "::")+2]
			props := strings.SplitN(head, " ", 2)
			if len(props) == 2 {
				for _, p := range strings.Split(props[1], ",") {
					if !strings.Contains(p, "=") || strings.Count(p, "=") != 1 && !strings.HasPrefix(p, "title=") && !strings.HasPrefix(p, "file=") {
						t.Errorf("a property broken by a hostile value: %q in %q", p, l)
					}
				}
			}
		}
	}
	if !strings.Contains(gh, "file=3.13.0/[x](http%3A//e),title=sigstore-wrong-identity (mismatch)::") {
		t.Errorf("github annotation escaping:\n%s", gh)
	}
	if !strings.Contains(gh, "%250A%3A%3Awarning") && !strings.Contains(gh, "%250A::warning") {
		t.Errorf("%% not escaped:\n%s", gh)
	}
}

// JUnit and SARIF: the encoders escape; what comes back is the name.
func TestHostileXMLAndSARIF(t *testing.T) {
	r := hostileReport()
	suites, err := junit.Ingest(render(t, "junit", r, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range suites {
		for _, tc := range s.Tests {
			if tc.Name != xmlSafe(hostileNames[n]) && tc.Name != strings.ReplaceAll(xmlSafe(hostileNames[n]), "\r\n", "\n") && tc.Name != strings.ReplaceAll(xmlSafe(hostileNames[n]), "\r", "\n") {
				t.Errorf("junit name %q, want %q", tc.Name, hostileNames[n])
			}
			n++
		}
	}
	if n != len(hostileNames) {
		t.Errorf("%d junit cases", n)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Message struct{ Text string }
			}
		}
	}
	if err := json.Unmarshal(render(t, "sarif", r, Options{}), &log); err != nil {
		t.Fatal(err)
	}
	for _, res := range log.Runs[0].Results {
		if strings.ContainsAny(res.Message.Text, "\x1b\n\r\x07") {
			t.Errorf("SARIF message with control bytes: %q", res.Message.Text)
		}
	}
	validateSARIF(t, render(t, "sarif", r, Options{}))
}

// HTML: every value is escaped; the page makes no network request.
func TestHTML(t *testing.T) {
	r := hostileReport()
	out := render(t, "html", r, Options{Plan: planReplay(t, "plan-all.json")})
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	scripts, rows := 0, 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "img", "a", "iframe", "link", "object", "embed":
				t.Errorf("a <%s> element", n.Data)
			case "script":
				scripts++
			case "tr":
				for _, a := range n.Attr {
					if a.Key == "data-codes" {
						rows++
					}
				}
			}
			for _, a := range n.Attr {
				if a.Key == "src" || a.Key == "href" || strings.HasPrefix(a.Key, "on") || a.Key == "xlink:href" {
					t.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if scripts != 1 || rows != len(r.Artifacts) {
		t.Errorf("%d scripts, %d artifact rows", scripts, rows)
	}
	// Past the first htmlPageRows rows, the rest go into a <template>: the
	// same escaping there, and a name cannot close the template.
	big := &Report{Tool: r.Tool}
	for len(big.Artifacts) < 2*htmlPageRows+10 {
		for _, a := range r.Artifacts {
			a.Name += "</template></table><script>x()</script>"
			big.Artifacts = append(big.Artifacts, a)
		}
	}
	bigOut := render(t, "html", big, Options{})
	if doc, err = html.Parse(bytes.NewReader(bigOut)); err != nil {
		t.Fatal(err)
	}
	scripts, rows = 0, 0
	walk(doc)
	if scripts != 1 || rows != len(big.Artifacts) || strings.Count(string(bigOut), "<template") != 1 || strings.Count(string(bigOut), "</template>") != 1 {
		t.Errorf("%d artifacts past a page: %d scripts, %d artifact rows, %d <template, %d </template>", len(big.Artifacts), scripts, rows, strings.Count(string(bigOut), "<template"), strings.Count(string(bigOut), "</template>"))
	}
	if bytes.Contains(out, []byte("<img src=x")) || bytes.Contains(out, []byte("http://")) && !bytes.Contains(out, []byte(`xmlns="http://www.w3.org/2000/svg"`)) {
		t.Error("unescaped hostile value")
	}
	if !bytes.Contains(out, []byte(`Content-Security-Policy" content="default-src 'none'`)) {
		t.Error("no CSP")
	}

	// The whole history: under 2 MB, numbers equal the JSON summary.
	var h Report
	readReplay(t, "audit-history.json.gz", &h)
	out = render(t, "html", &h, Options{Plan: planReplay(t, "plan-all.json")})
	if len(out) > 2<<20 {
		t.Errorf("HTML of 2,103 artifacts is %d bytes", len(out))
	}
	var js struct{ Summary summary }
	json.Unmarshal(render(t, "json", &h, Options{}), &js)
	for _, want := range []string{`data-artifacts="2103"`, `data-gaps="` + itoa(js.Summary.Gaps) + `"`, `data-mismatches="0"`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if strings.Count(string(out), "data-codes=") != 2103 {
		t.Error("not every artifact in the HTML")
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), "x.html"), out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSVG(t *testing.T) {
	for _, name := range []string{"plan-all.json", "plan-delayed.json"} {
		p := planReplay(t, name)
		var buf bytes.Buffer
		if err := planSVG(&buf, p, svgOptions{}); err != nil {
			t.Fatal(err)
		}
		checkSVG(t, name, buf.Bytes(), p)
	}
	// Without the dates of the first signed releases (sigstore_since), a
	// line signed from a later release gets words, not a band from a
	// wrong date.
	undated := planReplay(t, "plan-all.json")
	for i := range undated.Rows {
		undated.Rows[i].SigstoreSince = ""
	}
	var ub bytes.Buffer
	planSVG(&ub, undated, svgOptions{})
	checkSVG(t, "undated", ub.Bytes(), undated)
	if !bytes.Contains(ub.Bytes(), []byte("Sigstore from 3.7.14 (date unknown)")) {
		t.Error("3.7's Sigstore start not said")
	}

	// Hostile labels stay text.
	p := planReplay(t, "plan-all.json")
	p.Rows[0].Manager = "<script>alert(1)</script>"
	p.Rows[0].Identity = "]]>&\x1b"
	var buf bytes.Buffer
	planSVG(&buf, p, svgOptions{})
	if bytes.Contains(buf.Bytes(), []byte("<script")) || bytes.Contains(buf.Bytes(), []byte("\x1b")) {
		t.Error("hostile label in SVG")
	}
	checkSVG(t, "hostile", buf.Bytes(), p)
}

type svgNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []svgNode  `xml:",any"`
}

func (n svgNode) attr(k string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == k {
			return a.Value
		}
	}
	return ""
}

func (n svgNode) walk(f func(svgNode)) {
	f(n)
	for _, c := range n.Nodes {
		c.walk(f)
	}
}

// checkSVG compares the chart structurally with the plan: well-formed
// XML, a title, one row per line with its label, bands whose dates are
// the plan's, an end of life per row, a today marker at the plan's date.
func checkSVG(t *testing.T, name string, b []byte, p *Plan) {
	t.Helper()
	var root svgNode
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("%s: not XML: %v", name, err)
	}
	if root.XMLName.Local != "svg" || root.attr("role") != "img" || root.attr("width") != "800" {
		t.Errorf("%s: root %v", name, root.XMLName)
	}
	type band struct{ from, to string }
	rows := map[string][]string{}
	bands := map[string]map[string]band{}
	eol := map[string]string{}
	today, title := "", ""
	root.walk(func(n svgNode) {
		switch {
		case n.XMLName.Local == "title" && title == "":
			title = n.Text
		case n.XMLName.Local == "g" && strings.Contains(n.attr("class"), "row"):
			var texts []string
			for _, c := range n.Nodes {
				if c.XMLName.Local == "text" {
					texts = append(texts, c.Text)
				}
			}
			rows[n.attr("data-line")] = texts
		case n.XMLName.Local == "rect" && n.attr("data-band") != "":
			l := n.attr("data-line")
			if bands[l] == nil {
				bands[l] = map[string]band{}
			}
			bands[l][n.attr("data-band")] = band{n.attr("data-from"), n.attr("data-to")}
		case n.XMLName.Local == "line" && n.attr("class") == "eol":
			eol[n.attr("data-line")] = n.attr("data-date")
		case n.XMLName.Local == "g" && n.attr("class") == "today":
			today = n.attr("data-date")
		}
	})
	if title == "" || (p.PGPDelayed && !strings.Contains(title, "delay")) {
		t.Errorf("%s: title %q", name, title)
	}
	if today != p.At {
		t.Errorf("%s: today marker at %q, plan at %q", name, today, p.At)
	}
	if len(rows) != len(p.Rows) {
		t.Errorf("%s: %d rows, plan has %d", name, len(rows), len(p.Rows))
	}
	for _, r := range p.Rows {
		texts := rows[r.Line]
		joined := strings.Join(texts, "|")
		if len(texts) == 0 || texts[0] != cell(r.release()) || !strings.Contains(joined, xmlSafe(cell(r.Manager))) || !strings.Contains(joined, xmlSafe(cell(r.Identity))) {
			t.Errorf("%s: row %s labels %q", name, r.Line, texts)
		}
		if eol[r.Line] != r.EndOfLife {
			t.Errorf("%s: %s end of life %q, plan %q", name, r.Line, eol[r.Line], r.EndOfLife)
		}
		pgp, hasPGP := bands[r.Line]["pgp"]
		if r.PGPUntil == "never" {
			if hasPGP {
				t.Errorf("%s: %s has a PGP band but PGP never", name, r.Line)
			}
		} else if !hasPGP || pgp.to != r.PGPUntil || pgp.from != r.FirstStable {
			t.Errorf("%s: %s PGP band %+v, plan %s..%s", name, r.Line, pgp, r.FirstStable, r.PGPUntil)
		}
		sig, hasSig := bands[r.Line]["sigstore"]
		from := r.SigstoreSince
		if from == "" && lineStart(r.SigstoreFrom) {
			from = r.FirstStable
		}
		switch {
		case from == "" || r.Identity == "":
			if hasSig {
				t.Errorf("%s: %s has a Sigstore band from no known date: %+v", name, r.Line, sig)
			}
			if sigstoreUndated(r) && !strings.Contains(joined, "Sigstore from "+r.SigstoreFrom) {
				t.Errorf("%s: %s does not say Sigstore starts at %s", name, r.Line, r.SigstoreFrom)
			}
		case sig.from != from || sig.to != r.EndOfLife:
			t.Errorf("%s: %s Sigstore band %+v, plan %s..%s", name, r.Line, sig, from, r.EndOfLife)
		}
	}
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, what string, out []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not match its schema: %v", what, err)
	}
}

// Every JSON output validates against its schema file.
func TestSchemas(t *testing.T) {
	rs := compileSchema(t, "schema/report.json")
	for _, name := range reportReplays {
		var r Report
		readReplay(t, name, &r)
		r.Tool = Tool{Name: "sigaudit", Version: "v1.2.3", Commit: "abc", TimelineRevision: "2026-11-20", TrustedRootSHA256: strings.Repeat("ab", 32)}
		validate(t, rs, name, render(t, "json", &r, Options{}))
	}
	validate(t, rs, "hostile", render(t, "json", hostileReport(), Options{}))
	validate(t, rs, "empty", render(t, "json", &Report{}, Options{}))
	bad := []byte(`{"schema":"sigaudit/v1","tool":{"name":"x","version":"y"},"summary":{},"artifacts":[]}`)
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if rs.Validate(v) == nil {
		t.Error("the report schema accepts an empty summary")
	}
	ps := compileSchema(t, "schema/policy.json")
	for _, p := range []*Policy{{}, policyReplay(t, "policy-all.json"), policyReplay(t, "policy-versions.json")} {
		var buf bytes.Buffer
		RenderPolicy(&buf, "json", p, Options{})
		validate(t, ps, "policy", buf.Bytes())
	}
	pl := compileSchema(t, "schema/plan.json")
	for _, p := range []*Plan{{}, planReplay(t, "plan-all.json"), planReplay(t, "plan-delayed.json")} {
		var buf bytes.Buffer
		RenderPlan(&buf, "json", p, Options{})
		validate(t, pl, "plan", buf.Bytes())
	}
	cs := compileSchema(t, "schema/checksums.json")
	for _, c := range []*Checksums{{}, checksumsReplay(t)} {
		var buf bytes.Buffer
		WriteChecksums(&buf, "json", c)
		validate(t, cs, "checksums", buf.Bytes())
	}
	// Every document starts with the schema, then the tool, then the
	// summary.
	var buf bytes.Buffer
	RenderPlan(&buf, "json", planReplay(t, "plan-all.json"), Options{})
	if !strings.HasPrefix(buf.String(), "{\n  \"schema\": \"sigaudit/v1\",\n  \"tool\": {") || !strings.Contains(buf.String(), "},\n  \"summary\": {") {
		t.Errorf("plan JSON head:\n%.200s", buf.String())
	}
}

func validateSARIF(t *testing.T, out []byte) {
	t.Helper()
	s := compileSchema(t, "../testdata/sarif/sarif-2.1.0-rtm.5.json")
	validate(t, s, "sarif", out)
}

func TestSARIF(t *testing.T) {
	var r Report
	readReplay(t, "audit-planted.json", &r)
	r.Tool.Version = "v1.2.3"
	out := render(t, "sarif", &r, Options{})
	validateSARIF(t, out)
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version string
					Rules   []struct {
						ID               string
						HelpURI          string
						FullDescription  struct{ Text string }
						ShortDescription struct{ Text string }
					}
				}
			}
			Results []struct {
				RuleID              string
				Level               string
				PartialFingerprints map[string]string
				Locations           []struct {
					PhysicalLocation struct {
						Region struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.Tool.Driver.Version != "v1.2.3" {
		t.Errorf("driver.version %q", run.Tool.Driver.Version)
	}
	for _, rule := range run.Tool.Driver.Rules {
		if rule.HelpURI == "" || len(rule.FullDescription.Text) <= len(rule.ShortDescription.Text) {
			t.Errorf("rule %s lacks helpUri or a full description", rule.ID)
		}
	}
	fps := map[string]bool{}
	notes := 0
	for _, res := range run.Results {
		fp := res.PartialFingerprints["sigaudit/v1"]
		if fp == "" || fps[fp] {
			t.Errorf("%s: fingerprint %q missing or not unique", res.RuleID, fp)
		}
		fps[fp] = true
		if res.Locations[0].PhysicalLocation.Region.StartLine != 1 {
			t.Error("no region")
		}
		if res.RuleID == CodePGPNotChecked {
			notes++
			if res.Level != "note" {
				t.Errorf("note at level %s", res.Level)
			}
		}
	}
	if notes == 0 {
		t.Error("no note in the planted report")
	}
	// Stable between runs: another message, another order, same prints.
	r2 := clone(&r)
	for i, j := 0, len(r2.Artifacts)-1; i < j; i, j = i+1, j-1 {
		r2.Artifacts[i], r2.Artifacts[j] = r2.Artifacts[j], r2.Artifacts[i]
	}
	for i := range r2.Artifacts {
		for k := range r2.Artifacts[i].Findings {
			r2.Artifacts[i].Findings[k].Message += " (again)"
		}
	}
	if err := json.Unmarshal(render(t, "sarif", r2, Options{}), &log); err != nil {
		t.Fatal(err)
	}
	for _, res := range log.Runs[0].Results {
		if !fps[res.PartialFingerprints["sigaudit/v1"]] {
			t.Errorf("fingerprint of %s changed between runs", res.RuleID)
		}
	}
}

// JUnit, read by a real JUnit parser (github.com/joshdk/go-junit).
func TestJUnit(t *testing.T) {
	var r Report
	readReplay(t, "audit-planted.json", &r)
	r.Time = "2026-11-25T18:00:00Z"
	out := render(t, "junit", &r, Options{})
	suites, err := junit.Ingest(out)
	if err != nil {
		t.Fatal(err)
	}
	var total junit.Totals
	for _, s := range suites {
		total.Tests += s.Totals.Tests
		total.Failed += s.Totals.Failed
		total.Error += s.Totals.Error
		total.Skipped += s.Totals.Skipped
		for _, tc := range s.Tests {
			if strings.Count(tc.Classname, ".") != 1 {
				t.Errorf("classname %q has dots inside the line", tc.Classname)
			}
		}
	}
	failed := 0
	skipped := 0
	for _, a := range r.Artifacts {
		bad := false
		for _, f := range a.Findings {
			if f.Severity != Note {
				bad = true
			}
		}
		if bad {
			failed++
		} else if !a.Expected.PGP && !a.Expected.Sigstore {
			skipped++
		}
	}
	if total.Tests != len(r.Artifacts) || total.Failed != failed || total.Skipped != skipped {
		t.Errorf("junit totals %+v, want %d tests, %d failed, %d skipped", total, len(r.Artifacts), failed, skipped)
	}
	for _, attr := range []string{`errors="`, `skipped="`, `time="`, `timestamp="2026-11-25T18:00:00Z"`} {
		if !bytes.Contains(out, []byte(attr)) {
			t.Errorf("junit lacks %s", attr)
		}
	}
	// A source error is an error, not a failure.
	e := &Report{Artifacts: []Artifact{{Name: "a", Line: "3.13", Expected: Expected{PGP: true}, Findings: []Finding{{Severity: Mismatch, Code: CodeSourceError, Message: "read: EIO"}}}}}
	suites, err = junit.Ingest(render(t, "junit", e, Options{}))
	if err != nil || len(suites) != 1 || suites[0].Totals.Error != 1 {
		t.Errorf("source error: %+v %v", suites, err)
	}
}

// The github format follows GitHub's escaping rules.
func TestGitHubEscaping(t *testing.T) {
	if got := ghProperty("a,b:c%d\ne\rf"); got != "a%2Cb%3Ac%25d e f" {
		t.Errorf("ghProperty = %q", got)
	}
	if got := ghData("50% a,b:c"); got != "50%25 a,b:c" {
		t.Errorf("ghData = %q", got)
	}
	var r Report
	readReplay(t, "audit-planted.json", &r)
	out := string(render(t, "github", &r, Options{}))
	if !strings.Contains(out, "::error file=3.7.17/Python-3.7.17.tgz,title=pgp-malformed (mismatch)::Python-3.7.17.tgz: ") {
		t.Errorf("github output:\n%s", out)
	}
	if !strings.Contains(out, "::notice file=") {
		t.Error("notes are not notices")
	}
}

var _ = io.Discard
