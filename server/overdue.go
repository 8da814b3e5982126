package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
)

// isReview says whether a worklist item's kind is a review (a C(E)TR, a
// register review, the review after a Blue Light meeting ...), not a
// report, a recommendation or a referral.
func isReview(k dsr.ActionKind) bool {
	return strings.HasSuffix(string(k), "_review") || k == dsr.ActionReviewAfterBlueLight
}

// SweepOverdue enqueues a review_overdue event for each review on today's
// worklist that is overdue, once per person, kind, rule and due date (the
// outbox remembers which it sent, across restarts). It returns how many it
// enqueued. Without an outbox it does nothing.
func (s *Server) SweepOverdue(ctx context.Context) (int, error) {
	ob := s.cfg.Outbox
	if ob == nil {
		return 0, nil
	}
	items, err := s.cfg.Register.Due(ctx, s.today())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, it := range items {
		if !it.Overdue || it.PersonID == "" || !isReview(it.Kind) {
			continue
		}
		p := s.pseudonym(it.PersonID)
		key := strings.Join([]string{p, string(it.Kind), it.Rule, it.DueDate().String()}, "|")
		ev := Event{Kind: EventReviewOverdue, Person: p, Action: string(it.Kind), Due: it.DueDate(), Register: s.cfg.Register.ID(), Date: s.today()}
		sent, err := ob.EnqueueOnce(key, ev)
		if err != nil {
			return n, err
		}
		if sent {
			n++
		}
	}
	return n, nil
}

// RunOverdue sweeps for overdue reviews (SweepOverdue) at once and then
// every interval until ctx is done.
func (s *Server) RunOverdue(ctx context.Context, interval time.Duration) {
	for {
		if _, err := s.SweepOverdue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("sweeping for overdue reviews failed")
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// EnqueueOnce enqueues ev unless an event was enqueued under key before
// (in this directory, by any process run on it): a marker named for the
// key's hash is kept in the directory's sent/ folder. It reports whether
// it enqueued.
func (o *Outbox) EnqueueOnce(key string, ev Event) (bool, error) {
	sum := sha256.Sum256([]byte(key))
	dir := filepath.Join(o.dir, "sent")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("server: outbox: %w", err)
	}
	marker := filepath.Join(dir, hex.EncodeToString(sum[:]))
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("server: outbox: %w", err)
	}
	f.Close()
	if err := o.Enqueue(ev); err != nil {
		os.Remove(marker)
		return false, err
	}
	return true, nil
}
