package report_test

import (
	"os"
	"path/filepath"
	"testing"
)

// saveArtifact keeps a sample page in $DSR_ARTIFACTS (default
// <repo>/test-artifacts), for screenshots and review.
func saveArtifact(t *testing.T, name string, b []byte) {
	t.Helper()
	dir := os.Getenv("DSR_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
