package pgstore_test

import (
	"testing"

	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/storetest"
)

func TestStoreSuite(t *testing.T) {
	serverURL(t) // skip (or fail in CI) once, not in every subtest
	storetest.Run(t, func(t *testing.T) register.Store { s, _ := openFresh(t); return s })
}
