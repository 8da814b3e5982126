// Package docs holds dsrkit's documentation: the rule reference (rules.md),
// the architecture (architecture.md) and the guide to changing a local rule
// (changing-rules.md). Its one API is the rule reference's text (Rules),
// which the service's pages render.
//
// Its tests keep the repository explaining itself: every rule id (R-…) cited
// anywhere in the repository, in Go, Rego, CEL, JSON, bundle manifests or
// Markdown, scenario folders included, has a heading in rules.md; every link
// to an anchor of a page here leads to a heading; and no text points at a
// file outside the repository.
package docs

import _ "embed"

// Rules is the rule reference, rules.md, as Markdown.
//
//go:embed rules.md
var Rules string
