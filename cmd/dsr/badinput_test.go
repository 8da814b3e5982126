package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// The bad-input suite: every write command, given a valid input that it
// accepts (checked first, on a copy of the register), is then given
// hundreds of broken variants of it — trailing data, keys given twice or in
// the wrong case, invalid UTF-8, a null or oversized body, unknown fields,
// wrong JSON types, bad dates and instants, bad ids (newline, terminal
// escape, too long, empty, a space), missing required fields, bad
// arguments — and must refuse every one: exit 2, the JSON field (or
// argument) named on standard error, and the register file byte for byte
// as it was.

// writeCase is one write command with a valid input.
type writeCase struct {
	name string   // "register add"
	args []string // the command and its arguments, "-" for the JSON body
	body string   // the JSON body ("" for commands with none)
	// many: the body may be one object or an array of them.
	many bool
	// idArg is the index in args of a positional id, or -1.
	idArg int
	// idFields are the JSON keys holding ids, whose values must be valid.
	idFields []string
	// required are top-level keys whose absence is refused, with the
	// field the refusal names.
	required map[string]string
	// extra are argument mutations: args to use instead, with the field.
	extra []argMutation
}

type argMutation struct {
	what  string
	args  []string
	field string
}

// mutation is one broken input and the field its refusal must name.
type mutation struct {
	kind, what string
	args       []string
	body       string
	field      string
}

