package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/server"
)

const serveUsageText = `Usage: dsr serve [--addr HOST:PORT] [--db FILE|URL] [--policy NAME] [options]
       dsr serve token create --role ROLE --name NAME [--db FILE|URL] [--tokens FILE]

Serve the register and a policy bundle as an authenticated HTTP/JSON
service (package server): POST /v1/assess, the register's people, events,
ratings, referrals and decisions, the worklist, verify and audit, with the
OpenAPI document at /v1/openapi.json, /healthz, /readyz and /metrics.

A SQLite register that does not exist is created, with its key file, and
both are named on standard error; when the token file holds no admin token
one is created and printed once. Stop with SIGINT or SIGTERM: the requests
in flight finish first.

Bearer tokens are API tokens (dsr serve token create: shown once, kept as
SHA-256 hashes in the token file, mode 0600, beside the key file) or, with
--oidc-issuer, OpenID Connect JWTs verified against the issuer's keys.
Roles: viewer (the worklist, by pseudonym), coordinator (people), analyst
(pseudonymised export), admin (tokens, verify, audit).

The same service serves pages for people (package web): sign in at / with
an API token (or an OpenID Connect token); the worklist, each person's page
with the forms of the daily writes, and the rule reference, with the same
roles as the API and every identifiable read audited.

It assesses today's worklist when it starts and just after each midnight
(Europe/London), so the first worklist of a day is answered from the
register's cache.

Unless GOGC is set, the garbage collector's target is 400 (the service's
live heap is small; fewer collections keep the latency's tail short).

Options:
  --addr HOST:PORT    listen address (default 127.0.0.1:8080; port 0: any)
  --db FILE|URL       the register: a SQLite file (default dsr.db), or a
                      PostgreSQL database postgres://… (or DSR_DATABASE_URL)
  --policy NAME       embedded policy bundle (default %s)
  --key-file FILE     the register's key file (or DSR_KEY_FILE; see Keys)
  --tokens FILE       the API token file (default: ID.tokens beside the key file)
  --webhook URL       deliver domain events (person added, rating agreed,
                      Blue Light meeting recorded, review overdue) to URL, at
                      least once, retried with back-off; each carries the
                      person's pseudonymous id, never their id, NHS number or
                      name
  --overdue-every D   how often to look for overdue reviews (default 1h)
  --outbox DIR        where events wait for delivery (default ID.outbox
                      beside the token file)
  --tls-cert FILE     serve HTTPS only, with this PEM certificate chain
  --tls-key FILE      and its private key (TLS 1.2 or later; HSTS sent)
  --oidc-issuer URL   accept JWTs of this OpenID Connect issuer
  --oidc-audience A   the audience they must carry (required with the issuer)
  --oidc-jwks URL     the issuer's keys (default: from its discovery document)
  --oidc-role-claim C the claim holding the role (default dsr_role)
  --oidc-name-claim C the claim naming the member of staff (default sub)
  --frontend DIR      nhsuk-frontend (its npm package folder, or a
                      node_modules holding it; default $DSR_NODE_MODULES):
                      the pages link its stylesheet before their own; when
                      it is not there they use their own alone
` + timeoutUsageText + decisionLogUsageText + `
` + keyUsageText

func serveUsage(w io.Writer) { fmt.Fprintf(w, serveUsageText, policies.DefaultBundle) }

// serveFlags are the flags of dsr serve and dsr serve token create.
type serveFlags struct {
	db, policy, keyFile, tokens string
}

func (f *serveFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.policy, "policy", policies.DefaultBundle, "policy bundle")
	fs.StringVar(&f.keyFile, "key-file", "", "the register's key file")
	fs.StringVar(&f.tokens, "tokens", "", "the API token file")
}

