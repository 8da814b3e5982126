package register

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/argon2"
)

// A KeyWrapper holds the register's key-encryption key (KEK): every
// person's data key, and the register's own secrets (the pseudonym key and
// the chain key), are stored only wrapped by it. The KEK never sits in the
// register's file or database. Wrap and Unwrap bind the wrapped key to aad
// (a stream's pseudonymous name, say), so a wrapped key copied to another
// stream does not unwrap.
//
// Three kinds come with the package: KeyFile (32 random bytes in a file
// only its owner can read), Passphrase (argon2id) and MemoryKey (tests and
// examples). A cloud KMS or an HSM is a host's own KeyWrapper: Wrap and
// Unwrap call the service's encrypt and decrypt with aad as the
// additional authenticated data (or encryption context), and KeyID returns
// the key's resource name or version. The register unwraps each data key
// once per process and keeps it in memory, so the service is called once
// per person, not once per read.
type KeyWrapper interface {
	// KeyID names the KEK without revealing it. The register records it
	// and refuses a KEK with another id, naming both.
	KeyID() string
	// Wrap seals key under the KEK, bound to aad. What it returns is
	// stored as is and must be at least 32 bytes long (a KMS's ciphertext
	// blob is).
	Wrap(ctx context.Context, key, aad []byte) ([]byte, error)
	// Unwrap opens what Wrap sealed with the same aad; anything else is an
	// error.
	Unwrap(ctx context.Context, wrapped, aad []byte) ([]byte, error)
}

// ParamKeyWrapper is a KeyWrapper whose KEK depends on parameters kept in
// the register's metadata, such as a passphrase's salt: the register calls
// NewParams when it creates a register and UseParams, with what NewParams
// returned, every time it opens it, before any other method.
type ParamKeyWrapper interface {
	KeyWrapper
	NewParams() (json.RawMessage, error)
	UseParams(params json.RawMessage) error
}

// ErrNoKey is returned when the register's key-encryption key is missing
// or is not the register's: a key file that does not exist, an unset
// passphrase, a key that does not unwrap the register's secrets.
var ErrNoKey = errors.New("dsr: the register's key is missing or wrong")

// aesKEK is a 32-byte KEK used directly with AES-256-GCM.
type aesKEK struct {
	id   string
	aead cipher.AEAD
	what string // names the key in errors: "key file /x/y.key"
}

func newAESKEK(k []byte, what string) (*aesKEK, error) {
	if len(k) != keySize {
		return nil, fmt.Errorf("%w: %s holds %d bytes, want %d", ErrNoKey, what, len(k), keySize)
	}
	b, _ := aes.NewCipher(k) // 32 bytes: never fails
	g, _ := cipher.NewGCM(b)
	m := hmac.New(sha256.New, k)
	m.Write([]byte("dsrkit key id"))
	return &aesKEK{id: hex.EncodeToString(m.Sum(nil)[:8]), aead: g, what: what}, nil
}

func (k *aesKEK) KeyID() string { return k.id }

// String names the key, never showing it: "key file PATH".
func (k *aesKEK) String() string { return k.what }

func (k *aesKEK) Wrap(ctx context.Context, key, aad []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(key)+k.aead.Overhead())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, key, aad), nil
}

func (k *aesKEK) Unwrap(ctx context.Context, wrapped, aad []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := k.aead.NonceSize()
	if len(wrapped) < n {
		return nil, fmt.Errorf("%w: a wrapped key too short to open with %s", ErrNoKey, k.what)
	}
	pt, err := k.aead.Open(nil, wrapped[:n], wrapped[n:], aad)
	if err != nil {
		return nil, fmt.Errorf("%w: a wrapped key does not open with %s", ErrNoKey, k.what)
	}
	return pt, nil
}

// MemoryKey returns a KeyWrapper with a random KEK held only in memory: for
// tests and examples, whose registers die with the process.
func MemoryKey() KeyWrapper {
	k, _ := newAESKEK(newKey(), "the in-memory key")
	return k
}

// DefaultKeyDir is where key files and checkpoints live when the host
// names no other place: $XDG_CONFIG_HOME/dsrkit, or ~/.config/dsrkit.
func DefaultKeyDir() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "dsrkit"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("dsr: no config directory for the key file: %w", err)
	}
	return filepath.Join(home, ".config", "dsrkit"), nil
}

