package memstore_test

import (
	"testing"

	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
	"github.com/dsrkit/dsrkit/register/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) register.Store { return memstore.New() })
}
