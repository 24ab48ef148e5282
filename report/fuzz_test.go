package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"
)

// FuzzRender feeds arbitrary names, messages and identities to every
// renderer: text formats carry no control byte, the markdown never renders
// a link, an image or HTML from them, the SVG stays well-formed XML, and
// nothing panics.
func FuzzRender(f *testing.F) {
	for _, n := range hostileNames {
		f.Add(n, "message "+n, n+"@python.org")
	}
	f.Add("Python-3.13.5.tar.xz", "fine", "thomas@python.org")
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	f.Fuzz(func(t *testing.T, name, msg, ident string) {
		r := &Report{Artifacts: []Artifact{
			{Name: name, Version: "3.13.5", Line: "3.13", Kind: "source", PGP: Method{Status: "missing"},
				Sigstore: Method{Status: "wrong-identity", Identity: ident},
				Findings: []Finding{{Severity: Mismatch, Code: CodeSigstoreIdentity, Message: msg}}},
			{Name: "b", Version: name, Line: ident, Kind: name, Findings: []Finding{{Severity: Note, Code: CodeUnknownArtifact, Message: msg}}},
		}}
		for _, format := range Formats {
			var buf bytes.Buffer
			if err := Render(&buf, format, r, Options{Show: "all"}); err != nil {
				t.Fatal(err)
			}
			if format == "table" || format == "github" {
				for _, c := range buf.String() {
					if (c < 0x20 && c != '\n') || c == 0x7f {
						t.Fatalf("%s: control byte %U", format, c)
					}
				}
			}
			if format == "markdown" {
				var out bytes.Buffer
				if err := md.Convert(buf.Bytes(), &out); err != nil {
					t.Fatal(err)
				}
				doc, err := html.Parse(&out)
				if err != nil {
					t.Fatal(err)
				}
				var walk func(*html.Node)
				walk = func(n *html.Node) {
					if n.Type == html.ElementNode && (n.Data == "a" || n.Data == "img") {
						t.Fatalf("markdown renders <%s> from %q %q %q", n.Data, name, msg, ident)
					}
					if n.Type == html.RawNode {
						t.Fatalf("raw HTML from %q", name)
					}
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						walk(c)
					}
				}
				walk(doc)
			}
		}
		p := &Plan{At: "2026-11-25", Rows: []PlanRow{{Line: name, Manager: msg, Identity: ident, PGPUntil: "2029-10", FirstStable: "2024-10-07", EndOfLife: "2029-10"}}}
		var svg bytes.Buffer
		if err := planSVG(&svg, p, svgOptions{}); err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(&svg)
		for {
			_, err := d.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("SVG is not XML: %v", err)
				}
				break
			}
		}
	})
}

// FuzzCompareVersions checks that the version order is a total order.
func FuzzCompareVersions(f *testing.F) {
	for _, s := range [][2]string{{"3.13.0a1", "3.13.0"}, {"3.9.1", "3.10.0rc2"}, {"x", "3.1.1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if compareVersions(a, b) != -compareVersions(b, a) {
			t.Fatalf("not antisymmetric: %q %q", a, b)
		}
		if compareVersions(a, a) != 0 {
			t.Fatalf("%q != itself", a)
		}
		_ = strings.ToUpper(a)
	})
}
