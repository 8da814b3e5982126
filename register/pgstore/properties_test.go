package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/pgstore"
	"github.com/dsrkit/dsrkit/register/storetest"
	"github.com/jackc/pgx/v5"
)

var ctx = context.Background()

func add(name string, expected int64, payloads ...string) register.AppendRequest {
	req := register.AppendRequest{Chain: storetest.TestChain, Stream: name, Expected: expected}
	if expected == 0 {
		req.NewKey = storetest.Key(1)
	}
	for _, p := range payloads {
		req.Records = append(req.Records, storetest.Rec("e", storetest.At, p))
	}
	return req
}

func count(t *testing.T, s *pgstore.Store, query string) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(ctx, query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsAreEmbeddedAndAppliedOnce(t *testing.T) {
	ms, err := pgstore.Migrations()
	if err != nil || len(ms) < 2 || ms[0].Version != 1 {
		t.Fatalf("migrations %v, %v", ms, err)
	}
	s, dsn := openFresh(t)
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(ms) {
		t.Fatalf("schema version %d, %v", v, err)
	}
	s2, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	s2.Close()
	if n := count(t, s, `SELECT count(*) FROM schema_migrations`); n != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", n, len(ms))
	}
	if _, err := s.Pool().Exec(ctx, `INSERT INTO schema_migrations VALUES (999, 'from the future', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Open(ctx, dsn); !errors.Is(err, pgstore.ErrSchemaTooNew) {
		t.Fatalf("opening a newer database: %v, want ErrSchemaTooNew", err)
	}
}

func TestServersStartingTogetherOnANewSchemaMigrateItOnce(t *testing.T) {
	dsn := freshSchema(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := pgstore.Open(ctx, dsn)
			if err != nil {
				t.Errorf("opening: %v", err)
				return
			}
			s.Close()
		}()
	}
	wg.Wait()
	s, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, _ := pgstore.Migrations()
	if n := count(t, s, `SELECT count(*) FROM schema_migrations`); n != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", n, len(ms))
	}
}

func TestOpenSetsPoolLimitsUnlessTheDSNDoes(t *testing.T) {
	dsn := freshSchema(t)
	s, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Pool().Config()
	s.Close()
	if cfg.MaxConns != pgstore.DefaultMaxConns || cfg.ConnConfig.ConnectTimeout != pgstore.DefaultConnectTimeout {
		t.Fatalf("max conns %d, connect timeout %s", cfg.MaxConns, cfg.ConnConfig.ConnectTimeout)
	}
	s, err = pgstore.Open(ctx, withParam(t, withParam(t, dsn, "pool_max_conns", "3"), "connect_timeout", "2"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = s.Pool().Config()
	s.Close()
	if cfg.MaxConns != 3 || cfg.ConnConfig.ConnectTimeout != 2*time.Second {
		t.Fatalf("the DSN's limits: max conns %d, connect timeout %s", cfg.MaxConns, cfg.ConnConfig.ConnectTimeout)
	}
}

func TestOpenNeverRepeatsThePassword(t *testing.T) {
	// Nothing listens on port 1; the error must say where, not the secret.
	_, err := pgstore.Open(ctx, "postgres://someone:s3cret-pass@127.0.0.1:1/nowhere?connect_timeout=2")
	if err == nil || strings.Contains(err.Error(), "s3cret-pass") || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("err %v", err)
	}
}

// A unique violation is a conflict: a record at the next version already in
// the table (as a writer that slipped past the version check would leave
// it) refuses the append, and nothing of it is written.
func TestAUniqueViolationIsAConflictAndWritesNothing(t *testing.T) {
	s, _ := openFresh(t)
	if _, err := s.Append(ctx, add("person/a", 0, "a1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `INSERT INTO records (seq, stream, version, type, at, actor_id, actor_role, payload, prev, hash)
		VALUES (100, 'person/a', 2, 'e', 'x', 'x', 'x', 'x', '', '')`); err != nil {
		t.Fatal(err)
	}
	for _, req := range []register.AppendRequest{add("person/a", 1, "a2"), add("person/a", 1, "a2", "a3")} {
		_, err := s.Append(ctx, req)
		if !errors.Is(err, register.ErrConflict) || !strings.Contains(err.Error(), "records_stream_version_key") {
			t.Fatalf("append over an existing (stream, version): %v, want ErrConflict naming the constraint", err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM records`); n != 2 {
		t.Fatalf("%d records, want the 2 there were", n)
	}
	if n := count(t, s, `SELECT version FROM streams WHERE name = 'person/a'`); n != 1 {
		t.Fatalf("stream at version %d, want 1", n)
	}
	if n := count(t, s, `SELECT seq FROM log_head`); n != 1 {
		t.Fatalf("log head at %d, want 1", n)
	}
}

