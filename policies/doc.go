// Package policies loads a policy bundle and assesses cases with it: whether
// a person belongs on the Dynamic Support Register, whether consent holds,
// which rating their facts suggest, what review type applies, and which
// reviews and actions are due by when, each with the rule ids that decided.
//
// # Bundles
//
// A bundle is a folder (any fs.FS, so it can be embedded) in OPA's bundle
// layout: .manifest, OPA's manifest, holds under "metadata" the bundle's
// name, version, sources and the rule file of each decision point;
// params/data.json holds the parameters an area tunes (data.params to the
// Rego); the Rego modules hold the rules. WriteArchive writes a bundle as
// an OPA bundle archive (.tar.gz) and ReadArchive reads one back. The
// decision points are eligibility, consent and rating (evaluated first, from the case alone), then actions and
// review_cadence (which also see the first decisions as input.decisions).
// Bundle returns an embedded profile (national-2023 is the default);
// os.DirFS loads a folder.
//
// A bundle may also define OptionalPoints, which Assess does not evaluate:
// bluelight_criteria, bluelight_invitees and bluelight_funding (Blue Light
// meetings) and cetr_rules (what an area tunes about C(E)TR records), each
// with its own input. Decide evaluates one; BlueLightRules and CETRParams
// adapt them to packages bluelight and cetr, deciding in Go where the
// bundle has no such point.
//
// # Evaluation
//
// Load reads the bundle, checks parameters (unknown names, wrong types and
// deadlines without a unit fail), compiles every module once with only
// pure builtins allowed, and prepares one query per stage. Bad rules fail
// there with file:line:col. Engine.Assess is then cheap and
// safe for concurrent use. Rules never read a clock: as_of comes from the
// case. Deadlines come back from the rules as {kind, from, n, unit, rule,
// reason}; Go turns them into dates with package calendar (working days skip
// weekends and England and Wales bank holidays; hours are elapsed hours).
//
// # Limits on rules
//
// A bundle is treated as someone else's code. The reader takes only
// regular files inside the bundle's folder (no symbolic links, devices,
// FIFOs or ..), 4 MiB a file and 32 MiB a bundle. Rego rules may call only
// pure builtins: none that reads the clock, the network, randomness or the
// environment (time.now_ns, crypto.x509.*, io.jwt.decode_verify, http.send,
// net.*, opa.runtime, rand.*, uuid.* are refused at load, at the call's
// file:line:col). A builtin call may build at most 262,144 bytes or
// elements (numbers.range, concat, replace, sprintf widths ...). Each
// evaluation runs under WithDeadline (DefaultDeadline, 1 s) and, in Rego, an
// allocation budget of 128 MiB; CEL rules run under cel-go's cost limit, and
// the CEL rewriter's unrolling under a node budget. Load itself stops after
// LoadDeadline (2 s). A rule that meets a limit fails with an error naming
// its file and the limit: ErrBadBundle at load, ErrEvaluation at
// assessment.
//
// # What the engine enforces whatever the rules say
//
// Nobody is on the register without valid consent (on_register is eligible
// and consent valid, R-CONS-1); a person who is not eligible has no rating;
// the agreed rating is reported beside the suggestion and never overwritten
// (R-RAG-AGREED); a rule that fails or returns a malformed decision is an
// error (ErrEvaluation), never a silent GREEN.
//
// # The optimiser
//
// Load simplifies what it compiles: parameters are inlined as constants,
// tests they decide are folded, dead rule definitions dropped, CEL loops
// over parameter lists written out, and decisions read field by field.
// WithOptimize(false) turns all of it off (plain OPA prepared queries,
// plain cel-go programs); a test proves the answers the same on every
// shipped bundle and overlay. WithCoverage reports Rego line coverage.
//
// # Layers
//
// This package is the facade: the engines live behind internal/eval, in
// internal/rego (the only package that imports OPA) and internal/cel (the
// only one that imports cel-go), and internal/bundle reads bundles. The
// input the rules see is documented in the national-2023 bundle's
// README.md.
package policies