// runServe is `dsr serve ...`.
func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "token" {
		return runServeToken(ctx, args[1:], stdout, stderr)
	}
	fset := newFlagSet("serve")
	var sf serveFlags
	dbFlag(fset, &sf.db, "dsr.db")
	sf.define(fset)
	timeoutFlag(ctx, fset)
	decisionLogFlag(ctx, fset)
	addr := fset.String("addr", "127.0.0.1:8080", "listen address")
	webhook := fset.String("webhook", "", "webhook URL")
	outboxDir := fset.String("outbox", "", "outbox directory")
	overdueEvery := fset.Duration("overdue-every", time.Hour, "how often to look for overdue reviews")
	frontend := fset.String("frontend", os.Getenv("DSR_NODE_MODULES"), "nhsuk-frontend's folder")
	tlsCert := fset.String("tls-cert", "", "TLS certificate chain (PEM)")
	tlsKey := fset.String("tls-key", "", "TLS private key (PEM)")
	var oidc server.OIDC
	fset.StringVar(&oidc.Issuer, "oidc-issuer", "", "OpenID Connect issuer")
	fset.StringVar(&oidc.Audience, "oidc-audience", "", "audience")
	fset.StringVar(&oidc.JWKSURL, "oidc-jwks", "", "JWKS URL")
	fset.StringVar(&oidc.RoleClaim, "oidc-role-claim", "", "role claim")
	fset.StringVar(&oidc.NameClaim, "oidc-name-claim", "", "name claim")
	if _, code, ok := parseCommand(fset, args, serveUsage, stdout, stderr, 0, ""); !ok {
		return code
	}
	defer serveGC()()
	if (*tlsCert == "") != (*tlsKey == "") {
		errorf(stderr, "serve: --tls-cert and --tls-key go together")
		serveUsage(stderr)
		return exitUsage
	}
	if (oidc.Issuer == "") != (oidc.Audience == "") {
		errorf(stderr, "serve: --oidc-issuer and --oidc-audience go together")
		serveUsage(stderr)
		return exitUsage
	}
	created := registerMissing(sf.db)
	reg, store, engine, err := openRegister(ctx, sf.db, sf.policy, nil, sf.keyFile, stderr)
	if err != nil {
		errorf(stderr, "serve: %v", err)
		if created {
			removeRegister(sf.db)
		}
		return exitFailure
	}
	defer store.Close()
	if created {
		errorf(stderr, "serve: created the register %s (id %s)", sf.db, reg.ID())
	}
	tokPath, err := tokenFile(sf, reg.ID())
	if err != nil {
		errorf(stderr, "serve: %v", err)
		return exitFailure
	}
	toks, err := server.OpenTokens(tokPath)
	if err != nil {
		errorf(stderr, "serve: %v", err)
		return exitFailure
	}
	if err := firstAdminToken(toks, stdout, stderr); err != nil {
		errorf(stderr, "serve: %v", err)
		return exitFailure
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	cfg := server.Config{Register: reg, Engine: engine, Bundle: sf.policy, Tokens: toks, Logger: logger, Frontend: *frontend,
		Ready: func(ctx context.Context) error { _, err := register.StoreID(ctx, store); return err }}
	if oidc.Issuer != "" {
		cfg.OIDC = &oidc
	}
	scheme := "http"
	if *tlsCert != "" {
		if cfg.TLS, err = server.LoadTLS(*tlsCert, *tlsKey); err != nil {
			errorf(stderr, "serve: %v", err)
			return exitFailure
		}
		scheme = "https"
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var outboxDone chan struct{}
	if *webhook != "" {
		dir := *outboxDir
		if dir == "" {
			dir = filepath.Join(filepath.Dir(tokPath), reg.ID()+".outbox")
		}
		ob, err := server.OpenOutbox(dir, *webhook)
		if err != nil {
			errorf(stderr, "serve: %v", err)
			return exitUsage
		}
		ob.Logger = logger
		cfg.Outbox = ob
		outboxDone = make(chan struct{})
		go func() { ob.Run(ctx); close(outboxDone) }()
		errorf(stderr, "serve: domain events wait in %s for delivery", dir)
	}
	srv, err := server.New(cfg)
	if err != nil {
		errorf(stderr, "serve: %v", err)
		return exitFailure
	}
	if cfg.Outbox != nil && *overdueEvery > 0 {
		go srv.RunOverdue(ctx, *overdueEvery)
	}
	go srv.Site().KeepWarm(ctx, time.Minute) // the pages' worklist, built ahead
	// Today's worklist, assessed before the first coordinator asks for it.
	go srv.RunWarm(ctx)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		errorf(stderr, "serve: %v", err)
		return exitFailure
	}
	errorf(stderr, "serve: the register %s (%s, policy %s) on %s://%s (tokens in %s)", reg.ID(), shownDB(sf.db), sf.policy, scheme, ln.Addr(), tokPath)
	err = srv.Serve(ctx, ln)
	if outboxDone != nil {
		<-outboxDone
	}
	if err != nil {
		errorf(stderr, "serve: %v", err)
		return exitFailure
	}
	return exitOK
}

