package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
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
