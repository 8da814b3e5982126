package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// testNow is the clock of every test register and server: 1 April 2026.
var testNow = calendar.MustParseDate("2026-04-01").Start().Add(10 * time.Hour)

func testClock() time.Time { return testNow }

var testEngine = sync.OnceValues(func() (*policies.Engine, error) {
	fsys, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		return nil, err
	}
	return policies.Load(context.Background(), fsys)
})

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// testIdP is an OpenID Connect issuer on 127.0.0.1: its JWKS, and tokens
// signed with its key.
type testIdP struct {
	srv    *httptest.Server
	key    jwk.Key
	issuer string
}

func newIdP(t testing.TB) *testIdP {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.Import(priv)
	if err != nil {
		t.Fatal(err)
	}
	key.Set(jwk.KeyIDKey, "test-key-1")
	key.Set(jwk.AlgorithmKey, jwa.ES256())
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	set.AddKey(pub)
	idp := &testIdP{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(set)
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": idp.issuer, "jwks_uri": idp.srv.URL + "/jwks"})
	})
	idp.srv = httptest.NewServer(mux)
	idp.issuer = idp.srv.URL
	t.Cleanup(idp.srv.Close)
	return idp
}

const testAudience = "dsr-service"

// token signs a JWT for sub with role, from issuer iss, expiring at exp.
func (idp *testIdP) token(t testing.TB, iss, sub, role string, exp time.Time) string {
	t.Helper()
	tok, err := jwt.NewBuilder().Issuer(iss).Subject(sub).Audience([]string{testAudience}).
		IssuedAt(testNow.Add(-time.Minute)).Expiration(exp).Claim("dsr_role", role).Build()
	if err != nil {
		t.Fatal(err)
	}
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), idp.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tokenFor signs a JWT of the issuer for another audience.
func (idp *testIdP) tokenFor(t testing.TB, aud, sub, role string) string {
	t.Helper()
	tok, err := jwt.NewBuilder().Issuer(idp.issuer).Subject(sub).Audience([]string{aud}).
		IssuedAt(testNow.Add(-time.Minute)).Expiration(testNow.Add(time.Hour)).Claim("dsr_role", role).Build()
	if err != nil {
		t.Fatal(err)
	}
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), idp.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixture is a service over a fresh memory register, with an API token
// for each role and an issuer of JWTs.
type fixture struct {
	t      testing.TB
	srv    *Server
	ts     *httptest.Server
	reg    *register.Register
	store  register.Store
	tokens map[string]string // role → API token
	idp    *testIdP
	logs   *syncBuffer
	seq    atomic.Int64
}

type fixtureOpt func(*Config)

func newFixture(t testing.TB, store register.Store, opts ...fixtureOpt) *fixture {
	t.Helper()
	engine, err := testEngine()
	if err != nil {
		t.Fatal(err)
	}
	if store == nil {
		store = memstore.New()
	}
	reg, err := register.Open(context.Background(), store, engine, register.WithClock(testClock),
		register.WithConsentPolicy(consent.National2023), register.WithKeys(register.MemoryKey()),
		register.WithDocumentKinds(register.ReviewDocuments{}, register.MeetingDocuments{}))
	if err != nil {
		t.Fatal(err)
	}
	toks, err := OpenTokens(filepath.Join(t.TempDir(), "test.tokens"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, reg: reg, store: store, tokens: map[string]string{}, idp: newIdP(t), logs: &syncBuffer{}}
	for _, role := range register.Roles {
		if f.tokens[role], err = toks.CreateToken("staff-"+role, role, testNow); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{Register: reg, Engine: engine, Tokens: toks, Now: testClock,
		OIDC:   &OIDC{Issuer: f.idp.issuer, Audience: testAudience, Now: testClock},
		Logger: slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, o := range opts {
		o(&cfg)
	}
	if f.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(f.srv.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

// person is a new synthetic person (a 15-year-old autistic child in
// crisis, with their parent's consent), not yet added.
func (f *fixture) person() register.NewPerson {
	n := int(f.seq.Add(1))
	return register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: fmt.Sprintf("srv-p%d", n), NHSNumber: dsr.TestNHSNumber(7000 + n),
				DateOfBirth: calendar.MustParseDate("2010-09-15"), Autism: true, Postcode: "ZZ99 3VZ"},
			Name: fmt.Sprintf("Synthetic Person%d Zed", n), Address: fmt.Sprintf("%d Test Street, Testtown", n),
		},
		Circumstances: dsr.Circumstances{InCrisis: true, CommunityCannotManage: true},
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-02"), GivenBy: dsr.ByParent, Scope: []string{dsr.ScopeDSR}}},
	}
}

// added adds a new person straight to the register and returns them.
func (f *fixture) added() register.NewPerson {
	f.t.Helper()
	np := f.person()
	if err := f.reg.Add(context.Background(), np, register.Actor{ID: "fixture", Role: register.RoleCoordinator}); err != nil {
		f.t.Fatalf("adding a person: %v", err)
	}
	return np
}

// do sends a request with the bearer token (none if empty) and returns
// the status and body.
func (f *fixture) do(method, path, token string, body any, hdr ...string) (int, []byte, http.Header) {
	f.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, f.ts.URL+path, r)
	if err != nil {
		f.t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// testCase is a case for POST /v1/assess.
func testCase(id string) map[string]any {
	return map[string]any{
		"as_of":         "2026-04-01",
		"person":        map[string]any{"id": id, "date_of_birth": "2010-09-15", "autism": true},
		"circumstances": map[string]any{"in_crisis": true},
		"events":        []any{map[string]any{"type": "consent_given", "date": "2026-03-02", "given_by": "parent", "scope": []string{"dsr"}}},
	}
}

var (
	t0           = context.Background()
	fixtureActor = register.Actor{ID: "fixture", Role: register.RoleCoordinator}
	testDay      = calendar.MustParseDate
)

// decodeJSONValue marshals v and decodes it into out strictly.
func decodeJSONValue(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return dsr.UnmarshalStrict(b, out)
}
