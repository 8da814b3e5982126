package rego

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime/metrics"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/builtins"
)

// A bundle is someone else's code, and a rule must not read anything but
// its input and parameters, nor take the process down. Three fences:
//
//   - capabilities: an allowlist of pure builtins. Anything that reads the
//     clock (time.now_ns, crypto.x509.*, io.jwt.decode_verify,
//     providers.aws.sign_req), the network (http.send, net.*), randomness
//     (rand.*, uuid.*) or the environment (opa.runtime), or that prints,
//     is not on it, so a rule calling one fails to compile, at the call's
//     file:line:col.
//   - bounded builtins: the builtins whose result can be larger than their
//     arguments refuse to build a value over MaxValueSize (numbers.range
//     over a long range, concat of a doubled string, replace with an empty
//     pattern), before building it.
//   - an evaluation deadline and allocation budget (evalLimit), checked
//     between expressions, so a loop over a product of collections stops.

// allowedBuiltins are the builtins a rule may call: operators, aggregates,
// collections, strings, regular expressions (RE2: linear time), numbers,
// types, encodings, the pure time.* functions, hashes. Names ending in "."
// allow every builtin under that prefix.
var allowedBuiltins = []string{
	// operators and comparisons
	"assign", "eq", "equal", "neq", "gt", "gte", "lt", "lte", "plus", "minus", "mul", "div", "rem",
	"and", "or", "internal.member_2", "internal.member_3", "internal.template_string",
	// aggregates and collections
	"count", "sum", "product", "max", "min", "sort", "all", "any",
	"array.", "object.", "intersection", "union", "set_diff", "walk",
	"graph.reachable", "graph.reachable_paths",
	// numbers and bits
	"abs", "ceil", "floor", "round", "numbers.range", "numbers.range_step", "bits.", "to_number",
	"units.parse", "units.parse_bytes", "semver.",
	// strings
	"concat", "contains", "endswith", "startswith", "format_int", "indexof", "indexof_n", "lower", "upper",
	"replace", "split", "sprintf", "substring", "trim", "trim_left", "trim_prefix", "trim_right", "trim_space", "trim_suffix",
	"strings.any_prefix_match", "strings.any_suffix_match", "strings.count", "strings.replace_n", "strings.reverse", "strings.split_n",
	"regex.match", "regex.is_valid", "regex.split", "regex.find_n", "regex.find_all_string_submatch_n", "regex.replace",
	"regex.template_match", "re_match", "glob.quote_meta",
	// types
	"is_array", "is_boolean", "is_null", "is_number", "is_object", "is_set", "is_string", "type_name",
	// encodings
	"json.filter", "json.is_valid", "json.marshal", "json.marshal_with_options", "json.patch", "json.remove", "json.unmarshal",
	"base64.", "base64url.", "hex.", "urlquery.", "uri.is_valid", "uri.parse",
	// time, without the clock
	"time.add_date", "time.clock", "time.date", "time.diff", "time.format", "time.parse_duration_ns", "time.parse_ns",
	"time.parse_rfc3339_ns", "time.weekday",
	// hashes
	"crypto.md5", "crypto.sha1", "crypto.sha256", "crypto.hmac.",
	// rule metadata
	"rego.metadata.chain", "rego.metadata.rule",
}

func allowed(name string) bool {
	return slices.ContainsFunc(allowedBuiltins, func(a string) bool {
		return a == name || strings.HasSuffix(a, ".") && strings.HasPrefix(name, a)
	})
}

// capabilities are OPA's builtins cut down to allowedBuiltins.
var capabilities = func() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if allowed(b.Name) && !b.Nondeterministic {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	return caps
}()

// opaBuiltins names every builtin OPA has, to tell a refused one from a
// misspelt one in load errors.
var opaBuiltins = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		m[b.Name] = true
	}
	return m
}()

var undefinedFunction = regexp.MustCompile(`undefined function ([A-Za-z0-9_.]+)`)

// refusedBuiltin explains a compile error's "undefined function X" when X
// is an OPA builtin off the allowlist.
func refusedBuiltin(msg string) string {
	m := undefinedFunction.FindStringSubmatch(msg)
	if m == nil || !opaBuiltins[m[1]] || allowed(m[1]) {
		return msg
	}
	return fmt.Sprintf("builtin %s is not allowed in dsrkit rules: only pure builtins are (none that reads the clock, the network, randomness or the environment)", m[1])
}

// MaxValueSize bounds what one builtin call may build: a string's bytes or
// a collection's elements (numbers.range(1, 1e9) would be a billion). The
// shipped rules build nothing over a few hundred.
const MaxValueSize = 1 << 18

