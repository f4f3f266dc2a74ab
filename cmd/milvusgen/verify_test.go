package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/verify/milvustest"
)

// The Milvus side of verify is tested in internal/verify against an
// in-process MilvusService; here, the command line around it.
func TestVerifyUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"nothing to verify", []string{"verify"}, "pass -f SPEC or --rendered DIR"},
		{"both", []string{"verify", "-f", "../../examples/runbook/spec.cue", "--rendered", "../../out/runbook"}, "not both"},
		{"format", []string{"verify", "--rendered", "../../out/runbook", "--format", "yaml"}, `--format "yaml": want text or json`},
		{"two endpoints", []string{"verify", "--rendered", "../../out/runbook", "--address", "h:1", "--port-forward"}, "give one"},
		{"timeout", []string{"verify", "--rendered", "../../out/runbook", "--timeout", "0s"}, "want a positive duration"},
		{"not a directory", []string{"verify", "--rendered", "../../out/nope"}, "not a directory"},
		{"argument", []string{"verify", "spec.cue"}, "unexpected argument"},
		{"expected version", []string{"verify", "--rendered", "../../out/runbook", "--expect-version", "2.6"}, `--expect-version: "2.6" is not a Milvus version`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := milvusgen(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// A failed run exits 1 naming the step and the address, and --format json
// prints the whole report all the same.
func TestVerifyFailure(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("MILVUS_PASSWORD", "x")
	for _, src := range [][]string{{"--rendered", "../../out/runbook"}, {"-f", "../../examples/runbook/spec.cue"}} {
		args := append([]string{"verify", "--address", addr, "--timeout", "5s", "--format", "json"}, src...)
		code, stdout, stderr := milvusgen(t, args...)
		if code != exitFailure || !strings.Contains(stderr, `verify failed at step "connect" against `+addr) {
			t.Errorf("%v: exit %d, stderr:\n%s", src, code, stderr)
		}
		var r struct {
			Result, Release string
			Steps           []struct{ Name, Verdict string }
		}
		if err := json.Unmarshal([]byte(stdout), &r); err != nil || r.Result != "fail" || r.Release != "milvus-demo" || len(r.Steps) == 0 {
			t.Errorf("%v: JSON report %v:\n%s", src, err, stdout)
		}
	}

	// A tree whose files disagree is refused as validate --rendered
	// refuses it.
	broken := t.TempDir()
	if err := os.CopyFS(broken, os.DirFS("../../out/runbook")); err != nil {
		t.Fatal(err)
	}
	hr := filepath.Join(broken, "kubernetes", "apps", "milvus", "milvus.yaml")
	data, err := os.ReadFile(hr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hr, []byte(strings.Replace(string(data), "name: milvus-s3-access-sa", "name: other", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := milvusgen(t, "verify", "--rendered", broken, "--address", addr)
	if code != exitFailure || !strings.Contains(stderr, `Milvus service account is "other"`) {
		t.Errorf("disagreeing tree: exit %d, stderr:\n%s", code, stderr)
	}
}

// A whole run against the in-process Milvus, without cluster access: exit
// 0, and exit 1 naming the step when the server runs another version than
// --expect-version.
func TestVerifyAgainstMilvus(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("MILVUS_PASSWORD", "s3cret-Pa55")
	addr := milvustest.Serve(t, milvustest.New("s3cret-Pa55"))
	code, stdout, stderr := milvusgen(t, "verify", "--rendered", "../../out/runbook", "--address", addr, "--expect-version", "2.6.15")
	if code != exitOK || !strings.Contains(stdout, "server version") || !strings.Contains(stdout, "verify passed") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = milvusgen(t, "verify", "--rendered", "../../out/runbook", "--address", addr, "--expect-version", "2.6.16")
	if code != exitFailure || !strings.Contains(stderr, `verify failed at step "server version"`) {
		t.Errorf("another version: exit %d\n%s", code, stderr)
	}
}
