package consumer

import (
	"strings"
	"testing"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

func TestKube(t *testing.T) {
	tests := map[string]struct {
		doc  string
		want string // part of the error; empty for success
	}{
		"namespace":      {doc: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: milvus\n"},
		"unknown field":  {doc: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: milvus\n  nam: x\n", want: `Namespace/milvus: strict decoding failed: strict decoding error: unknown field "metadata.nam"`},
		"duplicate key":  {doc: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n", want: `already set in map`},
		"wrong type":     {doc: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: two\n", want: "Deployment/d: strict decoding failed"},
		"not registered": {doc: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n", want: "no kind \"Widget\" is registered"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, err := Kube([]byte(tc.doc))
			if tc.want == "" {
				if err != nil || o == nil {
					t.Fatalf("Kube = %v, %v", o, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := Kube([]byte("apiVersion: example.com/v1\nkind: Widget\n")); !runtime.IsNotRegisteredError(err) {
		t.Errorf("custom resource: error %v, want a not-registered error callers can skip", err)
	}
}

func TestFlux(t *testing.T) {
	crds, err := FluxCRDs()
	if err != nil {
		t.Fatal(err)
	}
	const repo = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: eks\n  namespace: kube-system\nspec:\n  interval: 10m0s\n  url: https://aws.github.io/eks-charts\n"
	o, err := crds.Flux([]byte(repo))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := o.(*sourcev1.HelmRepository); !ok || r.Spec.URL != "https://aws.github.io/eks-charts" {
		t.Errorf("Flux = %#v, want the HelmRepository", o)
	}
	for name, tc := range map[string]struct{ doc, want string }{
		"unknown field: strict decode and CRD": {
			doc:  strings.Replace(repo, "  url:", "  uri:", 1),
			want: "HelmRepository/kube-system/eks: strict decoding failed: error unmarshaling JSON: while decoding JSON: json: unknown field \"uri\"\nCRD validation failed: ",
		},
		"secret": {
			doc:  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: flux-system\n",
			want: "Secret/flux-system/s: v1 is not a Flux kind milvusgen renders",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := crds.Flux([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestKustomize(t *testing.T) {
	files := []manifest.File{
		{Path: "apps/kustomization.yaml", Data: []byte("resources:\n- ns.yaml\n")},
		{Path: "apps/ns.yaml", Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: milvus\n")},
		{Path: "broken/kustomization.yaml", Data: []byte("resources:\n- missing.yaml\n")},
	}
	m, err := Kustomize(files, "apps")
	if err != nil {
		t.Fatal(err)
	}
	if rs := m.Resources(); len(rs) != 1 || rs[0].GetName() != "milvus" {
		t.Errorf("resources = %v, want Namespace milvus", rs)
	}
	if _, err := Kustomize(files, "broken"); err == nil || !strings.HasPrefix(err.Error(), "kustomize build broken failed: ") {
		t.Errorf("error = %v, want a kustomize build error naming the root", err)
	}
}

func TestChart(t *testing.T) {
	if _, err := Chart("milvus", "0.0.1"); err == nil || !strings.Contains(err.Error(), "chart milvus 0.0.1") {
		t.Errorf("unknown version: error = %v, want one naming the chart", err)
	}
	a, err := Chart("aws-load-balancer-controller", "3.5.0")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := Chart("aws-load-balancer-controller", "3.5.0"); b != a {
		t.Error("Chart read the archive twice")
	}
	vals := map[string]any{"clusterName": "c1", "serviceAccount": map[string]any{"create": false, "name": "lbc"}}
	m, err := a.Render(Release{Name: "lbc", Namespace: "kube-system", KubeVersion: "1.34", Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 2 || len(vals["serviceAccount"].(map[string]any)) != 2 {
		t.Errorf("Render changed the values it was given: %v", vals)
	}
	deps := m.Filter("Deployment", "aws-load-balancer-controller/templates/deployment.yaml")
	if len(deps) != 1 {
		t.Fatalf("Deployments = %v, want one", deps)
	}
	d, err := As[appsv1.Deployment](deps[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Spec.Template.Spec.ServiceAccountName; got != "lbc" {
		t.Errorf("serviceAccountName = %q, want lbc", got)
	}
	if _, err := As[corev1.Service](deps[0]); err == nil {
		t.Error("As[Service] of a Deployment succeeded")
	}
	// ingressclass.yaml is a v1 List: flattened into its items, as Helm's
	// client does.
	if len(m.Filter("List", "")) != 0 || len(m.Filter("IngressClass", "aws-load-balancer-controller/templates/ingressclass.yaml")) != 1 {
		t.Errorf("ingressclass.yaml rendered %v, want the IngressClass item", m.Filter("", "aws-load-balancer-controller/templates/ingressclass.yaml"))
	}
	if _, err := As[networkingv1.IngressClass](m.Filter("IngressClass", "")[0]); err != nil {
		t.Error(err)
	}
}

func TestLookup(t *testing.T) {
	cfg := map[string]any{"minio": map[string]any{"bucketName": "b", "port": 443.0}}
	mergeConfig(cfg, map[string]any{"minio": map[string]any{"port": 9000.0}, "log": map[string]any{"level": "debug"}})
	for path, want := range map[string]any{"minio.bucketName": "b", "minio.port": 9000.0, "log.level": "debug", "minio.x.y": nil, "nope": nil} {
		if got := Lookup(cfg, path); got != want {
			t.Errorf("Lookup(%s) = %v, want %v", path, got, want)
		}
	}
}
