package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateRendered(t *testing.T) {
	for _, ex := range examples(t) {
		code, stdout, stderr := milvusgen(t, "validate", "--rendered", ex.out)
		if code != exitOK || !strings.Contains(stdout, "the rendered artifacts agree") {
			t.Errorf("validate --rendered %s: exit %d\n%s%s", ex.out, code, stdout, stderr)
		}
	}

	broken := t.TempDir()
	if err := os.CopyFS(broken, os.DirFS("../../out/runbook")); err != nil {
		t.Fatal(err)
	}
	lbc := filepath.Join(broken, "kubernetes", "infrastructure", "aws-load-balancer-controller.yaml")
	data, err := os.ReadFile(lbc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lbc, []byte(strings.Replace(string(data), "region: us-east-2", "region: us-west-2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"disagreement", []string{"validate", "--rendered", broken}, exitFailure,
			`the rendered artifacts disagree (1 problem):
  kubernetes/infrastructure/aws-load-balancer-controller.yaml HelmRelease/kube-system/aws-load-balancer-controller spec.values.region: region is "us-west-2", but aws/eksctl-cluster.yaml metadata.region has "us-east-2"`},
		{"not a directory", []string{"validate", "--rendered", filepath.Join(broken, "nope")}, exitUsage, "not a directory"},
		{"spec and tree", []string{"validate", "--rendered", broken, "-f", "spec.cue"}, exitUsage, "takes no -f"},
		{"no value", []string{"validate", "--rendered"}, exitUsage, "flag needs an argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := milvusgen(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain:\n%s", code, tc.code, stderr, tc.want)
			}
		})
	}
}
