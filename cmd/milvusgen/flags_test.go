package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"
)

// TestQuietEverywhere: -q is one flag of every command (it was unknown to
// validate, size and diff), and with it a success prints no summary.
func TestQuietEverywhere(t *testing.T) {
	spec := writeSpec(t, minimal)
	out := filepath.Join(t.TempDir(), "out")
	for _, args := range [][]string{
		{"validate", "-q", today, "-f", spec},
		{"-q", "validate", today, "-f", spec},
		{"render", "-q", today, "-f", spec, "-o", out},
		{"render", "--quiet", today, "-f", spec, "-o", out, "--check"},
		{"validate", "-q", "--rendered", out},
	} {
		code, stdout, stderr := milvusgen(t, args...)
		if code != exitOK || stdout != "" || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and nothing", args, code, stdout, stderr)
		}
	}
	// Results are still printed, notes are not.
	if code, stdout, stderr := milvusgen(t, "diff", "-q", today, "-f", spec, "--against-dir", out); code != exitOK || stderr != "" || !strings.Contains(stdout, "no changes") {
		t.Errorf("diff -q: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, stdout, _ := milvusgen(t, "size", "-q", today, "-f", spec); code != exitOK || !strings.Contains(stdout, "COMPONENT") {
		t.Errorf("size -q: exit %d, %q", code, stdout)
	}
	if code, stdout, _ := milvusgen(t, "schema", "-q"); code != exitOK || !strings.Contains(stdout, "#Spec:") {
		t.Errorf("schema -q: exit %d", code)
	}
	// Every command accepts it.
	var cmds []string
	for _, c := range (&env{}).rootCommand().Commands() {
		cmds = append(cmds, c.Name())
	}
	for _, name := range cmds {
		if code, _, stderr := milvusgen(t, name, "-q", "--help"); code != exitOK {
			t.Errorf("%s -q --help: exit %d: %s", name, code, stderr)
		}
	}
}

// TestGlobalFlagsInHelp: --today and -q are documented in every command's
// help.
func TestGlobalFlagsInHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"validate", "--help"}, {"render", "--help"}, {"size", "--help"}, {"diff", "--help"}, {"apply", "--help"}, {"chart", "pull", "--help"}} {
		code, stdout, _ := milvusgen(t, args...)
		if code != exitOK || !strings.Contains(stdout, "--today string") || !strings.Contains(stdout, "-q, --quiet") {
			t.Errorf("%v: exit %d, --today or -q missing:\n%s", args, code, stdout)
		}
		if strings.Contains(stdout, "[=true|false]") {
			t.Errorf("%v: pflag's bool suffix in the help:\n%s", args, stdout)
		}
	}
}

// TestFlagSuggestions: a misspelt flag gets the nearest flag of its command.
func TestFlagSuggestions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"render", "--ouput", "x"}, "unknown flag: --ouput; did you mean --output?"},
		{[]string{"render", "--out", "x"}, "did you mean --output?"},
		{[]string{"diff", "--agaisnt", "HEAD"}, "did you mean --against?"},
		{[]string{"validate", "--renderd", "x"}, "did you mean --rendered?"},
		{[]string{"apply", "--kubeconfg", "x"}, "did you mean --kubeconfig?"},
		{[]string{"size", "--quite"}, "did you mean --quiet?"},
		{[]string{"size", "--todya", "x"}, "did you mean --today?"},
		{[]string{"chart", "pull", "--mirorr", "x"}, "did you mean --mirror?"},
	} {
		code, _, stderr := milvusgen(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	// Nothing near: no suggestion.
	if _, _, stderr := milvusgen(t, "size", "--kubeconfig", "x"); strings.Contains(stderr, "did you mean") {
		t.Errorf("size --kubeconfig: %q", stderr)
	}
	if _, _, stderr := milvusgen(t, "rendr"); !strings.Contains(stderr, "Did you mean this?\n\trender") {
		t.Errorf("unknown command: %q", stderr)
	}
}

func TestCommandArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"version", "extra"}, exitUsage, `unknown command "extra" for "milvusgen version"`},
		{[]string{"schema", "extra"}, exitUsage, `unknown command "extra" for "milvusgen schema"`},
		{[]string{"chart", "push"}, exitUsage, `chart: unknown subcommand "push"`},
		{[]string{"chart", "pul"}, exitUsage, `did you mean "pull"?`},
		{[]string{"chart"}, exitUsage, "want a subcommand: chart pull"},
		{[]string{"diff", "spec.cue"}, exitUsage, "specs are passed with -f"},
		{[]string{"apply", "-f", "x.cue", "-o", "a", "--path", "b"}, exitUsage, "-o and --path exclude each other"},
	} {
		code, _, stderr := milvusgen(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := milvusgen(t, "version")
	for _, want := range []string{"milvusgen dev", "go1.", "helm sdk", "v3.22.0", "cue", "v0.17.1", "eksctl", "v0.230.0", "5.0.19 (Milvus 2.6.15)", "3.5.0"} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("version: exit %d, lacks %q:\n%s", code, want, stdout)
		}
	}
	if code, stdout, _ := milvusgen(t, "--version"); code != exitOK || !strings.HasPrefix(stdout, "milvusgen dev") {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
	if code, stdout, _ := milvusgen(t, "version", "-q"); code != exitOK || stdout != "dev\n" {
		t.Errorf("version -q: exit %d, %q", code, stdout)
	}
	code, stdout, _ = milvusgen(t, "version", "--help")
	if code != exitOK || !strings.Contains(stdout, "Usage:") || strings.Contains(stdout, "go1.") {
		t.Errorf("version --help: exit %d, want the help, not the version:\n%s", code, stdout)
	}
}

