package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
)

// serveProc is one dsr serve process of the test.
type serveProc struct {
	cmd    *exec.Cmd
	base   string
	stderr string // its file
	stdout string // its file
	wait   chan error
}

// startServeProc starts the dsr binary bin as `dsr serve` with args and
// waits until it says where it listens.
func startServeProc(t *testing.T, bin string, env []string, args ...string) *serveProc {
	t.Helper()
	errFile := filepath.Join(t.TempDir(), "stderr")
	ef, err := os.Create(errFile)
	if err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(filepath.Dir(errFile), "stdout")
	of, err := os.Create(outFile)
	if err != nil {
		t.Fatal(err)
	}
	// Files, not pipes: the child writes them itself, so what it printed
	// before the line saying where it listens is there once that line is.
	p := &serveProc{stderr: errFile, stdout: outFile}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = env
	p.cmd.Stderr, p.cmd.Stdout = ef, of
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait(); ef.Close(); of.Close() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
		}
	})
	for {
		b, _ := os.ReadFile(errFile)
		if m := servingOn.FindSubmatch(b); m != nil {
			p.base = string(m[1])
			// The Wait goroutine is the process's: stop waits on it.
			p.wait = exited
			return p
		}
		select {
		case err := <-exited:
			t.Fatalf("dsr serve exited (%v): %s", err, b)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-p.wait; err != nil {
		b, _ := os.ReadFile(p.stderr)
		t.Errorf("dsr serve at %s exited with %v: %s", p.base, err, b)
	}
}

// TestServeFourProcessesOnePostgreSQL runs four dsr serve processes on one
// PostgreSQL register and eight clients, each writing agreed ratings with
// If-Match to people shared by all and to a person of its own, round robin
// over the processes, for a bounded number of writes. Every write answered
// 200 is in the register exactly once; every write answered 409 carries
// the current version and is not in the register; nothing else is
// answered; the log verifies.
func TestServeFourProcessesOnePostgreSQL(t *testing.T) {
	contend(t, postgresRegister(t), 4)
}

// TestServeConcurrentSQLite is the same with one process on a SQLite
// register: eight clients at once on one file.
func TestServeConcurrentSQLite(t *testing.T) {
	contend(t, filepath.Join(t.TempDir(), "serve.db"), 1)
}

// dsrBinary builds the dsr binary into the test's temporary directory.
func dsrBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dsr")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// contend runs nprocs dsr serve processes on the register db (the first
// creates it) and the eight clients of TestServeFourProcessesOnePostgreSQL.
func contend(t *testing.T, db string, nprocs int) {
	dir := t.TempDir()
	bin := dsrBinary(t)
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DSR_") && !strings.HasPrefix(e, "XDG_CONFIG_HOME=") {
			env = append(env, e)
		}
	}
	env = append(env, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	common := []string{"--db", db, "--key-file", filepath.Join(dir, "reg.key"), "--tokens", filepath.Join(dir, "reg.tokens")}
	// The first creates the register and the admin token; the others open it.
	procs := []*serveProc{startServeProc(t, bin, env, common...)}
	out, _ := os.ReadFile(procs[0].stdout)
	admin := strings.TrimSpace(string(out))
	if !strings.HasPrefix(admin, "dsr_") {
		t.Fatalf("no admin token: %q", admin)
	}
	for range nprocs - 1 {
		procs = append(procs, startServeProc(t, bin, env, common...))
	}
	defer func() {
		for _, p := range procs {
			p.stop(t)
		}
	}()
	client := &http.Client{Timeout: 60 * time.Second}
	do := func(p *serveProc, method, path, token string, body any, hdr ...string) (int, []byte, http.Header) {
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, p.base+path, r)
		req.Header.Set("Authorization", "Bearer "+token)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, []byte(err.Error()), nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b, resp.Header
	}
	// A coordinator token, made through one process, taken by all (they
	// share the token file).
	s, b, _ := do(procs[0], "POST", "/v1/tokens", admin, map[string]any{"name": "load-client", "role": "coordinator"})
	if s != 201 {
		t.Fatalf("token: %d %s", s, b)
	}
	var tc struct{ Token string }
	json.Unmarshal(b, &tc)
	coord := tc.Token

	const clients, shared, writesPerClient = 8, 2, 40
	person := func(id string, n int) map[string]any {
		return map[string]any{
			"person":        map[string]any{"id": id, "nhs_number": string(dsr.TestNHSNumber(9100 + n)), "date_of_birth": "2015-09-15", "autism": true},
			"circumstances": map[string]any{"in_crisis": true},
			"events":        []any{map[string]any{"type": "consent_given", "date": "2026-03-02", "given_by": "parent", "scope": []string{"dsr"}}},
		}
	}
	var people []string
	for i := range shared + clients {
		id := fmt.Sprintf("pg-p%d", i)
		if s, b, _ := do(procs[i%len(procs)], "POST", "/v1/people", coord, person(id, i)); s != 201 {
			t.Fatalf("add %s: %d %s", id, s, b)
		}
		people = append(people, id)
	}

	type result struct {
		acked, conflicted []string // markers
		other             []string
	}
	results := make([]result, clients)
	// Bounded in writes and in time: a client stops at writesPerClient or
	// at the deadline, whichever comes first.
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[c]
			version := map[string]string{}
			own := people[shared+c]
			for n := range writesPerClient {
				if time.Now().After(deadline) {
					return
				}
				id := people[n%shared] // shared, then own, in turn
				if n%3 == 2 {
					id = own
				}
				p := procs[(c+n)%len(procs)]
				marker := fmt.Sprintf("w%d_%d", c, n)
				rating := []string{"red", "amber"}[n%2]
				var hdr []string
				if v := version[id]; v != "" {
					hdr = []string{"If-Match", v}
				}
				s, b, h := do(p, "POST", "/v1/people/"+id+"/rating", coord, map[string]any{"rating": rating, "reason": "agreed " + marker + "."}, hdr...)
				switch s {
				case 200:
					res.acked = append(res.acked, id+" "+marker)
					version[id] = h.Get("ETag")
				case 409:
					var pr struct {
						CurrentVersion *int64 `json:"current_version"`
					}
					json.Unmarshal(b, &pr)
					if pr.CurrentVersion == nil || h.Get("ETag") == "" {
						res.other = append(res.other, fmt.Sprintf("409 without the current version: %s", b))
					}
					res.conflicted = append(res.conflicted, id+" "+marker)
					version[id] = h.Get("ETag")
				default:
					res.other = append(res.other, fmt.Sprintf("%s via %s: %d %s", marker, p.base, s, b))
				}
			}
		}()
	}
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)

	// What the register holds: every agreed rating's marker, by person.
	found := map[string]int{}
	marker := regexp.MustCompile(`agreed (w[0-9]+_[0-9]+)\.`)
	for i, id := range people {
		s, b, _ := do(procs[i%len(procs)], "GET", "/v1/people/"+id+"/history?why=load+test+check", coord, nil)
		if s != 200 {
			t.Fatalf("history of %s: %d %s", id, s, b)
		}
		for _, m := range marker.FindAllSubmatch(b, -1) {
			found[id+" "+string(m[1])]++
		}
	}
	var acked, conflicts int
	for c, r := range results {
		for _, o := range r.other {
			t.Errorf("client %d: %s", c, o)
		}
		for _, m := range r.acked {
			acked++
			if found[m] != 1 {
				t.Errorf("acknowledged write %s is in the register %d times", m, found[m])
			}
		}
		for _, m := range r.conflicted {
			conflicts++
			if found[m] != 0 {
				t.Errorf("write %s answered 409 is in the register", m)
			}
		}
	}
	if acked+conflicts == 0 {
		t.Fatal("no write answered")
	}
	if len(found) != acked {
		t.Errorf("the register holds %d marked writes, %d were acknowledged", len(found), acked)
	}
	if conflicts == 0 {
		t.Error("no conflicts: the clients did not contend, so the test shows nothing")
	}
	s, b, _ = do(procs[len(procs)-1], "GET", "/v1/verify", admin, nil)
	if s != 200 || !strings.Contains(string(b), `"verified":true`) {
		t.Errorf("verify: %d %s", s, b)
	}
	t.Logf("%d process(es), %d clients, %d writes in %v: %d acknowledged (each in the register once), %d answered 409 (none in the register), verify clean",
		nprocs, clients, acked+conflicts, elapsed.Round(time.Millisecond), acked, conflicts)
}
