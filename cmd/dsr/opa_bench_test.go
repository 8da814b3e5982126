package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/rego"
	"github.com/dsrkit/dsrkit/internal/testtools"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
	"github.com/dsrkit/dsrkit/server"
)

// benchCase is the case both sides assess: a 13-year-old autistic child
// in crisis with their parent's consent (RED, on the register).
const benchCase = `{"as_of": "2026-04-01", "person": {"id": "bench-1", "date_of_birth": "2012-09-15", "autism": true},
  "circumstances": {"in_crisis": true},
  "events": [{"type": "consent_given", "date": "2026-03-02", "given_by": "parent", "scope": ["dsr"]}]}`

// loadHTTP sends b.N requests (each do(client) is one) from 8 clients
// and reports req/s, p50 and p99.
func loadHTTP(b *testing.B, do func(*http.Client) error) { loadHTTPEvery(b, 0, do) }

// loadHTTPEvery is loadHTTP with request i sent at start + i*every (0: as
// fast as the workers go), its latency counted from then, so a slow answer
// that delays the next ones counts against them too.
func loadHTTPEvery(b *testing.B, every time.Duration, do func(*http.Client) error) {
	const workers = 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	lat := make([]time.Duration, b.N)
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if every > 0 {
					t0 = start.Add(time.Duration(i) * every)
					time.Sleep(time.Until(t0))
				}
				if err := do(client); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d requests failed: %v", n, firstErr.Load())
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "assessments/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

func post(client *http.Client, url, token string, body []byte) ([]byte, error) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: %d %s", url, resp.StatusCode, b)
	}
	return b, err
}

// BenchmarkAssessServeVersusOPA assesses one case over HTTP on 127.0.0.1,
// 8 clients, side by side: dsr's POST /v1/assess (one request: auth,
// strict decoding, the case schema, the facts, five decision points, the
// assessment), and `opa run --server` on the bundle `dsr policy build`
// writes, asked the five decision points of an assessment (eligibility,
// consent, rating, actions, review_cadence) one request each, with the
// input the engine builds computed once beforehand (so OPA is spared the
// decoding, the facts and the assembling of the answer). The OPA side
// needs the opa binary: OPA_BIN, or opa on PATH; without it that half is
// skipped, saying so.
//
//	go test ./cmd/dsr -run '^$' -bench ServeVersusOPA -benchtime=2000x
func BenchmarkAssessServeVersusOPA(b *testing.B) {
	ctx := context.Background()
	_, engine, err := loadPolicy(ctx, policies.DefaultBundle, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	// dsr serve as fast as 8 clients go, then paced at the rate
	// of 1,000 requests a second (latency counted from each request's
	// slot), with the collector set as dsr serve sets it.
	defer serveGC()()
	for _, run := range []struct {
		name  string
		every time.Duration
	}{{"dsr-serve", 0}, {"dsr-serve at 1000 per second", time.Millisecond}} {
		b.Run(run.name, func(b *testing.B) {
			reg, err := register.Open(ctx, memstore.New(), engine, register.WithKeys(register.MemoryKey()), register.WithConsentPolicy(consent.National2023))
			if err != nil {
				b.Fatal(err)
			}
			toks, _ := server.OpenTokens(filepath.Join(b.TempDir(), "t.tokens"))
			tok, _ := toks.CreateToken("bench", register.RoleViewer, time.Now())
			srv, err := server.New(server.Config{Register: reg, Engine: engine, Tokens: toks})
			if err != nil {
				b.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler())
			defer ts.Close()
			body := []byte(benchCase)
			loadHTTPEvery(b, run.every, func(c *http.Client) error {
				_, err := post(c, ts.URL+"/v1/assess", tok, body)
				return err
			})
		})
	}
	b.Run("opa-server", func(b *testing.B) {
		bin := os.Getenv("OPA_BIN")
		if bin == "" {
			bin, _ = exec.LookPath("opa")
		}
		if bin == "" {
			// .ci/run builds opa and exports OPA_BIN, so there the
			// comparison always runs.
			if testtools.UnderCI() {
				b.Fatal("no opa binary under CI: .ci/run exports OPA_BIN")
			}
			b.Skip("no opa binary: set OPA_BIN (GOBIN=/tmp/opabin go install github.com/open-policy-agent/opa@VERSION)")
		}
		dir := b.TempDir()
		archive := filepath.Join(dir, "national-2023.tar.gz")
		var out, errb bytes.Buffer
		if code := run(ctx, []string{"policy", "build", policies.DefaultBundle, "-o", archive}, nil, &out, &errb); code != 0 {
			b.Fatalf("policy build: %s", errb.String())
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, "run", "--server", "--addr", addr, "--log-level", "error", "--bundle", archive)
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		for {
			if resp, err := http.Get("http://" + addr + "/health?bundles"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		c, err := dsr.UnmarshalCase([]byte(benchCase))
		if err != nil {
			b.Fatal(err)
		}
		a, err := engine.Assess(ctx, c)
		if err != nil {
			b.Fatal(err)
		}
		facts := dsr.Derive(&c)
		// The input's Rego text is JSON: it holds objects, arrays, strings,
		// numbers and booleans only.
		var in any
		if err := json.Unmarshal([]byte(fmt.Sprint(rego.BuildInput(&c, &facts))), &in); err != nil {
			b.Fatal(err)
		}
		day := func(s string) int64 { t, _ := time.Parse("2006-01-02", s); return t.Unix() / 86400 }
		in.(map[string]any)["decisions"] = map[string]any{"eligible": a.Eligible, "consent_valid": a.Consent.Valid, "on_register": a.OnRegister,
			"rating": a.Rating.String(), "rating_since": day("2026-04-01"), "consent_date": day("2026-03-02")}
		body, _ := json.Marshal(map[string]any{"input": in})
		points := []string{"eligibility", "consent", "rating", "actions", "review_cadence"}
		// The answers are decisions, as the engine's are.
		for _, p := range points {
			res, err := post(http.DefaultClient, "http://"+addr+"/v1/data/dsr/"+p+"/decision", "", body)
			if err != nil || !strings.Contains(string(res), `"result":{`) {
				b.Fatalf("opa %s: %v %s", p, err, res)
			}
		}
		loadHTTP(b, func(cl *http.Client) error {
			for _, p := range points {
				if _, err := post(cl, "http://"+addr+"/v1/data/dsr/"+p+"/decision", "", body); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