func TestBadInputIsRefusedNamingTheFieldAndWritingNothing(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join(dir, "fixture.db")
	staffFlags := func(db string) []string { return []string{"--db", db, "--by", "staff-1", "--role", "coordinator"} }
	today := badInputFixture(t, fixture, staffFlags(fixture))

	cases := badInputCases(today)
	counts := map[string]int{}
	total := 0
	for _, wc := range cases {
		// The valid input is accepted, on a copy: so each refusal below is
		// the mutation's doing.
		ok := filepath.Join(dir, "control-"+strings.ReplaceAll(wc.name, " ", "-")+".db")
		copyFile(t, fixture, ok)
		if r := runCLI(t, wc.body, append(slices.Clone(wc.args), staffFlags(ok)...)...); r.code != exitOK {
			t.Fatalf("%s: the valid input is refused: exit %d: %s", wc.name, r.code, r.stderr)
		}

		db := filepath.Join(dir, "bad-"+strings.ReplaceAll(wc.name, " ", "-")+".db")
		copyFile(t, fixture, db)
		before := snapshot(t, db)
		for _, m := range mutations(t, wc) {
			total++
			counts[wc.name]++
			args := append(slices.Clone(m.args), staffFlags(db)...)
			if m.kind == "bad --by" {
				args = append(slices.Clone(m.args), "--db", db, "--by", m.what, "--role", "coordinator")
			}
			r := runCLI(t, m.body, args...)
			label := fmt.Sprintf("%s, %s %q", wc.name, m.kind, m.what)
			switch {
			case r.code == exitOK:
				t.Errorf("%s: accepted, want it refused naming %s", label, m.field)
			case r.code != exitUsage:
				t.Errorf("%s: exit %d, want %d: %s", label, r.code, exitUsage, r.stderr)
			case !strings.Contains(r.stderr, "invalid: "+m.field+": "):
				t.Errorf("%s: the refusal does not name %s:\n%s", label, m.field, r.stderr)
			}
			if after := snapshot(t, db); !bytes.Equal(after, before) {
				t.Errorf("%s: the register file changed", label)
				before = after
			}
		}
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	var summary strings.Builder
	for _, n := range names {
		fmt.Fprintf(&summary, "  %-18s %4d\n", n, counts[n])
		if counts[n] < 15 {
			t.Errorf("%s: only %d mutations", n, counts[n])
		}
	}
	t.Logf("%d mutations refused, by command:\n%s", total, summary.String())
	if total < 300 {
		t.Errorf("%d mutations, want at least 300", total)
	}
}

// badInputFixture builds the register every case starts from: person a
// (14, autistic, in crisis, with consent); review rev-1 planned and held;
// review rev-2 planned; Blue Light meeting bl-1 open for a.
func badInputFixture(t *testing.T, db string, staff []string) calendar.Date {
	t.Helper()
	today := cliPerson(t, db, staff)
	for _, id := range []string{"rev-1", "rev-2"} {
		if r := runCLI(t, reviewPlan(id, today), append([]string{"review", "plan", "-"}, staff...)...); r.code != exitOK {
			t.Fatalf("plan %s: exit %d: %s", id, r.code, r.stderr)
		}
	}
	if r := runCLI(t, reviewHold(today), append([]string{"review", "hold", "rev-1", "-"}, staff...)...); r.code != exitOK {
		t.Fatalf("hold: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, meetingOpen("bl-1"), append([]string{"bluelight", "open", "-"}, staff...)...); r.code != exitOK {
		t.Fatalf("open: exit %d: %s", r.code, r.stderr)
	}
	return today
}

func reviewPlan(id string, today calendar.Date) string {
	return fmt.Sprintf(`{"id": %q, "person_id": "a", "kind": "community", "planned": %q, "commissioner": "Commissioner A",
	  "consent": {"given": %q, "given_by": "parent"}, "papers": [{"title": "Planner", "planner": true}],
	  "panel": [{"name": "Commissioner A", "role": "chair"},
	    {"name": "Clinical Expert B", "role": "clinical_expert", "training_expires": "2099-12-31"},
	    {"name": "Expert C", "role": "expert_by_experience", "training_expires": "2099-12-31"},
	    {"name": "Teacher D", "role": "education"}]}`, id, today, today.AddDays(-5))
}

func reviewHold(today calendar.Date) string {
	return fmt.Sprintf(`{"held": %q, "outcome": "stay_in_community", "note": "package at home",
	  "findings": {"am_i_safe": "safe with support", "good_care_and_treatment": "yes", "plans_for_future": "college",
	    "care_in_community": "yes, with a package", "physical_health": "well", "meaningful_activity": "swimming",
	    "quality_of_life": "good"}}`, today)
}

var badInputCall = time.Now().Add(-3 * time.Hour).Truncate(time.Minute).UTC()

func meetingOpen(id string) string {
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	return fmt.Sprintf(`{"id": %q, "person_id": "a", "criteria": {"unexpected_crisis": true, "no_time_for_cetr": true, "known_to_services": true},
	  "invitations_sent": %q, "call_at": %q}`, id, ts(badInputCall.Add(-45*time.Minute)), ts(badInputCall))
}

func badInputCases(today calendar.Date) []writeCase {
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	steps := `{"step": "introduction", "notes": "crisis tonight"}, {"step": "understanding", "notes": "wants to stay home"},
	  {"step": "risks", "notes": "harm to self"}, {"step": "options", "notes": "home package first"}, {"step": "resources", "notes": "night staff"}`
	return []writeCase{
		{
			name: "register add", args: []string{"register", "add", "-"}, idArg: -1,
			body: fmt.Sprintf(`{"person": {"id": "b", "nhs_number": "9990000026", "date_of_birth": "1990-05-05", "learning_disability": true, "postcode": "ZZ99 3VZ"},
			  "name": "Person B Synthetic", "address": "1 Test Street", "circumstances": {"in_crisis": true, "community_cannot_manage": true},
			  "events": [{"type": "consent_given", "date": %q, "given_by": "self"}]}`, today.AddDays(-3)),
			idFields: []string{"id"},
			required: map[string]string{"person": "person.id"},
			extra: []argMutation{
				{"NHS number failing Modulus 11", nil, "person.nhs_number"},
			},
		},
		{
			name: "register record", args: []string{"register", "record", "a", "-"}, idArg: 2,
			body:     fmt.Sprintf(`{"type": "review_held", "kind": "community", "date": %q}`, today.AddDays(-1)),
			required: map[string]string{"type": "event.type", "date": "event.date"},
		},
		{
			name: "register report", args: []string{"register", "report", "a", "-"}, idArg: 2,
			body: `{"in_crisis": true, "community_cannot_manage": false, "mental_health_deteriorating": true}`,
		},
		{
			name: "register agree", args: []string{"register", "agree", "a", "red", "--reason", "crisis"}, idArg: 2,
			extra: []argMutation{
				{"purple", []string{"register", "agree", "a", "purple"}, "RATING"},
				{"empty rating", []string{"register", "agree", "a", ""}, "RATING"},
				{"rating with a newline", []string{"register", "agree", "a", "red\n"}, "RATING"},
				{"rating with a space", []string{"register", "agree", "a", "red "}, "RATING"},
				{"rating as a number", []string{"register", "agree", "a", "1"}, "RATING"},
				{"misspelt rating", []string{"register", "agree", "a", "redd"}, "RATING"},
			},
		},
		{
			name: "register remove", args: []string{"register", "remove", "a", "moved_area"}, idArg: 2,
			extra: []argMutation{
				{"unknown reason", []string{"register", "remove", "a", "bored"}, "REASON"},
				{"empty reason", []string{"register", "remove", "a", ""}, "REASON"},
				{"no evidence", []string{"register", "remove", "a", "no_longer_at_risk"}, "evidence"},
				{"reason in capitals", []string{"register", "remove", "a", "MOVED_AREA"}, "REASON"},
				{"reason with a space", []string{"register", "remove", "a", "moved area"}, "REASON"},
				{"reason with a newline", []string{"register", "remove", "a", "died\n"}, "REASON"},
			},
		},
		{
			name: "review plan", args: []string{"review", "plan", "-"}, idArg: -1,
			body:     reviewPlan("rev-3", today),
			idFields: []string{"id", "person_id"},
			required: map[string]string{"id": "id"},
		},
		{
			name: "review hold", args: []string{"review", "hold", "rev-2", "-"}, idArg: 2,
			body:     reviewHold(today),
			required: map[string]string{"held": "held"},
		},
		{
			name: "review recommend", args: []string{"review", "recommend", "rev-1", "-"}, idArg: 2, many: true,
			body: fmt.Sprintf(`[{"who": "Care coordinator E", "what": "home support package", "due": %q}]`, today.AddDays(7)),
		},
		{
			name: "review report", args: []string{"review", "report", "rev-1", "-"}, idArg: 2,
			body: fmt.Sprintf(`{"sent": %q, "recipients": [{"role": "participant", "name": "Panel"}],
			  "rating": {"date": %q, "rating": "red", "by": "DSR meeting"}}`, today, today),
		},
		{
			name: "bluelight open", args: []string{"bluelight", "open", "-"}, idArg: -1,
			body:     meetingOpen("bl-2"),
			idFields: []string{"id", "person_id"},
			required: map[string]string{"id": "id"},
		},
		{
			name: "bluelight attend", args: []string{"bluelight", "attend", "bl-1", "-"}, idArg: 2, many: true,
			body: `[{"role": "family"}, {"role": "psychiatrist", "name": "Dr Synthetic"}]`,
		},
		{
			name: "bluelight step", args: []string{"bluelight", "step", "bl-1", "-"}, idArg: 2, many: true,
			body: "[" + steps + "]",
		},
		{
			name: "bluelight option", args: []string{"bluelight", "option", "bl-1", "-"}, idArg: 2,
			body: `{"choice": {"option": "home_package", "detail": "waking nights"}}`,
		},
		{
			name: "bluelight fund", args: []string{"bluelight", "fund", "bl-1", "-"}, idArg: 2,
			body: fmt.Sprintf(`{"support": "two waking night staff", "provider": "Provider Alpha", "provider_accredited": true,
			  "start": %q, "stop": %q, "cost_pence": 432101}`, ts(badInputCall), ts(badInputCall.Add(72*time.Hour))),
		},
		{
			name: "bluelight close", args: []string{"bluelight", "close", "bl-1", "-"}, idArg: 2,
			body: fmt.Sprintf(`{"steps": [%s, {"step": "decision", "notes": "home package"}, {"step": "record", "notes": "recorded"}],
			  "closed_at": %q, "outcome": {"sustainable_placement": true}}`, steps, ts(badInputCall.Add(90*time.Minute))),
		},
	}
}

var badIDs = []struct{ what, id string }{
	{"newline", "a\nforged-row"},
	{"terminal escape", "a\x1b[2J"},
	{"too long", strings.Repeat("a", dsr.MaxIDLength+1)},
	{"empty", ""},
	{"space", "a b"},
	{"non-ASCII", "ä"},
}

var (
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	instantRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T`)
)

// mutations generates the broken variants of wc's input.
func mutations(t *testing.T, wc writeCase) []mutation {
	t.Helper()
	var out []mutation
	add := func(kind, what, body, field string) {
		out = append(out, mutation{kind: kind, what: what, args: wc.args, body: body, field: field})
	}
	if wc.idArg >= 0 {
		for _, b := range badIDs {
			args := slices.Clone(wc.args)
			args[wc.idArg] = b.id
			out = append(out, mutation{kind: "bad ID argument", what: b.what, args: args, body: wc.body, field: "ID"})
		}
	}
	for _, by := range []string{"s1\nforged", "s1\x1b[31m", strings.Repeat("s", dsr.MaxIDLength+1), "s 1"} {
		out = append(out, mutation{kind: "bad --by", what: by, args: wc.args, body: wc.body, field: "by.id"})
	}
	for _, e := range wc.extra {
		args := e.args
		body := wc.body
		if args == nil { // a body mutation named by the case
			args = wc.args
			body = strings.Replace(wc.body, "9990000026", "9990000027", 1)
		}
		out = append(out, mutation{kind: "bad argument", what: e.what, args: args, body: body, field: e.field})
	}
	if wc.body == "" {
		return out
	}

	// The body as a whole.
	add("trailing data", "a second object", wc.body+" {}", "$")
	add("trailing data", "a stray brace", wc.body+"}", "$")
	add("trailing data", "a word", wc.body+" x", "$")
	add("trailing data", "the body twice", wc.body+wc.body, "$")
	add("null body", "null", "null", "$")
	add("empty body", "", "", "$")
	add("wrong type", "a string body", `"x"`, "$")
	add("oversize body", "8 MiB + 1", wc.body+strings.Repeat(" ", dsr.MaxInputBytes+1-len(wc.body)), "$")
	if !wc.many {
		add("wrong type", "an array body", `[`+wc.body+`]`, "$")
	}

	root := parseJNode(t, wc.body)
	for _, s := range root.sites("$", nil) {
		mutate := func(kind, what, field string, f func(n *jnode, parent *jnode, i int)) {
			r := parseJNode(t, wc.body)
			n, parent, i := r.at(s.idx)
			f(n, parent, i)
			add(kind, what, r.String(), field)
		}
		if s.n.obj != nil {
			mutate("unknown field", "colour_x", fieldPathOf(s.path, "colour_x"), func(n, _ *jnode, _ int) {
				n.obj = append(n.obj, jmember{"colour_x", &jnode{leaf: []byte("1")}})
			})
			if len(s.n.obj) > 0 {
				k := s.n.obj[0].key
				mutate("duplicate key", k, fieldPathOf(s.path, k), func(n, _ *jnode, _ int) {
					n.obj = append(n.obj, jmember{k, n.obj[0].val})
				})
			}
		}
		if s.path == "$" {
			continue
		}
		if s.key != "" && s.key != strings.ToUpper(s.key) {
			up := strings.ToUpper(s.key)
			mutate("wrong case", up, fieldPathOf(s.parentPath, up), func(_, parent *jnode, i int) { parent.obj[i].key = up })
		}
		var str string
		isString := s.n.leaf != nil && json.Unmarshal(s.n.leaf, &str) == nil
		switch {
		case isString:
			mutate("wrong type", "a number for a string", s.path, func(n, _ *jnode, _ int) { n.leaf = []byte("7") })
			mutate("invalid UTF-8", `\xff`, s.path, func(n, _ *jnode, _ int) { n.leaf = []byte(`"` + str + "\xff\"") })
		case s.n.obj != nil:
			mutate("wrong type", "a string for an object", s.path, func(n, _ *jnode, _ int) { *n = jnode{leaf: []byte(`"x"`)} })
		case s.n.arr != nil:
			mutate("wrong type", "an object for an array", s.path, func(n, _ *jnode, _ int) { *n = jnode{obj: []jmember{}} })
		case string(s.n.leaf) == "true" || string(s.n.leaf) == "false":
			mutate("wrong type", "a string for a boolean", s.path, func(n, _ *jnode, _ int) { n.leaf = []byte(`"true"`) })
		default:
			mutate("wrong type", "a string for a number", s.path, func(n, _ *jnode, _ int) { n.leaf = []byte(`"7"`) })
			mutate("wrong type", "a fraction for a whole number", s.path, func(n, _ *jnode, _ int) { n.leaf = []byte(`7.5`) })
		}
		if isString && dateRE.MatchString(str) {
			for _, bad := range []string{"2026-02-30", "30/03/2026", "2026-13-01"} {
				mutate("bad date", bad, s.path, func(n, _ *jnode, _ int) { n.leaf = []byte(strconv.Quote(bad)) })
			}
		}
		if isString && instantRE.MatchString(str) {
			for _, bad := range []string{"2026-03-30 14:00", "2026-03-30T25:00:00Z", "yesterday", str[:10]} {
				mutate("bad instant", bad, s.path, func(n, _ *jnode, _ int) { n.leaf = []byte(strconv.Quote(bad)) })
			}
		}
		if isString && slices.Contains(wc.idFields, s.key) {
			for _, b := range badIDs {
				if b.id == "" && s.key != "id" {
					continue // an empty person_id means "the register's"
				}
				mutate("bad id", b.what, s.path, func(n, _ *jnode, _ int) { n.leaf, _ = json.Marshal(b.id) })
			}
		}
	}
	for key, field := range wc.required {
		r := parseJNode(t, wc.body)
		r.obj = slices.DeleteFunc(r.obj, func(m jmember) bool { return m.key == key })
		add("missing required field", key, r.String(), field)
	}
	return out
}

