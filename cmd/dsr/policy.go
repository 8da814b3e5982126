package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dsrkit/dsrkit/policies"
)

const policyUsageText = `Usage: dsr policy list [--json]
       dsr policy test [options] DIR|NAME       (dsr policy test -h)
       dsr policy diff OLD NEW [options]        (dsr policy diff -h)
       dsr policy build DIR|NAME -o FILE.tar.gz (dsr policy build -h)

List the embedded policy profiles: name, version, the engines that evaluate
its rules (rego, cel or rego+cel), the profiles it extends (nearest first)
and the content digest that assessments made with it carry (policy.digest).
Each profile is loaded, so one that does not load is reported (exit status 1).

Options:
  --json
      Print a JSON array instead of a table, with each profile's
      description, sources and the values it carries over unconfirmed.
`

func policyUsage(w io.Writer) { fmt.Fprint(w, policyUsageText) }

// profileInfo is one row of `dsr policy list`.
type profileInfo struct {
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Engine      string   `json:"engine"`
	Extends     []string `json:"extends"`
	Digest      string   `json:"digest"`
	Description string   `json:"description"`
	Sources     []string `json:"sources"`
	Unconfirmed []string `json:"unconfirmed"`
	Error       string   `json:"error,omitempty"`
}

// runPolicyList is `dsr policy list [--json]`.
func runPolicyList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("policy list")
	asJSON := fset.Bool("json", false, "print JSON")
	if _, code, ok := parseCommand(fset, args, policyUsage, stdout, stderr, 0, ""); !ok {
		return code
	}

	code := exitOK
	var rows []profileInfo
	for _, name := range policies.BundleNames() {
		if err := ctx.Err(); err != nil {
			errorf(stderr, "policy list: %v", err)
			return exitFailure
		}
		info, err := describeProfile(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				errorf(stderr, "policy list: %v", ctx.Err())
				return exitFailure
			}
			errorf(stderr, "%v", err)
			info.Error = err.Error()
			code = exitFailure
		}
		rows = append(rows, info)
	}

	var out bytes.Buffer
	if *asJSON {
		enc := json.NewEncoder(&out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rows); err != nil {
			errorf(stderr, "policy list: %v", err)
			return exitFailure
		}
	} else {
		tw := tabwriter.NewWriter(&out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tVERSION\tENGINE\tEXTENDS\tDIGEST")
		for _, r := range rows {
			extends, engine, digest := "-", r.Engine, r.Digest
			if len(r.Extends) > 0 {
				extends = strings.Join(r.Extends, ",") // nearest first
			}
			if r.Error != "" {
				engine, digest = "-", "(does not load)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Version, engine, extends, digest)
		}
		if err := tw.Flush(); err != nil {
			errorf(stderr, "policy list: %v", err)
			return exitFailure
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		errorf(stderr, "policy list: %v", err)
		return exitFailure
	}
	return code
}

// describeProfile loads the embedded profile name with its default
// parameters. On error the info carries the name only.
func describeProfile(ctx context.Context, name string) (profileInfo, error) {
	info := profileInfo{Name: name, Extends: []string{}}
	_, e, err := loadPolicy(ctx, name, "", nil)
	if err != nil {
		return info, err
	}
	ref := e.Policy()
	sources, unconfirmed := e.Sources()
	info.Version, info.Engine, info.Digest = ref.Version, ref.Engine, ref.Digest
	info.Extends = append(info.Extends, e.Extends()...)
	info.Description, info.Sources, info.Unconfirmed = e.Description(), sources, unconfirmed
	return info, nil
}
