package attack

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheAttackOpensAFileThatKeepsItsKeyBesideItsCiphertext shows the
// attack is not blind: a file laid out as the register's was before
// envelope encryption (the raw data key in streams.key) opens, and the
// identifier in clear is found.
func TestTheAttackOpensAFileThatKeepsItsKeyBesideItsCiphertext(t *testing.T) {
	file := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	g, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)
	rand.Read(nonce)
	aad := "person/p1\x001\x00person_added"
	payload := g.Seal(nonce, nonce, []byte(`{"nhs_number":"9990000018"}`), []byte(aad))
	for _, q := range []string{
		`CREATE TABLE streams (name TEXT, version INTEGER, key BLOB)`,
		`CREATE TABLE records (seq INTEGER, stream TEXT, version INTEGER, type TEXT, payload BLOB)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Exec(`INSERT INTO streams VALUES ('person/p1', 1, ?)`, append([]byte("pad"), key...))
	db.Exec(`INSERT INTO records VALUES (1, 'person/p1', 1, 'person_added', ?)`, payload)
	db.Close()

	blobs, err := Blobs(file)
	if err != nil {
		t.Fatal(err)
	}
	opened := TryKeys(blobs)
	if len(opened) == 0 || !strings.Contains(string(opened[0].Plaintext), "9990000018") {
		t.Fatalf("the attack opened %v, want the payload", opened)
	}
	found, err := Grep(file, []string{"person/p1", "9990000018"})
	if err != nil || len(found) != 1 || found[0] != "person/p1" {
		t.Fatalf("grep found %v, %v", found, err)
	}
}
