package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer for a command's output read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var servingOn = regexp.MustCompile(`on (https?://127\.0\.0\.1:[0-9]+) `)

// startServe runs dsr serve with args in-process on 127.0.0.1:0 and
// returns its base URL, its standard output (the admin token) and stop,
// which shuts it down and returns its exit status.
func startServe(t *testing.T, args ...string) (base string, stdout, stderr *lockedBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), stdout, stderr)
	}()
	for {
		if m := servingOn.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("dsr serve exited %d: %s", code, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return base, stdout, stderr, func() int { cancel(); return <-done }
}

func call(t *testing.T, method, url, token string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestServeSQLite: dsr serve creates the register and its key, prints an
// admin token once, serves; dsr serve token create makes a coordinator
// token that writes; a second start prints no new admin token; SIGINT-like
// cancellation exits 0.
func TestServeSQLite(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("DSR_DATABASE_URL", "")
	db := filepath.Join(t.TempDir(), "serve.db")
	events := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		events <- string(b)
	}))
	defer hook.Close()
	base, stdout, stderr, stop := startServe(t, "--db", db, "--webhook", hook.URL, "--overdue-every", "0")
	admin := strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(admin, "dsr_") {
		t.Fatalf("no admin token on stdout: %q; stderr %s", admin, stderr.String())
	}
	for _, want := range []string{"created the register " + db, "created the key file", "admin API token"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q: %s", want, stderr.String())
		}
	}
	if s, b := call(t, "GET", base+"/v1/verify", admin, nil); s != 200 || !strings.Contains(string(b), `"verified":true`) {
		t.Errorf("verify: %d %s", s, b)
	}
	if s, _ := call(t, "GET", base+"/v1/verify", "", nil); s != 401 {
		t.Errorf("verify without a token: %d", s)
	}

	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"serve", "token", "create", "--db", db, "--role", "coordinator", "--name", "coord-1"}, nil, &out, &errb); code != 0 {
		t.Fatalf("token create: %d %s", code, errb.String())
	}
	coord := strings.TrimSpace(out.String())
	np := map[string]any{
		"person":        map[string]any{"id": "serve-p1", "nhs_number": "9990000018", "date_of_birth": "2015-09-15", "autism": true},
		"circumstances": map[string]any{"in_crisis": true},
		"events":        []any{map[string]any{"type": "consent_given", "date": "2026-03-02", "given_by": "parent", "scope": []string{"dsr"}}},
	}
	if s, b := call(t, "POST", base+"/v1/people", coord, np); s != 201 {
		t.Errorf("add with the new coordinator token: %d %s", s, b)
	}
	if s, _ := call(t, "POST", base+"/v1/people", admin, np); s != 403 {
		t.Errorf("add with the admin token: %d, want 403", s)
	}
	// The webhook hears of the person, by pseudonym.
	if ev := <-events; !strings.Contains(ev, `"kind":"person_added"`) || strings.Contains(ev, "serve-p1") || strings.Contains(ev, "9990000018") {
		t.Errorf("event %s", ev)
	}
	// A write made by another process (the CLI, on the same file) is
	// relayed from the register's log too.
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"register", "agree", "serve-p1", "amber", "--reason", "agreed at the meeting", "--db", db, "--by", "coord-2", "--role", "coordinator"}, nil, &out, &errb); code != 0 {
		t.Fatalf("register agree: %d %s", code, errb.String())
	}
	select {
	case ev := <-events:
		if !strings.Contains(ev, `"kind":"rating_agreed"`) || !strings.Contains(ev, `"rating":"amber"`) || strings.Contains(ev, "serve-p1") {
			t.Errorf("event %s", ev)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook never heard of the rating the CLI recorded")
	}
	if code := stop(); code != 0 {
		t.Fatalf("dsr serve exited %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "serve-p1") || strings.Contains(stderr.String(), "9990000018") {
		t.Errorf("the log names the person: %s", stderr.String())
	}

	_, stdout2, _, stop2 := startServe(t, "--db", db)
	if s := stdout2.String(); s != "" {
		t.Errorf("a second start printed %q: the admin token is shown once", s)
	}
	if code := stop2(); code != 0 {
		t.Errorf("second run exited %d", code)
	}
}
