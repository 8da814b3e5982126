package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/register"
)

// Event kinds the outbox delivers.
const (
	// EventPersonAdded: someone joined the register (POST /v1/people, or a
	// Blue Light meeting opened with a person), dated the day of the write.
	EventPersonAdded = "person_added"
	// EventRatingAgreed: the multi-agency meeting agreed a rating
	// (R-RAG-AGREED); Rating says which.
	EventRatingAgreed = "rating_agreed"
	// EventBlueLightMeeting: a Blue Light meeting closed, its
	// blue_light_meeting joining the person's history; dated the day of
	// the call.
	EventBlueLightMeeting = "bluelight_meeting_recorded"
	// EventReviewOverdue: a review on the worklist is overdue (see
	// Server.SweepOverdue); Action is its kind and Due its due date.
	EventReviewOverdue = "review_overdue"
)

// Event is a domain event as the webhook receives it (a JSON object, one
// a POST). It is what a commissioner needs to follow the register's
// activity and no more: the kind, the date, the register's id, the
// person's pseudonymous id (stable for the register, meaningless outside
// it: never their local id, NHS number or name), and for a rating the
// rating agreed, for an overdue review the action's kind and due date.
// ID is unique to the event: delivery is at least once, so a receiver
// that sees an id twice drops the second.
type Event struct {
	ID       string        `json:"id"`
	Kind     string        `json:"kind"`
	Date     calendar.Date `json:"date"`
	Register string        `json:"register"`
	Person   string        `json:"person"`
	Rating   string        `json:"rating,omitempty"`
	Action   string        `json:"action,omitempty"`
	Due      calendar.Date `json:"due,omitzero"`
}

// Outbox keeps domain events in a directory, one file an event (written
// and synced before Enqueue returns, so they survive a restart), and
// delivers them in order to a webhook, at least once: an event's file is
// removed only once the webhook answered 2xx; a failure is retried with
// exponential back-off (Backoff doubling up to MaxBackoff) for as long as
// it takes.
//
// The events of writes come from the register's log (Follow, Relay): an
// event is queued from the record its write committed, so a process that
// dies between a write and its event loses nothing, the next relay finding
// the record. Several processes may share a directory (dsr serve's
// default is one per register): each relays and delivers what it finds, so
// an event may reach the webhook more than once, which at-least-once
// allows (the receiver drops an id it has seen: a record's event has the
// same id whoever relays it), and review_overdue markers (EnqueueOnce) are
// shared. A webhook that refuses an event holds up the ones after it,
// retried until it takes it.
type Outbox struct {
	dir     string
	webhook string
	// Client posts the events (default: a 10s timeout).
	Client *http.Client
	// Backoff is the first retry's delay, MaxBackoff the longest (defaults
	// 1s and 5m).
	Backoff, MaxBackoff time.Duration
	// Logger says when a delivery fails (never the event's content).
	Logger *slog.Logger

	// RelayEvery is how often Run relays the register's writes when the
	// outbox follows a register (see Follow; default 1s).
	RelayEvery time.Duration

	metrics *metrics
	mu      sync.Mutex
	wake    chan struct{}
	seq     int64
	// relayMu serialises Follow and Relay; reg is the register followed.
	relayMu sync.Mutex
	reg     *register.Register
}

// OpenOutbox opens (creating it, mode 0700) the outbox directory dir for
// the webhook URL webhook. Events left by an earlier process are delivered
// first.
func OpenOutbox(dir, webhook string) (*Outbox, error) {
	if !strings.HasPrefix(webhook, "http://") && !strings.HasPrefix(webhook, "https://") {
		return nil, fmt.Errorf("server: webhook %q: want an http:// or https:// URL", webhook)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("server: outbox: %w", err)
	}
	return &Outbox{dir: dir, webhook: webhook, wake: make(chan struct{}, 1)}, nil
}

// Enqueue keeps ev for delivery; its ID is set when empty.
func (o *Outbox) Enqueue(ev Event) error {
	if ev.ID == "" {
		var b [16]byte
		rand.Read(b[:])
		ev.ID = hex.EncodeToString(b[:])
	}
	o.mu.Lock()
	o.seq++
	// The name orders the events: the time, then a sequence number within
	// the process.
	name := fmt.Sprintf("%020d-%06d-%s.json", time.Now().UnixNano(), o.seq%1e6, ev.ID)
	o.mu.Unlock()
	return o.enqueueAs(name, ev)
}

// enqueueAs keeps ev in the file name, unless that file is there already
// (the same event, queued before).
func (o *Outbox) enqueueAs(name string, ev Event) error {
	path := filepath.Join(o.dir, name)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := writeFileSync(path, b); err != nil {
		return fmt.Errorf("server: outbox: %w", err)
	}
	if o.metrics != nil {
		o.metrics.pending.Inc()
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}

// writeFileSync writes b to path through a synced temporary file renamed
// into place, so a crash leaves the whole file or none.
func writeFileSync(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Pending lists the files of the events not yet delivered, oldest first.
func (o *Outbox) Pending() ([]string, error) {
	ents, err := os.ReadDir(o.dir)
	if err != nil {
		return nil, fmt.Errorf("server: outbox: %w", err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

func (o *Outbox) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Run delivers events until ctx is done.
func (o *Outbox) Run(ctx context.Context) {
	base, maxB := o.Backoff, o.MaxBackoff
	if base <= 0 {
		base = time.Second
	}
	if maxB <= 0 {
		maxB = 5 * time.Minute
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if p, err := o.Pending(); err == nil && o.metrics != nil {
		o.metrics.pending.Set(float64(len(p)))
	}
	// Relaying does nothing until the outbox follows a register (Follow,
	// which server.New calls, before or after Run starts).
	every := o.RelayEvery
	if every <= 0 {
		every = time.Second
	}
	go o.relayLoop(ctx, every)
	delay := base
	for {
		names, err := o.Pending()
		if err != nil {
			o.logger().Error("reading the outbox failed")
		}
		if len(names) == 0 {
			select {
			case <-ctx.Done():
				return
			case <-o.wake:
				continue
			}
		}
		if err := o.deliver(ctx, client, names[0]); err != nil {
			if ctx.Err() != nil {
				return
			}
			if o.metrics != nil {
				o.metrics.failures.Inc()
			}
			o.logger().Warn("delivering an event failed: retrying", "retry_in", delay.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, maxB)
			continue
		}
		delay = base
	}
}

// deliver posts one event and removes it once accepted.
func (o *Outbox) deliver(ctx context.Context, client *http.Client, name string) error {
	path := filepath.Join(o.dir, name)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.webhook, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("server: webhook answered %d", resp.StatusCode)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if o.metrics != nil {
		o.metrics.delivered.Inc()
		o.metrics.pending.Dec()
	}
	return nil
}
