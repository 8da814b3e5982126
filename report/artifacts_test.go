package report_test

import (
	"testing"

	"github.com/dsrkit/dsrkit/internal/testtools"
)

// saveArtifact keeps a sample page among the files CI keeps, for
// screenshots and review.
func saveArtifact(t *testing.T, name string, b []byte) { testtools.SaveArtifact(t, name, b) }
