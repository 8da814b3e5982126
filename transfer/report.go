package transfer

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteText writes the report as plain text: what was read, every
// problem, who was left out for want of consent and who was already on
// the register (by row: never a name or NHS number).
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	mode := "import"
	if r.DryRun {
		mode = "dry run"
	}
	fmt.Fprintf(&b, "%s of sheet %s with mapping %s: headings on row %d; %d rows of people, %d blank rows skipped\n", mode, r.Sheet, r.Mapping, r.HeaderRow, r.Rows, r.Blank)
	if len(r.Missing) > 0 {
		fmt.Fprintf(&b, "columns of the mapping not in the sheet: %s\n", strings.Join(r.Missing, "; "))
	}
	if len(r.Unmapped) > 0 {
		fmt.Fprintf(&b, "columns of the sheet the mapping does not read (ignored): %s\n", strings.Join(r.Unmapped, "; "))
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(&b, "\n%s: nothing imported\n", r.ProblemCount())
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	if len(r.NoConsent) > 0 {
		fmt.Fprintf(&b, "\nnot imported, no consent for inclusion (R-CONS-1): %d\n", len(r.NoConsent))
		for _, n := range r.NoConsent {
			fmt.Fprintf(&b, "  %s row %d: %s\n", n.Sheet, n.Row, n.Why)
		}
	}
	fmt.Fprintf(&b, "\nalready on the register: %d\n", len(r.Already))
	switch {
	case len(r.Problems) > 0:
	case r.DryRun:
		fmt.Fprintf(&b, "would add: %d (dry run: nothing written)\n", r.Added)
	default:
		fmt.Fprintf(&b, "added: %d, in one transaction\n", r.Added)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var reportHTML = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Register import: {{.Sheet}}</title>
<style>body{font-family:Arial,sans-serif;margin:2em;color:#212b32}table{border-collapse:collapse}th,td{border:1px solid #d8dde0;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f0f4f5}.bad{color:#d5281b}</style>
</head>
<body>
<main>
<h1>Register import{{if .DryRun}} (dry run){{end}}: {{.Sheet}}</h1>
<p>Mapping <strong>{{.Mapping}}</strong>; headings on row {{.HeaderRow}}; {{.Rows}} rows of people, {{.Blank}} blank rows skipped.</p>
{{if .Problems}}<h2 class="bad">{{.ProblemCount}}: nothing imported</h2>
<table>
<thead><tr><th scope="col">Sheet</th><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Heading</th><th scope="col">Value</th><th scope="col">Problem</th><th scope="col">Rule</th></tr></thead>
<tbody>{{range .Problems}}<tr><td>{{.Sheet}}</td><td>{{if .Row}}{{.Row}}{{end}}</td><td>{{.Column}}</td><td>{{.Heading}}</td><td>{{if .Withheld}}<em>withheld</em>{{else}}{{.Value}}{{end}}</td><td>{{.Problem}}</td><td>{{.Rule}}</td></tr>
{{end}}</tbody>
</table>{{else}}<h2>No problems</h2>{{end}}
<h2>Not imported: no consent for inclusion (R-CONS-1): {{len .NoConsent}}</h2>
{{if .NoConsent}}<table><thead><tr><th scope="col">Sheet</th><th scope="col">Row</th><th scope="col">Why</th></tr></thead>
<tbody>{{range .NoConsent}}<tr><td>{{.Sheet}}</td><td>{{.Row}}</td><td>{{.Why}}</td></tr>
{{end}}</tbody></table>{{end}}
<h2>Already on the register: {{len .Already}}</h2>
{{if .Already}}<p>Rows: {{range $i, $r := .Already}}{{if $i}}, {{end}}{{$r.Row}}{{end}}</p>{{end}}
<h2>{{if .Problems}}Added: none{{else if .DryRun}}Would add: {{.Added}} (nothing written){{else}}Added: {{.Added}}, in one transaction{{end}}</h2>
{{if .Missing}}<p>Columns of the mapping not in the sheet: {{range $i, $m := .Missing}}{{if $i}}; {{end}}{{$m}}{{end}}</p>{{end}}
{{if .Unmapped}}<p>Columns of the sheet the mapping does not read (ignored): {{range $i, $m := .Unmapped}}{{if $i}}; {{end}}{{$m}}{{end}}</p>{{end}}
</main>
</body>
</html>
`))

// ProblemCount says how many problems there are, in words: "1 problem",
// "3 problems".
func (r *Report) ProblemCount() string {
	if len(r.Problems) == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", len(r.Problems))
}

// WriteHTML writes the report as a page (the same as WriteText).
func (r *Report) WriteHTML(w io.Writer) error { return reportHTML.Execute(w, r) }
