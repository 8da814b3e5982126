package report_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/bluelight/bluelighttest"
	"github.com/dsrkit/dsrkit/cetr/cetrtest"
	"github.com/dsrkit/dsrkit/internal/testtools"
	"github.com/dsrkit/dsrkit/report"
)

type axeResult struct {
	Passes     []struct{ ID string } `json:"passes"`
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// TestPagesPassAxe runs axe-core (the pinned npm package) in Chromium over
// each standalone page: the board report, the meeting pack, the C(E)TR
// summary and the Blue Light minute, against WCAG 2.2 A and AA. A serious
// or critical violation fails.
func TestPagesPassAxe(t *testing.T) {
	browser := testtools.Chromium(t)
	axe, err := os.ReadFile(testtools.NodeModule(t, "axe-core/axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}

	pages := map[string][]byte{}
	f := handBuilt(t)
	b, err := report.NewBoard(ctx, f.reg, q3, report.BoardOptions{Today: day("2026-10-15")})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, report.WriteBoardHTML(&buf, b))
	pages["board"] = bytes.Clone(buf.Bytes())
	p, err := report.NewMeetingPack(ctx, f.reg, day("2026-10-07"), report.PackOptions{By: staff, Names: true})
	require.NoError(t, err)
	buf.Reset()
	require.NoError(t, report.WriteMeetingPackHTML(&buf, p, true))
	pages["meeting-pack"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	require.NoError(t, report.ReviewSummaryHTML(&buf, cetrtest.HeldReview(t)))
	pages["review"] = bytes.Clone(buf.Bytes())
	call := bluelighttest.London("2026-10-23 20:00")
	m := bluelighttest.Open(t, call)
	bluelighttest.AttendAll(t, m)
	bluelighttest.CompleteTo(t, m, bluelight.StepRecord)
	buf.Reset()
	require.NoError(t, report.MinuteHTML(&buf, m))
	pages["minute"] = bytes.Clone(buf.Bytes())

	dir := t.TempDir()
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")))...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	bctx, cancelT := context.WithTimeout(bctx, 2*time.Minute)
	defer cancelT()
	for name, page := range pages {
		file := filepath.Join(dir, name+".html")
		require.NoError(t, os.WriteFile(file, page, 0o600))
		u := url.URL{Scheme: "file", Path: file}
		_, err := chromedp.Run(bctx, chromedp.Navigate(u.String()))
		require.NoError(t, err, name)
		_, err = chromedp.Run(bctx, chromedp.Evaluate[bool](string(axe)+";true"))
		require.NoError(t, err, "%s: loading axe-core", name)
		res, err := chromedp.Run(bctx, chromedp.Evaluate[axeResult](
			`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})`,
			chromedp.EvalAwaitPromise))
		require.NoError(t, err, "%s: running axe-core", name)
		require.NotEmpty(t, res.Passes, "%s: axe-core checked nothing", name)
		for _, v := range res.Violations {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: %s (%s): %s, at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
			} else {
				t.Logf("%s: %s (%s): %s", name, v.ID, v.Impact, v.Help)
			}
		}
	}
}
