package hydrate

import (
	"slices"
	"strings"
	"testing"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/chart"
)

func TestKubeAPIVersions(t *testing.T) {
	got, err := KubeAPIVersions("1.34")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"v1", "v1/Pod", "v1/Service", "apps/v1/Deployment", "apps/v1/StatefulSet",
		"networking.k8s.io/v1", "networking.k8s.io/v1/Ingress", "policy/v1/PodDisruptionBudget",
		"autoscaling/v2/HorizontalPodAutoscaler", "discovery.k8s.io/v1/EndpointSlice", "batch/v1/CronJob",
		"apiextensions.k8s.io/v1/CustomResourceDefinition", "rbac.authorization.k8s.io/v1/ClusterRole",
		"policy/v1/Eviction", // a subresource's kind, as discovery lists it
	} {
		if !slices.Contains(got, want) {
			t.Errorf("Kubernetes 1.34 lacks %s", want)
		}
	}
	for _, absent := range []string{
		"extensions/v1beta1", "extensions/v1beta1/Ingress", // removed in 1.22
		"networking.k8s.io/v1beta1/Ingress",                                      // removed in 1.22
		"policy/v1beta1/PodSecurityPolicy", "policy/v1beta1/PodDisruptionBudget", // removed in 1.25
		"batch/v1beta1/CronJob", "autoscaling/v2beta2/HorizontalPodAutoscaler", // removed in 1.25, 1.26
		"apiextensions.k8s.io/v1beta1",                                              // removed in 1.22
		"v1/DeleteOptions", "v1/PodList", "apps/v1/DeploymentList", "v1/WatchEvent", // not resources
	} {
		if slices.Contains(got, absent) {
			t.Errorf("Kubernetes 1.34 serves %s", absent)
		}
	}
	for _, v := range got {
		if strings.Contains(v, "alpha") {
			t.Errorf("Kubernetes 1.34 serves the alpha API %s by default", v)
		}
	}
	// A beta API added since 1.24 is off by default.
	if slices.Contains(got, "resource.k8s.io/v1beta1") {
		t.Error("resource.k8s.io/v1beta1 (introduced in 1.32, off by default) is listed")
	}
	// What an older version still served, as far as client-go still
	// knows the type (it dropped PodSecurityPolicy's).
	old, err := KubeAPIVersions("1.24")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(old, "batch/v1beta1/CronJob") || !slices.Contains(old, "policy/v1beta1/PodDisruptionBudget") {
		t.Error("Kubernetes 1.24 lacks batch/v1beta1/CronJob or policy/v1beta1/PodDisruptionBudget")
	}
	if _, err := KubeAPIVersions("2.0"); err == nil {
		t.Error("KubeAPIVersions(2.0) accepted")
	}
}

// memLoader serves in-memory charts; it names no digest (no cache).
type memLoader map[string]func() *helmchart.Chart

func (m memLoader) Load(r chart.Ref) (*helmchart.Chart, error) { return m[r.Name](), nil }

// capsChart is a chart that renders by the cluster's APIs, as real charts
// do: an Ingress whose apiVersion follows .Capabilities.APIVersions, and a
// ServiceMonitor only when its CRD is installed.
func capsChart() *helmchart.Chart {
	return &helmchart.Chart{
		Metadata: &helmchart.Metadata{APIVersion: "v2", Name: "caps", Version: "1.0.0"},
		Templates: []*helmchart.File{
			{Name: "templates/ingress.yaml", Data: []byte(`{{- if .Capabilities.APIVersions.Has "networking.k8s.io/v1/Ingress" }}
apiVersion: networking.k8s.io/v1
{{- else }}
apiVersion: extensions/v1beta1
{{- end }}
kind: Ingress
metadata: {name: web}
`)},
			{Name: "templates/pdb.yaml", Data: []byte(`apiVersion: {{ if .Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget" }}policy/v1{{ else }}policy/v1beta1{{ end }}
kind: PodDisruptionBudget
metadata: {name: web}
`)},
			{Name: "templates/monitor.yaml", Data: []byte(`{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web}
{{- end }}
`)},
		},
	}
}

