package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/dsrkit/dsrkit/docs"
	"github.com/dsrkit/dsrkit/register"
)

// The rule reference (docs/rules.md) as a page: its headings, paragraphs,
// lists and tables in HTML, each heading's id its anchor in the Markdown
// (a rule id in lower case: /rules#r-rag-red), so that every rule id on
// a page links to its entry. Only the Markdown the reference uses is
// rendered; it is our own text, and all of it is escaped before the few
// inline marks are made.

var (
	ruleHeading = regexp.MustCompile(`^R-[A-Z0-9]+(-[A-Z0-9*]+)*$`)
	listItem    = regexp.MustCompile(`^(\s*)(?:[-*]|\d+\.)\s+(.*)$`)
	mdLink      = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	mdStrong    = regexp.MustCompile(`\*\*(.+?)\*\*`)
	mdEm        = regexp.MustCompile(`\*([^*\s][^*]*?)\*`)
	slugDrop    = regexp.MustCompile(`[^a-z0-9 _-]`)
)

// RuleAnchor is the id of a rule's entry on the rule reference page (and
// its anchor in docs/rules.md): the id in lower case.
func RuleAnchor(rule string) string { return strings.ToLower(rule) }

// slug is a heading's anchor: a rule id in lower case, or the text in
// lower case with spaces as hyphens and punctuation dropped.
func slug(text string) string {
	if ruleHeading.MatchString(text) {
		return RuleAnchor(text)
	}
	s := slugDrop.ReplaceAllString(strings.ToLower(text), "")
	return strings.ReplaceAll(s, " ", "-")
}

// inline renders a line's inline marks: `code`, **strong**, *em* and
// [links](#anchor) (to the page's anchors; a link to a file is its text).
func inline(s string) string {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("<code>" + html.EscapeString(p) + "</code>")
			continue
		}
		if i%2 == 1 { // an unmatched backtick
			b.WriteString("`")
		}
		e := html.EscapeString(p)
		e = mdLink.ReplaceAllStringFunc(e, func(m string) string {
			sm := mdLink.FindStringSubmatch(m)
			if strings.HasPrefix(sm[2], "#") {
				return `<a href="/rules` + sm[2] + `">` + sm[1] + `</a>`
			}
			return sm[1]
		})
		e = mdStrong.ReplaceAllString(e, "<strong>$1</strong>")
		e = mdEm.ReplaceAllString(e, "<em>$1</em>")
		b.WriteString(e)
	}
	return b.String()
}

// RenderMarkdown renders the Markdown of the rule reference to HTML:
// headings (with ids, the top one dropped: the page has its own), paragraphs,
// nested lists, tables and fenced code.
func RenderMarkdown(md string) template.HTML {
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	var b strings.Builder
	for i := 0; i < len(lines); {
		line := lines[i]
		trim := strings.TrimSpace(line)
		switch {
		case trim == "":
			i++
		case strings.HasPrefix(trim, "```"):
			i++
			b.WriteString("<pre><code>")
			for i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```") {
				b.WriteString(html.EscapeString(lines[i]) + "\n")
				i++
			}
			i++
			b.WriteString("</code></pre>\n")
		case strings.HasPrefix(trim, "#"):
			level := len(trim) - len(strings.TrimLeft(trim, "#"))
			text := strings.TrimSpace(trim[level:])
			i++
			if level == 1 {
				continue // the page's h1 is the layout's
			}
			level = min(level, 6)
			fmt.Fprintf(&b, "<h%d id=\"%s\" class=\"nhsuk-heading-%s\">%s</h%d>\n", level, html.EscapeString(slug(text)),
				[]string{"", "", "l", "m", "s", "xs", "xs"}[level], inline(text), level)
		case strings.HasPrefix(trim, "|"):
			var rows [][]string
			for i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
				row := strings.Trim(strings.TrimSpace(lines[i]), "|")
				cells := strings.Split(row, "|")
				for j := range cells {
					cells[j] = strings.TrimSpace(cells[j])
				}
				rows = append(rows, cells)
				i++
			}
			b.WriteString(`<table class="nhsuk-table">` + "\n")
			for j, row := range rows {
				if j == 1 && strings.Trim(strings.Join(row, ""), "-: ") == "" {
					continue // the separator
				}
				tag := "td"
				if j == 0 {
					tag = "th"
					b.WriteString("<thead>")
				}
				b.WriteString("<tr>")
				for _, c := range row {
					if tag == "th" {
						b.WriteString(`<th scope="col">` + inline(c) + "</th>")
					} else {
						b.WriteString("<td>" + inline(c) + "</td>")
					}
				}
				b.WriteString("</tr>")
				if j == 0 {
					b.WriteString("</thead><tbody>")
				}
				b.WriteString("\n")
			}
			b.WriteString("</tbody></table>\n")
		case listItem.MatchString(line):
			i = renderList(&b, lines, i)
		default:
			var para []string
			for i < len(lines) {
				t := strings.TrimSpace(lines[i])
				if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "|") || strings.HasPrefix(t, "```") || listItem.MatchString(lines[i]) {
					break
				}
				para = append(para, t)
				i++
			}
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
		}
	}
	return template.HTML(b.String())
}

// renderList renders the list starting at lines[i], nested by indent, and
// returns the index after it.
func renderList(b *strings.Builder, lines []string, i int) int {
	type open struct {
		indent  int
		ordered bool
	}
	var stack []open
	closeTo := func(indent int) {
		for len(stack) > 0 && stack[len(stack)-1].indent > indent {
			tag := "ul"
			if stack[len(stack)-1].ordered {
				tag = "ol"
			}
			b.WriteString("</li></" + tag + ">\n")
			stack = stack[:len(stack)-1]
		}
	}
	var item []string
	flush := func() {
		if item != nil {
			b.WriteString(inline(strings.Join(item, " ")))
			item = nil
		}
	}
	for i < len(lines) {
		line := lines[i]
		if strings.TrimSpace(line) == "" {
			// A blank line ends the list unless an item follows.
			if i+1 < len(lines) && listItem.MatchString(lines[i+1]) {
				i++
				continue
			}
			break
		}
		m := listItem.FindStringSubmatch(line)
		if m == nil {
			if len(line)-len(strings.TrimLeft(line, " ")) == 0 {
				break // a paragraph after the list
			}
			item = append(item, strings.TrimSpace(line))
			i++
			continue
		}
		flush()
		indent := len(m[1])
		ordered := !strings.HasPrefix(strings.TrimSpace(line), "-") && !strings.HasPrefix(strings.TrimSpace(line), "*")
		switch {
		case len(stack) == 0 || indent > stack[len(stack)-1].indent:
			tag := `<ul class="nhsuk-list nhsuk-list--bullet">`
			if ordered {
				tag = `<ol class="nhsuk-list nhsuk-list--number">`
			}
			b.WriteString(tag + "\n<li>")
			stack = append(stack, open{indent, ordered})
		default:
			closeTo(indent)
			b.WriteString("</li>\n<li>")
		}
		item = []string{m[2]}
		i++
	}
	flush()
	closeTo(-1)
	return i
}

// renderRules renders the rule reference once, for the page.
func renderRules() (template.HTML, error) {
	if strings.TrimSpace(docs.Rules) == "" {
		return "", fmt.Errorf("web: the rule reference is empty")
	}
	return RenderMarkdown(docs.Rules), nil
}

func (s *Site) rulesPage(w http.ResponseWriter, r *http.Request, _ register.Actor) {
	s.show(w, r, http.StatusOK, "Rule reference", "rules", s.rules)
}
