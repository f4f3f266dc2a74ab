package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage"
	"helm.sh/helm/v3/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/testenv"
	"github.com/milvusgen/milvusgen/render/values"
)

// installRelease stores a deployed Helm release of the chart archive with
// values, as `helm install` leaves it: the manifest rendered by Helm's
// install action for the server's Kubernetes version, kept in a release
// Secret by Helm's storage driver. No chart object is applied (no pod
// would run on the test server anyway).
func installRelease(t *testing.T, env *testenv.Env, archive, ns, name string, vals map[string]any) {
	t.Helper()
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := loader.Load(archive)
	if err != nil {
		t.Fatal(err)
	}
	inst := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	inst.ClientOnly, inst.DryRun, inst.Replace = true, true, true
	inst.ReleaseName, inst.Namespace = name, ns
	inst.KubeVersion = &chartutil.KubeVersion{Version: sv.GitVersion, Major: sv.Major, Minor: sv.Minor}
	rel, err := inst.Run(ch, vals)
	if err != nil {
		t.Fatalf("helm install %s: %v", filepath.Base(archive), err)
	}
	rel.Info.Status = release.StatusDeployed
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if err := storage.Init(driver.NewSecrets(cs.CoreV1().Secrets(ns))).Create(rel); err != nil {
		t.Fatal(err)
	}
}

