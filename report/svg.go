package report

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/dsrkit/dsrkit/disclosure"
)

// The charts are inline SVG written here, as the policy-diff report's are:
// no scripts, no external files. They draw only published figures (a
// suppressed count is drawn as no bar, labelled "*"), and each sits beside
// its table, which is its text alternative.

// seriesColours are the bar colours of a chart's columns, each with at
// least 3:1 contrast against white (WCAG 2.2, non-text contrast).
var seriesColours = []string{"#005eb8", "#330072", "#007f3b", "#4c6272", "#d5281b", "#7c2855"}

// ratingColours colour a rating's bar or band by its label.
var ratingColours = map[string]string{
	"Red": "#d5281b", "Amber": "#b35c00", "Green": "#007f3b", "Blue": "#005eb8",
	stateNoRat: "#4c6272", stateOff: "#768692", stateLeft: "#425563", stateGone: "#425563",
}

func value(c disclosure.Count) int {
	v, _ := c.Value()
	return v
}

// barChart draws the table as horizontal bars: one group per row, one bar
// per column, coloured by column (or by rating when byRating).
func barChart(t *Table, byRating bool) template.HTML {
	const chartW, barH, gap, groupGap = 360, 16, 2, 12
	longest := 0
	for _, r := range t.Rows {
		longest = max(longest, len([]rune(r.Label)))
	}
	labelW := min(420, max(120, 7*longest+16)) // about 7px a character at 13px
	maxV := 1
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			maxV = max(maxV, value(c))
		}
	}
	var b strings.Builder
	y := 0
	var body strings.Builder
	for _, r := range t.Rows {
		groupTop := y
		for j, c := range r.Cells {
			colour := seriesColours[j%len(seriesColours)]
			if byRating {
				colour = ratingColours[r.Label]
			}
			w := value(c) * chartW / maxV
			fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s, %s: %s</title></rect>`,
				labelW, y, w, barH, colour, esc(r.Label), esc(t.Columns[j]), c)
			fmt.Fprintf(&body, `<text x="%d" y="%d" class="dsr-chart-value">%s</text>`, labelW+w+4, y+barH-3, c)
			y += barH + gap
		}
		fmt.Fprintf(&body, `<text x="%d" y="%d" text-anchor="end" class="dsr-chart-label">%s</text>`, labelW-8, groupTop+(y-groupTop)/2+4, esc(r.Label))
		y += groupGap
	}
	legendY := y + 4
	if !byRating && len(t.Columns) > 1 {
		x := labelW
		for j, col := range t.Columns {
			fmt.Fprintf(&body, `<rect x="%d" y="%d" width="12" height="12" fill="%s"></rect><text x="%d" y="%d" class="dsr-chart-label">%s</text>`,
				x, legendY, seriesColours[j%len(seriesColours)], x+16, legendY+11, esc(col))
			x += 24 + 8*len(col)
		}
		y = legendY + 20
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="dsr-chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-chart-title"><title id="%s-chart-title">%s: chart (the table gives the figures)</title>`,
		labelW+chartW+60, y, labelW+chartW+60, y, t.ID, t.ID, esc(t.Title))
	b.WriteString(body.String())
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// flowChart draws the movement table as a chart of flows: the states at
// the start on the left, at the end on the right, each band as wide as
// its published count (a suppressed flow is a thin dashed line, "*").
func flowChart(t *Table) template.HTML {
	const width, nodeW, gap, scaleH = 720, 14, 10, 320
	total := 0
	for _, r := range t.Rows {
		total += value(r.Total)
	}
	for _, c := range t.Totals {
		total = max(total, value(c))
	}
	unit := float64(scaleH) / float64(max(total, 1))
	h := func(v int) float64 { return float64(v) * unit }
	// Left nodes: rows with a published or suppressed total; right nodes:
	// columns likewise.
	type node struct {
		label string
		y, h  float64
		used  float64
		count disclosure.Count
	}
	var left, right []*node
	rowNode := map[int]*node{}
	colNode := map[int]*node{}
	const top = 12.0 // room for the first label
	y := top
	for i, r := range t.Rows {
		if value(r.Total) == 0 && !r.Total.Suppressed() {
			continue
		}
		n := &node{label: r.Label, y: y, h: max(h(value(r.Total)), 2), count: r.Total}
		left = append(left, n)
		rowNode[i] = n
		y += n.h + gap
	}
	hL := y
	y = top
	for j, c := range t.Totals {
		if value(c) == 0 && !c.Suppressed() {
			continue
		}
		n := &node{label: t.Columns[j], y: y, h: max(h(value(c)), 2), count: c}
		right = append(right, n)
		colNode[j] = n
		y += n.h + gap
	}
	height := max(hL, y, 40) + 10
	x0, x1 := 250.0, float64(width-250)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="dsr-chart" viewBox="0 0 %d %.0f" width="%d" height="%.0f" role="img" aria-labelledby="%s-chart-title"><title id="%s-chart-title">%s: chart of flows from the start of the quarter to the end (the table gives the figures)</title>`,
		width, height, width, height, t.ID, t.ID, esc(t.Title))
	for i, r := range t.Rows {
		ln, ok := rowNode[i]
		if !ok {
			continue
		}
		for j, c := range r.Cells {
			rn, ok := colNode[j]
			if !ok || (value(c) == 0 && !c.Suppressed()) {
				continue
			}
			colour := ratingColours[t.Columns[j]]
			if colour == "" {
				colour = "#768692"
			}
			label := fmt.Sprintf("%s to %s: %s", r.Label, t.Columns[j], c)
			if c.Suppressed() {
				ya, yb := ln.y+ln.used+1, rn.y+rn.used+1
				fmt.Fprintf(&b, `<path d="M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3" fill="none"><title>%s</title></path>`,
					x0+nodeW, ya, (x0+x1)/2, ya, (x0+x1)/2, yb, x1, yb, colour, esc(label))
				continue
			}
			bh := h(value(c))
			ya, yb := ln.y+ln.used, rn.y+rn.used
			ln.used += bh
			rn.used += bh
			mx := (x0 + x1) / 2
			fmt.Fprintf(&b, `<path d="M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f L%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f Z" fill="%s" fill-opacity="0.45"><title>%s</title></path>`,
				x0+nodeW, ya, mx, ya, mx, yb, x1, yb, x1, yb+bh, mx, yb+bh, mx, ya+bh, x0+nodeW, ya+bh, colour, esc(label))
		}
	}
	for _, n := range left {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"></rect><text x="%.1f" y="%.1f" text-anchor="end" class="dsr-chart-label">%s (%s)</text>`,
			x0, n.y, nodeW, n.h, nodeColour(n.label), x0-6, n.y+n.h/2+4, esc(n.label), n.count)
	}
	for _, n := range right {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"></rect><text x="%.1f" y="%.1f" class="dsr-chart-label">%s (%s)</text>`,
			x1, n.y, nodeW, n.h, nodeColour(n.label), x1+nodeW+6, n.y+n.h/2+4, esc(n.label), n.count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func nodeColour(label string) string {
	if c := ratingColours[label]; c != "" {
		return c
	}
	return "#768692"
}

func esc(s string) string { return html.EscapeString(s) }
