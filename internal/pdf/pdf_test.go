package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/internal/pdf"
	"github.com/dsrkit/dsrkit/internal/testtools"
)

// chromium is the browser the tests print with (testtools.Chromium).
func chromium(t *testing.T) string { return testtools.Chromium(t) }

var pageObject = regexp.MustCompile(`/Type\s*/Page[^s]`)

func TestFromHTMLPrintsAPDF(t *testing.T) {
	browser := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	html := []byte(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>
<style>.p { break-before: page; }</style></head><body><h1>Page one</h1><p class="p">Page two</p></body></html>`)
	out, err := pdf.FromHTML(ctx, html, browser)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("not a PDF: starts %q", out[:min(len(out), 16)])
	}
	if n := len(pageObject.FindAll(out, -1)); n != 2 {
		t.Errorf("the PDF has %d pages, want 2 (a page break in the print CSS)", n)
	}
}

func TestFromHTMLNamesTheMissingBrowser(t *testing.T) {
	t.Setenv("DSR_CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	_, err := pdf.FromHTML(context.Background(), []byte("<p>x</p>"), "")
	if !errors.Is(err, pdf.ErrNoBrowser) {
		t.Fatalf("err = %v, want ErrNoBrowser", err)
	}
	for _, want := range []string{"chromium", "apt-get install chromium", "DSR_CHROMIUM"} {
		if !bytes.Contains([]byte(err.Error()), []byte(want)) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	_, err = pdf.FromHTML(context.Background(), []byte("<p>x</p>"), filepath.Join(t.TempDir(), "no-such-browser"))
	if !errors.Is(err, pdf.ErrNoBrowser) {
		t.Fatalf("a browser path that is not there: err = %v, want ErrNoBrowser", err)
	}
}
