package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// TokenFile keeps the service's API tokens in a JSON file (mode 0600),
// conventionally beside the register's key file: ID.tokens.
//
// Why a file and not the register's database: a token is a credential of
// the service, not a record of the register, so it does not belong in the
// append-only, hash-chained log (a revoked token could never leave it),
// and the stores need no new table; like the key file, it is kept apart
// from the register and readable by the service's user alone. Several
// service processes on one PostgreSQL database share it by path (it is
// read again whenever it changes), or each is given its own.
//
// A token is shown once, when created: "dsr_" then its id (8 hex digits,
// naming its entry) then "_" then 32 random bytes (base64url). The file
// holds the SHA-256 hash of the whole token, never the token: a token has
// 256 bits of entropy, so a fast hash is enough (there is no password to
// guess), and the comparison is in constant time.
type TokenFile struct {
	path string

	mu      sync.Mutex
	mtime   time.Time
	size    int64
	entries []TokenEntry
}

// TokenEntry is one API token as the file holds it.
type TokenEntry struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Hash    string    `json:"sha256,omitempty"`
	Created time.Time `json:"created"`
}

// tokenFileJSON is the file's content.
type tokenFileJSON struct {
	Tokens []TokenEntry `json:"tokens"`
}

// ErrBadToken is an API token that is malformed or not in the file.
var ErrBadToken = errors.New("server: unknown or malformed token")

// OpenTokens opens the token file at path; a missing file holds no tokens
// (CreateToken creates it).
func OpenTokens(path string) (*TokenFile, error) {
	t := &TokenFile{path: path}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reload(); err != nil {
		return nil, err
	}
	return t, nil
}

// reload reads the file again if it changed. t.mu is held.
func (t *TokenFile) reload() error {
	fi, err := os.Stat(t.path)
	if errors.Is(err, os.ErrNotExist) {
		t.entries, t.mtime, t.size = nil, time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("server: token file: %w", err)
	}
	if fi.ModTime().Equal(t.mtime) && fi.Size() == t.size && t.entries != nil {
		return nil
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("server: token file %s: mode %v lets others read it: want 0600", t.path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(t.path)
	if err != nil {
		return fmt.Errorf("server: token file: %w", err)
	}
	var f tokenFileJSON
	if err := dsr.UnmarshalStrict(b, &f); err != nil {
		return fmt.Errorf("server: token file %s: %w", t.path, err)
	}
	t.entries, t.mtime, t.size = f.Tokens, fi.ModTime(), fi.Size()
	if t.entries == nil {
		t.entries = []TokenEntry{}
	}
	return nil
}

// CreateToken adds a token for the member of staff (or client) name with
// role and returns it: the only time it is shown.
func (t *TokenFile) CreateToken(name, role string, now time.Time) (string, error) {
	if err := dsr.ValidID("name", name); err != nil {
		return "", err
	}
	if !slices.Contains(register.Roles, role) {
		return "", invalid("role", "unknown role %q: want one of %s", role, strings.Join(register.Roles, ", "))
	}
	var id [4]byte
	secret := make([]byte, 32)
	rand.Read(id[:])
	rand.Read(secret)
	token := "dsr_" + hex.EncodeToString(id[:]) + "_" + base64.RawURLEncoding.EncodeToString(secret)
	sum := sha256.Sum256([]byte(token))
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reload(); err != nil {
		return "", err
	}
	entries := append(slices.Clone(t.entries), TokenEntry{ID: hex.EncodeToString(id[:]), Name: name, Role: role,
		Hash: hex.EncodeToString(sum[:]), Created: now.UTC()})
	if err := t.write(entries); err != nil {
		return "", err
	}
	return token, nil
}

// Revoke removes the token with id (TokenEntry.ID): it no longer
// authenticates, in this process at once and in any other reading the file
// at its next request. An unknown id is register.ErrNotFound.
func (t *TokenFile) Revoke(id string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reload(); err != nil {
		return err
	}
	i := slices.IndexFunc(t.entries, func(e TokenEntry) bool { return e.ID == id })
	if i < 0 {
		return fmt.Errorf("server: token %q: %w", id, register.ErrNotFound)
	}
	return t.write(slices.Delete(slices.Clone(t.entries), i, i+1))
}

// write replaces the file with entries (mode 0600, through a synced
// temporary file). t.mu is held.
func (t *TokenFile) write(entries []TokenEntry) error {
	b, err := json.MarshalIndent(tokenFileJSON{Tokens: entries}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(t.path), 0o700); err != nil {
		return fmt.Errorf("server: token file: %w", err)
	}
	if err := writeFileSync(t.path, append(b, '\n')); err != nil {
		return fmt.Errorf("server: token file: %w", err)
	}
	t.entries = entries
	t.mtime = time.Time{} // read again next time, for the new mtime
	return nil
}

// Tokens lists the tokens (never their hashes).
func (t *TokenFile) Tokens() ([]TokenEntry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reload(); err != nil {
		return nil, err
	}
	out := slices.Clone(t.entries)
	for i := range out {
		out[i].Hash = ""
	}
	return out, nil
}

// Lookup returns who a token names, or ErrBadToken.
func (t *TokenFile) Lookup(token string) (register.Actor, error) {
	rest, ok := strings.CutPrefix(token, "dsr_")
	id, _, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(id) != 8 {
		return register.Actor{}, ErrBadToken
	}
	sum := sha256.Sum256([]byte(token))
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reload(); err != nil {
		return register.Actor{}, err
	}
	for _, e := range t.entries {
		if e.ID != id {
			continue
		}
		want, err := hex.DecodeString(e.Hash)
		if err == nil && subtle.ConstantTimeCompare(want, sum[:]) == 1 {
			return register.Actor{ID: e.Name, Role: e.Role}, nil
		}
	}
	return register.Actor{}, ErrBadToken
}
