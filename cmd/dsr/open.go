package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/pgstore"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// ruleLimits is what a command's flags say about evaluating the rules:
// --timeout, the time limit of one evaluation. run gives every command a
// context holding one; timeoutFlag defines the flag into it, and
// loadPolicy (so openRegister) applies it to the policy it loads, with
// nothing to pass along. A command without the flag loads with
// policies.DefaultDeadline.
type ruleLimits struct {
	timeout time.Duration
	// log is --decision-log's, writing to logFile; nil without the flag.
	log     *policies.JSONLinesLog
	logFile *os.File
}

type ruleLimitsKey struct{}

// withRuleLimits is ctx holding the rule limits of one command's run.
func withRuleLimits(ctx context.Context) context.Context {
	return context.WithValue(ctx, ruleLimitsKey{}, &ruleLimits{timeout: policies.DefaultDeadline})
}

// timeoutFlag defines --timeout D on fset, for a command that evaluates
// rules: each evaluation of the rules (each stage of an assessment, each
// optional point, cetr_rules at load) running longer than D fails with an
// error naming the rule file and the limit (policies.WithDeadline); 0
// turns the limit off. ctx must come from run.
func timeoutFlag(ctx context.Context, fset *flag.FlagSet) {
	l, ok := ctx.Value(ruleLimitsKey{}).(*ruleLimits)
	if !ok {
		panic("timeoutFlag: the command's context does not come from run")
	}
	fset.DurationVar(&l.timeout, "timeout", policies.DefaultDeadline, "stop a rule evaluation running longer than `D` (0: no limit)")
}

