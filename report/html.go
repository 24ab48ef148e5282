package report

import (
	"bytes"
	"html/template"
	"io"
	"sort"
	"strings"
	"sync"
)

// The html format: one self-contained file (inline CSS, a small inline
// script, a Content-Security-Policy that forbids every network request):
// the verdict and the summary per line and per finding group first, the
// timeline chart when the command line passes the plan, then every
// artifact in a table that sorts (click a header) and filters by line,
// kind, status and finding code (also preset from the URL fragment, e.g.
// report.html#line=3.13&code=pgp-missing). Every value goes through
// html/template, so no file name becomes markup.
//
// A large report opens quickly (issue 22: the whole 3.7+ history, 2,103
// artifacts, in well under a second): the first htmlPage rows are an
// ordinary table, the rest are parsed but inert inside a <template>, which
// the browser neither styles nor lays out. The script filters and sorts
// every row and shows the first htmlPageRows matches, with "show all" for
// the rest (#show=all in the URL); the rows not shown go back into the
// template, so the page always holds every row exactly once. Without scripts the first rows and a note
// saying how many more the file holds are shown.

// htmlPageRows is how many matching rows the artifacts table shows at once.
const htmlPageRows = 200

type htmlRow struct {
	Name, Version, Line, Kind, Expected, PGP, Sigstore string
	Statuses, Codes                                    string // space-separated, for the filters
	Findings                                           []htmlFinding
	Worst                                              string
}

type htmlFinding struct {
	Severity, Code, Message string
}

type htmlGroup struct {
	findingGroup
	Range, Remedy string
}

type htmlPage struct {
	Title    string
	Tool     string
	Verdict  string
	Summary  summary
	Absent   []string
	Groups   []htmlGroup
	Chart    template.HTML
	Rows     []htmlRow // the first htmlPageRows, shown as a table
	Rest     []htmlRow // the others, inert in a <template>
	PageRows int
	Lines    []string
	Kinds    []string
	Statuses []string
	Codes    []string
}

