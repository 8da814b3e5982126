package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	invopop "github.com/invopop/jsonschema"

	"github.com/dsrkit/dsrkit/internal/schema"
)

// schemaURN is the $id prefix of the schemas of the OpenAPI document: each
// is a JSON Schema resource of its own, so its "#/$defs/…" references
// resolve inside it.
const schemaURN = "urn:dsrkit:schema:"

// OpenAPI returns the OpenAPI 3.1 document of the service, as served at
// /v1/openapi.json: every route of the table with its roles (x-dsr-roles),
// parameters, request and response bodies. The bodies' schemas are those of
// internal/schema: the case and the assessment exactly as `dsr schema`
// prints them, the others reflected from their Go types the same way.
func (s *Server) OpenAPI() []byte { return s.openapi }

func (s *Server) buildOpenAPI() ([]byte, error) {
	schemas := map[string]any{}
	ref := func(name string, build func() *invopop.Schema) map[string]any {
		if _, ok := schemas[name]; !ok {
			sc := build()
			sc.ID = invopop.ID(schemaURN + name)
			schemas[name] = sc
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	// A schema is named for its type; two types of one name (in two
	// packages) are told apart by their package's name.
	types := map[string]reflect.Type{}
	typed := func(t reflect.Type) map[string]any {
		name := t.Name()
		if other, ok := types[name]; ok && other != t {
			name = path.Base(t.PkgPath()) + "." + name
		}
		types[name] = t
		return ref(name, func() *invopop.Schema { return schema.Reflect(t, "") })
	}
	named := func(name string) map[string]any {
		return ref(name, func() *invopop.Schema {
			sc, err := schema.Generate(name)
			if err != nil {
				panic(err) // the table names known schemas only
			}
			return sc
		})
	}
	problem := map[string]any{"description": "a problem (RFC 9457)", "content": map[string]any{
		"application/problem+json": map[string]any{"schema": typed(reflect.TypeFor[Problem]())}}}
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		op := map[string]any{"operationId": rt.op, "summary": rt.summary}
		var params []any
		for _, name := range pathParams(rt.path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			sc := map[string]any{"type": q.typ}
			if q.format != "" {
				sc["format"] = q.format
			}
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": sc})
		}
		if rt.ifMatch {
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "description": "the version (ETag) the write expects: 409 if the person changed since",
				"schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch {
		case rt.body != nil:
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": typed(rt.body)}}}
		case rt.bodySchema != "":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": named(rt.bodySchema)}}}
		}
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case rt.resp != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": typed(rt.resp)}}
		case rt.respSchema != "":
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": named(rt.respSchema)}}
		case status == http.StatusNoContent:
		case rt.op == "metrics":
			ok["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
		default:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		}
		responses := map[string]any{strconv.Itoa(status): ok, "default": problem}
		if rt.roles != nil {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["x-dsr-roles"] = rt.roles
			op["description"] = "Roles: " + strings.Join(rt.roles, ", ") + "."
			responses["401"] = problem
			responses["403"] = problem
		} else {
			op["security"] = []any{}
		}
		op["responses"] = responses
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	doc := map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
		"info": map[string]any{"title": "dsrkit register service", "version": "1",
			"description": "The Dynamic Support Register over HTTP/JSON: see package server."},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "an API token (dsr_…) or an OpenID Connect access token (a JWT)"}},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("server: the OpenAPI document: %w", err)
	}
	return b, nil
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// pathParams are the names of a pattern's wildcards.
func pathParams(path string) []string {
	var out []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}