// An append fails or its connection dies at each stage before the commit:
// nothing of it is written, and the next append goes on from where the log
// was.
func TestAnAppendThatFailsOrDiesBeforeCommitWritesNothing(t *testing.T) {
	s, dsn := openFresh(t)
	if _, err := s.Append(ctx, add("person/a", 0, "a1")); err != nil {
		t.Fatal(err)
	}
	killer, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(ctx)
	boom := errors.New("boom")
	for _, stage := range []string{"records", "commit"} {
		for _, kill := range []bool{false, true} {
			s.SetFailpoint(func(ctx context.Context, tx pgx.Tx, at string) error {
				if at != stage {
					return nil
				}
				if !kill {
					return boom
				}
				// The server ends the session mid-transaction, as a
				// crash of the client or a failover would.
				pid := tx.Conn().PgConn().PID()
				_, err := killer.Exec(ctx, `SELECT pg_terminate_backend($1, 5000)`, pid)
				return err
			})
			_, err := s.Append(ctx, add("person/a", 1, "a2", "a3"))
			if err == nil {
				t.Fatalf("stage %s, kill %v: the append succeeded", stage, kill)
			}
			if !kill && !errors.Is(err, boom) {
				t.Fatalf("stage %s: %v", stage, err)
			}
			if n := count(t, s, `SELECT count(*) FROM records`); n != 1 {
				t.Fatalf("stage %s, kill %v: %d records, want 1", stage, kill, n)
			}
			if _, err := s.Append(ctx, add("person/b", 0, "b1")); err == nil {
				t.Fatal("the failpoint did not fire for a new stream")
			}
		}
	}
	s.SetFailpoint(nil)
	if _, err := s.Append(ctx, add("person/a", 1, "a2", "a3")); err != nil {
		t.Fatal(err)
	}
	if n := storetest.CheckChain(t, s); n != 3 {
		t.Fatalf("log of %d records, want 3", n)
	}
}

// Several stores on one database, as several servers would be: writers to
// shared and separate streams. Every acknowledged append is in the log
// exactly once, every refusal is a conflict, and the chain has one order
// with no gaps.
func TestServersSharingADatabaseKeepOneChain(t *testing.T) {
	_, dsn := openFresh(t)
	const servers, writers, rounds = 3, 4, 15
	stores := make([]*pgstore.Store, servers)
	for i := range stores {
		s, err := pgstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	if _, err := stores[0].Append(ctx, add("person/shared", 0, "start")); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	conflicts := 0
	var wg sync.WaitGroup
	for sv, s := range stores {
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				own := fmt.Sprintf("person/own-%d-%d", sv, w)
				var ownVersion int64
				for r := range rounds {
					// The shared stream: read, then append at that version.
					st, err := s.Stream(ctx, "person/shared")
					if err != nil {
						t.Error(err)
						return
					}
					p := fmt.Sprintf("shared %d %d %d", sv, w, r)
					_, err = s.Append(ctx, add("person/shared", st.Version, p))
					mu.Lock()
					switch {
					case err == nil:
						acked[p] = true
					case errors.Is(err, register.ErrConflict):
						conflicts++
					default:
						t.Errorf("shared: %v", err)
					}
					mu.Unlock()
					p = fmt.Sprintf("own %d %d %d", sv, w, r)
					if _, err := s.Append(ctx, add(own, ownVersion, p)); err != nil {
						t.Errorf("%s: %v", own, err)
						return
					}
					ownVersion++
					mu.Lock()
					acked[p] = true
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	seen := map[string]int{}
	err := stores[1].Log(ctx, func(r register.Record) error {
		seen[string(r.Payload)]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range acked {
		if seen[p] != 1 {
			t.Errorf("acknowledged %q is in the log %d times", p, seen[p])
		}
	}
	if n := storetest.CheckChain(t, stores[2]); n != len(acked)+1 {
		t.Fatalf("log of %d records, want the %d acknowledged and the first", n, len(acked))
	}
	st, err := stores[0].Stream(ctx, "person/shared")
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckRow(t, st)
	if conflicts == 0 {
		t.Fatal("no writer conflicted on the shared stream: the test is blind")
	}
	t.Logf("%d appends acknowledged, %d conflicts", len(acked), conflicts)
}

// A rekey that fails after writing the new keys, or whose connection dies,
// changes nothing.
func TestARekeyThatDiesChangesNothing(t *testing.T) {
	s, dsn := openFresh(t)
	if err := s.InitMeta(ctx, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, add("person/a", 0, "a1")); err != nil {
		t.Fatal(err)
	}
	killer, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(ctx)
	s.SetFailpoint(func(ctx context.Context, tx pgx.Tx, stage string) error {
		_, err := killer.Exec(ctx, `SELECT pg_terminate_backend($1, 5000)`, tx.Conn().PgConn().PID())
		return err
	})
	err = s.Rekey(ctx, []byte("new"), func(st register.Stream) ([]byte, []byte, error) { return storetest.Key(9), []byte("mac"), nil })
	if err == nil {
		t.Fatal("the rekey succeeded")
	}
	st, err := s.Stream(ctx, "person/a")
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckRow(t, st)
	if m, _ := s.Meta(ctx); string(m) != "old" {
		t.Fatalf("metadata %q", m)
	}
}

// Stream names are taken literally: LIKE's wildcards in a prefix match only
// themselves.
func TestStreamsPrefixIsLiteral(t *testing.T) {
	s, _ := openFresh(t)
	for _, name := range []string{"a_b/1", "axb/1", "a%/1", "a%x/1", `a\/1`} {
		if _, err := s.Append(ctx, add(name, 0, name)); err != nil {
			t.Fatal(err)
		}
	}
	for prefix, want := range map[string]string{"a_": "[a_b/1]", "a%": "[a%/1 a%x/1]", `a\`: `[a\/1]`, "a": `[a%/1 a%x/1 a\/1 a_b/1 axb/1]`} {
		var names []string
		if err := s.Streams(ctx, prefix, func(st register.Stream) error { names = append(names, st.Name); return nil }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(names) != want {
			t.Errorf("prefix %q: %v, want %s", prefix, names, want)
		}
	}
}
