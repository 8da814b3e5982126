package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dsrkit/dsrkit/register"
)

// sample is a request that a route answers with 2xx for a role it allows:
// path, body (nil for none) and headers, made afresh for each call (a
// person to remove is added first, say).
type sample func(f *fixture) (path string, body any, hdr []string)

func fixed(path string) sample {
	return func(*fixture) (string, any, []string) { return path, nil, nil }
}

// samples has one sample per route of the table, by operationId.
var samples = map[string]sample{
	"healthz": fixed("/healthz"),
	"readyz":  fixed("/readyz"),
	"metrics": fixed("/metrics"),
	"openapi": fixed("/v1/openapi.json"),
	"assess": func(*fixture) (string, any, []string) {
		return "/v1/assess", testCase("c1"), nil
	},
	"listPolicies": fixed("/v1/policies"),
	"diffPolicies": func(f *fixture) (string, any, []string) {
		f.added()
		return "/v1/policies/diff", map[string]any{"old": "national-2023", "new": "national-2017", "source": "register"}, nil
	},
	"addPerson": func(f *fixture) (string, any, []string) {
		return "/v1/people", f.person(), nil
	},
	"listPeople": fixed("/v1/people"),
	"findPerson": func(f *fixture) (string, any, []string) {
		np := f.added()
		return "/v1/people/search", map[string]any{"nhs_number": np.Person.NHSNumber, "why": "a call"}, nil
	},
	"showPerson": func(f *fixture) (string, any, []string) {
		return "/v1/people/" + f.added().Person.ID + "?why=meeting", nil, nil
	},
	"updateDetails": func(f *fixture) (string, any, []string) {
		np := f.added()
		d := np.Details
		d.Address = "2 Other Street, Testtown"
		return "/v1/people/" + np.Person.ID + "/details", d, nil
	},
	"recordEvent": func(f *fixture) (string, any, []string) {
		return "/v1/people/" + f.added().Person.ID + "/events", map[string]any{"type": "rating_agreed", "date": "2026-04-01", "rating": "red", "reason": "agreed at the meeting"}, nil
	},
	"reportCircumstances": func(f *fixture) (string, any, []string) {
		return "/v1/people/" + f.added().Person.ID + "/circumstances", map[string]any{"circumstances": map[string]any{"in_crisis": true}}, nil
	},
	"agreeRating": func(f *fixture) (string, any, []string) {
		return "/v1/people/" + f.added().Person.ID + "/rating", map[string]any{"rating": "amber", "reason": "the meeting agreed amber"}, nil
	},
	"withdrawConsent": func(f *fixture) (string, any, []string) {
		return "/v1/people/" + f.added().Person.ID + "/withdrawal", map[string]any{"date": "2026-04-01", "by": "parent"}, nil
	},
	"removePerson": func(f *fixture) (string, any, []string) {
		return "/v1/people/" + f.added().Person.ID + "/removal", map[string]any{"reason": "moved_area"}, nil
	},
	"personHistory": func(f *fixture) (string, any, []string) {
		return "/v1/people/" + f.added().Person.ID + "/history?why=review", nil, nil
	},
	"personAudit": func(f *fixture) (string, any, []string) {
		return "/v1/people/" + f.added().Person.ID + "/audit", nil, nil
	},
	"refer": func(f *fixture) (string, any, []string) {
		return "/v1/referrals", map[string]any{"id": fmt.Sprintf("ref-%d", f.seq.Add(1)), "source": "professional", "received": "2026-04-01"}, nil
	},
	"decideReferral": func(f *fixture) (string, any, []string) {
		id := fmt.Sprintf("ref-%d", f.seq.Add(1))
		if err := f.reg.Refer(t0, register.Referral{ID: id, Source: "professional", Received: testDay("2026-03-30")}, fixtureActor); err != nil {
			f.t.Fatal(err)
		}
		return "/v1/referrals/" + id + "/decision", map[string]any{"outcome": "accept", "reasons": "meets the criteria", "next_steps": "add with consent"}, nil
	},
	"worklist":   fixed("/v1/worklist?due_before=2026-06-01&overdue=false"),
	"export":     fixed("/v1/export"),
	"verify":     fixed("/v1/verify"),
	"listTokens": fixed("/v1/tokens"),
	"revokeToken": func(f *fixture) (string, any, []string) {
		tok, err := f.srv.cfg.Tokens.CreateToken(fmt.Sprintf("to-revoke-%d", f.seq.Add(1)), "viewer", testNow)
		if err != nil {
			f.t.Fatal(err)
		}
		return "/v1/tokens/" + tok[4:12], nil, nil
	},
	"createToken": func(f *fixture) (string, any, []string) {
		return "/v1/tokens", map[string]any{"name": fmt.Sprintf("new-client-%d", f.seq.Add(1)), "role": "viewer"}, nil
	},
}