func writeHTML(w io.Writer, r *Report, plan *Plan) error {
	s := summarize(r)
	page := htmlPage{Title: "sigaudit report", Tool: toolLine(r.Tool), Verdict: s.verdict(), Summary: s}
	for _, c := range s.Absent {
		page.Absent = append(page.Absent, s.absentText(c))
	}
	for _, g := range s.Groups {
		page.Groups = append(page.Groups, htmlGroup{findingGroup: g, Range: g.versionRange(), Remedy: codeRemedy(g.Code)})
	}
	if plan != nil {
		var svg bytes.Buffer
		if err := planSVG(&svg, plan, svgOptions{}); err != nil {
			return err
		}
		// planSVG escapes every value it writes.
		page.Chart = template.HTML(svg.String())
	}
	lines, kinds, statuses, codes := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, a := range r.Artifacts {
		row := htmlRow{Name: cell(a.Name), Version: cell(a.Version), Line: cell(a.Line), Kind: cell(a.Kind), Expected: expectedText(a.Expected),
			PGP: cell(methodText(a.PGP, true)), Sigstore: cell(methodText(a.Sigstore, true))}
		if row.Line == "" {
			row.Line = "-"
		}
		var sts, cs []string
		for _, st := range []string{a.PGP.Status, a.Sigstore.Status} {
			st = cell(st)
			if st != "" {
				sts = append(sts, st)
				statuses[st] = true
			}
		}
		for _, f := range a.Findings {
			row.Findings = append(row.Findings, htmlFinding{Severity: f.Severity, Code: cell(f.Code), Message: cell(f.Message)})
			cs = append(cs, cell(f.Code))
			codes[cell(f.Code)] = true
			if rank(f.Severity) > rank(row.Worst) {
				row.Worst = f.Severity
			}
		}
		if len(cs) == 0 {
			cs = []string{"ok"}
		}
		if row.Worst == "" {
			row.Worst = "ok"
		}
		row.Statuses, row.Codes = strings.Join(sts, " "), strings.Join(cs, " ")
		lines[row.Line], kinds[row.Kind] = true, true
		page.Rows = append(page.Rows, row)
	}
	for _, l := range s.Lines {
		page.Lines = append(page.Lines, cell(l.Line))
	}
	page.Kinds, page.Statuses, page.Codes = sortedKeys(kinds), sortedKeys(statuses), sortedKeys(codes)
	page.PageRows = htmlPageRows
	if len(page.Rows) > htmlPageRows {
		page.Rows, page.Rest = page.Rows[:htmlPageRows], page.Rows[htmlPageRows:]
	}
	var out bytes.Buffer
	if err := htmlTemplate().Execute(&out, page); err != nil {
		return err
	}
	_, err := w.Write(out.Bytes())
	return err
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// htmlTemplate is parsed on first use, not at start-up (issue 18: fixed cost).
var htmlTemplate = sync.OnceValue(func() *template.Template {
	t := template.Must(template.New("row").Parse(`<tr data-line="{{.Line}}" data-kind="{{.Kind}}" data-status="{{.Statuses}}" data-codes="{{.Codes}}"><td>{{.Name}}</td><td>{{.Version}}</td><td>{{.Line}}</td><td>{{.Kind}}</td><td>{{.Expected}}</td><td>{{.PGP}}</td><td>{{.Sigstore}}</td><td>{{if .Findings}}{{range .Findings}}<div><span class="f s-{{.Severity}}">{{.Severity}} {{.Code}}</span> <span class="msg">{{.Message}}</span></div>{{end}}{{else}}<span class="s-ok">ok</span>{{end}}</td></tr>
`))
	return template.Must(t.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.4em 0 .4em}
table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right}
#artifacts th{cursor:pointer;user-select:none}#artifacts th:after{content:" \2195";color:#999}
.verdict{font-size:1.1em;font-weight:bold;padding:.4em .6em;border-left:6px solid #0072B2;background:#eef5fb}
.absent{border-left:6px solid #E69F00;background:#fdf6e9;padding:.4em .6em}
.s-verified,.s-ok{color:#006d3c}.s-missing,.s-gap{color:#8a5a00}
.s-mismatch,.s-invalid,.s-malformed,.s-wrong-signer,.s-wrong-identity,.s-digest-mismatch,.s-untrusted,.s-unknown-signer,.s-weak-hash,.s-unsupported,.s-error{color:#b00020;font-weight:bold}
.f{white-space:nowrap}.msg{color:#444;font-size:.9em}
.filters label{margin-right:1em}.chart{overflow-x:auto}
code{font-size:.95em;white-space:nowrap}
</style>
</head>
<body>
<h1>sigaudit report</h1>
{{if .Tool}}<p class="tool">{{.Tool}}</p>{{end}}
<p class="verdict" id="verdict" data-artifacts="{{.Summary.Artifacts}}" data-gaps="{{.Summary.Gaps}}" data-mismatches="{{.Summary.Mismatches}}" data-notes="{{.Summary.Notes}}">{{.Verdict}}</p>
{{range .Absent}}<p class="absent">{{.}}</p>
{{end}}
<h2>Release lines</h2>
<table id="lines"><thead><tr><th>Line</th><th>Artifacts</th><th>PGP verified</th><th>Sigstore verified</th><th>Gaps</th><th>Mismatches</th><th>Notes</th></tr></thead><tbody>
{{range .Summary.Lines}}<tr data-line="{{.Line}}"><td>{{.Line}}</td><td class="n">{{.Artifacts}}</td><td class="n">{{.PGPVerified}}</td><td class="n">{{.SigstoreVerified}}</td><td class="n">{{.Gaps}}</td><td class="n">{{.Mismatches}}</td><td class="n">{{.Notes}}</td></tr>
{{end}}</tbody></table>
{{if .Groups}}<h2>Findings</h2>
<table id="groups"><thead><tr><th>Finding</th><th>Severity</th><th>Kind</th><th>Versions</th><th>Files</th><th>What to do</th></tr></thead><tbody>
{{range .Groups}}<tr data-code="{{.Code}}"><td><code>{{.Code}}</code></td><td class="s-{{.Severity}}">{{.Severity}}</td><td>{{.Kind}}</td><td>{{.Range}}</td><td class="n">{{.Files}}</td><td>{{.Remedy}}</td></tr>
{{end}}</tbody></table>{{end}}
{{if .Chart}}<h2>Timeline</h2>
<div class="chart">{{.Chart}}</div>{{end}}
<h2>Artifacts</h2>
<div class="filters">
<label>Line <select id="f-line"><option value="">all</option>{{range .Lines}}<option>{{.}}</option>{{end}}</select></label>
<label>Kind <select id="f-kind"><option value="">all</option>{{range .Kinds}}<option>{{.}}</option>{{end}}</select></label>
<label>Status <select id="f-status"><option value="">all</option>{{range .Statuses}}<option>{{.}}</option>{{end}}</select></label>
<label>Finding <select id="f-code"><option value="">all</option><option>ok</option>{{range .Codes}}<option>{{.}}</option>{{end}}</select></label>
<label>Name <input id="f-name" type="search" size="20"></label>
<span id="shown"></span> <button id="all" type="button" hidden>show all</button>
</div>
<table id="artifacts"><thead><tr><th>Artifact</th><th>Version</th><th>Line</th><th>Kind</th><th>Expected</th><th>PGP</th><th>Sigstore</th><th>Findings</th></tr></thead><tbody>
{{range .Rows}}{{template "row" .}}{{end}}</tbody></table>
<template id="more">{{range .Rest}}{{template "row" .}}{{end}}</template>
{{if .Rest}}<noscript><p class="absent">{{len .Rest}} more artifacts are in this file, shown by its script (scripts are off); <code>--format markdown --show all</code> or <code>--format json</code> list them all.</p></noscript>{{end}}
<p class="verdict">{{.Verdict}}</p>
<script>
(function(){
var tb=document.querySelector('#artifacts tbody'),more=document.getElementById('more').content;
var rows=Array.prototype.slice.call(tb.rows).concat(Array.prototype.slice.call(more.children));
var f={line:document.getElementById('f-line'),kind:document.getElementById('f-kind'),status:document.getElementById('f-status'),code:document.getElementById('f-code'),name:document.getElementById('f-name')};
var page={{.PageRows}},limit=page,all=document.getElementById('all');
function has(list,v){return !v||(' '+list+' ').indexOf(' '+v+' ')>=0;}
function apply(){var q=f.name.value.toLowerCase(),m=rows.filter(function(r){var d=r.dataset;return (!f.line.value||d.line===f.line.value)&&(!f.kind.value||d.kind===f.kind.value)&&has(d.status,f.status.value)&&has(d.codes,f.code.value)&&(!q||r.cells[0].textContent.toLowerCase().indexOf(q)>=0);});
var show=m.slice(0,limit),on=new Set(show);more.replaceChildren.apply(more,rows.filter(function(r){return !on.has(r);}));tb.replaceChildren.apply(tb,show);
document.getElementById('shown').textContent=m.length+' of '+rows.length+' shown'+(show.length<m.length?' (the first '+show.length+')':'');all.hidden=show.length>=m.length;}
function reset(){limit=page;apply();}
Object.keys(f).forEach(function(k){f[k].addEventListener('input',reset);f[k].addEventListener('change',reset);});
all.addEventListener('click',function(){limit=Infinity;apply();});
var dir={};
Array.prototype.forEach.call(document.querySelectorAll('#artifacts th'),function(th,i){th.addEventListener('click',function(){dir[i]=!dir[i];var s=dir[i]?1:-1;rows.sort(function(a,b){return s*a.cells[i].textContent.localeCompare(b.cells[i].textContent,undefined,{numeric:true});});apply();});});
var t0=performance.now();
if(location.hash.length>1){location.hash.slice(1).split('&').forEach(function(kv){var p=kv.split('='),k=decodeURIComponent(p[0]),v=decodeURIComponent(p[1]||'');if(f[k])f[k].value=v;if(k==='show'&&v==='all')limit=Infinity;});}
apply();
void document.body.offsetHeight;
document.body.setAttribute('data-ready-ms',Math.round(performance.now()));
document.body.setAttribute('data-filter-ms',Math.round(performance.now()-t0));
})();
</script>
</body>
</html>
`)).Lookup("report")
})
