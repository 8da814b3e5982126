package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// Every write command reads its JSON with decodeInput or decodeOneOrMany,
// and checks its input (the JSON and the ids in its arguments) before it
// opens the register: a refusal leaves the register file untouched, byte
// for byte.

// decodeInput reads the JSON input name (a file, or - for standard input)
// into v with dsr.DecodeStrict: at most dsr.MaxInputBytes, no trailing
// data, no key given twice, exact-case keys, valid UTF-8, no null document,
// no unknown fields. Bad input is a *dsr.ValidationError naming the field;
// an input that cannot be read is an error that is not dsr.ErrInvalid.
func decodeInput(name string, stdin io.Reader, v any) error {
	r, done, err := openInput(name, stdin)
	if err != nil {
		return err
	}
	defer done()
	return dsr.DecodeStrict(r, dsr.MaxInputBytes, v)
}

// decodeOneOrMany reads a JSON object, or an array of them, into *dst,
// as decodeInput does.
func decodeOneOrMany[T any](name string, stdin io.Reader, dst *[]T) error {
	raw, err := readRawInput(name, stdin)
	if err != nil {
		return err
	}
	return unmarshalOneOrMany(raw, dst)
}

// readRawInput reads the input name (a file, or - for standard input),
// at most dsr.MaxInputBytes, for a command that decodes it itself.
func readRawInput(name string, stdin io.Reader) ([]byte, error) {
	r, done, err := openInput(name, stdin)
	if err != nil {
		return nil, err
	}
	defer done()
	raw, err := io.ReadAll(io.LimitReader(r, dsr.MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(raw) > dsr.MaxInputBytes {
		return nil, &dsr.ValidationError{Field: "$", Problem: fmt.Sprintf("input larger than the limit of %d bytes", dsr.MaxInputBytes)}
	}
	return raw, nil
}

// unmarshalOneOrMany decodes a JSON object, or an array of them, into
// *dst with dsr.UnmarshalStrict.
func unmarshalOneOrMany[T any](raw []byte, dst *[]T) error {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		var many []T
		if err := dsr.UnmarshalStrict(raw, &many); err != nil {
			return err
		}
		*dst = many
		return nil
	}
	var one T
	if err := dsr.UnmarshalStrict(raw, &one); err != nil {
		return err
	}
	*dst = []T{one}
	return nil
}

// openInput opens the file name, or standard input for "-".
func openInput(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// checkArgIDs checks ids given as arguments (name, id pairs: "ID", "p1")
// against dsr.ValidID.
func checkArgIDs(pairs ...string) error {
	var errs []error
	for i := 0; i+1 < len(pairs); i += 2 {
		errs = append(errs, dsr.ValidID(pairs[i], pairs[i+1]))
	}
	return errors.Join(errs...)
}

// checkActor checks the --by id, when given (the register says when it is
// missing).
func checkActor(by register.Actor) error {
	if by.ID == "" {
		return nil
	}
	return dsr.ValidID("by.id", by.ID)
}

// reportInput prints err for the command group ("register add") and
// returns the exit status: invalid input (dsr.ErrInvalid, not a consent
// refusal) is 2, each problem on its own line naming its field and rule;
// anything else is 1.
func reportInput(stderr io.Writer, group string, err error) int {
	if errors.Is(err, register.ErrConsentRequired) || !errors.Is(err, dsr.ErrInvalid) {
		errorf(stderr, "%s: %v", group, err)
		return exitFailure
	}
	printed := false
	for _, e := range problems(err) {
		var ve *dsr.ValidationError
		if errors.As(e, &ve) {
			errorf(stderr, "%s: invalid: %v", group, ve)
			printed = true
		}
	}
	if !printed {
		errorf(stderr, "%s: %v", group, err)
	}
	return exitUsage
}

// problems unpacks err into the errors it joins, at any depth, through
// the wrapping that adds context ("dsr: adding person ...: ").
func problems(err error) []error {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		var out []error
		for _, x := range e.Unwrap() {
			out = append(out, problems(x)...)
		}
		return out
	case *dsr.ValidationError:
		return []error{e}
	case interface{ Unwrap() error }:
		if inner := e.Unwrap(); inner != nil {
			return problems(inner)
		}
	}
	return []error{err}
}

// registerMustExist refuses a register file that does not exist: only the
// commands that add people (dsr demo, dsr register add) create a register,
// so a mistyped --db is an error, not a new empty register.
//
// A PostgreSQL URL is not a file: the database's own connection and
// schema checks stand in for this one (and the URL, which may hold a
// password, is never printed).
func registerMustExist(file string) error {
	if isDatabaseURL(file) {
		return nil
	}
	_, err := os.Stat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--db %s: no such register file (only dsr demo, dsr register add and dsr register refer create one)", file)
	}
	return err
}

// openExisting opens the register a read command names, which must exist
// (registerMustExist), on the CLI's clock. On failure it has said why on
// stderr, as group, and code is the exit code (usage for a missing file);
// the caller closes store.
func openExisting(ctx context.Context, group, db, policy string, params paramFlag, keyFile string, stderr io.Writer) (reg *register.Register, store register.Store, code int, ok bool) {
	if err := registerMustExist(db); err != nil {
		errorf(stderr, "%s: %v", group, err)
		return nil, nil, exitUsage, false
	}
	reg, store, _, err := openRegister(ctx, db, policy, params, keyFile, stderr, register.WithClock(cliNow))
	if err != nil {
		errorf(stderr, "%s: %v", group, err)
		return nil, nil, exitFailure, false
	}
	return reg, store, exitOK, true
}

// registerMissing reports whether the register file does not exist yet, so
// a command that creates it can say so, or remove it again if its first
// write is refused.
func registerMissing(file string) bool {
	if isDatabaseURL(file) {
		return false
	}
	_, err := os.Stat(file)
	return errors.Is(err, fs.ErrNotExist)
}

// removeRegister removes a register file this run created, with SQLite's
// companion files.
func removeRegister(file string) {
	for _, f := range []string{file, file + "-wal", file + "-shm", file + "-journal"} {
		os.Remove(f)
	}
}
