package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/dsrkit/dsrkit/register"
)

// OIDC verifies OpenID Connect bearer tokens (JWTs) against the issuer's
// JSON Web Key Set: the signature by a key of the set (the token's kid),
// the issuer, the audience, and the expiry (which must be given), with
// a minute's leeway for clocks. The member of staff is the NameClaim
// (default sub) and their role the RoleClaim (default dsr_role): a string,
// or an array holding exactly one of the roles.
type OIDC struct {
	// Issuer is the iss every token must carry; Audience the aud it must
	// include (this service's client id).
	Issuer, Audience string
	// JWKSURL is where the keys are; empty: the jwks_uri of the issuer's
	// /.well-known/openid-configuration.
	JWKSURL string
	// RoleClaim and NameClaim name the claims of the role and the staff
	// id (defaults dsr_role and sub).
	RoleClaim, NameClaim string
	// Client fetches the keys (default: a client with a 10s timeout).
	Client *http.Client
	// Now is the clock the expiry is checked against (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	set     jwk.Set
	fetched time.Time
}

// jwksRefresh is how often the keys are fetched again at most (on a kid
// the set lacks) and at least (they are kept this long).
const (
	jwksMinRefresh = 30 * time.Second
	jwksMaxAge     = 10 * time.Minute
	maxJWKSBytes   = 1 << 20
)

// ErrBadJWT is a bearer JWT that does not verify.
var ErrBadJWT = errors.New("server: the bearer token does not verify")

func (o *OIDC) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *OIDC) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// keys returns the key set, fetched again when older than jwksMaxAge or,
// with refresh, older than jwksMinRefresh.
func (o *OIDC) keys(ctx context.Context, refresh bool) (jwk.Set, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	age := o.now().Sub(o.fetched)
	if o.set != nil && age < jwksMaxAge && (!refresh || age < jwksMinRefresh) {
		return o.set, nil
	}
	u := o.JWKSURL
	if u == "" {
		var conf struct {
			JWKSURI string `json:"jwks_uri"`
			Issuer  string `json:"issuer"`
		}
		b, err := o.get(ctx, strings.TrimSuffix(o.Issuer, "/")+"/.well-known/openid-configuration")
		if err != nil {
			return o.stale(err)
		}
		if err := json.Unmarshal(b, &conf); err != nil || conf.JWKSURI == "" {
			return o.stale(fmt.Errorf("server: the issuer's openid-configuration has no jwks_uri"))
		}
		u = conf.JWKSURI
	}
	b, err := o.get(ctx, u)
	if err != nil {
		return o.stale(err)
	}
	set, err := jwk.Parse(b)
	if err != nil {
		return o.stale(fmt.Errorf("server: the issuer's keys: %w", err))
	}
	o.set, o.fetched = set, o.now()
	return set, nil
}

// stale returns the keys held, if any, when fetching new ones failed.
func (o *OIDC) stale(err error) (jwk.Set, error) {
	if o.set != nil {
		return o.set, nil
	}
	return nil, err
}

func (o *OIDC) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("server: fetching the issuer's keys: %w", err)
	}
	resp, err := o.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("server: fetching the issuer's keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("server: fetching the issuer's keys: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("server: fetching the issuer's keys: %w", err)
	}
	if len(b) > maxJWKSBytes {
		return nil, fmt.Errorf("server: the issuer's keys are larger than %d bytes", maxJWKSBytes)
	}
	return b, nil
}

// Verify checks a bearer JWT and returns who it names. Any failure is
// ErrBadJWT (wrapping why) or, when the issuer's keys cannot be fetched,
// an error that is not.
func (o *OIDC) Verify(ctx context.Context, token string) (register.Actor, error) {
	set, err := o.keys(ctx, false)
	if err != nil {
		return register.Actor{}, err
	}
	tok, err := o.parse(token, set)
	if err != nil && strings.Contains(err.Error(), "key") {
		// No key of the set verifies it: perhaps the issuer rotated its
		// keys, so fetch them again (at most every jwksMinRefresh) and try
		// once more.
		if set2, ferr := o.keys(ctx, true); ferr == nil && set2 != set {
			tok, err = o.parse(token, set2)
		}
	}
	if err != nil {
		return register.Actor{}, fmt.Errorf("%w: %v", ErrBadJWT, err)
	}
	nameClaim, roleClaim := o.NameClaim, o.RoleClaim
	if nameClaim == "" {
		nameClaim = "sub"
	}
	if roleClaim == "" {
		roleClaim = "dsr_role"
	}
	var name string
	if err := tok.Get(nameClaim, &name); err != nil || name == "" {
		return register.Actor{}, fmt.Errorf("%w: no %s claim", ErrBadJWT, nameClaim)
	}
	var raw any
	if err := tok.Get(roleClaim, &raw); err != nil {
		return register.Actor{}, fmt.Errorf("%w: no %s claim", ErrBadJWT, roleClaim)
	}
	role := ""
	switch v := raw.(type) {
	case string:
		role = v
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && slices.Contains(register.Roles, s) {
				if role != "" {
					return register.Actor{}, fmt.Errorf("%w: the %s claim names more than one role", ErrBadJWT, roleClaim)
				}
				role = s
			}
		}
	}
	if !slices.Contains(register.Roles, role) {
		return register.Actor{}, fmt.Errorf("%w: the %s claim names no role of %s", ErrBadJWT, roleClaim, strings.Join(register.Roles, ", "))
	}
	return register.Actor{ID: name, Role: role}, nil
}

func (o *OIDC) parse(token string, set jwk.Set) (jwt.Token, error) {
	return jwt.Parse([]byte(token),
		// A JWKS may leave out each key's alg: it is then inferred from the
		// key's type (never a MAC for a public key).
		jwt.WithKeySet(set, jws.WithInferAlgorithmFromKey(true)),
		jwt.WithValidate(true),
		jwt.WithIssuer(o.Issuer),
		jwt.WithAudience(o.Audience),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithAcceptableSkew(time.Minute),
		jwt.WithClock(jwt.ClockFunc(o.now)),
	)
}
