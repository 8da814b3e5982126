package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// cursorFile holds, in an outbox directory, the Seq of the last record of
// the register's log whose events are in the directory.
const cursorFile = "relay-cursor"

// relayBatch bounds the records one relay pass reads.
const relayBatch = 5000

// Follow makes the outbox the relay of reg's log: the domain events of the
// register's writes (person_added, rating_agreed,
// bluelight_meeting_recorded) are derived from the records the writes
// committed, by Relay, and not from the code that made them. A write
// whatever made it (the service, the CLI, another server on the same
// PostgreSQL) reaches the webhook, and a process that dies after a write
// commits and before its event is queued loses nothing: the next relay
// reads the record from the log.
//
// The directory keeps its place in the log (a file, relay-cursor), moved
// on only once the events before it are written and synced. The first
// time a directory follows a register it starts at the log's end: what
// was written before is not announced.
func (o *Outbox) Follow(ctx context.Context, reg *register.Register) error {
	o.relayMu.Lock()
	defer o.relayMu.Unlock()
	o.reg = reg
	if _, err := o.cursor(); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	last, err := reg.LastSeq(ctx)
	if err != nil {
		return fmt.Errorf("server: outbox: %w", err)
	}
	return o.setCursor(last)
}

func (o *Outbox) cursor() (int64, error) {
	b, err := os.ReadFile(filepath.Join(o.dir, cursorFile))
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("server: outbox: %s holds %q, not a place in the log", cursorFile, b)
	}
	return n, nil
}

func (o *Outbox) setCursor(seq int64) error {
	if err := writeFileSync(filepath.Join(o.dir, cursorFile), []byte(strconv.FormatInt(seq, 10)+"\n")); err != nil {
		return fmt.Errorf("server: outbox: %w", err)
	}
	return nil
}

// Relay queues the events of the records the register's log holds after
// the directory's cursor, then moves the cursor past them, and returns how
// many it queued. It is what Run does every RelayEvery, and the service
// after each write. Each event's file is named for its record (its time,
// its Seq and an id derived from the register and the Seq), so a record
// read twice (after a crash between the events' write and the cursor's,
// or by two processes on one directory) is one file, and a receiver that
// is sent it twice sees the same id. Without Follow, Relay does nothing.
func (o *Outbox) Relay(ctx context.Context) (int, error) {
	o.relayMu.Lock()
	defer o.relayMu.Unlock()
	if o.reg == nil {
		return 0, nil
	}
	n := 0
	for {
		from, err := o.cursor()
		if err != nil {
			return n, err
		}
		var evs []relayed
		last, err := o.reg.Changes(ctx, from, relayBatch, func(c register.Change) error {
			if ev, ok := eventOf(o.reg.ID(), c); ok {
				evs = append(evs, relayed{c, ev})
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("server: outbox: reading the register's log: %w", err)
		}
		for _, r := range evs {
			name := fmt.Sprintf("%020d-%06d-%s.json", r.c.At.UnixNano(), r.c.Seq%1e6, r.ev.ID)
			if err := o.enqueueAs(name, r.ev); err != nil {
				return n, err
			}
			n++
		}
		if last == from {
			return n, nil
		}
		if err := o.setCursor(last); err != nil {
			return n, err
		}
	}
}

type relayed struct {
	c  register.Change
	ev Event
}

// eventOf is the domain event a change announces, if any.
func eventOf(registerID string, c register.Change) (Event, bool) {
	ev := Event{Register: registerID, Person: c.Pseudonym, Date: calendar.DateOf(c.At)}
	switch {
	case c.Type == register.RecordPersonAdded:
		ev.Kind = EventPersonAdded
		if !c.Date.IsZero() {
			ev.Date = c.Date
		}
	case c.Event != nil && c.Event.Type == dsr.EventRatingAgreed:
		ev.Kind, ev.Rating = EventRatingAgreed, c.Event.Rating.String()
		if !c.Event.Date.IsZero() {
			ev.Date = c.Event.Date
		}
	case c.Event != nil && c.Event.Type == dsr.EventBlueLightMeeting:
		ev.Kind, ev.Date = EventBlueLightMeeting, calendar.DateOf(c.Event.Instant())
	default:
		return Event{}, false
	}
	sum := sha256.Sum256([]byte(registerID + "\x00" + strconv.FormatInt(c.Seq, 10) + "\x00" + ev.Kind))
	ev.ID = hex.EncodeToString(sum[:16])
	return ev, true
}

// relayLoop relays every interval until ctx is done.
func (o *Outbox) relayLoop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := o.Relay(ctx); err != nil && ctx.Err() == nil {
			o.logger().Error("relaying the register's writes to the outbox failed: retrying")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
