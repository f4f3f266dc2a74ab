package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/shared"
)

// TestChartAddOffline: archives on disk are locked without the network,
// and hydrate says when it reads a directory without a lock.
func TestChartAddOffline(t *testing.T) {
	src := shared.MustPath(t, "charts")
	archives, err := filepath.Glob(filepath.Join(src, "*.tgz"))
	if err != nil || len(archives) != 2 {
		t.Fatalf("shared archives: %v %v", archives, err)
	}
	out := filepath.Join(t.TempDir(), "tree")
	hydrate := []string{"render", today, "-q", "-f", "../../examples/runbook/spec.cue", "-o", out, "--hydrate"}

	code, _, stderr := milvusgen(t, append(hydrate, "--chart-dir", src)...)
	if code != exitOK || !strings.Contains(stderr, "warning: "+src+" has no charts.lock.json") || !strings.Contains(stderr, "milvusgen chart add") {
		t.Errorf("hydrate from a directory without a lock: exit %d, want 0 and a warning naming chart add: %q", code, stderr)
	}

	dir := filepath.Join(t.TempDir(), "charts")
	code, stdout, stderr := milvusgen(t, append([]string{"chart", "add", "--chart-dir", dir}, archives...)...)
	if code != exitOK || strings.Count(stdout, "added") != 2 {
		t.Fatalf("chart add: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "charts.lock.json")); err != nil {
		t.Fatal(err)
	}
	// chart pull finds everything locked and cached: no network needed.
	code, stdout, stderr = milvusgen(t, "chart", "pull", today, "-f", "../../examples/runbook/spec.cue", "--chart-dir", dir)
	if code != exitOK || strings.Count(stdout, "cached") != 2 {
		t.Errorf("chart pull after chart add: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = milvusgen(t, append(hydrate, "--chart-dir", dir)...)
	if code != exitOK || stderr != "" {
		t.Errorf("hydrate from the locked directory: exit %d, stderr %q", code, stderr)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"chart", "add"}, exitUsage, "chart add: no archive given"},
		{[]string{"chart", "add", "--chart-dir", dir, filepath.Join(dir, "nope.tgz")}, exitFailure, "nope.tgz failed: stat: no such file"},
		{[]string{"chart", "pull", today, "-f", "../../examples/runbook/spec.cue", "--chart-dir", dir, "--mirror", "notaurl"}, exitUsage, `--mirror "notaurl" is not a Helm repository URL`},
	} {
		code, _, stderr := milvusgen(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "protocol handler") {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// TestApplyUnreachable: without a kubeconfig, or with the API server down,
// apply says so in its own words first.
func TestApplyUnreachable(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	args := []string{"apply", today, "-f", "../../examples/runbook/spec.cue"}
	leaks := []string{"KUBERNETES_MASTER", "inventory", "server groups", "invalid configuration"}

	code, _, stderr := milvusgen(t, args...)
	if code != exitFailure || !strings.HasPrefix(stderr, "milvusgen: no kubeconfig: ~/.kube/config does not exist and $KUBECONFIG is not set") {
		t.Errorf("no kubeconfig: exit %d, stderr %q", code, stderr)
	}
	for _, l := range leaks {
		if strings.Contains(stderr, l) {
			t.Errorf("no kubeconfig: stderr mentions %q: %s", l, stderr)
		}
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://`+addr+`"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: prod, context: {cluster: c, user: u}}]
current-context: prod
`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = milvusgen(t, append(args, "--kubeconfig", kc)...)
	want := `milvusgen: the API server at https://` + addr + ` (context "prod" in ` + kc + `) cannot be reached: `
	if code != exitFailure || !strings.HasPrefix(stderr, want) {
		t.Errorf("server down: exit %d, stderr %q\nwant it to start %q", code, stderr, want)
	}
	for _, l := range leaks {
		if strings.Contains(stderr, l) {
			t.Errorf("server down: stderr mentions %q: %s", l, stderr)
		}
	}
}