// specValues loads a spec and returns the Milvus values milvusgen renders.
func specValues(t *testing.T, src string) map[string]any {
	t.Helper()
	r, err := spec.Load([]spec.Source{{Name: "spec.yaml", Data: []byte(src)}}, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return values.Milvus(r.Spec)
}

// TestImport installs releases with the Helm SDK into the test API server
// and imports them: a release milvusgen's own values made imports to a
// spec that renders it unchanged (exit 0), on charts 5.0.19 and 4.2.58; a
// hand-written release is imported with its report and its differences
// (exit 1); an Argo CD Application is read when no Helm release exists.
func TestImport(t *testing.T) {
	env := testenv.Start(t)
	charts := shared.MustPath(t, "charts")
	previous := shared.MustPath(t, "charts-previous")
	dir := t.TempDir()

	for _, tc := range []struct {
		name, chartDir, chart, ns, extra string
		// known is the one difference that remains, or "" for none.
		known string
	}{
		{"current", charts, "5.0.19", "milvus", "messageQueue: woodpecker", ""},
		// The Pulsar v3 subchart's folded PULSAR_MEM keeps its final
		// newline in Helm's install manifest but not in hydrate's
		// offline render: a hydrate difference, not an import one.
		{"previous", previous, "4.2.58", "milvus-old", "messageQueue: pulsar, coordinators: separate, proxy: {replicas: 3}",
			`~ /data/PULSAR_MEM: "-Xms256m -Xmx256m\n" → "-Xms256m -Xmx256m"`},
	} {
		t.Run("round trip "+tc.chart, func(t *testing.T) {
			src := "name: milvus-demo\naws: {region: us-east-2, accountID: \"123456789012\"}\ncluster: {name: milvus-minimal}\n" +
				"storage: {bucket: acme-milvus-minimal-us-east-2}\nmilvus: {namespace: " + tc.ns + ", chartVersion: \"" + tc.chart + "\", " + tc.extra + "}\n"
			installRelease(t, env, filepath.Join(tc.chartDir, "milvus-"+tc.chart+".tgz"), tc.ns, "milvus-demo", specValues(t, src))
			out := filepath.Join(dir, tc.name+".yaml")
			code, stdout, stderr := milvusgen(t, "import", today, "--kubeconfig", env.Kubeconfig, "--release", "milvus-demo", "-n", tc.ns,
				"-o", out, "--account-id", "123456789012", "--cluster", "milvus-minimal", "--chart-dir", tc.chartDir)
			switch {
			case tc.known == "" && (code != exitOK || !strings.Contains(stdout, "milvusgen diff: no changes (")):
				t.Fatalf("exit %d, want 0 (equal)\n%s%s", code, stdout, stderr)
			case tc.known != "" && (code != exitFailure || !strings.Contains(stdout, "milvusgen diff: 1 changed, 0 added, 0 removed") || !strings.Contains(stdout, tc.known)):
				t.Fatalf("exit %d, want 1 with only %s\n%s%s", code, tc.known, stdout, stderr)
			}
			if strings.Contains(stderr, "not mapped:") {
				t.Errorf("milvusgen's own values reported as not mapped:\n%s", stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "chartVersion: "+tc.chart) {
				t.Errorf("spec:\n%s", data)
			}
			// The imported spec renders with milvusgen's own command.
			if code, _, stderr := milvusgen(t, "validate", today, "-f", out); code != exitOK {
				t.Errorf("validate the imported spec: exit %d\n%s", code, stderr)
			}
			// -o never overwrites.
			if code, _, stderr := milvusgen(t, "import", "--kubeconfig", env.Kubeconfig, "--release", "milvus-demo", "-n", tc.ns, "-o", out); code != exitUsage || !strings.Contains(stderr, "exists") {
				t.Errorf("import over an existing spec: exit %d: %s", code, stderr)
			}
		})
	}

	t.Run("hand-written 5.0.19", func(t *testing.T) {
		vals := map[string]any{
			"cluster":    map[string]any{"enabled": true},
			"image":      map[string]any{"all": map[string]any{"tag": "v2.6.15"}},
			"minio":      map[string]any{"enabled": false},
			"externalS3": map[string]any{"enabled": true, "host": "s3.eu-west-1.amazonaws.com", "port": "443", "useSSL": true, "bucketName": "team-milvus", "region": "eu-west-1", "accessKey": "AKIAIMPORTTEST", "secretKey": "import-secret-key", "cloudProvider": "aws"},
			"queryNode":  map[string]any{"replicas": 3},
			"log":        map[string]any{"level": "warn"},
		}
		installRelease(t, env, filepath.Join(charts, "milvus-5.0.19.tgz"), "team", "vectors", vals)
		out := filepath.Join(dir, "team.yaml")
		code, stdout, stderr := milvusgen(t, "import", today, "--kubeconfig", env.Kubeconfig, "--release", "vectors", "-n", "team", "-o", out, "--chart-dir", charts)
		if code != exitFailure {
			t.Fatalf("exit %d, want 1 (different)\n%s%s", code, stdout, stderr)
		}
		for _, want := range []string{
			"not mapped: externalS3.accessKey (a credential;",
			"not mapped: externalS3.secretKey (a credential;",
			"todo: aws.accountID (",
			"todo: cluster.name (",
			"changed: metrics.enabled (true becomes false",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("report lacks %q:\n%s", want, stderr)
			}
		}
		for _, want := range []string{
			"compared with stand-ins for the TODO fields:",
			"Deployment team/vectors-milvus-querynode",
			"Service team/vectors-milvus ",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("differences lack %q:\n%s", want, stdout)
			}
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"AKIAIMPORTTEST", "import-secret-key"} {
			if strings.Contains(string(data)+stdout+stderr, secret) {
				t.Errorf("credential %q written or printed", secret)
			}
		}
		if code, _, stderr := milvusgen(t, "validate", today, "-f", out); code == exitOK || !strings.Contains(stderr, "accountID") {
			t.Errorf("a spec with TODO placeholders validates: exit %d\n%s", code, stderr)
		}
	})

	t.Run("argo cd", func(t *testing.T) {
		args := []string{"import", today, "--kubeconfig", env.Kubeconfig, "--release", "argo-milvus", "-n", "milvus", "--chart-dir", charts, "--account-id", "123456789012", "--cluster", "c"}
		code, stdout, stderr := milvusgen(t, args...)
		if code != exitUsage || !strings.Contains(stderr, `no deployed Helm release "argo-milvus" in namespace milvus`) || !strings.Contains(stderr, "no Argo CD Application argocd/argo-milvus") {
			t.Fatalf("no release: exit %d\n%s%s", code, stdout, stderr)
		}
		env.InstallCRDs(t, testenv.ArgoCDCRDs(t))
		dc, err := dynamic.NewForConfig(env.Config)
		if err != nil {
			t.Fatal(err)
		}
		cs, _ := kubernetes.NewForConfig(env.Config)
		_, _ = cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "argocd"}}, metav1.CreateOptions{})
		app := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
			"metadata": map[string]any{"name": "argo-milvus", "namespace": "argocd"},
			"spec": map[string]any{
				"project":     "default",
				"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "milvus"},
				"source": map[string]any{
					"repoURL": "https://zilliztech.github.io/milvus-helm/", "chart": "milvus", "targetRevision": "5.0.19",
					"helm": map[string]any{"valuesObject": map[string]any{
						"externalS3": map[string]any{"bucketName": "argo-bucket", "region": "us-west-2"},
						"woodpecker": map[string]any{"enabled": true},
						"pulsarv3":   map[string]any{"enabled": false},
					}},
				},
			},
		}}
		gvr := schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
		if _, err := dc.Resource(gvr).Namespace("argocd").Create(context.Background(), app, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr = milvusgen(t, args...)
		if code != exitOK || !strings.Contains(stderr, "Argo CD Application argocd/argo-milvus keeps no installed manifest") {
			t.Fatalf("argo cd: exit %d\n%s%s", code, stdout, stderr)
		}
		for _, want := range []string{"bucket: argo-bucket", "region: us-west-2", "messageQueue: woodpecker", "chartVersion: 5.0.19"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("spec lacks %q:\n%s", want, stdout)
			}
		}
	})
}