// sizeOf is the size of v as MaxValueSize counts it (string bytes, plus one
// per element, nested), counting no further than limit.
func sizeOf(v ast.Value, limit int) int {
	n := 0
	var walk func(v ast.Value)
	walk = func(v ast.Value) {
		if n > limit {
			return
		}
		switch x := v.(type) {
		case ast.String:
			n += len(x)
		case *ast.Array:
			n += x.Len()
			for i := 0; i < x.Len() && n <= limit; i++ {
				walk(x.Elem(i).Value)
			}
		case ast.Set:
			n += x.Len()
			_ = x.Iter(func(t *ast.Term) error { walk(t.Value); return nil })
		case ast.Object:
			n += x.Len()
			_ = x.Iter(func(k, v *ast.Term) error { walk(k.Value); walk(v.Value); return nil })
		default:
			n++
		}
	}
	walk(v)
	return n
}

func tooBig(bctx topdown.BuiltinContext, name string, size int) error {
	return limitError(bctx, fmt.Sprintf("%s: the result would hold %d or more bytes or elements, over the limit of %d a builtin may build", name, size, MaxValueSize))
}

// limitError stops the evaluation at the builtin's call (file:line:col).
// A Halt: an ordinary builtin error would only make the call undefined.
func limitError(bctx topdown.BuiltinContext, msg string) error {
	return topdown.Halt{Err: &topdown.Error{Code: topdown.BuiltinErr, Message: msg, Location: bctx.Location}}
}

// boundArgs wraps a builtin whose result is at most the size of its
// arguments together (concat, array.concat, union, json.marshal, ...): it
// refuses arguments over MaxValueSize in all.
func boundArgs(name string) topdown.BuiltinFunc {
	orig := topdown.GetBuiltin(name)
	return func(bctx topdown.BuiltinContext, args []*ast.Term, iter func(*ast.Term) error) error {
		n := 0
		for _, a := range args {
			n += sizeOf(a.Value, MaxValueSize-n)
		}
		if n > MaxValueSize {
			return tooBig(bctx, name, n)
		}
		return orig(bctx, args, iter)
	}
}

// boundRange wraps numbers.range and numbers.range_step: a range over
// MaxValueSize numbers is refused before it is built.
func boundRange(name string) topdown.BuiltinFunc {
	orig := topdown.GetBuiltin(name)
	return func(bctx topdown.BuiltinContext, args []*ast.Term, iter func(*ast.Term) error) error {
		x, err1 := builtins.BigIntOperand(args[0].Value, 1)
		y, err2 := builtins.BigIntOperand(args[1].Value, 2)
		if err1 == nil && err2 == nil {
			span := x.Sub(x, y)
			span.Abs(span)
			if len(args) == 3 {
				if step, err := builtins.BigIntOperand(args[2].Value, 3); err == nil && step.Sign() > 0 {
					span.Quo(span, step)
				}
			}
			if !span.IsInt64() || span.Int64() >= MaxValueSize {
				return limitError(bctx, fmt.Sprintf("%s: a range of %s numbers, over the limit of %d a builtin may build", name, span.String(), MaxValueSize))
			}
		}
		return orig(bctx, args, iter)
	}
}

// boundReplace wraps replace(x, old, new), whose result can be the square
// of its arguments' size (an empty old matches between every rune).
func boundReplace(name string) topdown.BuiltinFunc {
	orig := topdown.GetBuiltin(name)
	return func(bctx topdown.BuiltinContext, args []*ast.Term, iter func(*ast.Term) error) error {
		s, ok1 := args[0].Value.(ast.String)
		old, ok2 := args[1].Value.(ast.String)
		nw, ok3 := args[2].Value.(ast.String)
		if ok1 && ok2 && ok3 {
			n := strings.Count(string(s), string(old))
			if size := len(s) + n*(len(nw)-len(old)); size > MaxValueSize {
				return tooBig(bctx, name, size)
			}
		}
		return orig(bctx, args, iter)
	}
}

// boundGrowing wraps a builtin whose result can be the argument's size
// times a replacement's (regex.replace, strings.replace_n) or a format's
// widths (sprintf): it refuses when that bound is over MaxValueSize.
func boundGrowing(name string, bound func(args []*ast.Term) int) topdown.BuiltinFunc {
	orig := topdown.GetBuiltin(name)
	return func(bctx topdown.BuiltinContext, args []*ast.Term, iter func(*ast.Term) error) error {
		if n := bound(args); n > MaxValueSize {
			return tooBig(bctx, name, n)
		}
		return orig(bctx, args, iter)
	}
}

func strLen(t *ast.Term) int {
	if s, ok := t.Value.(ast.String); ok {
		return len(s)
	}
	return sizeOf(t.Value, MaxValueSize)
}

// fmtWidth finds the widths and precisions of a format's verbs, which fmt
// allows up to a million each.
var fmtWidth = regexp.MustCompile(`%[-+# 0]*(\d*|\*)(\.(\d*|\*))?`)

