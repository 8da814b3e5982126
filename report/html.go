package report

import (
	"bytes"
	"html/template"
	"io"
	"strings"
)

// Stylesheet is the CSS the standalone pages carry, in the spirit of the
// NHS.UK frontend (its colours, type scale and focus style) but our own:
// a host page embedding a fragment (BoardFragment and the others) can
// serve it, or style the dsr- classes itself. It includes the print
// rules: A4, no navigation, a page break before each person of a meeting
// pack, tables and charts kept whole.
const Stylesheet = `
.dsr-report { font-family: Arial, "Helvetica Neue", sans-serif; color: #212b32; line-height: 1.5; font-size: 1rem; max-width: 60rem; }
.dsr-report h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 1rem; }
.dsr-report h2 { font-size: 1.5rem; line-height: 1.25; margin: 2.5rem 0 0.75rem; }
.dsr-report h3 { font-size: 1.25rem; margin: 1.5rem 0 0.5rem; }
.dsr-report a { color: #005eb8; }
.dsr-report a:focus { background: #ffeb3b; box-shadow: 0 -2px #ffeb3b, 0 4px #212b32; color: #212b32; outline: 4px solid transparent; text-decoration: none; }
.dsr-lede { font-size: 1.1875rem; }
.dsr-muted { color: #4c6272; }
.dsr-inset { border-left: 8px solid #005eb8; padding: 0.75rem 1rem; margin: 1.5rem 0; background: #fff; }
.dsr-warning { border-left-color: #d5281b; }
.dsr-contents ul { padding-left: 1.25rem; }
.dsr-table { border-collapse: collapse; margin: 0 0 1.5rem; min-width: 20rem; }
.dsr-table caption { text-align: left; font-weight: bold; padding-bottom: 0.5rem; }
.dsr-table th, .dsr-table td { border-bottom: 1px solid #d8dde0; padding: 0.5rem 1rem 0.5rem 0; text-align: left; vertical-align: top; }
.dsr-table thead th { border-bottom: 2px solid #212b32; }
.dsr-table tfoot th, .dsr-table tfoot td { border-top: 2px solid #212b32; font-weight: bold; }
.dsr-table .dsr-date { white-space: nowrap; }
.dsr-table .dsr-num, .dsr-table .dsr-pct { text-align: right; font-variant-numeric: tabular-nums; }
.dsr-figure { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.dsr-figure figure { margin: 0; max-width: 100%; }
.dsr-chart { max-width: 100%; height: auto; font-family: Arial, sans-serif; }
.dsr-chart-label, .dsr-chart-value { font-size: 13px; fill: #212b32; }
.dsr-tag { display: inline-block; padding: 0.1rem 0.5rem; border: 1px solid; font-weight: bold; font-size: 0.875rem; }
.dsr-tag-red { color: #6b140e; background: #f7d4d1; }
.dsr-tag-amber { color: #4d3708; background: #ffdc8e; }
.dsr-tag-green { color: #004617; background: #cce5d8; }
.dsr-tag-blue { color: #002f5c; background: #d6e5f4; }
.dsr-tag-none { color: #212b32; background: #f0f4f5; }
.dsr-person { border-top: 4px solid #005eb8; padding-top: 1rem; margin-top: 2rem; }
.dsr-summary-list { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1.5rem; margin: 0 0 1rem; }
.dsr-summary-list dt { font-weight: bold; }
.dsr-summary-list dd { margin: 0; }
.dsr-report .dsr-overdue { color: #d5281b; font-weight: bold; }
@media print {
  @page { size: A4; margin: 15mm; }
  .dsr-report { max-width: none; font-size: 11pt; }
  .dsr-contents { display: none; }
  .dsr-report a { color: #212b32; text-decoration: none; }
  .dsr-table, .dsr-figure figure, .dsr-summary-list { break-inside: avoid; }
  .dsr-report h2, .dsr-report h3 { break-after: avoid; }
  .dsr-pack .dsr-person { break-before: page; border-top: none; margin-top: 0; }
}
`

