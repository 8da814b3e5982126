// Command attack does to a register file what an attacker who copied it
// would (see internal/attack): it tries every 16/24/32-byte window of every
// blob as an AES-GCM key against every sealed blob, and searches the raw
// bytes of the file and its -wal for the identifiers given, one per line
// on stdin. It prints what it opened or found and exits 1 if anything, 0
// if nothing. scripts/attack.sh runs it on a demo register.
//
//	go run ./scripts/attack -db FILE < identifiers.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/dsrkit/dsrkit/internal/attack"
)

func main() {
	db := flag.String("db", "", "the register file")
	flag.Parse()
	if *db == "" {
		fmt.Fprintln(os.Stderr, "usage: attack -db FILE < identifiers.txt")
		os.Exit(2)
	}
	var needles []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			needles = append(needles, l)
		}
	}
	start := time.Now()
	blobs, err := attack.Blobs(*db)
	if err != nil {
		fmt.Fprintln(os.Stderr, "attack:", err)
		os.Exit(2)
	}
	var bytes int
	for _, b := range blobs {
		bytes += len(b.Data)
	}
	opened := attack.TryKeys(blobs)
	found, err := attack.Grep(*db, needles)
	if err != nil {
		fmt.Fprintln(os.Stderr, "attack:", err)
		os.Exit(2)
	}
	fmt.Printf("%s: %d blobs (%d bytes) tried as keys against each other; %d identifiers searched for; %s\n",
		*db, len(blobs), bytes, len(needles), time.Since(start).Round(time.Millisecond))
	for _, o := range opened {
		fmt.Printf("OPENED %s with the key at %s: %q\n", o.Cipher, o.Key, o.Plaintext)
	}
	for _, f := range found {
		fmt.Printf("FOUND %q in the raw bytes\n", f)
	}
	if len(opened)+len(found) > 0 {
		os.Exit(1)
	}
	fmt.Println("nothing opened, nothing found")
}