// TestApplyOutput: -o names the tree's directory in apply as in render and
// diff; the work tree is the one holding it.
func TestApplyOutput(t *testing.T) {
	work := filepath.Join(t.TempDir(), "fleet")
	if _, err := git.PlainInitWithOptions(work, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "clusters", "demo")
	code, stdout, stderr := milvusgen(t, "apply", today, "-f", writeSpec(t, minimal), "-o", dir)
	if code != exitOK || !strings.Contains(stdout, "git: committed ") || !strings.Contains(stdout, "under clusters/demo)") {
		t.Fatalf("apply -o: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "aws", "eksctl-cluster.yaml")); err != nil {
		t.Error(err)
	}
	if code, _, stderr := milvusgen(t, "apply", today, "-f", writeSpec(t, minimal), "-o", filepath.Join(t.TempDir(), "x")); code != exitFailure || !strings.Contains(stderr, "-o ") {
		t.Errorf("apply -o outside a work tree: exit %d: %s", code, stderr)
	}
}

// TestStdinEveryCommand: -f - reads the spec from stdin in every command
// that reads one.
func TestStdinEveryCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	work := t.TempDir()
	if _, err := git.PlainInit(work, false); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"validate", today, "-f", "-"},
		{"size", today, "-f", "-"},
		{"render", today, "-q", "-f", "-", "-o", out},
		{"diff", today, "-f", "-", "--against-dir", out},
		{"apply", today, "-f", "-", "--repo", work, "--path", "clusters/demo", "--dry-run"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, strings.NewReader(minimal), &stdout, &stderr); code != exitOK {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
		}
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, stdout, stderr := milvusgen(t, "completion", shell)
		if code != exitOK || !strings.Contains(stdout, "milvusgen") {
			t.Errorf("completion %s: exit %d, %d bytes: %s", shell, code, len(stdout), stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "rend"}, "render\t"},
		{[]string{"__complete", "size", "--format", ""}, "text\njson\n:4\n"},
		{[]string{"__complete", "diff", "--format", ""}, "text\nmarkdown\njson\n:4\n"},
		{[]string{"__complete", "render", "--hy"}, "--hydrate\t"},
		{[]string{"__complete", "render", "-f", ""}, "cue\nyaml\nyml\njson\n:8\n"},
		{[]string{"__complete", "render", "-o", ""}, ":16\n"},
	} {
		code, stdout, stderr := milvusgen(t, tc.args...)
		if code != exitOK || !strings.Contains(stdout, tc.want) {
			t.Errorf("%v: exit %d, stdout %q (%s); want %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// TestEnvCompletionHook: a command with --env completes it from envNames.
func TestEnvCompletionHook(t *testing.T) {
	saved := commands
	t.Cleanup(func() { commands, envNames = saved, nil })
	commands = append(commands[:len(commands):len(commands)], func(e *env) *cobra.Command {
		c := newCommand("fleetdemo", "demo", "", func(*cobra.Command, []string) error { return nil })
		c.Flags().String("fleet", "", "")
		c.Flags().String("env", "", "")
		return c
	})
	envNames = func(cmd *cobra.Command) ([]string, error) {
		fleet, _ := cmd.Flags().GetString("fleet")
		return []string{fleet + "-dev", fleet + "-prod"}, nil
	}
	code, stdout, _ := milvusgen(t, "__complete", "fleetdemo", "--fleet", "eu", "--env", "")
	if code != exitOK || !strings.HasPrefix(stdout, "eu-dev\neu-prod\n:4\n") {
		t.Errorf("--env completion: exit %d, %q", code, stdout)
	}
}

// TestCobraChecksAreUsage: a command added later that uses cobra's required
// and exclusive flags gets exit 2 for them, and 1 for its own failures.
func TestCobraChecksAreUsage(t *testing.T) {
	saved := commands
	t.Cleanup(func() { commands = saved })
	commands = append(commands[:len(commands):len(commands)], func(e *env) *cobra.Command {
		c := newCommand("later", "demo", "", func(*cobra.Command, []string) error { return errors.New("it failed") })
		c.Flags().String("a", "", "")
		c.Flags().String("b", "", "")
		_ = c.MarkFlagRequired("a")
		c.MarkFlagsMutuallyExclusive("a", "b")
		return c
	})
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"later"}, exitUsage, `required flag(s) "a" not set`},
		{[]string{"later", "--a=1", "--b=2"}, exitUsage, "none of the others can be"},
		{[]string{"later", "--a=1"}, exitFailure, "it failed"},
		{[]string{"later", "--a=1", "--today=soon"}, exitUsage, `--today "soon": want YYYY-MM-DD`},
	} {
		code, _, stderr := milvusgen(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