// jnode is a JSON value that keeps its members in order (and so can hold
// a key twice).
type jnode struct {
	obj  []jmember // an object (non-nil, maybe empty)
	arr  []*jnode  // an array (non-nil, maybe empty)
	leaf []byte    // a scalar, as JSON text
}

type jmember struct {
	key string
	val *jnode
}

func parseJNode(t *testing.T, s string) *jnode {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	n, err := readJNode(dec)
	if err != nil {
		t.Fatalf("parsing %s: %v", s, err)
	}
	return n
}

func readJNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		n := &jnode{obj: []jmember{}}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readJNode(dec)
			if err != nil {
				return nil, err
			}
			n.obj = append(n.obj, jmember{k.(string), v})
		}
		_, err := dec.Token()
		return n, err
	case json.Delim('['):
		n := &jnode{arr: []*jnode{}}
		for dec.More() {
			v, err := readJNode(dec)
			if err != nil {
				return nil, err
			}
			n.arr = append(n.arr, v)
		}
		_, err := dec.Token()
		return n, err
	}
	b, err := json.Marshal(tok)
	return &jnode{leaf: b}, err
}

func (n *jnode) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *jnode) write(b *strings.Builder) {
	switch {
	case n.obj != nil:
		b.WriteByte('{')
		for i, m := range n.obj {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(m.key))
			b.WriteString(": ")
			m.val.write(b)
		}
		b.WriteByte('}')
	case n.arr != nil:
		b.WriteByte('[')
		for i, v := range n.arr {
			if i > 0 {
				b.WriteString(", ")
			}
			v.write(b)
		}
		b.WriteByte(']')
	default:
		b.Write(n.leaf)
	}
}

