package memstore_test

import (
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/dsr/memstore"
	"github.com/dsrkit/dsrkit/dsr/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) dsr.Store { return memstore.New() })
}