// TestEveryRouteHasASample keeps samples in step with the table.
func TestEveryRouteHasASample(t *testing.T) {
	f := newFixture(t, nil)
	var ops []string
	for _, rt := range f.srv.routes {
		ops = append(ops, rt.op)
		if samples[rt.op] == nil {
			t.Errorf("route %s %s (%s) has no sample request", rt.method, rt.path, rt.op)
		}
	}
	for op := range samples {
		if !slices.Contains(ops, op) {
			t.Errorf("sample %s names no route", op)
		}
	}
}

// TestAuthRouteByRoute sends every route a request with no token, a bad
// token, an expired JWT, a JWT of another issuer, and for each role an API
// token and a JWT: the public routes answer 2xx to all; the others 401 to
// the first four, 2xx to a role they take and 403 to any other. Every 2xx
// body validates against the route's response schema in the OpenAPI
// document, and every request body sent against its request schema.
func TestAuthRouteByRoute(t *testing.T) {
	f := newFixture(t, nil)
	doc := compileOpenAPI(t, f.srv.OpenAPI())
	type cred struct {
		name, token, role string // role "" : not a valid credential
	}
	creds := []cred{
		{"no token", "", ""},
		{"bad API token", "dsr_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""},
		{"garbage", "not-a-token", ""},
		{"expired JWT", f.idp.token(t, f.idp.issuer, "staff-1", "admin", testNow.Add(-2*time.Hour)), ""},
		{"wrong issuer", f.idp.token(t, "https://other-issuer.invalid", "staff-1", "admin", testNow.Add(time.Hour)), ""},
		{"no role claim", f.idp.token(t, f.idp.issuer, "staff-1", "superuser", testNow.Add(time.Hour)), ""},
		{"wrong audience", f.idp.tokenFor(t, "another-service", "staff-1", "admin"), ""},
		{"forged signature", forge(f.idp.token(t, f.idp.issuer, "staff-1", "admin", testNow.Add(time.Hour))), ""},
	}
	for _, role := range register.Roles {
		creds = append(creds, cred{"API token " + role, f.tokens[role], role},
			cred{"JWT " + role, f.idp.token(t, f.idp.issuer, "staff-"+role, role, testNow.Add(time.Hour)), role})
	}
	for _, rt := range f.srv.routes {
		for _, c := range creds {
			path, body, hdr := samples[rt.op](f)
			status, resp, _ := f.do(rt.method, path, c.token, body, hdr...)
			var want string
			switch {
			case rt.roles == nil:
				want = "2xx"
			case c.role == "":
				want = "401"
			case slices.Contains(rt.roles, c.role):
				want = "2xx"
			default:
				want = "403"
			}
			got := fmt.Sprint(status)
			if status >= 200 && status < 300 {
				got = "2xx"
			}
			if got != want {
				t.Errorf("%s %s with %s: status %d, want %s: %s", rt.method, rt.path, c.name, status, want, resp)
				continue
			}
			if body != nil {
				b, _ := json.Marshal(body)
				doc.validateBody(t, rt, b)
			}
			if got == "2xx" {
				doc.validateResponse(t, rt, status, resp)
			} else if !strings.Contains(string(resp), `"status":`+fmt.Sprint(status)) {
				t.Errorf("%s %s with %s: %d without a problem body: %s", rt.method, rt.path, c.name, status, resp)
			}
		}
	}
}

// openAPIDoc is the served OpenAPI document, parsed, with its schemas
// compiled on demand.
type openAPIDoc struct {
	raw   map[string]any
	comp  *jsonschema.Compiler
	cache map[string]*jsonschema.Schema
}

func compileOpenAPI(t *testing.T, b []byte) *openAPIDoc {
	t.Helper()
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("urn:dsrkit:openapi", raw); err != nil {
		t.Fatal(err)
	}
	return &openAPIDoc{raw: raw.(map[string]any), comp: c, cache: map[string]*jsonschema.Schema{}}
}

func (d *openAPIDoc) op(t *testing.T, rt *route) map[string]any {
	t.Helper()
	p, _ := d.raw["paths"].(map[string]any)[rt.path].(map[string]any)
	op, _ := p[strings.ToLower(rt.method)].(map[string]any)
	if op == nil {
		t.Fatalf("%s %s is not in the OpenAPI document", rt.method, rt.path)
	}
	return op
}

// schemaAt compiles the schema a $ref names.
func (d *openAPIDoc) schemaAt(t *testing.T, content map[string]any, mediaType string) *jsonschema.Schema {
	t.Helper()
	mt, _ := content[mediaType].(map[string]any)
	sc, _ := mt["schema"].(map[string]any)
	ref, _ := sc["$ref"].(string)
	if ref == "" {
		return nil
	}
	if s, ok := d.cache[ref]; ok {
		return s
	}
	s, err := d.comp.Compile("urn:dsrkit:openapi" + ref)
	if err != nil {
		t.Fatalf("compiling %s: %v", ref, err)
	}
	d.cache[ref] = s
	return s
}

func (d *openAPIDoc) validate(t *testing.T, what string, s *jsonschema.Schema, b []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Errorf("%s: not JSON: %v", what, err)
		return
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not validate against the OpenAPI document: %v\n%s", what, err, b)
	}
}

