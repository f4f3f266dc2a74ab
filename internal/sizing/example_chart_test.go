package sizing_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render"
)

// TestExampleRendersSizedDeployments takes examples/sizing/spec.cue (100M ×
// 768-d vectors under HNSW) through the whole tool: spec.Load sizes it,
// render.Render writes the Milvus HelmRelease, and the Helm SDK renders
// that release's values with the real chart (../shared/charts) the way
// helm-controller would. The Deployments must carry the plan's replicas and
// resources, with requests equal to limits.
func TestExampleRendersSizedDeployments(t *testing.T) {
	srcs, err := spec.ReadFiles([]string{"../../examples/sizing/spec.cue"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := spec.Load(srcs, spec.Options{Today: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Spec
	files, err := render.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	var rel *helmv2.HelmRelease
	for _, f := range files {
		if f.Path != "kubernetes/apps/milvus/milvus.yaml" {
			continue
		}
		for _, doc := range strings.Split(string(f.Data), "\n---\n") {
			if strings.Contains(doc, "kind: HelmRelease") {
				rel = &helmv2.HelmRelease{}
				if err := yaml.UnmarshalStrict([]byte(doc), rel); err != nil {
					t.Fatalf("HelmRelease does not decode: %v", err)
				}
			}
		}
	}
	if rel == nil {
		t.Fatal("no Milvus HelmRelease rendered")
	}
	values := rel.GetValues()
	if len(values) == 0 {
		t.Fatal("the HelmRelease has no values")
	}

	data, err := os.ReadFile(shared.MustPath(t, "charts", "milvus-"+s.Milvus.ChartVersion+".tgz"))
	if err != nil {
		t.Fatal(err)
	}
	chrt, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := chartutil.ParseKubeVersion("v" + s.Cluster.KubernetesVersion + ".0")
	if err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(&action.Configuration{Log: t.Logf})
	install.DryRun, install.ClientOnly, install.Replace = true, true, true
	install.ReleaseName, install.Namespace, install.KubeVersion = rel.GetReleaseName(), rel.Namespace, kv
	out, err := install.Run(chrt, values)
	if err != nil {
		t.Fatalf("chart render failed: %v", err)
	}
	deployments := map[string]*appsv1.Deployment{}
	for _, doc := range strings.Split(out.Manifest, "\n---\n") {
		var d appsv1.Deployment
		if err := yaml.Unmarshal([]byte(doc), &d); err != nil {
			t.Fatalf("rendered manifest does not parse: %v", err)
		}
		if d.Kind == "Deployment" && d.Labels["app.kubernetes.io/name"] == "milvus" {
			deployments[d.Labels["component"]] = &d
		}
	}

	plan, err := sizing.NewPlan(*s.Milvus.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		name     string
		replicas int
	}{
		"mixcoord":      {sizing.MixCoordinator, 2}, // highAvailability keeps two
		"proxy":         {sizing.Proxy, 2},
		"querynode":     {sizing.QueryNode, 12},
		"datanode":      {sizing.DataNode, 8},
		"streamingnode": {sizing.StreamingNode, 2},
	}
	// The fit check counts and places what the chart deploys: the same
	// replicas, spread evenly over hosts exactly where the hostname spread
	// is DoNotSchedule.
	fit := sizing.Fit(s)
	for component, w := range want {
		d := deployments[component]
		if d == nil {
			t.Errorf("no %s Deployment rendered", component)
			continue
		}
		if d.Spec.Replicas == nil || int(*d.Spec.Replicas) != w.replicas {
			t.Errorf("%s: replicas %v, want %d", component, d.Spec.Replicas, w.replicas)
		}
		counted := fit.Workload.Component(w.name)
		if d.Spec.Replicas == nil || int(*d.Spec.Replicas) != counted.Replicas {
			t.Errorf("%s: replicas %v, the fit check counted %d", component, d.Spec.Replicas, counted.Replicas)
		}
		wantHost := corev1.ScheduleAnyway
		if counted.Placement.EvenHosts {
			wantHost = corev1.DoNotSchedule
		}
		var host *corev1.TopologySpreadConstraint
		for i, c := range d.Spec.Template.Spec.TopologySpreadConstraints {
			if c.TopologyKey == "kubernetes.io/hostname" {
				host = &d.Spec.Template.Spec.TopologySpreadConstraints[i]
			}
		}
		if host == nil || host.WhenUnsatisfiable != wantHost {
			t.Errorf("%s: hostname spread %+v, want %s (fit check placement: %+v)", component, host, wantHost, counted.Placement)
		}
		pc := plan.Component(w.name)
		wantCPU := resource.NewMilliQuantity(pc.Pod.MilliCPU, resource.DecimalSI)
		wantMem := resource.NewQuantity(pc.Pod.Memory, resource.BinarySI)
		c := d.Spec.Template.Spec.Containers[0]
		for kind, list := range map[string]corev1.ResourceList{"limits": c.Resources.Limits, "requests": c.Resources.Requests} {
			if got := list[corev1.ResourceCPU]; got.Cmp(*wantCPU) != 0 {
				t.Errorf("%s: %s.cpu %s, want %s", component, kind, got.String(), wantCPU)
			}
			if got := list[corev1.ResourceMemory]; got.Cmp(*wantMem) != 0 {
				t.Errorf("%s: %s.memory %s, want %s", component, kind, got.String(), wantMem)
			}
		}
	}
	if q := deployments["querynode"]; q != nil {
		lim := q.Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceMemory]
		if total := lim.Value() * int64(*q.Spec.Replicas); total < plan.Footprint.Loading {
			t.Errorf("query nodes hold %d bytes, the dataset loads %d", total, plan.Footprint.Loading)
		}
	}
}
