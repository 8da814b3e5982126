package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// TestOIDCVerify checks the claims and keys a JWT must have, against a
// JWKS served on 127.0.0.1 whose key gives no alg.
func TestOIDCVerify(t *testing.T) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	key, _ := jwk.Import(priv)
	key.Set(jwk.KeyIDKey, "k1")
	pub, _ := key.PublicKey()
	set := jwk.NewSet()
	set.AddKey(pub) // no alg: inferred from the key (ES256)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(set) }))
	defer ts.Close()
	const iss = "https://issuer.invalid"
	o := &OIDC{Issuer: iss, Audience: "svc", JWKSURL: ts.URL, Now: testClock}

	sign := func(b *jwt.Builder, opt jwt.SignEncryptParseOption) string {
		tok, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		s, err := jwt.Sign(tok, opt)
		if err != nil {
			t.Fatal(err)
		}
		return string(s)
	}
	es := jwt.WithKey(jwa.ES256(), key)
	base := func() *jwt.Builder {
		return jwt.NewBuilder().Issuer(iss).Subject("staff-9").Audience([]string{"svc"}).Expiration(testNow.Add(time.Hour))
	}
	hmacKey, _ := jwk.Import([]byte("a shared secret that is not the issuer's key"))
	hmacKey.Set(jwk.KeyIDKey, "k1")

	cases := []struct {
		name  string
		token string
		role  string // "": refused
	}{
		{"valid", sign(base().Claim("dsr_role", "analyst"), es), "analyst"},
		{"role in an array", sign(base().Claim("dsr_role", []string{"other", "viewer"}), es), "viewer"},
		{"two roles", sign(base().Claim("dsr_role", []string{"viewer", "admin"}), es), ""},
		{"unknown role", sign(base().Claim("dsr_role", "root"), es), ""},
		{"no role", sign(base(), es), ""},
		{"no expiry", sign(jwt.NewBuilder().Issuer(iss).Subject("s").Audience([]string{"svc"}).Claim("dsr_role", "admin"), es), ""},
		{"expired", sign(base().Expiration(testNow.Add(-2*time.Minute)).Claim("dsr_role", "admin"), es), ""},
		{"not yet valid", sign(base().NotBefore(testNow.Add(time.Hour)).Claim("dsr_role", "admin"), es), ""},
		{"wrong audience", sign(base().Audience([]string{"other"}).Claim("dsr_role", "admin"), es), ""},
		{"wrong issuer", sign(base().Issuer("https://evil.invalid").Claim("dsr_role", "admin"), es), ""},
		{"HMAC with a guessed secret", sign(base().Claim("dsr_role", "admin"), jwt.WithKey(jwa.HS256(), hmacKey)), ""},
		{"no subject", sign(jwt.NewBuilder().Issuer(iss).Audience([]string{"svc"}).Expiration(testNow.Add(time.Hour)).Claim("dsr_role", "admin"), es), ""},
		{"not a JWT", "abc.def.ghi", ""},
	}
	for _, c := range cases {
		by, err := o.Verify(context.Background(), c.token)
		switch {
		case c.role == "" && err == nil:
			t.Errorf("%s: accepted as %+v", c.name, by)
		case c.role == "" && !errors.Is(err, ErrBadJWT):
			t.Errorf("%s: %v, want ErrBadJWT", c.name, err)
		case c.role != "" && (err != nil || by.Role != c.role || by.ID != "staff-9"):
			t.Errorf("%s: %+v, %v; want staff-9 as %s", c.name, by, err, c.role)
		}
	}
}

// TestOIDCKeyRotation: a token signed by a key the cached set lacks is
// verified once the set is fetched again, which happens at most every
// jwksMinRefresh.
func TestOIDCKeyRotation(t *testing.T) {
	newKey := func(kid string) (jwk.Key, jwk.Key) {
		priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		k, _ := jwk.Import(priv)
		k.Set(jwk.KeyIDKey, kid)
		k.Set(jwk.AlgorithmKey, jwa.ES256())
		pub, _ := k.PublicKey()
		return k, pub
	}
	k1, pub1 := newKey("k1")
	k2, pub2 := newKey("k2")
	var mu sync.Mutex
	set := jwk.NewSet()
	set.AddKey(pub1)
	fetches := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fetches++
		json.NewEncoder(w).Encode(set)
	}))
	defer ts.Close()
	now := testNow
	o := &OIDC{Issuer: "iss", Audience: "svc", JWKSURL: ts.URL, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }}
	token := func(k jwk.Key) string {
		tok, _ := jwt.NewBuilder().Issuer("iss").Subject("s1").Audience([]string{"svc"}).Expiration(testNow.Add(time.Hour)).Claim("dsr_role", "viewer").Build()
		b, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), k))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if _, err := o.Verify(t0, token(k1)); err != nil {
		t.Fatalf("k1: %v", err)
	}
	// The issuer rotates to k2.
	mu.Lock()
	set = jwk.NewSet()
	set.AddKey(pub2)
	mu.Unlock()
	if _, err := o.Verify(t0, token(k2)); err == nil {
		t.Fatal("k2 verified within jwksMinRefresh of the last fetch: the set was fetched again too soon")
	}
	mu.Lock()
	now = now.Add(jwksMinRefresh + time.Second)
	mu.Unlock()
	if _, err := o.Verify(t0, token(k2)); err != nil {
		t.Fatalf("k2 after the refresh interval: %v", err)
	}
	if _, err := o.Verify(t0, token(k1)); err == nil {
		t.Error("the rotated-out k1 still verifies")
	}
	mu.Lock()
	defer mu.Unlock()
	if fetches != 2 {
		t.Errorf("%d fetches of the keys, want 2", fetches)
	}
}