// page is the standalone page around a fragment.
var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { margin: 0; background: #f0f4f5; }
.dsr-header { background: #005eb8; color: #fff; padding: 1rem 2rem; font-family: Arial, sans-serif; font-weight: bold; }
main { padding: 2rem; background: #fff; max-width: 62rem; margin: 0 auto; }
@media print { body { background: #fff; } .dsr-header { display: none; } main { padding: 0; max-width: none; } }
{{.CSS}}
</style>
</head>
<body>
<header class="dsr-header" role="banner">Dynamic Support Register</header>
<main id="main-content">
{{.Body}}
</main>
</body>
</html>
`))

func writePage(w io.Writer, title string, body template.HTML) error {
	return page.Execute(w, map[string]any{"Title": title, "CSS": template.CSS(Stylesheet), "Body": body})
}

func fragment(t *template.Template, data any) template.HTML {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		// The templates are fixed and their data are plain values: an
		// error here is a bug, shown rather than hidden.
		return template.HTML("<p>" + template.HTMLEscapeString("report: "+err.Error()) + "</p>")
	}
	return template.HTML(b.String())
}

var funcs = template.FuncMap{
	"barChart":  func(t *Table) template.HTML { return barChart(t, false) },
	"rateChart": func(t *Table) template.HTML { return barChart(t, true) },
	"flowChart": flowChart,
	"rating": func(r interface{ String() string }) string {
		if w := r.String(); w != "" {
			return strings.ToUpper(w)
		}
		return "none"
	},
	"tagClass": func(r string) string {
		switch r {
		case "red", "amber", "green", "blue":
			return "dsr-tag-" + r
		}
		return "dsr-tag-none"
	},
}

// tableTmpl is a Table as HTML; the templates that show tables define it.
const tableTmpl = `{{define "table"}}<table class="dsr-table" id="{{.ID}}-table">
<caption>{{.Title}}</caption>
<thead><tr><th scope="col">{{if .RowHeader}}{{.RowHeader}}{{else}}<span class="dsr-muted">Count</span>{{end}}</th>{{range .Columns}}<th scope="col" class="dsr-num">{{.}}</th>{{end}}{{if gt (len .Columns) 1}}<th scope="col" class="dsr-num">Total</th>{{end}}{{if .PercentOf}}<th scope="col" class="dsr-pct">% {{.PercentOf}}</th>{{end}}</tr></thead>
<tbody>
{{- $t := .}}{{range .Rows}}
<tr><th scope="row">{{.Label}}</th>{{range .Cells}}<td class="dsr-num">{{.}}</td>{{end}}{{if gt (len $t.Columns) 1}}<td class="dsr-num">{{.Total}}</td>{{end}}{{if $t.PercentOf}}<td class="dsr-pct">{{.Percent}}</td>{{end}}</tr>
{{- end}}
</tbody>
{{- if not .NoTotals}}
<tfoot><tr><th scope="row">Total</th>{{range .Totals}}<td class="dsr-num">{{.}}</td>{{end}}{{if gt (len .Columns) 1}}<td class="dsr-num">{{.Total}}</td>{{end}}{{if .PercentOf}}<td class="dsr-pct"></td>{{end}}</tr></tfoot>
{{- end}}
</table>{{end}}`

var boardTmpl = template.Must(template.New("board").Funcs(funcs).Parse(tableTmpl + `
<div class="dsr-report dsr-board">
<h1>Dynamic support register: report to the board, {{.Quarter.Title}}{{if .Area}} ({{.Area}}){{end}}</h1>
<p class="dsr-lede">Quarter {{.Quarter}}: {{.From}} to {{.To}}.{{if .Partial}} The quarter is not over: figures are as of {{.AsOf}}.{{end}}</p>
<div class="dsr-inset">
<p><strong>Small numbers are suppressed.</strong> A count from 1 to 4 is shown as *, and every other count is rounded to the nearest 5. Totals and percentages are worked out from the figures shown, so a total may differ from the sum of the exact figures.</p>
</div>
<nav class="dsr-contents" aria-label="Contents"><h2>Contents</h2><ul>
{{range .Tables}}<li><a href="#{{.ID}}">{{.Title}}</a></li>
{{end}}</ul></nav>

<section id="ratings" aria-labelledby="ratings-h"><h2 id="ratings-h">{{.Ratings.Title}}</h2><p>{{.Ratings.Note}}</p>
<div class="dsr-figure"><figure>{{rateChart .Ratings}}</figure>{{template "table" .Ratings}}</div></section>

<section id="movement" aria-labelledby="movement-h"><h2 id="movement-h">{{.Movement.Title}}</h2><p>{{.Movement.Note}}</p>
<figure>{{flowChart .Movement}}</figure>{{template "table" .Movement}}</section>

{{range .Rest}}<section id="{{.ID}}" aria-labelledby="{{.ID}}-h"><h2 id="{{.ID}}-h">{{.Title}}</h2><p>{{.Note}}</p>
<div class="dsr-figure"><figure>{{barChart .}}</figure>{{template "table" .}}</div></section>
{{end}}
</div>`))

// boardView is what the board template reads.
type boardView struct {
	*Board
	Rest []*Table
}

// BoardFragment is the board report as HTML to put inside a host page
// (the service's): a <div class="dsr-report"> with the report's heading,
// contents, charts and tables, styled by Stylesheet.
func BoardFragment(b *Board) template.HTML {
	return fragment(boardTmpl, boardView{Board: b, Rest: b.Tables()[2:]})
}

// WriteBoardHTML writes the board report as a standalone page: no
// scripts, no external files, printable (print CSS: A4, tables and charts
// kept whole).
func WriteBoardHTML(w io.Writer, b *Board) error {
	return writePage(w, "Board report "+b.Quarter.String()+": Dynamic Support Register", BoardFragment(b))
}
