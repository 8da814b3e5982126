// Package testtools finds what the repository's tests use from outside Go:
// Debian's Chromium, the npm packages `npm ci` installs (axe-core, the FHIR
// R4 JSON Schema, nhsuk-frontend) and the folder whose files CI keeps
// (screenshots, sample pages).
//
// A tool that is missing skips the test on a developer's machine and
// fails it under CI (CI=true): .ci/run installs every one of them, so a
// skip there would be a defect. Only tests import this package.
package testtools

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// UnderCI reports whether the tests run under .ci/run (CI=true).
func UnderCI() bool { return os.Getenv("CI") == "true" }

// Root is the repository's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0) // internal/testtools/testtools.go
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Require stops tb when err says a tool is missing: a skip naming what
// and how to get it, or under CI a failure.
func Require(tb testing.TB, what string, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if UnderCI() {
		tb.Fatalf("%s: %v (.ci/run installs it)", what, err)
	}
	tb.Skipf("%s: %v", what, err)
}

// Chromium returns the browser's path: $DSR_CHROMIUM, else chromium on
// PATH, else /usr/bin/chromium (Debian's package).
func Chromium(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("DSR_CHROMIUM")
	if p == "" {
		if p, _ = exec.LookPath("chromium"); p == "" {
			p = "/usr/bin/chromium"
		}
	}
	_, err := os.Stat(p)
	Require(tb, "Chromium (apt-get install chromium, or set DSR_CHROMIUM)", err)
	return p
}

// NodeModulesDir is $DSR_NODE_MODULES, else the repository's node_modules.
func NodeModulesDir() string {
	if d := os.Getenv("DSR_NODE_MODULES"); d != "" {
		return d
	}
	return filepath.Join(Root(), "node_modules")
}

// NodeModule returns the path of file rel under NodeModulesDir, which must
// be there ("axe-core/axe.min.js", say).
func NodeModule(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(NodeModulesDir(), rel)
	_, err := os.Stat(p)
	Require(tb, rel+" (npm ci --ignore-scripts --no-audit --no-fund in the repository)", err)
	return p
}

// Artifacts returns the folder sub of the files CI keeps ($DSR_ARTIFACTS,
// else the repository's test-artifacts), made if missing; sub may be "".
func Artifacts(tb testing.TB, sub string) string {
	tb.Helper()
	dir := os.Getenv("DSR_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(Root(), "test-artifacts")
	}
	dir = filepath.Join(dir, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// SaveArtifact writes b as the file name in Artifacts(tb, "").
func SaveArtifact(tb testing.TB, name string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(Artifacts(tb, ""), name), b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// PostgresURL is the PostgreSQL the tests run against:
// $DSR_TEST_DATABASE_URL, which scripts/with-postgres.sh sets for the
// throwaway server it starts (as .ci/run does).
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("DSR_TEST_DATABASE_URL")
	var err error
	if u == "" {
		err = errors.New("DSR_TEST_DATABASE_URL is not set: run the tests under scripts/with-postgres.sh, e.g. scripts/with-postgres.sh go test ./...")
	}
	Require(tb, "PostgreSQL", err)
	return u
}
