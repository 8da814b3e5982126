package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
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
func registerKeys(ctx context.Context, store *sqlitestore.Store, keyFile string, stderr io.Writer) ([]register.Option, error) {
	id, err := register.StoreID(ctx, store)
	if err != nil {
		return nil, err
	}
	fresh := id == ""
	var opts []register.Option
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
			return nil, fmt.Errorf("%w: DSR_PASSPHRASE is set but empty", register.ErrNoKey)
		}
		w = register.Passphrase(pass, register.DefaultArgon2)
		if cpDir, err = register.DefaultKeyDir(); err != nil {
			return nil, err
		}
	default:
		if keyFile == "" {
			if keyFile, err = register.DefaultKeyFile(id); err != nil {
				return nil, err
			}
		}
		cpDir = filepath.Dir(keyFile)
		w, err = register.OpenKeyFile(keyFile)
		if fresh && errors.Is(err, register.ErrNoKey) {
			if _, serr := os.Stat(keyFile); errors.Is(serr, fs.ErrNotExist) {
				if w, err = register.CreateKeyFile(keyFile); err == nil {
					fmt.Fprintf(stderr, "dsr: created the key file %s for the new register %s: keep it safe and apart from the register, which cannot be read without it\n", keyFile, id)
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("register %s: %w (give --key-file FILE or DSR_KEY_FILE, or DSR_PASSPHRASE)", id, err)
		}
	}
	cp := register.FileCheckpoints(filepath.Join(cpDir, id+".checkpoint"))
	return append(opts, register.WithKeys(w), register.WithCheckpoints(cp)), nil
}
