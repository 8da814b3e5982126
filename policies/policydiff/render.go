package policydiff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"
)

func refString(name, version, engine string) string {
	s := name + " " + version
	if engine != "" {
		s += " (" + engine + ")"
	}
	return s
}

func ruleList(rs []RuleCount, limit int) string {
	var parts []string
	for i, r := range rs {
		if i == limit {
			parts = append(parts, fmt.Sprintf("… %d more", len(rs)-limit))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", r.Rule, r.Count))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// WriteText writes the report as tables: the rating matrix, every change
// with its count and rules, then the first people for each change.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "policy diff: %s → %s\n", refString(r.Old.Name, r.Old.Version, r.Old.Engine), refString(r.New.Name, r.New.Version, r.New.Engine))
	fmt.Fprintf(bw, "%s\n\n", r.Summary())

	fmt.Fprintln(bw, "Ratings (rows: old; columns: new; none = not eligible)")
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "old \\ new\t")
	for _, to := range ratingOrder {
		fmt.Fprintf(tw, "%s\t", to)
	}
	fmt.Fprintln(tw)
	m := map[[2]string]int{}
	for _, t := range r.Transitions {
		m[[2]string{t.From, t.To}] = t.Count
	}
	for _, from := range ratingOrder {
		fmt.Fprintf(tw, "%s\t", from)
		for _, to := range ratingOrder {
			fmt.Fprintf(tw, "%d\t", m[[2]string{from, to}])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	fmt.Fprintln(bw)
	if len(r.Changes) == 0 {
		fmt.Fprintln(bw, "No changes.")
	} else {
		fmt.Fprintln(bw, "Changes")
		tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tCHANGE\tPEOPLE\tRULES")
		for _, c := range r.Changes {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", c.Kind, c.What, c.Count, ruleList(c.Rules, 4))
		}
		tw.Flush()
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "First people for each change")
		for _, c := range r.Changes {
			fmt.Fprintf(bw, "  %s %s (%d):\n", c.Kind, c.What, c.Count)
			for _, e := range c.Examples {
				who := e.Person
				if e.Label != "" {
					who += " [" + e.Label + "]"
				}
				fmt.Fprintf(bw, "    #%d %s: %s → %s; %s\n", e.Index, who, orDash(e.Old), orDash(e.New), strings.Join(e.Rules, ", "))
			}
		}
	}
	if r.ErrorCount > 0 {
		fmt.Fprintf(bw, "\n%d cases failed; the first:\n", r.ErrorCount)
		for _, e := range r.Errors {
			fmt.Fprintf(bw, "  #%d %s: %s\n", e.Index, e.Label, e.Error)
		}
	}
	return bw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// bar is one bar of the transition chart.
type bar struct {
	Label        string
	Count        int
	Y, Width, TY int
	Color        string
}

var ratingColors = map[string]string{"red": "#c0392b", "amber": "#e67e22", "green": "#27ae60", "blue": "#2e86c1", "none": "#7f8c8d"}

// WriteHTML writes a self-contained HTML report: no scripts, no external
// files; the transition chart is inline SVG.
func (r *Report) WriteHTML(w io.Writer) error {
	var bars []bar
	maxCount := 1
	for _, t := range r.Transitions {
		if t.From != t.To {
			maxCount = max(maxCount, t.Count)
		}
	}
	const rowH, chartW = 26, 520
	for _, t := range r.Transitions {
		if t.From == t.To {
			continue
		}
		y := len(bars) * rowH
		bars = append(bars, bar{
			Label: strings.ToUpper(t.From) + " → " + strings.ToUpper(t.To), Count: t.Count,
			Y: y, TY: y + 17, Width: max(1, t.Count*chartW/maxCount), Color: ratingColors[t.To],
		})
	}
	m := map[[2]string]int{}
	for _, t := range r.Transitions {
		m[[2]string{t.From, t.To}] = t.Count
	}
	var matrix [][]int
	for _, from := range ratingOrder {
		var row []int
		for _, to := range ratingOrder {
			row = append(row, m[[2]string{from, to}])
		}
		matrix = append(matrix, row)
	}
	data := map[string]any{
		"R": r, "Bars": bars, "ChartH": max(len(bars)*rowH, rowH), "Order": ratingOrder, "Matrix": matrix,
		"OldRef": refString(r.Old.Name, r.Old.Version, r.Old.Engine), "NewRef": refString(r.New.Name, r.New.Version, r.New.Engine),
	}
	return htmlReport.Execute(w, data)
}

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"rules": func(rs []RuleCount) string { return ruleList(rs, 6) },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
	"dash":  orDash,
	"label": func(i int, order []string) string { return order[i] },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Policy diff: {{.OldRef}} → {{.NewRef}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 70em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; }
.diag { color: #999; }
.muted { color: #666; font-size: 0.9em; }
code { font-size: 0.95em; }
</style>
</head>
<body>
<h1>Policy diff</h1>
<p><strong>Old:</strong> {{.OldRef}} <span class="muted">{{.R.Old.Digest}}</span><br>
<strong>New:</strong> {{.NewRef}} <span class="muted">{{.R.New.Digest}}</span></p>
<p>{{.R.Summary}}</p>
<p class="muted">Synthetic or register cases assessed under both bundles. A change here is what the new rules would suggest; the multi-agency meeting still agrees every rating (R-RAG-AGREED).</p>

<h2>Rating transitions</h2>
{{if .Bars}}
<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{{.ChartH}}" role="img" aria-label="People whose suggested rating changes, by transition">
{{range .Bars}}<g>
<text x="0" y="{{.TY}}" font-size="13">{{.Label}}</text>
<rect x="150" y="{{.Y}}" width="{{.Width}}" height="20" fill="{{.Color}}"><title>{{.Label}}: {{.Count}}</title></rect>
<text x="{{.Width}}" dx="156" y="{{.TY}}" font-size="13">{{.Count}}</text>
</g>
{{end}}</svg>
{{else}}<p>No rating changes.</p>{{end}}

<table>
<tr><th>old \ new</th>{{range .Order}}<th>{{.}}</th>{{end}}</tr>
{{range $i, $row := .Matrix}}<tr><th>{{label $i $.Order}}</th>{{range $j, $c := $row}}<td class="n{{if eq $i $j}} diag{{end}}">{{$c}}</td>{{end}}</tr>
{{end}}</table>

<h2>Changes</h2>
{{if .R.Changes}}
<table>
<tr><th>kind</th><th>change</th><th>people</th><th>rules responsible</th></tr>
{{range .R.Changes}}<tr><td>{{.Kind}}</td><td>{{.What}}</td><td class="n">{{.Count}}</td><td><code>{{rules .Rules}}</code></td></tr>
{{end}}</table>

<h2>First people for each change</h2>
{{range .R.Changes}}<h3>{{.Kind}} {{.What}} ({{.Count}})</h3>
<table>
<tr><th>#</th><th>person</th><th>old</th><th>new</th><th>rules</th></tr>
{{range .Examples}}<tr><td class="n">{{.Index}}</td><td>{{.Person}}{{if .Label}} <span class="muted">{{.Label}}</span>{{end}}</td><td>{{dash .Old}}</td><td>{{dash .New}}</td><td><code>{{join .Rules}}</code></td></tr>
{{end}}</table>
{{end}}
{{else}}<p>No changes.</p>{{end}}

{{if .R.ErrorCount}}<h2>Cases that failed ({{.R.ErrorCount}})</h2>
<table><tr><th>#</th><th>case</th><th>error</th></tr>
{{range .R.Errors}}<tr><td class="n">{{.Index}}</td><td>{{.Label}}</td><td>{{.Error}}</td></tr>
{{end}}</table>{{end}}
</body>
</html>
`))
