package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/milvusgen/milvusgen/internal/testenv"
	"github.com/milvusgen/milvusgen/internal/verify"
	"github.com/milvusgen/milvusgen/internal/verify/milvustest"
)

// The rotation itself is tested in internal/verify against the in-process
// Milvus and the test API server; here, the command line around it.
func TestRotatePasswordUsage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		env   string
		stdin string
		code  int
		want  string
	}{
		{"nothing to rotate", []string{"rotate-password"}, "", "", exitUsage, "pass -f SPEC or --rendered DIR"},
		{"both", []string{"rotate-password", "-f", "../../examples/runbook/spec.cue", "--rendered", "../../out/runbook"}, "", "", exitUsage, "not both"},
		{"two sources", []string{"rotate-password", "--rendered", "../../out/runbook", "--new-password-stdin"}, "from-env-1", "", exitUsage, "two sources of the new password"},
		{"stdin twice", []string{"rotate-password", "-f", "-", "--new-password-stdin"}, "", "", exitUsage, "both read stdin"},
		{"no generate", []string{"rotate-password", "--rendered", "../../out/runbook", "--no-generate"}, "", "", exitUsage, "--no-generate: give the new password"},
		{"short password", []string{"rotate-password", "--rendered", "../../out/runbook"}, "abc", "", exitFailure, "$MILVUSGEN_NEW_ROOT_PASSWORD: the new password is 3 bytes; Milvus accepts 6 to 72"},
		{"empty stdin", []string{"rotate-password", "--rendered", "../../out/runbook", "--new-password-stdin"}, "", "", exitFailure, "stdin holds no password"},
		{"no cluster", []string{"rotate-password", "--rendered", "../../out/runbook", "--new-password-stdin"}, "", "s3cret-from-stdin\n", exitFailure, "(it reads and updates the root password Secret)"},
		{"format", []string{"rotate-password", "--rendered", "../../out/runbook", "--format", "yaml"}, "", "", exitUsage, `--format "yaml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
			t.Setenv("MILVUSGEN_NEW_ROOT_PASSWORD", tc.env)
			var out, errb bytes.Buffer
			code := run(tc.args, strings.NewReader(tc.stdin), &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errb.String(), tc.code, tc.want)
			}
			for _, pw := range []string{"from-env-1", "s3cret-from-stdin", "abc\n"} {
				if strings.Contains(out.String()+errb.String(), pw) {
					t.Errorf("a password is printed:\n%s%s", out.String(), errb.String())
				}
			}
		})
	}
}

// The command end to end: the tree's Secret on a real API server, the
// in-process Milvus at --address, the new password from the environment,
// from stdin, then generated. Nothing it prints holds a password.
func TestRotatePasswordCluster(t *testing.T) {
	env := testenv.Start(t)
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "milvus"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const first = "first-Pa55word"
	if _, err := cs.CoreV1().Secrets("milvus").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "milvus-root"},
		StringData: map[string]string{"password": first}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	secret := func() string {
		t.Helper()
		s, err := cs.CoreV1().Secrets("milvus").Get(ctx, "milvus-root", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Data) != 1 {
			t.Errorf("Secret keys: %d, want 1", len(s.Data))
		}
		return string(s.Data["password"])
	}
	m := milvustest.New(first)
	args := []string{"rotate-password", "--rendered", "../../out/runbook", "--address", milvustest.Serve(t, m), "--kubeconfig", env.Kubeconfig}
	seen := []string{first}
	rotate := func(env, stdin string, extra ...string) string {
		t.Helper()
		t.Setenv(verify.NewPasswordEnv, env)
		var out, errb bytes.Buffer
		code := run(append(append([]string{}, args...), extra...), strings.NewReader(stdin), &out, &errb)
		if code != exitOK {
			t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
		}
		pw := secret()
		if pw != m.PasswordNow() {
			t.Fatalf("the Secret and Milvus disagree after the rotation")
		}
		seen = append(seen, pw)
		for _, p := range seen {
			if strings.Contains(out.String()+errb.String(), p) {
				t.Errorf("a password is printed:\n%s%s", out.String(), errb.String())
			}
		}
		return out.String()
	}

	if out := rotate("second-Pa55word", ""); secret() != "second-Pa55word" || !strings.Contains(out, "rotate-password passed") {
		t.Errorf("from the environment:\n%s", out)
	}
	if rotate("", "third-Pa55word\n", "--new-password-stdin"); secret() != "third-Pa55word" {
		t.Errorf("from stdin: not set")
	}
	out := rotate("", "", "--format", "json")
	var r struct {
		Result string
		Steps  []struct{ Name, Verdict string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Result != "pass" || len(r.Steps) != 8 {
		t.Errorf("generated, JSON: %v\n%s", err, out)
	}
	if pw := secret(); len(pw) != 26 || m.Rotations != 3 {
		t.Errorf("generated: %d characters, %d rotations", len(pw), m.Rotations)
	}
}