// decisionLogFlag defines --decision-log FILE on fset: every assessment
// the command's policy makes is appended to FILE (created 0600) as JSON
// Lines, its input without clear identifiers (policies.JSONLinesLog), for
// 'dsr policy diff --replay'. ctx must come from run, which closes the
// file.
func decisionLogFlag(ctx context.Context, fset *flag.FlagSet) {
	l, ok := ctx.Value(ruleLimitsKey{}).(*ruleLimits)
	if !ok {
		panic("decisionLogFlag: the command's context does not come from run")
	}
	fset.Func("decision-log", "append every assessment to `FILE` (JSON Lines)", func(path string) error {
		if l.logFile != nil {
			return errors.New("given twice")
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		l.logFile, l.log = f, policies.NewJSONLinesLog(f)
		return nil
	})
}

// decisionLogOf is the command's decision log, nil without --decision-log.
func decisionLogOf(ctx context.Context) *policies.JSONLinesLog {
	if l, ok := ctx.Value(ruleLimitsKey{}).(*ruleLimits); ok {
		return l.log
	}
	return nil
}

// closeRuleLimits closes what the command's flags opened (the decision
// log's file), reporting a log that could not be written.
func closeRuleLimits(ctx context.Context, stderr io.Writer) {
	l, ok := ctx.Value(ruleLimitsKey{}).(*ruleLimits)
	if !ok || l.logFile == nil {
		return
	}
	if err := l.log.Err(); err != nil {
		errorf(stderr, "decision log: %v", err)
	}
	l.logFile.Close()
}

// ruleOptions are the policies options of the command's rule limits
// (--timeout) and decision log (--decision-log), for every Load the
// command makes.
func ruleOptions(ctx context.Context) []policies.Option {
	if l, ok := ctx.Value(ruleLimitsKey{}).(*ruleLimits); ok {
		opts := []policies.Option{policies.WithDeadline(l.timeout)}
		if l.log != nil {
			opts = append(opts, policies.WithDecisionLogger(l.log))
		}
		return opts
	}
	return nil
}

// loadPolicy is how every command loads a policy bundle: the embedded
// profile or the directory name, rebased onto the embedded profile base
// when one is named (--base), with the --set overrides and the command's
// --timeout (ruleOptions), then opts. It returns the bundle's files with
// the engine.
func loadPolicy(ctx context.Context, name, base string, params paramFlag, opts ...policies.Option) (fs.FS, *policies.Engine, error) {
	fsys, err := openPolicy(name, base)
	if err != nil {
		return nil, nil, err
	}
	engine, err := policies.Load(ctx, fsys, slices.Concat(params.options(), ruleOptions(ctx), opts)...)
	if err != nil {
		return nil, nil, fmt.Errorf("loading policy %s: %w", name, err)
	}
	return fsys, engine, nil
}

// openPolicy opens a bundle by profile name or directory, rebased onto the
// embedded profile base when one is named.
func openPolicy(name, base string) (fs.FS, error) {
	fsys, err := openBundle(name)
	if err != nil || base == "" {
		return fsys, err
	}
	r, err := policies.Rebase(fsys, base)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	return r, nil
}

// openBundle returns the embedded bundle called name, the directory name,
// or the bundle archive name (a .tar.gz from dsr policy build).
func openBundle(name string) (fs.FS, error) {
	if isArchive(name) {
		return openArchive(name)
	}
	names := policies.BundleNames()
	if slices.Contains(names, name) {
		b, err := policies.Bundle(name)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		return b, nil
	}
	fi, err := os.Stat(name)
	switch {
	case err == nil && fi.IsDir():
		return os.DirFS(name), nil
	case err == nil:
		return nil, fmt.Errorf("policy %s: not a directory (want an embedded bundle: %s; a bundle directory; or a .tar.gz from dsr policy build)",
			name, strings.Join(names, ", "))
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("policy %s: no such embedded bundle (want one of %s) or directory",
			name, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("policy %s: %w", name, err)
}

// isDatabaseURL says whether a --db value names a PostgreSQL database
// (postgres://… or postgresql://…) rather than a SQLite file.
func isDatabaseURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// shownDB is a --db value fit to print: a URL's password masked.
func shownDB(db string) string {
	if u, err := url.Parse(db); err == nil && isDatabaseURL(db) {
		return u.Redacted()
	}
	return db
}

// dbValue is the --db flag: a SQLite file or a PostgreSQL URL. Its String
// is the file default, never the URL (which may hold a password).
type dbValue struct {
	value *string
	def   string
}

func (v dbValue) String() string { return v.def }

func (v dbValue) Set(s string) error {
	*v.value = s
	return nil
}

// dbFlag defines --db on fset, stored in p: the register's SQLite file
// (def when not given), or a PostgreSQL URL. DSR_DATABASE_URL, when set,
// stands in for def: --db given on the command line wins over it.
func dbFlag(fset *flag.FlagSet, p *string, def string) {
	*p = def
	if u := os.Getenv("DSR_DATABASE_URL"); u != "" {
		*p = u
	}
	fset.Var(dbValue{p, def}, "db", "the register: a SQLite `FILE`, or postgres://… (or DSR_DATABASE_URL)")
}

// openStore opens the register's store: the PostgreSQL database a
// postgres:// or postgresql:// URL names (register/pgstore), or else the
// SQLite file, created if missing (register/sqlitestore).
func openStore(ctx context.Context, db string) (register.Store, error) {
	if isDatabaseURL(db) {
		return pgstore.Open(ctx, db)
	}
	return sqlitestore.Open(ctx, db)
}

// openRegister is how every command opens a register: it loads the policy
// (with the --set overrides) and opens the SQLite register file (created if
// missing) or the PostgreSQL database (db a postgres:// URL, see openStore) with it, national-2023's consent gate, and the review and Blue
// Light meeting documents. The engine also gives the review and bluelight
// commands their rules: the bundle's cetr_rules and bluelight_* decision
// points, or the Go defaults where the bundle has none
// (policies.CETRParams, policies.BlueLightRules). The store is the
// caller's to close.
//
// The register's key-encryption key comes from keyFile (--key-file), or
// the environment (registerKeys); messages about keys go to stderr.
func openRegister(ctx context.Context, db, policy string, params paramFlag, keyFile string, stderr io.Writer, opts ...register.Option) (*register.Register, register.Store, *policies.Engine, error) {
	_, engine, err := loadPolicy(ctx, policy, "", params)
	if err != nil {
		return nil, nil, nil, err
	}
	store, err := openStore(ctx, db)
	if err != nil {
		return nil, nil, nil, err
	}
	keyOpts, source, err := registerKeys(ctx, store, keyFile, stderr)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	kinds := register.WithDocumentKinds(register.ReviewDocuments{}, register.MeetingDocuments{})
	reg, err := register.Open(ctx, store, engine, append(append([]register.Option{register.WithConsentPolicy(consent.National2023), kinds}, keyOpts...), opts...)...)
	if errors.Is(err, register.ErrNoKey) {
		err = fmt.Errorf("%w (the key came from %s; give --key-file FILE or DSR_KEY_FILE, or DSR_PASSPHRASE)", err, source)
	}
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	if log := decisionLogOf(ctx); log != nil { // people keyed by the register's pseudonyms
		log.SetPersonKey(func(id string) string { return strings.TrimPrefix(reg.PersonStream(id), "person/") })
	}
	return reg, store, engine, nil
}
