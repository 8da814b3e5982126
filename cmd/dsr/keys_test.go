package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// TestMain points the config directory at a temporary one, so that no test
// ever writes a key file or checkpoint to the real ~/.config.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dsr-config-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Unsetenv("DSR_KEY_FILE")
	os.Unsetenv("DSR_PASSPHRASE")
	// Who runs the commands, unless a test says otherwise with --by/--role.
	os.Setenv("DSR_BY", "test-runner")
	os.Setenv("DSR_ROLE", "admin")
	os.Unsetenv("DSR_DATABASE_URL") // tests name their register
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestDemoCreatesItsKeyFileAndAPrivateRegister: `dsr demo` with no set-up
// creates the key file in the config directory, 0600, says where, and the
// register file, -wal and -shm are 0600; a copy of the key file left
// readable by others is refused.
func TestDemoCreatesItsKeyFileAndAPrivateRegister(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	db := filepath.Join(t.TempDir(), "demo.db")
	r := runCLI(t, "", "demo", "--db", db, "--people", "5")
	if r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	keys, _ := filepath.Glob(filepath.Join(cfg, "dsrkit", "*.key"))
	if len(keys) != 1 || !strings.Contains(r.stderr, keys[0]) {
		t.Fatalf("key files %v; stderr %q", keys, r.stderr)
	}
	if m := fileMode(t, keys[0]); m != 0o600 {
		t.Fatalf("key file mode %04o", m)
	}
	if m := fileMode(t, filepath.Dir(keys[0])); m != 0o700 {
		t.Fatalf("key directory mode %04o", m)
	}
	// Keep the -wal and -shm open while looking at them: a reader holds them.
	s, err := sqlitestore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Meta(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if m := fileMode(t, f); m != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", f, m)
		}
	}
	s.Close()
	cp, _ := filepath.Glob(filepath.Join(cfg, "dsrkit", "*.checkpoint"))
	if len(cp) != 1 {
		t.Fatalf("checkpoints %v", cp)
	}
	if r := runCLI(t, "", "register", "verify", "--db", db); r.code != 0 {
		t.Fatalf("verify: %d %s", r.code, r.stderr)
	}
	if err := os.Chmod(keys[0], 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", "register", "due", "--db", db)
	if r.code == 0 || !strings.Contains(r.stderr, "readable by others") || r.stdout != "" {
		t.Fatalf("a world-readable key file: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestARegisterWithoutItsKeyNamesWhatIsMissingAndPrintsNothing.
func TestARegisterWithoutItsKeyNamesWhatIsMissingAndPrintsNothing(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	db := filepath.Join(t.TempDir(), "demo.db")
	if r := runCLI(t, "", "demo", "--db", db, "--people", "5"); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	keys, _ := filepath.Glob(filepath.Join(cfg, "dsrkit", "*.key"))
	hidden := filepath.Join(t.TempDir(), "elsewhere.key")
	if err := os.Rename(keys[0], hidden); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"due"}, {"history", "syn-0001"}, {"verify"}} {
		r := runCLI(t, "", append([]string{"register"}, append(args, "--db", db)...)...)
		if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, keys[0]) || !strings.Contains(r.stderr, "DSR_PASSPHRASE") {
			t.Fatalf("%v without the key: %d %q %q", args, r.code, r.stdout, r.stderr)
		}
	}
	// The right key elsewhere opens it; another key is refused naming both ids.
	if r := runCLI(t, "", "register", "verify", "--db", db, "--key-file", hidden); r.code != 0 {
		t.Fatalf("with --key-file: %d %s", r.code, r.stderr)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if r := runCLI(t, "", "register", "verify", "--db", db, "--key-file", other); r.code == 0 || !strings.Contains(r.stderr, other) {
		t.Fatalf("a missing key file: %d %q", r.code, r.stderr)
	}
	if _, err := register.CreateKeyFile(other); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DSR_KEY_FILE", other)
	if r := runCLI(t, "", "register", "due", "--db", db); r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "needs the key with id") {
		t.Fatalf("the wrong key: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestRekeyAndPassphrase: a passphrase register opens only with its
// passphrase; rekey moves it to a key file, and the passphrase no longer
// opens it; rekey on the default key file replaces it.
func TestRekeyAndPassphrase(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "demo.db")
	t.Setenv("DSR_PASSPHRASE", "correct horse battery staple")
	if r := runCLI(t, "", "demo", "--db", db, "--people", "5"); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	t.Setenv("DSR_PASSPHRASE", "wrong horse")
	if r := runCLI(t, "", "register", "verify", "--db", db); r.code == 0 || !strings.Contains(r.stderr, "the passphrase") {
		t.Fatalf("a wrong passphrase: %d %q", r.code, r.stderr)
	}
	t.Setenv("DSR_PASSPHRASE", "correct horse battery staple")
	before := runCLI(t, "", "register", "due", "--db", db)
	newKey := filepath.Join(t.TempDir(), "new.key")
	if r := runCLI(t, "", "register", "rekey", "--db", db, "--new-key-file", newKey); r.code != 0 || !strings.Contains(r.stdout, newKey) {
		t.Fatalf("rekey: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", "register", "verify", "--db", db); r.code == 0 {
		t.Fatal("the old passphrase still opens the register after rekey")
	}
	os.Unsetenv("DSR_PASSPHRASE")
	after := runCLI(t, "", "register", "due", "--db", db, "--key-file", newKey)
	if after.code != 0 || after.stdout != before.stdout {
		t.Fatalf("the worklist after rekey differs: %d %s", after.code, after.stderr)
	}
}

// TestRekeyReplacesTheDefaultKeyFile: rekey with the default key file
// writes a new one in its place; a copy of the old one no longer opens the
// register.
func TestRekeyReplacesTheDefaultKeyFile(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	db := filepath.Join(t.TempDir(), "demo.db")
	if r := runCLI(t, "", "demo", "--db", db, "--people", "5"); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	keys, _ := filepath.Glob(filepath.Join(cfg, "dsrkit", "*.key"))
	old, err := os.ReadFile(keys[0])
	if err != nil {
		t.Fatal(err)
	}
	oldCopy := filepath.Join(t.TempDir(), "old.key")
	os.WriteFile(oldCopy, old, 0o600)
	if r := runCLI(t, "", "register", "rekey", "--db", db); r.code != 0 || !strings.Contains(r.stdout, keys[0]) {
		t.Fatalf("rekey: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if now, _ := os.ReadFile(keys[0]); string(now) == string(old) {
		t.Fatal("the default key file was not replaced")
	}
	if r := runCLI(t, "", "register", "verify", "--db", db); r.code != 0 {
		t.Fatalf("verify after rekey: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "register", "verify", "--db", db, "--key-file", oldCopy); r.code == 0 {
		t.Fatal("the old key still opens the register")
	}
}

// TestEveryRegisterCommandNamesItsActorAndReadsAreAudited.
func TestEveryRegisterCommandNamesItsActorAndReadsAreAudited(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "demo.db")
	if r := runCLI(t, "", "demo", "--db", db, "--people", "5"); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	t.Setenv("DSR_BY", "")
	t.Setenv("DSR_ROLE", "")
	for _, args := range [][]string{{"due"}, {"verify"}, {"history", "syn-0001"}, {"audit", "syn-0001"}} {
		r := runCLI(t, "", append([]string{"register"}, append(args, "--db", db)...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "DSR_BY") || r.stdout != "" {
			t.Fatalf("%v with no actor: %d %q %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, "", "register", "history", "syn-0001", "--db", db, "--by", "staff-5", "--role", "nurse"); r.code != exitUsage || !strings.Contains(r.stderr, "unknown role") {
		t.Fatalf("an unknown role: %d %q", r.code, r.stderr)
	}
	t.Setenv("DSR_BY", "staff-5")
	t.Setenv("DSR_ROLE", "viewer")
	if r := runCLI(t, "", "register", "history", "syn-0001", "--db", db, "--why", "register meeting"); r.code != 0 {
		t.Fatalf("history: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, "", "register", "audit", "syn-0001", "--db", db, "--by", "staff-1", "--role", "admin")
	if r.code != 0 || !strings.Contains(r.stdout, "staff-5 (viewer)  read history (register meeting)") || !strings.Contains(r.stdout, "demo-loader (admin)  wrote person_added") {
		t.Fatalf("audit: %d %q %q", r.code, r.stdout, r.stderr)
	}
}
