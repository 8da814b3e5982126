package main

import (
	"context"
	"fmt"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// openDocRegister loads the --policy bundle (an embedded name or a
// directory) with the --set overrides, and opens the register with it. The
// engine also gives the review and bluelight commands their rules: the
// bundle's cetr_rules and bluelight_* decision points, or the Go defaults
// where the bundle has none (policies.CETRParams, policies.BlueLightRules).
func openDocRegister(ctx context.Context, c *docCommand, opts ...register.Option) (*register.Register, *sqlitestore.Store, *policies.Engine, error) {
	bundle, err := openBundle(c.policy)
	if err != nil {
		return nil, nil, nil, err
	}
	popts := make([]policies.Option, len(c.params))
	for i, p := range c.params {
		popts[i] = policies.WithParam(p.name, p.value)
	}
	engine, err := policies.Load(ctx, bundle, popts...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("loading policy %s: %w", c.policy, err)
	}
	store, err := sqlitestore.Open(ctx, c.db)
	if err != nil {
		return nil, nil, nil, err
	}
	reg, err := register.Open(ctx, store, engine, append([]register.Option{register.WithConsentPolicy(consent.National2023), documentKinds()}, opts...)...)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	return reg, store, engine, nil
}
