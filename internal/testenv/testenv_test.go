package testenv_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/milvusgen/milvusgen/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestShared starts the shared server and talks to it through the written
// kubeconfig, as milvusgen apply --kubeconfig does.
func TestShared(t *testing.T) {
	t0 := time.Now()
	env := testenv.Shared(t)
	t.Logf("API server ready at %s in %s", env.URL, time.Since(t0).Round(time.Millisecond))
	if again := testenv.Shared(t); again != env {
		t.Fatal("Shared started a second server")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", env.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != "v1.37.2" {
		t.Errorf("server version %s, want v1.37.2", v.GitVersion)
	}
	// kube-system is created by the API server itself, shortly after readyz.
	for {
		if _, err = cs.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{}); err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("namespace kube-system: %v", err)
	}
}

// TestStartStop starts a private server and stops it; Stop must not hang.
func TestStartStop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second server")
	}
	env := testenv.Start(t)
	t0 := time.Now()
	env.Stop()
	if d := time.Since(t0); d > 20*time.Second {
		t.Errorf("Stop took %s", d)
	}
}

// TestMissingBinaries reports how to build the binaries.
func TestMissingBinaries(t *testing.T) {
	t.Setenv(testenv.BinEnv, t.TempDir())
	t.Setenv(testenv.SkipEnv, "")
	_, _, err := testenv.Binaries()
	if err == nil || !strings.Contains(err.Error(), "run make testenv") {
		t.Fatalf("error %v, want one that says: run make testenv", err)
	}
}
