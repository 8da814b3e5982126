package report_test

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/bluelight/bluelighttest"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/cetr/cetrtest"
	"github.com/dsrkit/dsrkit/report"
)

var (
	tagRE  = regexp.MustCompile(`<[^>]+>`)
	wordRE = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}'’-]{2,}`)
)

// pageText is a page's text: tags dropped, entities decoded.
func pageText(page string) string {
	return html.UnescapeString(tagRE.ReplaceAllString(page, " "))
}

// sameWords checks that every word of the Markdown is in the page's text:
// the HTML carries the same content.
func sameWords(t *testing.T, markdown, page string) {
	t.Helper()
	text := " " + strings.Join(wordRE.FindAllString(pageText(page), -1), " ") + " "
	missing := map[string]bool{}
	for _, w := range wordRE.FindAllString(markdown, -1) {
		if !strings.Contains(text, " "+w+" ") {
			missing[w] = true
		}
	}
	assert.Empty(t, missing, "words of the Markdown not on the page")
}

func TestReviewSummaryHTMLHasTheMarkdownsContent(t *testing.T) {
	r := cetrtest.HeldReview(t)
	_, err := r.Recommend(cetrRecommendation())
	require.NoError(t, err)
	var page bytes.Buffer
	require.NoError(t, report.ReviewSummaryHTML(&page, r))
	sameWords(t, r.Summary(), page.String())
	assert.Contains(t, page.String(), "<h2>Key lines of enquiry (R-CETR-KLOE)</h2>")
	assert.NotContains(t, string(report.ReviewSummaryFragment(r)), "<html", "a fragment is not a page")
	saveArtifact(t, "review-summary-sample.html", page.Bytes())
}

func TestMinuteHTMLHasTheMarkdownsContent(t *testing.T) {
	call := bluelighttest.London("2026-10-23 20:00")
	m := bluelighttest.Open(t, call)
	bluelighttest.AttendAll(t, m, bluelight.RoleAdvocate)
	bluelighttest.CompleteTo(t, m, bluelight.StepOptions)
	require.NoError(t, m.Reject(bluelight.OptionLocalNonInpatient, "no short-breaks bed tonight"))
	require.NoError(t, m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage, Detail: "waking nights"}))
	require.NoError(t, m.Fund(ctx, bluelighttest.HomePackage(call, 72)))
	bluelighttest.CompleteAfter(t, m, bluelight.StepOptions, bluelight.StepRecord)
	require.NoError(t, m.Close(call.Add(90*time.Minute), bluelight.Outcome{SustainablePlacement: true, Notes: "Reviewed in 72 hours."}))
	var page bytes.Buffer
	require.NoError(t, report.MinuteHTML(&page, m))
	sameWords(t, m.Minute(), page.String())
	assert.Contains(t, pageText(page.String()), "2026-10-23 20:00 BST (+01:00)", "times in London with their offset")
	assert.Contains(t, page.String(), "Missing must-attend roles: Advocate.")
	saveArtifact(t, "bluelight-minute-sample.html", page.Bytes())
}

func cetrRecommendation() cetr.Recommendation {
	return cetr.Recommendation{Who: "Community team (synthetic)", What: "Arrange a keyworker & short breaks", Due: day("2026-04-01")}
}