// DefaultKeyFile is the key file of the register with id in DefaultKeyDir:
// ID.key.
func DefaultKeyFile(id string) (string, error) {
	d, err := DefaultKeyDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, id+".key"), nil
}

// OpenKeyFile returns the KeyWrapper of the key file at path: exactly 32
// random bytes, readable by its owner only. A missing file, or one its
// group or others may read, is refused naming the path (ErrNoKey).
func OpenKeyFile(path string) (KeyWrapper, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: key file %s does not exist", ErrNoKey, path)
	case err != nil:
		return nil, fmt.Errorf("%w: key file %s: %v", ErrNoKey, path, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%w: key file %s is not a regular file", ErrNoKey, path)
	case fi.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("%w: key file %s is readable by others (mode %04o): chmod 600 it", ErrNoKey, path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: key file %s: %v", ErrNoKey, path, err)
	}
	return newAESKEK(b, "key file "+path)
}

// CreateKeyFile writes a new key file at path, 32 random bytes with mode
// 0600 in a directory made 0700 if need be, and returns its KeyWrapper. A
// file already there is left alone and refused (fs.ErrExist).
func CreateKeyFile(path string) (KeyWrapper, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("dsr: creating key file %s: %w", path, err)
	}
	k := newKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dsr: creating key file %s: %w", path, err)
	}
	if _, err := f.Write(k); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("dsr: writing key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("dsr: writing key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("dsr: writing key file %s: %w", path, err)
	}
	return newAESKEK(k, "key file "+path)
}

// Argon2Params are the argon2id parameters of a passphrase, recorded in the
// register's metadata with the salt.
type Argon2Params struct {
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memory_kib"`
	Threads uint8  `json:"threads"`
	Salt    []byte `json:"salt"`
}

// DefaultArgon2 are the parameters a new register's passphrase gets:
// RFC 9106's second recommended option (3 passes over 64 MiB), 4 lanes.
var DefaultArgon2 = Argon2Params{Time: 3, Memory: 64 * 1024, Threads: 4}

// passphrase is the ParamKeyWrapper of Passphrase.
type passphrase struct {
	pass     []byte
	defaults Argon2Params
	*aesKEK
}

// Passphrase returns a ParamKeyWrapper whose KEK is derived from pass with
// argon2id (golang.org/x/crypto/argon2): a new register gets params (with
// a fresh 16-byte salt), recorded in its metadata; an existing one uses
// what it recorded.
func Passphrase(pass string, params Argon2Params) ParamKeyWrapper {
	return &passphrase{pass: []byte(pass), defaults: params}
}

func (p *passphrase) NewParams() (json.RawMessage, error) {
	ps := p.defaults
	ps.Salt = make([]byte, 16)
	rand.Read(ps.Salt)
	return json.Marshal(ps)
}

func (p *passphrase) UseParams(raw json.RawMessage) error {
	var ps Argon2Params
	if err := json.Unmarshal(raw, &ps); err != nil || ps.Time == 0 || ps.Memory == 0 || ps.Threads == 0 || len(ps.Salt) < 16 {
		return fmt.Errorf("%w: the register's passphrase parameters are damaged", ErrTampered)
	}
	if len(p.pass) == 0 {
		return fmt.Errorf("%w: the passphrase is empty", ErrNoKey)
	}
	k, err := newAESKEK(argon2.IDKey(p.pass, ps.Salt, ps.Time, ps.Memory, ps.Threads, keySize), "the passphrase")
	if err != nil {
		return err
	}
	p.aesKEK = k
	return nil
}

func (p *passphrase) ready() error {
	if p.aesKEK == nil {
		return fmt.Errorf("%w: the passphrase's parameters were never set (UseParams)", ErrNoKey)
	}
	return nil
}

func (p *passphrase) String() string { return "the passphrase" }

func (p *passphrase) KeyID() string {
	if p.aesKEK == nil {
		return ""
	}
	return p.aesKEK.KeyID()
}

func (p *passphrase) Wrap(ctx context.Context, key, aad []byte) ([]byte, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	return p.aesKEK.Wrap(ctx, key, aad)
}

func (p *passphrase) Unwrap(ctx context.Context, wrapped, aad []byte) ([]byte, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	return p.aesKEK.Unwrap(ctx, wrapped, aad)
}
