package main

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"database/sql"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/attack"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// demoIdentifiers are the identifiers of the first n demo people (as
// loadDemo draws them): local id, NHS number, date of birth, name, address
// and postcode.
func demoIdentifiers(n int) map[string][]string {
	rng := rand.New(rand.NewPCG(1, 0x64737221))
	asOf := calendar.MustParseDate("2026-04-01")
	out := map[string][]string{}
	for i := range n {
		np := synthPerson(rng, i, asOf)
		p := np.Person
		out[p.ID] = []string{p.ID, string(p.NHSNumber), p.DateOfBirth.String(), np.Name, np.Address, p.Postcode}
	}
	return out
}

func attackFile(t *testing.T, db string, needles []string) {
	t.Helper()
	blobs, err := attack.Blobs(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(blobs) < 50 {
		t.Fatalf("the attack read only %d blobs: blind", len(blobs))
	}
	if opened := attack.TryKeys(blobs); len(opened) > 0 {
		t.Fatalf("a blob of the file opened with a key found in the file: %s with %s: %q", opened[0].Cipher, opened[0].Key, opened[0].Plaintext)
	}
	found, err := attack.Grep(db, needles)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Fatalf("identifiers in the raw bytes of the file or its -wal: %q", found)
	}
}

// TestAnAttackerWithTheFileAloneOpensNothingAndFindsNoIdentifier is the
// attacker test: the demo register's file and -wal, without the key file,
// read with the SQLite driver alone; then the same after a withdrawal; then
// with the key file too, for the withdrawn person.
func TestAnAttackerWithTheFileAloneOpensNothingAndFindsNoIdentifier(t *testing.T) {
	const people = 6
	dir := t.TempDir()
	db := filepath.Join(dir, "register.db")
	keyFile := filepath.Join(dir, "register.key")
	if r := runCLI(t, "", "demo", "--db", db, "--people", "6", "--key-file", keyFile); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	ids := demoIdentifiers(people)
	var needles []string
	for _, v := range ids {
		needles = append(needles, v...)
	}
	attackFile(t, db, needles)

	// Withdraw the consent of someone on the register.
	var held []string
	s, err := sqlitestore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	w, err := register.OpenKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := register.Open(context.Background(), s, consentOnly{}, register.WithKeys(w))
	if err != nil {
		t.Fatal(err)
	}
	if held, err = reg.People(context.Background()); err != nil || len(held) < 2 {
		t.Fatalf("people %v, %v", held, err)
	}
	gone := held[0]
	goneStream := reg.PersonStream(gone)
	s.Close()
	r := runCLI(t, `{"type": "consent_withdrawn", "date": "2026-04-01", "by": "self"}`, "register", "record", gone, "-", "--db", db, "--key-file", keyFile, "--by", "staff-1", "--role", "admin")
	if r.code != 0 {
		t.Fatalf("withdrawal: %d %s", r.code, r.stderr)
	}
	attackFile(t, db, needles)

	// With the key file as well: every wrapped key unwraps, except the
	// withdrawn person's, which is gone; no key opens their payloads, and
	// their identifiers are nowhere in the file.
	kek, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(kek)
	g, _ := cipher.NewGCM(block)
	raw, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT name, key FROM streams`)
	if err != nil {
		t.Fatal(err)
	}
	var dataKeys []cipher.AEAD
	for rows.Next() {
		var name string
		var wrapped []byte
		rows.Scan(&name, &wrapped)
		if name == goneStream {
			if wrapped != nil {
				t.Fatal("the withdrawn person's wrapped key is still in the streams table")
			}
			continue
		}
		dk, err := g.Open(nil, wrapped[:12], wrapped[12:], []byte(name))
		if err != nil {
			t.Fatalf("with the key file, %s's key does not unwrap: the test is blind", name)
		}
		b, _ := aes.NewCipher(dk)
		a, _ := cipher.NewGCM(b)
		dataKeys = append(dataKeys, a)
	}
	rows.Close()
	rows, err = raw.Query(`SELECT stream, version, type, payload FROM records WHERE stream = ?`, goneStream)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var stream, version, typ string
		var p []byte
		rows.Scan(&stream, &version, &typ, &p)
		n++
		for _, a := range dataKeys {
			if _, err := a.Open(nil, p[:12], p[12:], []byte(stream+"\x00"+version+"\x00"+typ)); err == nil {
				t.Fatalf("a payload of the withdrawn person opened with another person's key")
			}
		}
	}
	rows.Close()
	if n == 0 {
		t.Fatal("the withdrawn person's audit trail is gone")
	}
	found, _ := attack.Grep(db, ids[gone])
	if len(found) > 0 {
		t.Fatalf("the withdrawn person's identifiers are in the file: %q", found)
	}
	if !strings.HasPrefix(goneStream, "person/") || strings.Contains(goneStream, gone) {
		t.Fatalf("stream name %q", goneStream)
	}
}

// consentOnly stands in for a policy bundle where the test needs none.
type consentOnly struct{}

func (consentOnly) Assess(_ context.Context, c dsr.Case) (dsr.Assessment, error) {
	d := consent.National2023.Consent(&c)
	return dsr.Assessment{AsOf: c.AsOf, Consent: d, Eligible: true, OnRegister: d.Valid}, nil
}
