// Package attack does to a register file what an attacker who copied it
// would, without dsrkit's register code: it reads the SQLite file and its
// -wal with the SQLite driver alone, collects every blob, tries every 16,
// 24 and 32-byte window of every blob as an AES-GCM key against every blob
// that could be a sealed payload or a wrapped key, and searches the raw
// bytes for known identifiers. The register's own tests and
// scripts/attack.sh use it; its own test shows it opens a file that keeps
// its keys beside its ciphertext.
package attack

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	_ "modernc.org/sqlite" // the SQLite driver, as "sqlite"
)

// Files are the register file's companions an attacker would take with it.
var Files = []string{"", "-wal", "-shm", "-journal"}

// Raw returns the bytes of file and each companion that exists.
func Raw(file string) ([]byte, error) {
	var all []byte
	for _, suffix := range Files {
		b, err := os.ReadFile(file + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		all = append(all, b...)
	}
	return all, nil
}

// Grep returns the needles found in the raw bytes of file and its
// companions.
func Grep(file string, needles []string) ([]string, error) {
	raw, err := Raw(file)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, n := range needles {
		if n != "" && bytes.Contains(raw, []byte(n)) {
			found = append(found, n)
		}
	}
	return found, nil
}

// Blob is one value read from the file: its table, column and row.
type Blob struct {
	Where string
	Data  []byte
	// AAD is what the register's format binds the blob to, when the
	// attacker can tell (a payload's stream, version and type; a key's
	// stream): tried besides none.
	AAD [][]byte
}

// Blobs copies file and its -wal to a temporary directory (so nothing of
// the original changes), opens the copy with the SQLite driver and returns
// every blob and text value of every table, with base64 inside JSON text
// decoded too.
func Blobs(file string) ([]Blob, error) {
	dir, err := os.MkdirTemp("", "attack-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cp := filepath.Join(dir, "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(file + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(cp+suffix, b, 0o600); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", "file:"+cp)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tables, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return nil, err
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	var out []Blob
	for _, t := range names {
		rows, err := db.Query(`SELECT * FROM "` + t + `"`)
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		row := 0
		for rows.Next() {
			row++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			get := func(name string) string {
				for i, c := range cols {
					if c == name {
						switch v := vals[i].(type) {
						case string:
							return v
						case []byte:
							return string(v)
						case int64:
							return strconv.FormatInt(v, 10)
						}
					}
				}
				return ""
			}
			for i, v := range vals {
				where := fmt.Sprintf("%s.%s row %d", t, cols[i], row)
				var b []byte
				switch v := v.(type) {
				case []byte:
					b = v
				case string:
					b = []byte(v)
				default:
					continue
				}
				blob := Blob{Where: where, Data: b}
				switch {
				case t == "records" && cols[i] == "payload":
					blob.AAD = [][]byte{[]byte(get("stream") + "\x00" + get("version") + "\x00" + get("type"))}
				case t == "streams" && cols[i] == "key":
					blob.AAD = [][]byte{[]byte(get("name"))}
				}
				out = append(out, blob)
				out = append(out, decoded(where, b)...)
			}
		}
		rows.Close()
	}
	return out, nil
}

// decoded returns the base64 strings inside JSON text, decoded.
func decoded(where string, b []byte) []Blob {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	var out []Blob
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			if d, err := base64.StdEncoding.DecodeString(v); err == nil && len(d) > 0 {
				out = append(out, Blob{Where: where + " (base64)", Data: d})
			}
		}
	}
	walk(v)
	return out
}

// Opened is a blob that opened with a key found in the file.
type Opened struct {
	Cipher, Key string
	Plaintext   []byte
}

// TryKeys tries every 16, 24 and 32-byte window of every blob as an
// AES-GCM key (12-byte nonce first, as the register seals) against every
// blob long enough to be sealed, with no additional data and with the
// blob's AAD, and returns what opened.
func TryKeys(blobs []Blob) []Opened {
	var sealed []Blob
	for _, b := range blobs {
		if len(b.Data) >= 12+16 {
			sealed = append(sealed, b)
		}
	}
	var out []Opened
	seen := map[string]bool{}
	for _, kb := range blobs {
		for _, size := range []int{16, 24, 32} {
			for off := 0; off+size <= len(kb.Data); off++ {
				k := kb.Data[off : off+size]
				if seen[string(k)] {
					continue
				}
				seen[string(k)] = true
				block, _ := aes.NewCipher(k)
				g, _ := cipher.NewGCM(block)
				for _, c := range sealed {
					for _, aad := range append([][]byte{nil}, c.AAD...) {
						if pt, err := g.Open(nil, c.Data[:12], c.Data[12:], aad); err == nil {
							out = append(out, Opened{Cipher: c.Where, Key: fmt.Sprintf("%s bytes %d..%d", kb.Where, off, off+size), Plaintext: pt})
						}
					}
				}
			}
		}
	}
	return out
}