// site is one value in a document: where it is (member or element
// indexes from the root), its JSON path as refusals name it, and its key
// when it is an object member.
type site struct {
	idx              []int
	path, parentPath string
	key              string
	n                *jnode
}

func (n *jnode) sites(path string, idx []int) []site {
	out := []site{{idx: idx, path: path, n: n}}
	for i, m := range n.obj {
		sub := n.obj[i].val.sites(fieldPathOf(path, m.key), append(slices.Clone(idx), i))
		sub[0].key, sub[0].parentPath = m.key, path
		out = append(out, sub...)
	}
	for i, v := range n.arr {
		out = append(out, v.sites(fmt.Sprintf("%s[%d]", path, i), append(slices.Clone(idx), i))...)
	}
	return out
}

// at returns the node at idx, its parent and its index in the parent.
func (n *jnode) at(idx []int) (node, parent *jnode, i int) {
	node, i = n, -1
	for _, j := range idx {
		parent, i = node, j
		if node.obj != nil {
			node = node.obj[j].val
		} else {
			node = node.arr[j]
		}
	}
	return node, parent, i
}

// fieldPathOf names a member as the strict decoder does: bare at the top
// ("as_of"), dotted below ("person.id").
func fieldPathOf(path, key string) string {
	if path == "$" {
		return key
	}
	return path + "." + key
}

