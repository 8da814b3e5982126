package server

import (
	"context"
	"html/template"
	"net/http"
	"sync"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/report"
)

// Roles of the report pages. The board report publishes suppressed
// figures only (R-REPORT-1): every role may read it. The meeting pack, a
// review's summary and a meeting's minute name people.
var (
	boardReaders = []string{register.RoleViewer, register.RoleCoordinator, register.RoleAnalyst, register.RoleAdmin}
	packReaders  = []string{register.RoleCoordinator}
)

// reportPages puts package report's pages in the site: the board report,
// the meeting pack, a C(E)TR's summary and a Blue Light meeting's minute
// (R-REPORT-2), inside the site's layout with report's stylesheet.
func (s *Server) reportPages() {
	site := s.site
	site.AddStylesheet(report.Stylesheet)
	site.Handle("GET /board-report", boardReaders, s.boardPage)
	site.Handle("GET /meeting-pack", packReaders, s.packPage)
	site.Handle("GET /reviews/{id}", packReaders, func(r *http.Request, by register.Actor) (string, template.HTML, error) {
		rev, err := s.review(r, by, true)
		if err != nil {
			return "", "", err
		}
		return "C(E)TR summary", report.ReviewSummaryFragment(rev), nil
	})
	site.Handle("GET /meetings/{id}", packReaders, func(r *http.Request, by register.Actor) (string, template.HTML, error) {
		m, err := s.meeting(r)
		if err != nil {
			return "", "", err
		}
		rec := m.Record()
		if _, err := s.cfg.Register.Details(r.Context(), rec.PersonID, by, register.Because("reading Blue Light meeting "+rec.ID)); err != nil {
			return "", "", err
		}
		return "Blue Light meeting minute", report.MinuteFragment(m), nil
	})
}

// boardCache keeps the last board report built: a quarter's report over a
// large register takes seconds, and is the same until the register is
// written to or the day changes.
type boardCache struct {
	mu    sync.Mutex
	key   boardKey
	board *report.Board
}

type boardKey struct {
	quarter report.Quarter
	seq     int64
	today   string
}

// boardPage is GET /board-report?quarter=2026Q3: by default the last
// quarter that has ended.
func (s *Server) boardPage(r *http.Request, _ register.Actor) (string, template.HTML, error) {
	today := s.today()
	q := report.QuarterOf(today.AddMonths(-3))
	if v := r.URL.Query().Get("quarter"); v != "" {
		var err error
		if q, err = report.ParseQuarter(v); err != nil {
			return "", "", &dsr.ValidationError{Field: "quarter", Rule: "R-REPORT-2", Problem: err.Error()}
		}
		if q.First().After(today) {
			return "", "", &dsr.ValidationError{Field: "quarter", Rule: "R-REPORT-2", Problem: q.String() + " has not begun"}
		}
	}
	b, err := s.board(r.Context(), q, today.String())
	if err != nil {
		return "", "", err
	}
	return "Board report, " + q.Title(), report.BoardFragment(b), nil
}

func (s *Server) board(ctx context.Context, q report.Quarter, today string) (*report.Board, error) {
	c := &s.boards
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.board != nil && c.key.quarter == q && c.key.today == today {
		// Still the figures while nothing but reads were recorded since.
		last, types, err := s.cfg.Register.WritesAfter(ctx, c.key.seq)
		if err != nil {
			return nil, err
		}
		if len(types) == 0 {
			c.key.seq = last
			return c.board, nil
		}
	}
	seq, err := s.cfg.Register.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	b, err := report.NewBoard(ctx, s.cfg.Register, q, report.BoardOptions{Today: s.today(), Area: s.cfg.Area})
	if err != nil {
		return nil, err
	}
	c.key, c.board = boardKey{q, seq, today}, b
	return b, nil
}

// packPage is GET /meeting-pack?date=D (default today): the register
// group's pack, names shown, every history read audited.
func (s *Server) packPage(r *http.Request, by register.Actor) (string, template.HTML, error) {
	date, err := queryDate(r, "date", s.today())
	if err != nil {
		return "", "", err
	}
	p, err := report.NewMeetingPack(r.Context(), s.cfg.Register, date, report.PackOptions{By: by, Names: true})
	if err != nil {
		return "", "", err
	}
	return "Meeting pack, " + date.String(), report.MeetingPackFragment(p, true), nil
}
