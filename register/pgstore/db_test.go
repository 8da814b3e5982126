package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/internal/testtools"
	"github.com/dsrkit/dsrkit/register/pgstore"
	"github.com/jackc/pgx/v5"
)

// serverURL is the PostgreSQL the tests run against: DSR_TEST_DATABASE_URL,
// which scripts/with-postgres.sh sets. Without it the tests fail in CI
// (CI=true) and are skipped, saying why, elsewhere.
func serverURL(t testing.TB) string {
	t.Helper()
	return testtools.PostgresURL(t)
}

// freshSchema creates a schema of its own for one test, dropped when the
// test ends, and returns a DSN whose search_path is that schema: each test
// gets an empty register, however many run at once.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := serverURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to DSR_TEST_DATABASE_URL: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return withParam(t, base, "search_path", schema)
}

// withParam adds key=value to a URL or key=value DSN.
func withParam(t testing.TB, dsn, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " " + key + "=" + value
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// openFresh opens a store on a fresh schema; it is closed when the test ends.
func openFresh(t testing.TB) (*pgstore.Store, string) {
	t.Helper()
	dsn := freshSchema(t)
	s, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}
