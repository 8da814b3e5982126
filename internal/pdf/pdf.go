// Package pdf prints HTML to PDF with headless Chromium's own print
// (the DevTools protocol's Page.printToPDF, through chromedp), so a
// report's PDF is what its page prints: the same print stylesheet, A4.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// ErrNoBrowser is matched (errors.Is) by the error of FromHTML when no
// Chromium can be found: its message names what was looked for and how to
// install it.
var ErrNoBrowser = errors.New("no Chromium browser found")

// Candidates are the browser names FindChromium looks for on PATH, in
// order, after $DSR_CHROMIUM.
var Candidates = []string{"chromium", "chromium-browser", "google-chrome"}

// FindChromium returns the browser to print with: path when it is set, or
// $DSR_CHROMIUM when set, or the first of Candidates on PATH. A browser
// not found is an error matching ErrNoBrowser.
func FindChromium(path string) (string, error) {
	if path == "" {
		path = os.Getenv("DSR_CHROMIUM")
	}
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("%w: %s (from --chromium or DSR_CHROMIUM) is not an executable: %v; %s", ErrNoBrowser, path, err, install)
		}
		return p, nil
	}
	for _, name := range Candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: none of chromium, chromium-browser or google-chrome is on PATH; %s", ErrNoBrowser, install)
}

// install says how to get a browser, in the error of FindChromium.
const install = "install Chromium (on Debian or Ubuntu: apt-get install chromium) or set DSR_CHROMIUM to the browser's path, or write HTML instead (-o FILE.html)"

// FromHTML prints the page html (a whole, self-contained document) to
// PDF on A4 with its backgrounds, with the Chromium at chromiumPath (empty:
// FindChromium's). The browser runs headless with a fresh profile, no
// network of its own and no sandbox (for containers), and is closed before
// FromHTML returns; ctx bounds the whole print.
func FromHTML(ctx context.Context, html []byte, chromiumPath string) ([]byte, error) {
	browser, err := FindChromium(chromiumPath)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dsr-pdf-")
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "page.html")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	profile := filepath.Join(dir, "profile")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	u := url.URL{Scheme: "file", Path: page}
	if _, err := chromedp.Run(bctx, chromedp.Navigate(u.String())); err != nil {
		return nil, fmt.Errorf("pdf: opening the page in %s: %w", browser, err)
	}
	out, err := chromedp.Run(bctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		chromedp.PDFPreferCSSPageSize(),
	))
	if err != nil {
		return nil, fmt.Errorf("pdf: printing with %s: %w", browser, err)
	}
	return out, nil
}
