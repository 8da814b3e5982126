package rego_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/internal/rego"
)

// RunUnitTests runs every test_ rule, with the parameters as data.params,
// and reports the failing ones by file, line and name.
func TestRunUnitTests(t *testing.T) {
	files := map[string][]byte{
		"rules.rego": []byte(`package dsr.demo

limit := data.params.limit

over(x) if x > limit
`),
		"rules_test.rego": []byte(`package dsr.demo_test

import data.dsr.demo

test_limit_is_the_parameter if demo.limit == 3

test_four_is_over if demo.over(4)

test_three_is_over if demo.over(3)
`),
	}
	res, err := rego.RunUnitTests(context.Background(), files, map[string]any{"limit": 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 {
		t.Errorf("Total = %d, want 3", res.Total)
	}
	want := "rules_test.rego:9: data.dsr.demo_test.test_three_is_over: failed"
	if len(res.Failures) != 1 || res.Failures[0] != want {
		t.Errorf("Failures = %q, want [%q]", res.Failures, want)
	}
}

func TestRunUnitTestsParseError(t *testing.T) {
	_, err := rego.RunUnitTests(context.Background(), map[string][]byte{"bad_test.rego": []byte("package p\n\ntest_x if {")}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "bad_test.rego") {
		t.Errorf("err = %v, want a parse error naming bad_test.rego", err)
	}
}
