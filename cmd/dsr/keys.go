package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// keyUsageText is the part of every register command's usage about keys.
const keyUsageText = `Keys: the register's records are sealed with per-person keys, wrapped by a
key-encryption key kept outside the file: --key-file FILE (or DSR_KEY_FILE),
or a passphrase in DSR_PASSPHRASE; by default the key file ID.key in
$XDG_CONFIG_HOME/dsrkit (or ~/.config/dsrkit), ID the register's id. A new
register creates its key file and says where; the checkpoint of its log
(ID.checkpoint) is kept beside it.
`

// registerKeys chooses the key-encryption key and checkpoint of the
// register in store: --key-file or DSR_KEY_FILE, else DSR_PASSPHRASE, else
// the default key file named for the register's id. A register that does
// not exist yet gets its key file created (saying where on stderr); one
// that exists must find its key, or the error names what is missing.
func registerKeys(ctx context.Context, store register.Store, keyFile string, stderr io.Writer) (opts []register.Option, source string, err error) {
	id, err := register.StoreID(ctx, store)
	if err != nil {
		return nil, "", err
	}
	fresh := id == ""
	if fresh {
		id = register.NewRegisterID()
		opts = append(opts, register.WithRegisterID(id))
	}
	if keyFile == "" {
		keyFile = os.Getenv("DSR_KEY_FILE")
	}
	pass, havePass := os.LookupEnv("DSR_PASSPHRASE")
	var w register.KeyWrapper
	var cpDir string
	switch {
	case keyFile == "" && havePass:
		if pass == "" {
			return nil, "", fmt.Errorf("%w: DSR_PASSPHRASE is set but empty", register.ErrNoKey)
		}
		w = register.Passphrase(pass, register.DefaultArgon2)
		source = "DSR_PASSPHRASE"
		if cpDir, err = register.DefaultKeyDir(); err != nil {
			return nil, "", err
		}
	default:
		if keyFile == "" {
			if keyFile, err = register.DefaultKeyFile(id); err != nil {
				return nil, "", err
			}
		}
		cpDir = filepath.Dir(keyFile)
		if !fresh {
			finishRekey(ctx, store, keyFile)
		}
		w, err = register.OpenKeyFile(keyFile)
		if fresh && errors.Is(err, register.ErrNoKey) {
			if _, serr := os.Stat(keyFile); errors.Is(serr, fs.ErrNotExist) {
				if w, err = register.CreateKeyFile(keyFile); err == nil {
					fmt.Fprintf(stderr, "dsr: created the key file %s for the new register %s: keep it safe and apart from the register, which cannot be read without it\n", keyFile, id)
				}
			}
		}
		if err != nil {
			return nil, "", fmt.Errorf("register %s: %w (give --key-file FILE or DSR_KEY_FILE, or DSR_PASSPHRASE)", id, err)
		}
		source = "key file " + keyFile
	}
	cp := register.FileCheckpoints(filepath.Join(cpDir, id+".checkpoint"))
	return append(opts, register.WithKeys(w), register.WithCheckpoints(cp)), source, nil
}

// rekey is `dsr register rekey`: the new KEK is newKeyFile (created if
// missing), or DSR_NEW_PASSPHRASE; a register on its default key file gets
// a new default key file, written beside it as ID.key.new and renamed over
// the old one once the rekey commits (registerKeys finishes the rename if
// the process dies in between).
func rekey(ctx context.Context, reg *register.Register, keyFile, newKeyFile string, stdout io.Writer) error {
	var next register.KeyWrapper
	var promote string
	pass, havePass := os.LookupEnv("DSR_NEW_PASSPHRASE")
	switch {
	case newKeyFile == "" && havePass:
		if pass == "" {
			return fmt.Errorf("%w: DSR_NEW_PASSPHRASE is set but empty", register.ErrNoKey)
		}
		next = register.Passphrase(pass, register.DefaultArgon2)
	case newKeyFile == "":
		_, envPass := os.LookupEnv("DSR_PASSPHRASE")
		if keyFile != "" || os.Getenv("DSR_KEY_FILE") != "" || envPass {
			return fmt.Errorf("%w: name the new key: --new-key-file FILE or DSR_NEW_PASSPHRASE", dsr.ErrInvalid)
		}
		def, err := register.DefaultKeyFile(reg.ID())
		if err != nil {
			return err
		}
		newKeyFile, promote = def+".new", def
		fallthrough
	default:
		w, err := register.OpenKeyFile(newKeyFile)
		if errors.Is(err, register.ErrNoKey) {
			if _, serr := os.Stat(newKeyFile); errors.Is(serr, fs.ErrNotExist) {
				w, err = register.CreateKeyFile(newKeyFile)
			}
		}
		if err != nil {
			return err
		}
		next = w
	}
	if err := reg.Rekey(ctx, next); err != nil {
		return err
	}
	where := "DSR_NEW_PASSPHRASE"
	switch {
	case promote != "":
		if err := os.Rename(newKeyFile, promote); err != nil {
			return fmt.Errorf("rekeyed under %s, but replacing %s failed: %w", newKeyFile, promote, err)
		}
		where = promote
	case newKeyFile != "":
		where = newKeyFile
	}
	fmt.Fprintf(stdout, "register %s rekeyed: every key re-wrapped under the new key (%s); the old key no longer opens it\n", reg.ID(), where)
	return nil
}

// finishRekey renames FILE.new over FILE when a rekey committed under it
// but died before the rename: when FILE.new is the register's key.
func finishRekey(ctx context.Context, store register.Store, keyFile string) {
	w, err := register.OpenKeyFile(keyFile + ".new")
	if err != nil {
		return
	}
	if id, err := register.StoreKeyID(ctx, store); err == nil && id == w.KeyID() {
		os.Rename(keyFile+".new", keyFile)
	}
}

// actorOf fills in who runs a command from DSR_BY and DSR_ROLE where
// --by and --role are not given, and checks both: every register command
// names a member of staff with one of the roles.
func actorOf(by *register.Actor) error {
	if by.ID == "" {
		by.ID = os.Getenv("DSR_BY")
	}
	if by.Role == "" {
		by.Role = os.Getenv("DSR_ROLE")
	}
	if by.ID == "" || by.Role == "" {
		return fmt.Errorf("--by ID and --role ROLE (or DSR_BY and DSR_ROLE) are required: who runs the command, one of roles %s", strings.Join(register.Roles, ", "))
	}
	return by.Validate()
}

// printAudit prints a person's audit, one line a record.
func printAudit(w io.Writer, id string, entries []register.AuditEntry) {
	fmt.Fprintf(w, "Audit of %s: %d records\n", id, len(entries))
	for _, e := range entries {
		verb := "wrote " + e.Type
		if e.Read {
			verb = "read " + e.What
			if e.Why != "" {
				verb += " (" + e.Why + ")"
			}
		}
		fmt.Fprintf(w, "#%d  %s  %s (%s)  %s\n", e.Seq, e.At.In(calendar.London).Format("2006-01-02 15:04"), e.By.ID, e.By.Role, verb)
	}
}
