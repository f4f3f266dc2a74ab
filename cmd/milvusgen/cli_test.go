package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/spec/spectest"
)

const today = "--today=2026-11-26"

func milvusgen(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

type example struct {
	out   string
	specs []string
}

// examples reads examples/render.list, the list `make render` uses, with
// paths relative to this package and specs as -f flags.
func examples(t *testing.T) []example {
	t.Helper()
	exs, err := modeltest.Examples("../../examples/render.list")
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, ex := range exs {
		e := example{out: "../../" + ex.Out}
		for _, s := range ex.Specs {
			e.specs = append(e.specs, "-f", "../../"+s)
		}
		out = append(out, e)
	}
	return out
}

// TestOutUpToDate is the golden test of the whole tool: out/ must be what
// the current code renders from the examples. -update rewrites out/.
func TestOutUpToDate(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(filepath.Base(ex.out), func(t *testing.T) {
			args := append([]string{"render", today, "-o", ex.out}, ex.specs...)
			if !golden.Update() {
				args = append(args, "--check")
			}
			if code, _, stderr := milvusgen(t, args...); code != 0 {
				t.Fatalf("exit %d, out/ is stale (run make render or go test ./cmd/milvusgen -update):\n%s", code, stderr)
			}
		})
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	for _, ex := range examples(t) {
		a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
		for _, dir := range []string{a, b} {
			if code, _, stderr := milvusgen(t, append([]string{"render", today, "-q", "-o", dir}, ex.specs...)...); code != 0 {
				t.Fatalf("render %v: exit %d: %s", ex.specs, code, stderr)
			}
		}
		if ta, tb := tree(t, a), tree(t, b); ta != tb {
			t.Errorf("two renders of %v differ", ex.specs)
		}
	}
}

func tree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		st, _ := d.Info()
		b.WriteString(rel + " " + st.Mode().String() + "\n" + string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func writeSpec(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const minimal = `name: milvus-demo
aws: {region: us-east-2, accountID: "123456789012"}
cluster: {name: milvus-eks-cluster}
storage: {bucket: milvus-bucket-039dd013c0712f085d60e21f}
`

func TestInvalidSpecWritesNothing(t *testing.T) {
	bad := writeSpec(t, strings.Replace(minimal, "milvus-bucket-039dd013c0712f085d60e21f", "Milvus_Bucket", 1)+"milvus: {messageQueue: nats}\n")
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := milvusgen(t, "render", today, "-f", bad, "-o", out)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFailure, stderr)
	}
	for _, want := range []string{"spec is invalid (2 problems)", "storage.bucket: bucket name must be 3-63", "spec.yaml:4:19", "milvus.messageQueue: must be one of", "spec.yaml:5:24"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("an invalid spec created the output directory (%v)", err)
	}

	// An existing tree stays byte-identical.
	good := writeSpec(t, minimal)
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", good, "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before := tree(t, out)
	if code, _, _ := milvusgen(t, "render", today, "-f", bad, "-o", out); code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	if tree(t, out) != before {
		t.Error("a failed render changed the previous tree")
	}
}

func TestRenderCheck(t *testing.T) {
	spec := writeSpec(t, minimal)
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", spec, "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, stdout, _ := milvusgen(t, "render", today, "--check", "-f", spec, "-o", out); code != 0 || !strings.Contains(stdout, "up to date") {
		t.Fatalf("check of a fresh tree: exit %d, %q", code, stdout)
	}
	p := filepath.Join(out, "aws", "eksctl-cluster.yaml")
	if err := os.WriteFile(p, []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := milvusgen(t, "render", today, "--check", "-f", spec, "-o", out)
	if code != exitFailure || !strings.Contains(stderr, "updated   aws/eksctl-cluster.yaml") {
		t.Fatalf("check of an edited tree: exit %d, stderr:\n%s", code, stderr)
	}
	if data, _ := os.ReadFile(p); string(data) != "edited by hand\n" {
		t.Error("--check wrote to the tree")
	}
}

func TestRenderRefusesForeignDirectory(t *testing.T) {
	out := t.TempDir()
	mine := filepath.Join(out, "notes.md")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := milvusgen(t, "render", today, "-f", writeSpec(t, minimal), "-o", out)
	if code != exitFailure || !strings.Contains(stderr, "notes.md") {
		t.Fatalf("exit %d, stderr %q; want a refusal naming notes.md", code, stderr)
	}
	if data, _ := os.ReadFile(mine); string(data) != "mine" {
		t.Error("the user's file was clobbered")
	}
}

func TestUsage(t *testing.T) {
	spec := writeSpec(t, minimal)
	toml := filepath.Join(t.TempDir(), "spec.toml")
	if err := os.WriteFile(toml, []byte("name = 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no args", nil, exitUsage, "Usage:"},
		{"unknown command", []string{"deploy"}, exitUsage, `unknown command "deploy"`},
		{"render without -o", []string{"render", "-f", spec}, exitUsage, "-o DIR is required"},
		{"render without spec", []string{"render", "-o", t.TempDir()}, exitUsage, "no spec given"},
		{"unknown flag", []string{"validate", "--bogus"}, exitUsage, "unknown flag: --bogus"},
		{"positional spec", []string{"validate", spec}, exitUsage, "specs are passed with -f"},
		{"bad today", []string{"validate", "--today", "tomorrow", "-f", spec}, exitUsage, "want YYYY-MM-DD"},
		{"missing file", []string{"validate", "-f", "/nonexistent/spec.yaml"}, exitFailure, "reading spec /nonexistent/spec.yaml failed"},
		{"unsupported format", []string{"validate", "-f", toml}, exitFailure, `unsupported spec format ".toml"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := milvusgen(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"render", "--help"}, {"help", "validate"}, {"schema", "-h"}} {
		code, stdout, _ := milvusgen(t, args...)
		if code != exitOK || !strings.Contains(stdout, "Usage") {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout)
		}
	}
}

func TestValidateAndSchema(t *testing.T) {
	code, stdout, stderr := milvusgen(t, "validate", today, "-f", writeSpec(t, minimal))
	if code != exitOK || !strings.Contains(stdout, "valid (cluster milvus-eks-cluster, release milvus-demo)") {
		t.Errorf("validate: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, _ = milvusgen(t, "schema")
	if code != exitOK || !strings.Contains(stdout, "#Spec:") {
		t.Errorf("schema: exit %d", code)
	}
	code, _, stderr = milvusgen(t, "validate", "--today=2026-11-26", "-f", writeSpec(t, strings.Replace(minimal, "{name: milvus-eks-cluster}", `{name: milvus-eks-cluster, kubernetesVersion: "1.33"}`, 1)))
	if code != exitOK || !strings.Contains(stderr, "warning: cluster.kubernetesVersion") {
		t.Errorf("extended-support version: exit %d, stderr %q; want a warning", code, stderr)
	}
}

func TestStdinSpec(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"validate", today, "-f", "-"}, strings.NewReader(minimal), &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

// TestRenderInvalidSpecs runs every shared invalid spec through the CLI:
// exit 1, the message and its position on stderr, and no output written.
func TestRenderInvalidSpecs(t *testing.T) {
	cases := spectest.Invalid()
	if len(cases) < 30 {
		t.Fatalf("only %d invalid specs", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			dir := t.TempDir()
			spec := filepath.Join(dir, tc.File())
			if err := os.WriteFile(spec, []byte(tc.Text), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			code, stdout, stderr := milvusgen(t, "render", today, "-f", spec, "-o", out)
			if code != exitFailure {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, exitFailure, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.Want) {
				t.Errorf("stderr lacks %q:\n%s", tc.Want, stderr)
			}
			if tc.Pos != "" && !strings.Contains(stderr, tc.Pos) {
				t.Errorf("stderr lacks the position %s:\n%s", tc.Pos, stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("an invalid spec wrote %s (%v)", out, err)
			}
		})
	}
}
