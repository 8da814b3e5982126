package register

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"strconv"

	"github.com/dsrkit/dsrkit/dsr"
)

// keySize is the size of a stream's data key: AES-256.
const keySize = 32

// newKey returns a fresh random data key.
func newKey() []byte {
	k := make([]byte, keySize)
	rand.Read(k) // never fails (crypto/rand panics rather than return an error)
	return k
}

// aad binds a sealed payload to its place in the log, so a payload copied to
// another record or another stream does not open.
func aad(stream string, version int64, typ string) []byte {
	return []byte(stream + "\x00" + strconv.FormatInt(version, 10) + "\x00" + typ)
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: data key: %v", dsr.ErrInvalid, err)
	}
	return cipher.NewGCM(block)
}

// seal encrypts plaintext for the record at (stream, version, typ) with
// the stream's AEAD: a random 12-byte nonce followed by the AES-GCM
// ciphertext.
func seal(g cipher.AEAD, stream string, version int64, typ string, plaintext []byte) []byte {
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(plaintext)+g.Overhead())
	rand.Read(nonce)
	return g.Seal(nonce, nonce, plaintext, aad(stream, version, typ))
}

// open decrypts a payload sealed by seal. A payload that does not open (a
// wrong key, or bytes changed behind the register's back) is ErrTampered.
func open(g cipher.AEAD, r *Record) ([]byte, error) {
	if len(r.Payload) < g.NonceSize() {
		return nil, &ChainError{Seq: r.Seq, Stream: r.Stream, Problem: "payload too short to open"}
	}
	n := g.NonceSize()
	pt, err := g.Open(nil, r.Payload[:n], r.Payload[n:], aad(r.Stream, r.Version, r.Type))
	if err != nil {
		return nil, &ChainError{Seq: r.Seq, Stream: r.Stream, Problem: "payload does not open with the stream's key"}
	}
	return pt, nil
}
