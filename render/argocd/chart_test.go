package argocd_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// These tests hand each Helm Application to its real consumer: the chart
// in ../shared/charts rendered by the Helm SDK with the Application's
// release, namespace and valuesObject, as Argo CD's repo server runs
// `helm template`.

// renderApps returns the Helm Applications of s by release name, and what
// each renders.
func renderApps(t *testing.T, s *model.Spec) (map[string]*v1alpha1.Application, map[string]consumer.Manifest) {
	t.Helper()
	files, err := argocd.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	apps := decodeStrict(t, files).apps
	out := map[string]consumer.Manifest{}
	for _, n := range []string{model.LBControllerRelease, s.Name} {
		m, err := consumer.Application(apps[n], s.Cluster.KubernetesVersion)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = m
	}
	return apps, out
}

func TestMilvusChartThroughApplication(t *testing.T) {
	s := modeltest.ArgoCDVariants()["argocd"]
	_, ms := renderApps(t, s)
	m := ms[s.Name]

	deployment := func(component string) *appsv1.Deployment {
		t.Helper()
		o, err := m.Component("Deployment", component)
		if err != nil || o == nil {
			t.Fatalf("no %s Deployment: %v", component, err)
		}
		d, err := consumer.As[appsv1.Deployment](*o)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Run("mixcoord HA", func(t *testing.T) {
		d := deployment("mixcoord")
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
			t.Errorf("mixcoord replicas = %v, want 2", d.Spec.Replicas)
		}
		cfg, err := m.MilvusConfig()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"rootCoord", "queryCoord", "dataCoord"} {
			if v, _ := cfg[c].(map[string]any)["enableActiveStandby"]; v != true {
				t.Errorf("%s.enableActiveStandby = %v, want true", c, v)
			}
		}
	})
	t.Run("woodpecker", func(t *testing.T) {
		for _, o := range m {
			if o.From("milvus/charts/pulsarv3/") || o.From("milvus/charts/kafka/") || o.Kind == "StatefulSet" && o.Metadata.Labels["component"] == "woodpecker" {
				t.Errorf("%s rendered; the WAL is woodpecker embedded in the streaming nodes", o)
			}
		}
		cfg, err := m.MilvusConfig()
		if err != nil {
			t.Fatal(err)
		}
		if mq, _ := cfg["mq"].(map[string]any)["type"]; mq != model.Woodpecker {
			t.Errorf("mq.type = %v, want woodpecker", mq)
		}
		deployment("streamingnode")
	})
	t.Run("IRSA service account", func(t *testing.T) {
		for _, c := range []string{"mixcoord", "proxy", "querynode", "datanode", "streamingnode"} {
			if got := deployment(c).Spec.Template.Spec.ServiceAccountName; got != s.Milvus.ServiceAccount {
				t.Errorf("%s serviceAccountName = %q, want %q", c, got, s.Milvus.ServiceAccount)
			}
		}
		if sas := m.Filter("ServiceAccount", "milvus/templates/"); len(sas) > 0 {
			t.Errorf("chart creates %v; eksctl owns the IRSA service account", sas)
		}
	})
	t.Run("NLB annotations", func(t *testing.T) {
		svcs := m.Filter("Service", "milvus/templates/service.yaml")
		if len(svcs) != 1 {
			t.Fatalf("want one Milvus Service, got %v", svcs)
		}
		svc, err := consumer.As[corev1.Service](svcs[0])
		if err != nil {
			t.Fatal(err)
		}
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || svc.Namespace != s.Milvus.Namespace && svc.Namespace != "" {
			t.Errorf("Service %s/%s type %s, want a LoadBalancer in %s", svc.Namespace, svc.Name, svc.Spec.Type, s.Milvus.Namespace)
		}
		if d := cmp.Diff(s.LBAnnotations(), svc.Annotations); d != "" {
			t.Errorf("Service annotations (-want +got):\n%s", d)
		}
	})
}

// TestApplicationsRenderLikeHelmReleases renders the Milvus chart from the
// Application and from the Flux HelmRelease of the same spec: the
// objects must be the same bytes.
func TestApplicationsRenderLikeHelmReleases(t *testing.T) {
	s := modeltest.ArgoCDVariants()["argocd"]
	_, ms := renderApps(t, s)
	fs := *s
	fs.GitOps.Engine = model.EngineFlux
	hrs := helmReleases(t, &fs)
	fm, err := consumer.HelmRelease(hrs[s.Name], s.Cluster.KubernetesVersion)
	if err != nil {
		t.Fatal(err)
	}
	raw := func(m consumer.Manifest) []string {
		var out []string
		for _, o := range m {
			out = append(out, o.Source+"\n"+string(o.Raw))
		}
		return out
	}
	if d := cmp.Diff(raw(fm), raw(ms[s.Name])); d != "" {
		t.Errorf("Milvus chart output (-HelmRelease +Application):\n%s", d)
	}
}

// TestProjectAllowsChartKinds renders both charts and checks that every
// cluster-scoped kind they install (CRDs included, which Argo CD applies)
// is in the AppProject's clusterResourceWhitelist, and that the objects
// named in ignoreDifferences are ones the chart renders.
func TestProjectAllowsChartKinds(t *testing.T) {
	s := modeltest.ArgoCDVariants()["argocd"]
	apps, ms := renderApps(t, s)
	files, err := argocd.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	p := decodeStrict(t, files).projects[0]
	allowed := map[schema.GroupKind]bool{}
	for _, gk := range p.Spec.ClusterResourceWhitelist {
		allowed[schema.GroupKind{Group: gk.Group, Kind: gk.Kind}] = true
	}
	for n, m := range ms {
		for _, o := range m {
			gv, _ := schema.ParseGroupVersion(o.APIVersion)
			gk := schema.GroupKind{Group: gv.Group, Kind: o.Kind}
			if o.Metadata.Namespace == "" && clusterScoped(gk) && !allowed[gk] {
				t.Errorf("%s: %s is cluster-scoped and not in the project's clusterResourceWhitelist", n, o)
			}
		}
		for _, ig := range apps[n].Spec.IgnoreDifferences {
			found := slices.ContainsFunc(m, func(o consumer.Rendered) bool {
				gv, _ := schema.ParseGroupVersion(o.APIVersion)
				return gv.Group == ig.Group && o.Kind == ig.Kind && o.Metadata.Name == ig.Name
			})
			if !found {
				t.Errorf("%s: ignoreDifferences names %s %s/%s, which the chart does not render", n, ig.Group, ig.Kind, ig.Name)
			}
		}
	}
}

// clusterScoped lists the cluster-scoped kinds the two charts could
// render; everything else they render is namespaced.
func clusterScoped(gk schema.GroupKind) bool {
	switch gk.Group + "/" + gk.Kind {
	case "/Namespace", "/PersistentVolume", "storage.k8s.io/StorageClass",
		"apiextensions.k8s.io/CustomResourceDefinition",
		"rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
		"admissionregistration.k8s.io/MutatingWebhookConfiguration", "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
		"networking.k8s.io/IngressClass", "elbv2.k8s.aws/IngressClassParams", "scheduling.k8s.io/PriorityClass",
		"policy/PodSecurityPolicy":
		return true
	}
	return false
}
