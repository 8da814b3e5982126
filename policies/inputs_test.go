package policies_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
)

// TestOverlayRedefiningANationalNameRefused: an overlay that declares a
// national name (in_crisis, a circumstance) as its own input fails to
// load, naming the input and the manifest (R-INPUT-1).
func TestOverlayRedefiningANationalNameRefused(t *testing.T) {
	_, err := policies.Load(context.Background(), os.DirFS(filepath.Join("testdata", "redefines-national")))
	var le *policies.LoadError
	if !errors.Is(err, policies.ErrBadBundle) || !errors.As(err, &le) {
		t.Fatalf("Load: %v, want a *LoadError matching ErrBadBundle", err)
	}
	if le.File != ".manifest" || !strings.Contains(err.Error(), "input in_crisis") || !strings.Contains(err.Error(), "national name") || !strings.Contains(err.Error(), "R-INPUT-1") {
		t.Errorf("Load: %v: want the manifest named with input in_crisis, a national name (R-INPUT-1)", err)
	}
}
