package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/internal/testtools"
	"github.com/jackc/pgx/v5"
)

// postgresRegister returns the URL of an empty register on the test
// PostgreSQL (DSR_TEST_DATABASE_URL, as scripts/with-postgres.sh sets it):
// a schema of its own, dropped when the test ends. Without the variable
// the test fails in CI (CI=true) and is skipped, saying why, elsewhere.
func postgresRegister(t *testing.T) string {
	t.Helper()
	base := testtools.PostgresURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "cli_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err == nil {
			_, err = conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
			conn.Close(ctx)
		}
		if err != nil {
			t.Errorf("dropping %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func dueCount(t *testing.T, args ...string) int {
	t.Helper()
	r := runCLI(t, "", append([]string{"register", "due", "--json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("register due %v: %d %s", args, r.code, r.stderr)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
		t.Fatalf("due: %v\n%s", err, r.stdout)
	}
	return len(items)
}

// --db postgres://… and DSR_DATABASE_URL open a register on PostgreSQL;
// --db given on the command line wins over the variable.
func TestRegisterOnPostgreSQL(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := postgresRegister(t)
	r := runCLI(t, "", "demo", "--db", db, "--people", "6")
	if r.code != exitOK {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "verified (hash chain intact)") {
		t.Fatalf("demo: %s", r.stdout)
	}
	if r := runCLI(t, "", "register", "verify", "--db", strings.Replace(db, "postgres://", "postgresql://", 1)); r.code != exitOK {
		t.Fatalf("verify: %d %s", r.code, r.stderr)
	}
	n := dueCount(t, "--db", db)
	if n == 0 {
		t.Fatal("the demo register has nothing due: the test is blind")
	}
	t.Setenv("DSR_DATABASE_URL", db)
	if got := dueCount(t); got != n {
		t.Fatalf("with DSR_DATABASE_URL: %d items due, want %d", got, n)
	}
	// --db FILE wins: a file that does not exist is refused, naming it,
	// rather than the variable's register read.
	missing := filepath.Join(t.TempDir(), "other.db")
	if r := runCLI(t, "", "register", "due", "--json", "--db", missing); r.code != exitUsage || !strings.Contains(r.stderr, missing) {
		t.Fatalf("--db %s with DSR_DATABASE_URL set: exit %d, %s; want 2 naming the file", missing, r.code, r.stderr)
	}
	// review and bluelight take the variable too: without the key file,
	// the error names the PostgreSQL register's id.
	id := regexp.MustCompile(`for the new register ([0-9a-f]+)`).FindStringSubmatch(r.stderr)
	if id == nil {
		t.Fatalf("demo did not name its register: %s", r.stderr)
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, group := range []string{"review", "bluelight"} {
		r := runCLI(t, "", group, "summary", "nosuch")
		if group == "bluelight" {
			r = runCLI(t, "", group, "minute", "nosuch")
		}
		if r.code != exitFailure || !strings.Contains(r.stderr, "register "+id[1]) {
			t.Fatalf("%s with DSR_DATABASE_URL: %d %s", group, r.code, r.stderr)
		}
	}
}

func TestAShownURLHidesItsPassword(t *testing.T) {
	if got := shownDB("postgres://dsr:s3cret@db.example/dsr"); strings.Contains(got, "s3cret") || !strings.Contains(got, "db.example") {
		t.Fatalf("shown as %q", got)
	}
	if got := shownDB("dsr-demo.db"); got != "dsr-demo.db" {
		t.Fatalf("a file shown as %q", got)
	}
}