// tokenFile is the token file: --tokens, or ID.tokens beside the key file
// (--key-file, DSR_KEY_FILE, or the default key file; with DSR_PASSPHRASE,
// the default key directory).
func tokenFile(sf serveFlags, id string) (string, error) {
	if sf.tokens != "" {
		return sf.tokens, nil
	}
	kf := sf.keyFile
	if kf == "" {
		kf = os.Getenv("DSR_KEY_FILE")
	}
	if kf != "" {
		return filepath.Join(filepath.Dir(kf), id+".tokens"), nil
	}
	dir, err := register.DefaultKeyDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, id+".tokens"), nil
}

// firstAdminToken creates and prints an admin token when the file holds
// none: the only time it is shown.
func firstAdminToken(toks *server.TokenFile, stdout, stderr io.Writer) error {
	list, err := toks.Tokens()
	if err != nil {
		return err
	}
	for _, t := range list {
		if t.Role == register.RoleAdmin {
			return nil
		}
	}
	tok, err := toks.CreateToken("admin", register.RoleAdmin, time.Now())
	if err != nil {
		return err
	}
	errorf(stderr, "serve: created an admin API token (shown this once; keep it safe):")
	fmt.Fprintln(stdout, tok)
	return nil
}

// runServeToken is `dsr serve token create --role ROLE --name NAME`.
func runServeToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || isHelp(args[0]) {
		if len(args) == 0 {
			errorf(stderr, "serve token: want a subcommand: create")
			serveUsage(stderr)
			return exitUsage
		}
		serveUsage(stdout)
		return exitOK
	}
	if args[0] != "create" {
		errorf(stderr, "serve token: unknown subcommand %q", args[0])
		serveUsage(stderr)
		return exitUsage
	}
	fset := newFlagSet("serve token create")
	var sf serveFlags
	dbFlag(fset, &sf.db, "dsr.db")
	sf.define(fset)
	role := fset.String("role", "", "the token's role")
	name := fset.String("name", "", "who or what the token is for")
	if _, code, ok := parseCommand(fset, args[1:], serveUsage, stdout, stderr, 0, ""); !ok {
		return code
	}
	if *role == "" || *name == "" {
		errorf(stderr, "serve token create: --role ROLE and --name NAME are required (roles %s)", strings.Join(register.Roles, ", "))
		serveUsage(stderr)
		return exitUsage
	}
	if err := registerMustExist(sf.db); err != nil {
		errorf(stderr, "serve token create: %v", err)
		return exitUsage
	}
	reg, store, _, err := openRegister(ctx, sf.db, sf.policy, nil, sf.keyFile, stderr)
	if err != nil {
		errorf(stderr, "serve token create: %v", err)
		return exitFailure
	}
	store.Close()
	path, err := tokenFile(sf, reg.ID())
	if err != nil {
		errorf(stderr, "serve token create: %v", err)
		return exitFailure
	}
	toks, err := server.OpenTokens(path)
	if err != nil {
		errorf(stderr, "serve token create: %v", err)
		return exitFailure
	}
	tok, err := toks.CreateToken(*name, *role, time.Now())
	if err != nil {
		var code = exitFailure
		if errors.Is(err, dsr.ErrInvalid) {
			code = exitUsage
		}
		errorf(stderr, "serve token create: %v", err)
		return code
	}
	errorf(stderr, "serve token create: a %s token for %s, kept hashed in %s; shown this once:", *role, *name, path)
	fmt.Fprintln(stdout, tok)
	return exitOK
}

// serveGCPercent is the garbage collector's target for dsr serve unless
// GOGC says otherwise. The service's live heap is small (the engines, the
// register's caches) and each assessment allocates about 56 KB, so the
// default (100) collects every few hundred requests, and the pauses show in
// the latency's tail: at 1,000 requests a second on 2 cores, p99 was
// 5.8-7.9 ms at 100 and 2.5-3.6 ms at 400 (BenchmarkAssessServeVersusOPA),
// for a heap of at most five times the live one (tens of MB).
const serveGCPercent = 400

// serveGC sets the collector's target for the service, and returns what
// puts it back.
func serveGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(serveGCPercent)
	return func() { debug.SetGCPercent(old) }
}
