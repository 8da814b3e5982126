package policydiff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
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

func reasonList(rs []dsr.Reason) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.Message+" ("+r.Rule+")")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}

func who(e Example) string {
	s := fmt.Sprintf("#%d %s", e.Index, e.Person)
	if e.Label != "" && e.Label != e.Person {
		s += " [" + e.Label + "]"
	}
	return s + ", as of " + e.AsOf
}

// asOfLine says the date the cases were assessed on.
func (r *Report) asOfLine() string {
	if r.AsOf != "" {
		return "Every case assessed as of " + r.AsOf + "; the people below are shown as of that date."
	}
	return "Cases assessed as of their own dates (shown beside each person)."
}

// WriteText writes the report as tables: what changed between the
// bundles, the people who lose protection, the rating matrix, the
// breakdowns by age band and rating of record, every change with its
// count and causes, then the first people for each change.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "policy diff: %s → %s\n", refString(r.Old.Name, r.Old.Version, r.Old.Engine), refString(r.New.Name, r.New.Version, r.New.Engine))
	fmt.Fprintf(bw, "%s\n%s\n\n", r.Summary(), r.asOfLine())

	fmt.Fprintln(bw, "What changed in the rules")
	b := &r.Bundles
	if b.Empty() {
		fmt.Fprintln(bw, "  The two bundles have the same parameters and rule files.")
	}
	if len(b.Params) > 0 {
		fmt.Fprintln(bw, "  Parameters (old → new):")
		for _, p := range b.Params {
			fmt.Fprintf(bw, "    %s: %s → %s\n", p.Name, orAbsent(p.Old), orAbsent(p.New))
		}
	}
	for _, f := range b.Added {
		fmt.Fprintf(bw, "  Rule file added: %s\n", fileName(f))
	}
	for _, f := range b.Removed {
		fmt.Fprintf(bw, "  Rule file removed: %s\n", fileName(f))
	}
	for _, f := range b.Changed {
		fmt.Fprintf(bw, "  Rule file changed: %s → %s\n", fileName(f.Old), fileName(f.New))
	}

	fmt.Fprintf(bw, "\nPeople who lose protection: %d\n", r.LoseProtection.People)
	for _, e := range r.LoseProtection.Examples {
		fmt.Fprintf(bw, "  %s: %s\n", who(e), strings.Join(e.Losses, "; "))
		fmt.Fprintf(bw, "      why: %s\n", reasonList(e.Reasons))
	}

	fmt.Fprintln(bw, "\nRatings (rows: old; columns: new)")
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "old \\ new\t")
	for _, to := range ratingOrder {
		fmt.Fprintf(tw, "%s\t", to)
	}
	fmt.Fprintln(tw)
	m := r.matrix()
	for i, from := range ratingOrder {
		fmt.Fprintf(tw, "%s\t", from)
		for j := range ratingOrder {
			fmt.Fprintf(tw, "%d\t", m[i][j])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	for _, g := range []struct {
		title string
		rows  []Group
	}{{"By age band (on the day assessed)", r.ByAgeBand}, {"By rating of record (under the old bundle)", r.ByRating}} {
		fmt.Fprintf(bw, "\n%s\n", g.title)
		tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\tpeople\tchanged\tlose protection\tgain protection\t")
		for _, row := range g.rows {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", row.Group, row.People, row.Changed, row.LoseProtection, row.GainProtection)
		}
		tw.Flush()
	}

	fmt.Fprintln(bw)
	if len(r.Changes) == 0 {
		fmt.Fprintln(bw, "No changes.")
	} else {
		fmt.Fprintln(bw, "Changes (those taking protection away first, marked !)")
		tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\tKIND\tCHANGE\tPEOPLE\tRULES")
		for _, c := range r.Changes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", bang(c.LosesProtection), c.Kind, c.What, c.Count, ruleList(c.Rules, 4))
		}
		tw.Flush()
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Why, in the rules' words")
		for _, c := range r.Changes {
			fmt.Fprintf(bw, "  %s %s (%d):\n", c.Kind, c.What, c.Count)
			for _, rc := range c.Rules {
				fmt.Fprintf(bw, "    %s (%s, %d)\n", orDash(rc.Reason), rc.Rule, rc.Count)
			}
		}
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "First people for each change")
		for _, c := range r.Changes {
			fmt.Fprintf(bw, "  %s %s (%d):\n", c.Kind, c.What, c.Count)
			for _, e := range c.Examples {
				fmt.Fprintf(bw, "    %s: %s → %s; %s\n", who(e), orDash(e.Old), orDash(e.New), reasonList(e.Reasons))
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

func bang(b bool) string {
	if b {
		return "!"
	}
	return ""
}

// orAbsent is a parameter's value, or "(absent)".
func orAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	return s
}

// fileName is "rating.rego (rating, from national-2023)".
func fileName(f policies.RuleFile) string {
	s := f.Name + " ("
	if f.Point != "" {
		s += "decision point " + f.Point + ", "
	}
	return s + "from " + f.From + ")"
}

// matrix is the rating matrix, ratingOrder by ratingOrder.
func (r *Report) matrix() [][]int {
	idx := map[string]int{}
	for i, name := range ratingOrder {
		idx[name] = i
	}
	m := make([][]int, len(ratingOrder))
	for i := range m {
		m[i] = make([]int, len(ratingOrder))
	}
	for _, t := range r.Transitions {
		m[idx[t.From]][idx[t.To]] = t.Count
	}
	return m
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

// bar is one bar of a chart.
type bar struct {
	Label        string
	Count        int
	Y, Width, TY int
	Color        string
}

var ratingColors = map[string]string{"red": "#c0392b", "amber": "#b9770e", "green": "#1e8449", "blue": "#2e86c1", notEligible: "#707b7c"}

const rowH, chartW = 26, 480

// bars lays out one bar a count, the longest chartW wide.
func bars(labels []string, counts []int, colors []string) []bar {
	maxCount := 1
	for _, c := range counts {
		maxCount = max(maxCount, c)
	}
	var out []bar
	for i, c := range counts {
		y := len(out) * rowH
		w := 0
		if c > 0 {
			w = max(1, c*chartW/maxCount)
		}
		out = append(out, bar{Label: labels[i], Count: c, Y: y, TY: y + 17, Width: w, Color: colors[i]})
	}
	return out
}

// WriteHTML writes a self-contained HTML report: no scripts, no external
// files; the charts are inline SVG. It opens with what changed in the
// rules and the people who lose protection, then the rating transitions,
// the breakdowns by age band and rating of record, and every change with
// its causes in the rules' own words and the rule ids beside them.
func (r *Report) WriteHTML(w io.Writer) error {
	var labels []string
	var counts []int
	var colors []string
	for _, t := range r.Transitions {
		if t.From != t.To {
			labels = append(labels, shout(t.From)+" → "+shout(t.To))
			counts = append(counts, t.Count)
			colors = append(colors, ratingColors[t.To])
		}
	}
	transitions := bars(labels, counts, colors)
	labels, counts, colors = nil, nil, nil
	for _, g := range r.ByAgeBand {
		labels = append(labels, g.Group)
		counts = append(counts, g.LoseProtection)
		colors = append(colors, "#c0392b")
	}
	ageBars := bars(labels, counts, colors)
	data := map[string]any{
		"R": r, "Bars": transitions, "ChartH": max(len(transitions)*rowH, rowH),
		"AgeBars": ageBars, "AgeH": max(len(ageBars)*rowH, rowH),
		"Order": ratingOrder, "Matrix": r.matrix(), "AsOfLine": r.asOfLine(),
		"OldRef": refString(r.Old.Name, r.Old.Version, r.Old.Engine), "NewRef": refString(r.New.Name, r.New.Version, r.New.Engine),
	}
	return htmlReport.Execute(w, data)
}

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"dash":    orDash,
	"inc":     func(i int) int { return i + 1 },
	"absent":  orAbsent,
	"label":   func(i int, order []string) string { return order[i] },
	"shout":   shout,
	"file":    fileName,
	"join":    func(s []string, sep string) string { return strings.Join(s, sep) },
	"percent": func(part, whole int) string { return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(max(whole, 1))) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Policy diff: {{.OldRef}} → {{.NewRef}}</title>
<style>
body { font-family: Arial, system-ui, sans-serif; margin: 2em auto; color: #212b32; max-width: 72em; padding: 0 1em; line-height: 1.45; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; margin: 1em 0; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #aeb7bd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f0f4f5; }
.diag { color: #4c6272; }
.muted { color: #4c6272; font-size: 0.95em; }
.loss { border-left: 6px solid #c0392b; padding-left: 0.8em; }
.tag { display: inline-block; background: #c0392b; color: #fff; padding: 0 0.4em; border-radius: 3px; font-size: 0.85em; }
.rule { font-family: ui-monospace, monospace; font-size: 0.9em; color: #4c6272; white-space: nowrap; }
ul.reasons { margin: 0; padding-left: 1.1em; }
</style>
</head>
<body>
<main>
<h1>Policy diff</h1>
<p><strong>Old rules:</strong> {{.OldRef}} <span class="muted">{{.R.Old.Digest}}</span><br>
<strong>New rules:</strong> {{.NewRef}} <span class="muted">{{.R.New.Digest}}</span></p>
<p>{{.R.Summary}}</p>
<p>{{.AsOfLine}}</p>
{{with .R.Replay}}<p><strong>Replay of a decision log:</strong> {{.Records}} logged decisions; the old rules reproduce {{.Reproduced}}, {{.Mismatches}} mismatches.</p>
{{if .First}}<table>
<caption>The first decisions the old rules do not reproduce</caption>
<tr><th scope="col">record</th><th scope="col">what differs</th></tr>
{{range .First}}<tr><td class="n">{{inc .Line}}</td><td>{{.Why}}</td></tr>
{{end}}</table>{{end}}{{end}}
<p class="muted">Each case is assessed under both sets of rules. A change here is what the new rules would suggest; the multi-agency meeting still agrees every rating (R-RAG-AGREED).</p>

<h2 id="rules">What changed in the rules</h2>
{{with .R.Bundles}}{{if .Empty}}<p>The two bundles have the same parameters and rule files: any difference below comes from the engines.</p>{{end}}
{{if .Params}}<table>
<caption>Parameters ({{len .Params}})</caption>
<tr><th scope="col">parameter</th><th scope="col">old</th><th scope="col">new</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td><code>{{absent .Old}}</code></td><td><code>{{absent .New}}</code></td></tr>
{{end}}</table>{{end}}
{{if or .Added .Removed .Changed}}<table>
<caption>Rule files</caption>
<tr><th scope="col">change</th><th scope="col">old</th><th scope="col">new</th></tr>
{{range .Added}}<tr><td>added</td><td>-</td><td>{{file .}}</td></tr>
{{end}}{{range .Removed}}<tr><td>removed</td><td>{{file .}}</td><td>-</td></tr>
{{end}}{{range .Changed}}<tr><td>changed</td><td>{{file .Old}}</td><td>{{file .New}}</td></tr>
{{end}}</table>{{else}}<p>No rule file added, removed or changed.</p>{{end}}
{{end}}

<section class="loss" aria-labelledby="loss">
<h2 id="loss">People who lose protection: {{.R.LoseProtection.People}}</h2>
<p>Their suggested rating falls (RED to a lower rating most of all), they lose eligibility, consent or their register place, or a review, visit or referral due for them is no longer due.{{if .R.Assessed}} {{percent .R.LoseProtection.People .R.Assessed}} of the people assessed.{{end}}</p>
{{if .R.LoseProtection.Examples}}<table>
<caption>The first of them</caption>
<tr><th scope="col">#</th><th scope="col">person</th><th scope="col">as of</th><th scope="col">what they lose</th><th scope="col">why (rule)</th></tr>
{{range .R.LoseProtection.Examples}}<tr><td class="n">{{.Index}}</td><td>{{.Person}}{{if and .Label (ne .Label .Person)}} <span class="muted">{{.Label}}</span>{{end}}</td><td>{{.AsOf}}</td><td>{{join .Losses "; "}}</td><td><ul class="reasons">{{range .Reasons}}<li>{{.Message}} <span class="rule">{{.Rule}}</span></li>{{end}}</ul></td></tr>
{{end}}</table>{{else}}<p>Nobody loses protection.</p>{{end}}
</section>

<h2 id="ratings">Rating transitions</h2>
{{if .Bars}}
<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{{.ChartH}}" role="img" aria-label="People whose suggested rating changes, by transition">
{{range .Bars}}<g>
<text x="0" y="{{.TY}}" font-size="13">{{.Label}}</text>
<rect x="190" y="{{.Y}}" width="{{.Width}}" height="20" fill="{{.Color}}"><title>{{.Label}}: {{.Count}}</title></rect>
<text x="{{.Width}}" dx="196" y="{{.TY}}" font-size="13">{{.Count}}</text>
</g>
{{end}}</svg>
{{else}}<p>No rating changes.</p>{{end}}

<table>
<caption>People by suggested rating: rows old, columns new</caption>
<tr><th scope="col">old \ new</th>{{range .Order}}<th scope="col" class="n">{{.}}</th>{{end}}</tr>
{{range $i, $row := .Matrix}}<tr><th scope="row">{{label $i $.Order}}</th>{{range $j, $c := $row}}<td class="n{{if eq $i $j}} diag{{end}}">{{$c}}</td>{{end}}</tr>
{{end}}</table>

<h2 id="groups">Who is affected</h2>
<p class="muted">Age bands follow where the rules change with age: 14, 16 (consent of one's own), 18 (CTR instead of CETR; children's registers end) and 25 (the keyworker service's upper age). Age in completed years on the day assessed.</p>
<p><strong>People who lose protection, by age band</strong></p>
<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{{.AgeH}}" role="img" aria-label="People who lose protection, by age band">
{{range .AgeBars}}<g>
<text x="0" y="{{.TY}}" font-size="13">{{.Label}}</text>
<rect x="190" y="{{.Y}}" width="{{.Width}}" height="20" fill="{{.Color}}"><title>{{.Label}}: {{.Count}} lose protection</title></rect>
<text x="{{.Width}}" dx="196" y="{{.TY}}" font-size="13">{{.Count}}</text>
</g>
{{end}}</svg>
<table>
<caption>By age band</caption>
<tr><th scope="col">age</th><th scope="col" class="n">people</th><th scope="col" class="n">changed</th><th scope="col" class="n">lose protection</th><th scope="col" class="n">gain protection</th></tr>
{{range .R.ByAgeBand}}<tr><th scope="row">{{.Group}}</th><td class="n">{{.People}}</td><td class="n">{{.Changed}}</td><td class="n">{{.LoseProtection}}</td><td class="n">{{.GainProtection}}</td></tr>
{{end}}</table>
<table>
<caption>By rating of record under the old rules</caption>
<tr><th scope="col">rating of record</th><th scope="col" class="n">people</th><th scope="col" class="n">changed</th><th scope="col" class="n">lose protection</th><th scope="col" class="n">gain protection</th></tr>
{{range .R.ByRating}}<tr><th scope="row">{{.Group}}</th><td class="n">{{.People}}</td><td class="n">{{.Changed}}</td><td class="n">{{.LoseProtection}}</td><td class="n">{{.GainProtection}}</td></tr>
{{end}}</table>

<h2 id="changes">Changes</h2>
{{if .R.Changes}}
<table>
<caption>Every change, those taking protection away first</caption>
<tr><th scope="col">change</th><th scope="col" class="n">people</th><th scope="col">why, in the rules' words (rule, people)</th></tr>
{{range .R.Changes}}<tr><td>{{if .LosesProtection}}<span class="tag">loses protection</span> {{end}}{{.Kind}} {{.What}}</td><td class="n">{{.Count}}</td><td><ul class="reasons">{{range .Rules}}<li>{{dash .Reason}} <span class="rule">{{.Rule}}, {{.Count}}</span></li>{{end}}</ul></td></tr>
{{end}}</table>

<h2 id="people">First people for each change</h2>
{{range .R.Changes}}<h3>{{.Kind}} {{.What}} ({{.Count}})</h3>
<table>
<tr><th scope="col">#</th><th scope="col">person</th><th scope="col">as of</th><th scope="col">old</th><th scope="col">new</th><th scope="col">why (rule)</th></tr>
{{range .Examples}}<tr><td class="n">{{.Index}}</td><td>{{.Person}}{{if and .Label (ne .Label .Person)}} <span class="muted">{{.Label}}</span>{{end}}</td><td>{{.AsOf}}</td><td>{{dash .Old}}</td><td>{{dash .New}}</td><td><ul class="reasons">{{range .Reasons}}<li>{{.Message}} <span class="rule">{{.Rule}}</span></li>{{end}}</ul></td></tr>
{{end}}</table>
{{end}}
{{else}}<p>No changes.</p>{{end}}

{{if .R.ErrorCount}}<h2>Cases that failed ({{.R.ErrorCount}})</h2>
<table><tr><th scope="col">#</th><th scope="col">case</th><th scope="col">error</th></tr>
{{range .R.Errors}}<tr><td class="n">{{.Index}}</td><td>{{.Label}}</td><td>{{.Error}}</td></tr>
{{end}}</table>{{end}}
</main>
</body>
</html>
`))
