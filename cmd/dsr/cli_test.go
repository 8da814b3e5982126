package main

import (
	"os"
	"strings"
	"testing"
)

// commandPaths lists every command and subcommand of the command table,
// groups included, as the arguments that name it: ["assess"],
// ["register"], ["register", "add"], ...
func commandPaths() [][]string {
	var out [][]string
	var walk func(prefix []string, cs []*command)
	walk = func(prefix []string, cs []*command) {
		for _, c := range cs {
			path := append(append([]string(nil), prefix...), c.name)
			out = append(out, path)
			walk(path, c.subs)
		}
	}
	walk(nil, commands)
	return out
}

func TestCommandTableIsComplete(t *testing.T) {
	paths := commandPaths()
	for _, want := range []string{"assess", "schema", "demo", "register verify", "review summary", "bluelight minute", "policy list", "policy test", "policy diff", "policy build"} {
		found := false
		for _, p := range paths {
			found = found || strings.Join(p, " ") == want
		}
		if !found {
			t.Errorf("the command table has no %q", want)
		}
	}
	for _, c := range commands {
		if !strings.Contains(usageText, "dsr "+c.name) {
			t.Errorf("dsr's usage does not list %q", c.name)
		}
	}
}

// Every command and subcommand prints its usage to standard output for -h
// and --help, exits 0 and writes nothing to standard error; the usage
// names the command.
func TestEveryCommandPrintsUsageForHelp(t *testing.T) {
	t.Chdir(t.TempDir()) // nothing may be created: help runs nothing
	for _, path := range append(commandPaths(), []string{}) {
		for _, help := range []string{"--help", "-h"} {
			args := append(append([]string(nil), path...), help)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r := runCLI(t, "", args...)
				if r.code != exitOK {
					t.Errorf("exit %d, want 0", r.code)
				}
				if r.stderr != "" {
					t.Errorf("stderr = %q, want nothing", r.stderr)
				}
				if !strings.Contains(r.stdout, "Usage") {
					t.Errorf("stdout has no usage:\n%s", r.stdout)
				}
				for _, name := range path {
					if !strings.Contains(r.stdout, name) {
						t.Errorf("the usage does not name %q:\n%s", name, r.stdout)
					}
				}
			})
		}
	}
	assertEmptyDir(t)
}

// Every command refuses a flag it does not define with exit status 2,
// before it does anything; a group refuses it as an unknown subcommand.
func TestEveryCommandRefusesAnUnknownFlag(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, path := range append(commandPaths(), []string{}) {
		args := append(append([]string(nil), path...), "--no-such-flag")
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runCLI(t, "", args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, exitUsage, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if !strings.Contains(r.stderr, "no-such-flag") {
				t.Errorf("stderr does not name the flag:\n%s", r.stderr)
			}
		})
	}
	assertEmptyDir(t)
}

// A flag of one subcommand is refused by the others (issue 11: register
// verify used to accept --evidence), wherever it comes among the
// arguments.
func TestSubcommandsRefuseOtherSubcommandsFlags(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{"register", "verify", "--evidence", "X"},
		{"register", "due", "--reason", "why"},
		{"register", "add", "-", "--as-of", "2026-04-01"},
		{"register", "history", "a", "--evidence", "X"},
		{"register", "agree", "a", "red", "--json"},
		{"review", "plan", "-", "--json"},
		{"review", "summary", "rev-1", "--reason", "why"},
		{"bluelight", "open", "-", "--json"},
		{"bluelight", "minute", "bl-1", "--as-of", "2026-04-01"},
		{"policy", "list", "--cases", "5"},
		{"policy", "test", "national-2023", "--json"},
		{"policy", "diff", "national-2023", "national-2017", "--generate", "5", "--set", "x=1"},
		{"policy", "build", "national-2023", "-o", "x.tar.gz", "--json"},
		{"demo", "--json"},
		{"schema", "case", "--set", "x=1"}, // schema takes --policy (R-INPUT-1), not --set
		{"assess", "-", "--db", "dsr.db"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runCLI(t, "", args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "flag provided but not defined") {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, exitUsage, r.stderr)
			}
		})
	}
	assertEmptyDir(t)
}

// assertEmptyDir fails unless the working directory is empty: a command
// refused or asked for help must not create its register file.
func assertEmptyDir(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s was created", e.Name())
	}
}

// leafPaths lists the commands of the command table that run (no groups).
func leafPaths() [][]string {
	var out [][]string
	var walk func(prefix []string, cs []*command)
	walk = func(prefix []string, cs []*command) {
		for _, c := range cs {
			path := append(append([]string(nil), prefix...), c.name)
			if c.subs == nil {
				out = append(out, path)
			}
			walk(path, c.subs)
		}
	}
	walk(nil, commands)
	return out
}

// noRules are the commands that evaluate no rules of a bundle the user
// names: they take no --timeout.
var noRules = map[string]bool{"schema": true, "policy list": true}

// Every command that evaluates rules takes --timeout D (timeoutFlag) and
// documents it in its usage; a duration that does not parse is refused
// with exit status 2 before the command does anything. The others refuse
// --timeout as a flag they do not define.
func TestEveryCommandThatEvaluatesRulesTakesATimeout(t *testing.T) {
	t.Chdir(t.TempDir())
	n := 0
	for _, path := range leafPaths() {
		name := strings.Join(path, " ")
		t.Run(name, func(t *testing.T) {
			help := runCLI(t, "", append(path, "-h")...)
			r := runCLI(t, "", append(path, "--timeout", "soon")...)
			if r.code != exitUsage || r.stdout != "" {
				t.Errorf("--timeout soon: exit %d, want %d; stdout %q", r.code, exitUsage, r.stdout)
			}
			if noRules[name] {
				if strings.Contains(help.stdout, "--timeout") || !strings.Contains(r.stderr, "flag provided but not defined: -timeout") {
					t.Errorf("takes --timeout, or does not refuse it:\n%s", r.stderr)
				}
				return
			}
			n++
			if !strings.Contains(help.stdout, "--timeout D") || !strings.Contains(help.stdout, "0 for no limit") {
				t.Errorf("the usage does not document --timeout D:\n%s", help.stdout)
			}
			if !strings.Contains(r.stderr, `invalid value "soon" for flag -timeout`) {
				t.Errorf("--timeout soon is not refused as a bad duration:\n%s", r.stderr)
			}
		})
	}
	if want := len(leafPaths()) - len(noRules); n != want {
		t.Errorf("%d commands take --timeout, want %d", n, want)
	}
	assertEmptyDir(t)
}
