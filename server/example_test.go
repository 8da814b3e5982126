package server_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
	"github.com/dsrkit/dsrkit/server"
)

// A service over a register in memory: an API token for a viewer, then a
// case assessed with it.
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
	dir, _ := os.MkdirTemp("", "dsr-example")
	defer os.RemoveAll(dir)
	tokens, _ := server.OpenTokens(filepath.Join(dir, "register.tokens"))
	token, _ := tokens.CreateToken("ward-7-screen", register.RoleViewer, time.Now())

	srv, err := server.New(server.Config{Register: reg, Engine: engine, Tokens: tokens})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	kase := `{"as_of": "2026-04-01", "person": {"id": "c1", "date_of_birth": "2012-05-01", "autism": true},
	  "circumstances": {"in_crisis": true},
	  "events": [{"type": "consent_given", "date": "2026-03-02", "given_by": "parent"}]}`
	req, _ := http.NewRequest("POST", ts.URL+"/v1/assess", strings.NewReader(kase))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("assess:", resp.Status)

	resp, _ = http.Get(ts.URL + "/v1/people")
	resp.Body.Close()
	fmt.Println("people without a token:", resp.Status)
	// Output:
	// assess: 200 OK
	// people without a token: 401 Unauthorized
}

// API tokens are shown once and kept as hashes.
func ExampleTokenFile() {
	dir, _ := os.MkdirTemp("", "dsr-example")
	defer os.RemoveAll(dir)
	tokens, _ := server.OpenTokens(filepath.Join(dir, "register.tokens"))
	token, _ := tokens.CreateToken("coordinator-1", register.RoleCoordinator, time.Now())
	by, err := tokens.Lookup(token)
	fmt.Println(by.ID, by.Role, err)
	_, err = tokens.Lookup(token + "x")
	fmt.Println(err)
	b, _ := os.ReadFile(filepath.Join(dir, "register.tokens"))
	fmt.Println("the file holds the token:", strings.Contains(string(b), token))
	// Output:
	// coordinator-1 coordinator <nil>
	// server: unknown or malformed token
	// the file holds the token: false
}

// The service's pages share its tokens and roles; a host adds pages of its
// own inside their layout before it serves.
func ExampleServer_Site() {
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
	dir, _ := os.MkdirTemp("", "dsr-example")
	defer os.RemoveAll(dir)
	tokens, _ := server.OpenTokens(filepath.Join(dir, "register.tokens"))
	srv, err := server.New(server.Config{Register: reg, Engine: engine, Tokens: tokens})
	if err != nil {
		panic(err)
	}
	srv.Site().Handle("GET /commissioning", []string{register.RoleCoordinator, register.RoleAnalyst},
		func(*http.Request, register.Actor) (string, template.HTML, error) {
			return "Commissioning", `<h1 class="nhsuk-heading-l">Commissioning</h1>`, nil
		})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(ts.URL + "/commissioning")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("signed out:", resp.Status, "to", resp.Header.Get("Location"))
	// Output:
	// signed out: 303 See Other to /login?next=%2Fcommissioning
}
