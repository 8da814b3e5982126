package cel

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
)

// celGoInliner is cel-go's inlining optimizer with each parameter as
// dyn(<literal>) (an experiment, against paramsInliner).
func celGoInliner(env *cel.Env, params map[string]any) (cel.ASTOptimizer, error) {
	var vars []*cel.InlineVariable
	for _, k := range slices.Sorted(maps.Keys(params)) {
		var b strings.Builder
		if !celSource(&b, params[k]) {
			continue
		}
		def, iss := env.Compile("dyn(" + b.String() + ")")
		if iss.Err() != nil {
			return nil, fmt.Errorf("parameter %s: %w", k, iss.Err())
		}
		vars = append(vars, cel.NewInlineVariableWithAlias("params."+k, "@param_"+k, def))
	}
	return cel.NewInliningOptimizer(vars...), nil
}

// celSource writes v as CEL source.
func celSource(b *strings.Builder, v any) bool {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'e', -1, 64))
	case string:
		b.WriteString(strconv.Quote(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			if !celSource(b, e) {
				return false
			}
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k))
			b.WriteString(": ")
			if !celSource(b, x[k]) {
				return false
			}
		}
		b.WriteByte('}')
	default:
		return false
	}
	return true
}