func sprintfBound(args []*ast.Term) int {
	n := sizeOf(args[0].Value, MaxValueSize) + sizeOf(args[1].Value, MaxValueSize)
	f, _ := args[0].Value.(ast.String)
	for _, m := range fmtWidth.FindAllStringSubmatch(string(f), -1) {
		for _, w := range []string{m[1], m[3]} {
			if w == "*" || len(w) > 5 {
				return MaxValueSize + 1
			}
			var v int
			fmt.Sscan(w, &v)
			n += v
		}
	}
	return n
}

// haltOnError wraps a builtin whose errors stop the evaluation at the
// call, rather than make it undefined: a regular expression too large to
// compile (RE2 refuses it) is the rule's fault, to be reported.
func haltOnError(name string) topdown.BuiltinFunc {
	orig := topdown.GetBuiltin(name)
	return func(bctx topdown.BuiltinContext, args []*ast.Term, iter func(*ast.Term) error) error {
		err := orig(bctx, args, iter)
		var halt topdown.Halt
		if err != nil && !errors.As(err, &halt) {
			return limitError(bctx, err.Error())
		}
		return err
	}
}

func init() {
	for _, name := range []string{"regex.match", "re_match", "regex.is_valid", "regex.find_n", "regex.find_all_string_submatch_n", "regex.template_match"} {
		topdown.RegisterBuiltinFunc(name, haltOnError(name))
	}
	for _, name := range []string{
		"concat", "array.concat", "array.flatten", "union", "object.union", "object.union_n", "json.marshal",
		"json.marshal_with_options", "json.patch", "base64.encode", "base64url.encode", "base64url.encode_no_pad",
		"hex.encode", "urlquery.encode", "urlquery.encode_object", "split", "strings.split_n", "regex.split",
		"walk", "graph.reachable_paths",
	} {
		topdown.RegisterBuiltinFunc(name, boundArgs(name))
	}
	for _, name := range []string{"numbers.range", "numbers.range_step"} {
		topdown.RegisterBuiltinFunc(name, boundRange(name))
	}
	topdown.RegisterBuiltinFunc("replace", boundReplace("replace"))
	topdown.RegisterBuiltinFunc("regex.replace", boundGrowing("regex.replace", func(args []*ast.Term) int {
		s := strLen(args[0])
		return s + (s+1)*strLen(args[2])
	}))
	topdown.RegisterBuiltinFunc("strings.replace_n", boundGrowing("strings.replace_n", func(args []*ast.Term) int {
		s := strLen(args[1])
		return s + (s+1)*sizeOf(args[0].Value, MaxValueSize)
	}))
	topdown.RegisterBuiltinFunc("sprintf", boundGrowing("sprintf", sprintfBound))
}

// MaxEvalAlloc bounds what one evaluation may allocate (the process's
// allocation counter, read every evalCheckEvery expressions, so other
// goroutines' allocations count too: the bound is generous). A normal
// assessment allocates a few KiB.
const MaxEvalAlloc = 128 << 20

// evalCheckEvery is how many expressions pass between checks of the clock
// and the allocation counter: a check costs about a microsecond, an
// expression a few tens of nanoseconds.
const evalCheckEvery = 256

// evalLimit is the topdown.Cancel of one evaluation: cancelled by the
// deadline, by ctx, or by the allocation budget, whichever comes first.
// It is used by the one goroutine evaluating (topdown calls Cancelled
// before each expression).
type evalLimit struct {
	ctx      context.Context
	deadline time.Time // zero: none
	n        int
	alloc0   uint64
	sample   [1]metrics.Sample
	why      string // what stopped the evaluation, "" if nothing
}

const allocMetric = "/gc/heap/allocs:bytes"

func (l *evalLimit) start(ctx context.Context, d time.Duration) {
	l.ctx, l.n, l.why = ctx, 0, ""
	l.deadline = time.Time{}
	if d > 0 {
		l.deadline = time.Now().Add(d)
	}
	l.alloc0 = 0
}

func (l *evalLimit) Cancel() { l.why = "cancelled" }

func (l *evalLimit) Cancelled() bool {
	if l.why != "" {
		return true
	}
	if l.n++; l.n%evalCheckEvery != 0 {
		return false
	}
	if l.ctx.Err() != nil {
		l.why = l.ctx.Err().Error()
		return true
	}
	if !l.deadline.IsZero() && time.Now().After(l.deadline) {
		l.why = "deadline"
		return true
	}
	l.sample[0].Name = allocMetric
	metrics.Read(l.sample[:])
	a := l.sample[0].Value.Uint64()
	if l.alloc0 == 0 {
		l.alloc0 = a
	} else if a-l.alloc0 > MaxEvalAlloc {
		l.why = "alloc"
		return true
	}
	return false
}

// err explains why the evaluation stopped, naming the limit.
func (l *evalLimit) err(d time.Duration) error {
	switch l.why {
	case "deadline":
		return fmt.Errorf("stopped at the deadline, the time limit of %v per evaluation", d)
	case "alloc":
		return fmt.Errorf("stopped after allocating over %d MiB, the limit per evaluation", MaxEvalAlloc>>20)
	}
	return nil
}
