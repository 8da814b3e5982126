package web_test

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
	"github.com/dsrkit/dsrkit/web"
)

// The pages over a register in memory, with a page of the host's own
// (Handle) inside the layout and the worklist kept warm (KeepWarm). The server (package server) builds its
// Site the same way, with its tokens as Authenticate; here one token
// stands for a coordinator.
func Example() {
	ctx := context.Background()
	fsys, _ := policies.Bundle(policies.DefaultBundle)
	engine, err := policies.Load(ctx, fsys)
	if err != nil {
		panic(err)
	}
	reg, err := register.Open(ctx, memstore.New(), engine, register.WithKeys(register.MemoryKey()), register.WithConsentPolicy(consent.National2023))
	if err != nil {
		panic(err)
	}
	site, err := web.New(web.Config{Register: reg, Engine: engine,
		Authenticate: func(_ context.Context, token string) (register.Actor, error) {
			if token == "dsr_example" {
				return register.Actor{ID: "staff-17", Role: register.RoleCoordinator}, nil
			}
			return register.Actor{}, errors.New("unknown token")
		}})
	if err != nil {
		panic(err)
	}
	site.Handle("GET /meeting-pack", []string{register.RoleCoordinator}, func(r *http.Request, by register.Actor) (string, template.HTML, error) {
		return "Meeting pack", template.HTML(`<h1 class="nhsuk-heading-l">Meeting pack</h1><p class="pack-for">For ` + template.HTMLEscapeString(by.ID) + `</p>`), nil
	})
	site.AddStylesheet(".pack-for { font-weight: bold; }") // the page's classes: no inline style
	// Today's worklist is built ahead, and again every minute.
	warm, stop := context.WithCancel(ctx)
	defer stop()
	go site.KeepWarm(warm, time.Minute)
	ts := httptest.NewServer(site)
	defer ts.Close()

	// Sign in: the session's cookie comes back, HttpOnly and SameSite=Strict.
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(url.Values{"token": {"dsr_example"}, "next": {"/meeting-pack"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	cookie := resp.Cookies()[0]
	fmt.Println("login:", resp.Status, "to", resp.Header.Get("Location"), "httponly:", cookie.HttpOnly, "samesite strict:", cookie.SameSite == http.SameSiteStrictMode)

	req, _ = http.NewRequest("GET", ts.URL+"/meeting-pack", nil)
	req.AddCookie(cookie)
	resp, err = client.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println("meeting pack:", resp.Status, resp.Header.Get("Cache-Control"), resp.Header.Get("Referrer-Policy"))
	fmt.Println("its stylesheet linked:", strings.Contains(string(body), `href="/assets/extra-`))
	// Output:
	// login: 303 See Other to /meeting-pack httponly: true samesite strict: true
	// meeting pack: 200 OK no-store no-referrer
	// its stylesheet linked: true
}

// The rule reference's Markdown as HTML: each heading's id is its anchor,
// a rule id in lower case.
func ExampleRenderMarkdown() {
	fmt.Println(web.RenderMarkdown("### R-RAG-RED\n\nImmediate risk of **admission** (see [Time](#time)).\n"))
	// Output:
	// <h3 id="r-rag-red" class="nhsuk-heading-m">R-RAG-RED</h3>
	// <p>Immediate risk of <strong>admission</strong> (see <a href="/rules#time">Time</a>).</p>
}