// snapshot is the register file's bytes, with its write-ahead log's.
func snapshot(t *testing.T, db string) []byte {
	t.Helper()
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(db + "-wal"); err == nil {
		b = append(append(b, "\x00wal\x00"...), wal...)
	}
	return b
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(from + "-wal"); err == nil {
		t.Fatalf("%s has a write-ahead log left after its writer closed", from)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// The refusals the issue found naming no field now name it and the rule.
func TestWriteRefusalsNameTheFieldAndTheRule(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	staff := []string{"--db", db, "--by", "staff-1", "--role", "coordinator"}
	today := badInputFixture(t, db, staff)
	add := badInputCases(today)[0].body
	for _, tc := range []struct {
		name, stdin string
		args, want  []string
	}{
		{"an NHS number failing its check", strings.Replace(add, "9990000026", "9990000027", 1),
			[]string{"register", "add", "-"}, []string{"invalid: person.nhs_number: ", "Modulus 11"}},
		{"an unknown rating", "", []string{"register", "agree", "a", "purple"},
			[]string{"invalid: RATING: ", `"purple"`, "red, amber, green or blue", "R-RAG-AGREED"}},
		{"a call_at that is not an instant", strings.Replace(meetingOpen("bl-9"), badInputCall.Format(time.RFC3339), "yesterday", 1),
			[]string{"bluelight", "open", "-"}, []string{"invalid: call_at: ", "RFC 3339", `"yesterday"`}},
	} {
		before := snapshot(t, db)
		r := runCLI(t, tc.stdin, append(tc.args, staff...)...)
		if r.code != exitUsage {
			t.Errorf("%s: exit %d, want %d: %s", tc.name, r.code, exitUsage, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.name, w, r.stderr)
			}
		}
		if !bytes.Equal(snapshot(t, db), before) {
			t.Errorf("%s: the register file changed", tc.name)
		}
	}
}