func (d *openAPIDoc) validateBody(t *testing.T, rt *route, b []byte) {
	t.Helper()
	rb, _ := d.op(t, rt)["requestBody"].(map[string]any)
	if rb == nil {
		t.Errorf("%s %s takes a body, but the document gives none", rt.method, rt.path)
		return
	}
	s := d.schemaAt(t, rb["content"].(map[string]any), "application/json")
	if s == nil {
		t.Errorf("%s %s: no request schema", rt.method, rt.path)
		return
	}
	d.validate(t, rt.method+" "+rt.path+" request", s, b)
}

func (d *openAPIDoc) validateResponse(t *testing.T, rt *route, status int, b []byte) {
	t.Helper()
	resp, _ := d.op(t, rt)["responses"].(map[string]any)[fmt.Sprint(status)].(map[string]any)
	if resp == nil {
		t.Errorf("%s %s answered %d, which the document does not list", rt.method, rt.path, status)
		return
	}
	content, _ := resp["content"].(map[string]any)
	if s := d.schemaAt(t, content, "application/json"); s != nil {
		d.validate(t, fmt.Sprintf("%s %s response %d", rt.method, rt.path, status), s, b)
	}
}

// TestOpenAPIMatchesTheRoutes checks the document against the routes the
// mux serves: every route the mux registers is in the document with its
// roles, and every path and method of the document reaches a route.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	f := newFixture(t, nil)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(f.srv.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	// The served document is the same.
	status, served, _ := f.do("GET", "/v1/openapi.json", "", nil)
	if status != 200 || !bytes.Equal(served, f.srv.OpenAPI()) {
		t.Errorf("GET /v1/openapi.json: %d, not the document", status)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			pattern := strings.ToUpper(method) + " " + path
			documented[pattern] = true
			// The mux routes a request of this method and path (its
			// wildcards filled) to this very pattern.
			concrete := pathParam.ReplaceAllString(path, "x1")
			req := httptest.NewRequest(strings.ToUpper(method), concrete, nil)
			if _, got := f.srv.mux.Handler(req); got != pattern {
				t.Errorf("documented %s: the mux routes %s %s to %q", pattern, req.Method, concrete, got)
			}
			var rt *route
			for _, r := range f.srv.routes {
				if r.method+" "+r.path == pattern {
					rt = r
				}
			}
			if rt == nil {
				t.Errorf("documented %s is no route of the table", pattern)
				continue
			}
			roles, _ := op["x-dsr-roles"].([]any)
			if fmt.Sprint(roles) != fmt.Sprint(toAny(rt.roles)) {
				t.Errorf("%s: documented roles %v, enforced %v", pattern, roles, rt.roles)
			}
		}
	}
	for _, rt := range f.srv.routes {
		pattern := rt.method + " " + rt.path
		if !documented[pattern] {
			t.Errorf("route %s is not in the OpenAPI document", pattern)
		}
		req := httptest.NewRequest(rt.method, pathParam.ReplaceAllString(rt.path, "x1"), nil)
		if _, got := f.srv.mux.Handler(req); got != pattern {
			t.Errorf("route %s: the mux routes it to %q", pattern, got)
		}
	}
	// A route's path under another method is 405 naming the methods.
	status, body, hdr := f.do("DELETE", "/v1/people/x1", f.tokens["admin"], nil)
	if status != 405 || hdr.Get("Allow") != "GET" || hdr.Get("Content-Type") != "application/problem+json" {
		t.Errorf("DELETE /v1/people/x1: %d Allow %q %s", status, hdr.Get("Allow"), body)
	}
	// A path of no route is a problem, not the mux's text.
	status, body, hdr = f.do("GET", "/v1/nothing-here", f.tokens["admin"], nil)
	if status != 404 || hdr.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET /v1/nothing-here: %d %s %s", status, hdr.Get("Content-Type"), body)
	}
}

func toAny(s []string) []any {
	var out []any
	for _, v := range s {
		out = append(out, v)
	}
	return out
}

// forge changes one character in the middle of a JWT's signature.
func forge(jwt string) string {
	i := strings.LastIndex(jwt, ".") + 20
	c := byte('A')
	if jwt[i] == 'A' {
		c = 'B'
	}
	return jwt[:i] + string(c) + jwt[i+1:]
}
