package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/pgstore"
)

// A register on a PostgreSQL server: the DSN from the environment, the
// key-encryption key from a key file kept apart from the database. (The
// example needs a server, so it is compiled but not run.)
func Example() {
	ctx := context.Background()
	store, err := pgstore.Open(ctx, os.Getenv("DSR_DATABASE_URL")) // e.g. postgres://dsr@db.example/dsr?sslmode=verify-full&pool_max_conns=20
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	bundle, err := policies.Bundle("national-2023")
	if err != nil {
		log.Fatal(err)
	}
	engine, err := policies.Load(ctx, bundle)
	if err != nil {
		log.Fatal(err)
	}
	kek, err := register.OpenKeyFile("/etc/dsrkit/register.key")
	if err != nil {
		log.Fatal(err)
	}
	reg, err := register.Open(ctx, store, engine, register.WithKeys(kek), register.WithConsentPolicy(consent.National2023))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("register", reg.ID(), "open")
}
