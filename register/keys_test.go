package register_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// fakeKMS stands in for a cloud KMS or an HSM behind the KeyWrapper hook:
// it "encrypts" by keeping the key in its own table, returning a handle,
// and refuses a handle presented with other additional data. It counts
// calls, as a metered service would.
type fakeKMS struct {
	mu      sync.Mutex
	keys    map[string][]byte
	unwraps int
}

func (k *fakeKMS) KeyID() string {
	return "projects/p/locations/l/keyRings/r/cryptoKeys/dsr/versions/1"
}

func (k *fakeKMS) Wrap(_ context.Context, key, aad []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	h := fmt.Sprintf("kms-ciphertext-handle-%026d", len(k.keys)) // as long as a real ciphertext blob, at least
	k.keys[h+"\x00"+string(aad)] = bytes.Clone(key)
	return []byte(h), nil
}

func (k *fakeKMS) Unwrap(_ context.Context, wrapped, aad []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.unwraps++
	key, ok := k.keys[string(wrapped)+"\x00"+string(aad)]
	if !ok {
		return nil, fmt.Errorf("%w: the KMS refuses the handle", register.ErrNoKey)
	}
	return bytes.Clone(key), nil
}

func TestAHostsKMSWrapsTheKeysAndIsCalledOncePerStream(t *testing.T) {
	kms := &fakeKMS{keys: map[string][]byte{}}
	reg, store, _ := newReg(t, register.WithKeys(kms))
	for i := range 3 {
		mustAdd(t, reg, regPerson(fmt.Sprintf("p%d", i), i+1))
	}
	for range 3 {
		_, err := reg.Due(regCtx, regDay("2026-04-01"))
		require.NoError(t, err)
	}
	kms.mu.Lock()
	calls := kms.unwraps
	kms.mu.Unlock()
	assert.LessOrEqual(t, calls, 3+3, "each data key (and the NHS index's) unwrapped at most once: the register caches them")
	// A second register over the same store, with the KMS, opens it;
	// with another key it is refused naming the key it needs.
	_, err := register.Open(regCtx, store, regRules{}, register.WithKeys(kms))
	require.NoError(t, err)
	_, err = register.Open(regCtx, store, regRules{}, register.WithKeys(register.MemoryKey()))
	require.ErrorIs(t, err, register.ErrNoKey)
	assert.Contains(t, err.Error(), kms.KeyID())
}

func TestKeyFilesArePrivateAndMissingOnesNamed(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	path, err := register.DefaultKeyFile("abc123")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "dsrkit", "abc123.key"), path)
	_, err = register.OpenKeyFile(path)
	require.ErrorIs(t, err, register.ErrNoKey)
	assert.Contains(t, err.Error(), path)

	w, err := register.CreateKeyFile(path)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	_, err = register.CreateKeyFile(path)
	assert.True(t, errors.Is(err, os.ErrExist), "an existing key file is never overwritten: %v", err)

	again, err := register.OpenKeyFile(path)
	require.NoError(t, err)
	assert.Equal(t, w.KeyID(), again.KeyID())
	require.NoError(t, os.Chmod(path, 0o640))
	_, err = register.OpenKeyFile(path)
	require.ErrorIs(t, err, register.ErrNoKey, "a key file its group may read is refused")

	// A passphrase register records its argon2id parameters and opens
	// only with the same passphrase.
	store := memstore.New()
	fast := register.Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	_, err = register.Open(regCtx, store, regRules{}, register.WithKeys(register.Passphrase("open sesame", fast)), register.WithConsentPolicy(consent.National2023))
	require.NoError(t, err)
	meta, _ := store.Meta(regCtx)
	assert.Contains(t, string(meta), `"memory_kib":8192`)
	assert.NotContains(t, string(meta), "open sesame")
	_, err = register.Open(regCtx, store, regRules{}, register.WithKeys(register.Passphrase("open sesame", register.DefaultArgon2)))
	require.NoError(t, err, "the recorded parameters, not the defaults, derive the key")
	_, err = register.Open(regCtx, store, regRules{}, register.WithKeys(register.Passphrase("open says me", fast)))
	require.ErrorIs(t, err, register.ErrNoKey)
	assert.Contains(t, err.Error(), "the passphrase")
}