// crdChart installs the ServiceMonitor CRD from its crds/ directory.
func crdChart() *helmchart.Chart {
	return &helmchart.Chart{
		Metadata: &helmchart.Metadata{APIVersion: "v2", Name: "operator", Version: "1.0.0"},
		Files: []*helmchart.File{{Name: "crds/servicemonitors.yaml", Data: []byte(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: servicemonitors.monitoring.coreos.com}
spec:
  group: monitoring.coreos.com
  names: {kind: ServiceMonitor, plural: servicemonitors}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
`)}},
	}
}

// TestCapabilities: a chart that tests .Capabilities.APIVersions.Has
// renders an Ingress and a PDB in their GA versions for Kubernetes 1.34,
// and a ServiceMonitor only when a chart of the tree installs its CRD.
func TestCapabilities(t *testing.T) {
	l := memLoader{"caps": capsChart, "operator": crdChart}
	caps := Input{Origin: "test caps", Chart: chart.Ref{Name: "caps"}, ReleaseName: "caps", Namespace: "web", Values: map[string]any{}}
	op := Input{Origin: "test operator", Chart: chart.Ref{Name: "operator"}, ReleaseName: "op", Namespace: "mon", Values: map[string]any{}}
	kinds := func(inputs ...Input) map[string]string {
		t.Helper()
		files, err := Render(inputs, l, Options{KubeVersion: "1.34"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, d := range docs(t, files[0].Data) {
			var tm struct{ APIVersion, Kind string }
			yaml.Unmarshal(d.raw, &tm)
			out[d.Kind] = tm.APIVersion
		}
		return out
	}
	got := kinds(caps)
	if got["Ingress"] != "networking.k8s.io/v1" || got["PodDisruptionBudget"] != "policy/v1" {
		t.Errorf("for Kubernetes 1.34: Ingress %s, PodDisruptionBudget %s; want networking.k8s.io/v1, policy/v1", got["Ingress"], got["PodDisruptionBudget"])
	}
	if _, ok := got["ServiceMonitor"]; ok {
		t.Error("ServiceMonitor rendered although no CRD installs it")
	}
	if got := kinds(caps, op); got["ServiceMonitor"] != "monitoring.coreos.com/v1" {
		t.Errorf("ServiceMonitor with its CRD in the tree: %q", got["ServiceMonitor"])
	}
	// A skipped crds/ directory installs nothing.
	op.SkipCRDs = true
	if _, ok := kinds(caps, op)["ServiceMonitor"]; ok {
		t.Error("ServiceMonitor rendered although the CRD's chart skips its CRDs")
	}
}

// TestHydratedAPIsServed: every object the real charts hydrate for the
// runbook uses an API the cluster's Kubernetes version serves, or one a
// CRD of the tree adds.
func TestHydratedAPIsServed(t *testing.T) {
	files := renderSpec(t, load(t, "../../examples/runbook/spec.cue"))
	kube := clusterVersion(files)
	served, err := KubeAPIVersions(kube)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Hydrate(files, charts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var crds [][]byte
	for _, f := range out {
		if IsHydrated(f.Path) {
			for _, d := range docs(t, f.Data) {
				crds = append(crds, d.raw)
			}
		}
	}
	served = union(served, CRDAPIVersions(crds))
	for _, f := range out {
		if !IsHydrated(f.Path) {
			continue
		}
		for _, d := range docs(t, f.Data) {
			var tm struct{ APIVersion, Kind string }
			yaml.Unmarshal(d.raw, &tm)
			if !slices.Contains(served, tm.APIVersion+"/"+tm.Kind) {
				t.Errorf("%s: %s %s/%s is not served by Kubernetes %s", f.Path, d.Source, tm.APIVersion, tm.Kind, kube)
			}
		}
	}
}
