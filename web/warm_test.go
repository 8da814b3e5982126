package web

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// TestKeepWarmBuildsTheWorklistAhead: KeepWarm fills the pages' cache
// with today's worklist, the register's own, before anyone asks.
func TestKeepWarmBuildsTheWorklistAhead(t *testing.T) {
	ctx := context.Background()
	fsys, err := policies.Bundle(policies.DefaultBundle)
	require.NoError(t, err)
	engine, err := policies.Load(ctx, fsys)
	require.NoError(t, err)
	today := calendar.MustParseDate("2026-04-01")
	now := func() time.Time { return today.Start().Add(10 * time.Hour) }
	reg, err := register.Open(ctx, memstore.New(), engine, register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023), register.WithClock(now))
	require.NoError(t, err)
	staff := register.Actor{ID: "fixture", Role: register.RoleCoordinator}
	for i := range 3 {
		require.NoError(t, reg.Add(ctx, register.NewPerson{
			Details: register.Details{Person: dsr.Person{ID: fmt.Sprintf("w%d", i), NHSNumber: dsr.TestNHSNumber(8300 + i),
				DateOfBirth: calendar.MustParseDate("2010-09-15"), Autism: true}},
			Circumstances: dsr.Circumstances{InCrisis: true, CommunityCannotManage: true},
			Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: today.AddDays(-10), GivenBy: dsr.ByParent}},
		}, staff))
	}
	s, err := New(Config{Register: reg, Engine: engine, Now: now,
		Authenticate: func(context.Context, string) (register.Actor, error) { return register.Actor{}, errors.New("no") }})
	require.NoError(t, err)
	warmed := func() ([]register.WorkItem, bool) {
		s.dueCache.mu.Lock()
		defer s.dueCache.mu.Unlock()
		c := s.dueCache.items
		return c.v, c.valid && c.asOf == today && s.dueCache.coords.valid
	}
	_, ok := warmed()
	require.False(t, ok, "nothing is built before KeepWarm")
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.KeepWarm(wctx, time.Hour); close(done) }()
	var items []register.WorkItem
	for {
		if items, ok = warmed(); ok {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	want, err := reg.Due(ctx, today)
	require.NoError(t, err)
	assert.Equal(t, want, items)
	assert.NotEmpty(t, items)
}
