package apply_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/apply"
)

// noKubeconfig makes the environment one without any kubeconfig.
func noKubeconfig(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
	return home
}

func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	data := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "` + server + `", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: t0ken-not-printed}
contexts:
- name: milvus-eks
  context: {cluster: c, user: u}
- name: other
  context: {cluster: c, user: u}
current-context: milvus-eks
`
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// closedPort is an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestLoadConfigErrors(t *testing.T) {
	home := noKubeconfig(t)
	leaks := []string{"KUBERNETES_MASTER", "invalid configuration"}
	for _, tc := range []struct {
		name, kubeconfig, context string
		want                      []string
	}{
		{"no kubeconfig", "", "", []string{"no kubeconfig: ~/.kube/config does not exist and $KUBECONFIG is not set", "--kubeconfig", "aws eks update-kubeconfig"}},
		{"missing file", filepath.Join(home, "nope"), "", []string{"kubeconfig " + filepath.Join(home, "nope") + " cannot be read: no such file or directory"}},
		{"unknown context", writeKubeconfig(t, "https://127.0.0.1:1"), "prod", []string{`has no context "prod"; its contexts: milvus-eks, other`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := apply.LoadConfig(tc.kubeconfig, tc.context)
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, l := range leaks {
				if strings.Contains(err.Error(), l) {
					t.Errorf("error %q leaks client-go's %q", err, l)
				}
			}
		})
	}
}

// TestUnreachable: with the API server down, apply says which kubeconfig,
// context and server it used, and that the server cannot be reached; not
// that the inventory could not be read.
func TestUnreachable(t *testing.T) {
	noKubeconfig(t)
	addr := closedPort(t)
	kc := writeKubeconfig(t, "https://"+addr)
	t.Setenv("KUBECONFIG", kc)
	cfg, cl, err := apply.LoadConfig("", "")
	if err != nil {
		t.Fatal(err)
	}
	want := apply.Cluster{Kubeconfig: kc, Context: "milvus-eks", Server: "https://" + addr}
	if cl != want {
		t.Errorf("cluster %+v, want %+v", cl, want)
	}
	opts := apply.DefaultOptions()
	opts.Cluster = cl
	m, err := apply.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	objs := decode(t, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n")
	_, err = m.Apply(context.Background(), objs, apply.DefaultApplyOptions())
	var ue *apply.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want an *apply.UnreachableError", err)
	}
	msg := err.Error()
	t.Log(msg)
	prefix := `the API server at https://` + addr + ` (context "milvus-eks" in ` + kc + `) cannot be reached: `
	if !strings.HasPrefix(msg, prefix) {
		t.Errorf("error %q\nwant it to start %q", msg, prefix)
	}
	for _, l := range []string{"inventory", "server groups", "KUBERNETES_MASTER", "t0ken"} {
		if strings.Contains(msg, l) {
			t.Errorf("error %q mentions %q", msg, l)
		}
	}
	if !strings.Contains(msg, "connection refused") {
		t.Errorf("error %q does not say why (connection refused)", msg)
	}
	if err := m.SetDefaultNamespace(objs, "x"); !errors.As(err, &ue) {
		t.Errorf("SetDefaultNamespace: err = %v, want an *apply.UnreachableError", err)
	}
}
