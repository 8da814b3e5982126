// Package cel is the CEL back end: it type-checks a bundle's CEL decision
// points with cel-go against typed variables (as_of, person,
// circumstances, facts, params, decisions), plans each once (Compile, to
// an eval.Program), builds each case's activation from pooled object
// views, and decodes decisions into eval.Decision. It is the only package
// of dsrkit that imports cel-go.
//
// Compile compiles a bundle's points on every core, and an optional point
// at its first use when eval.Plan.Lazy (celoptional.go); eval.Plan.Deadline
// bounds each evaluation through cel-go's interrupt (celdeadline.go).
//
// The load-time optimiser (the default) inlines the parameters, rewrites
// each checked rule (celrewrite.go: loops over constant lists written
// out, constants folded, chains of binds as one block) and decorates the
// plan (celplan.go: records and tuples sized to their literals). With
// eval.Plan.Plain the checked rule is planned by cel-go as it is, the
// parameters read from a variable: the reference the optimised path is
// tested against.
package cel
