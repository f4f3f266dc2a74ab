package values

import (
	"bytes"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/shared"
)

// These tests hand the values to their real consumer: the charts in
// ../shared/charts, rendered in process by the Helm SDK the way
// `helm template` (and Flux's dry runs) do, with the cluster's Kubernetes
// version. They then check the objects Kubernetes would receive.

// chartArchive reads a chart archive once per test binary. The archive is
// decoded again for every render because Helm's install prunes disabled
// subcharts from the *chart.Chart it is given
// (chartutil.ProcessDependenciesWithMerge), so a shared decoded chart would
// lose Pulsar or Kafka after the first render that disables them.
type chartArchive struct {
	file string
	once sync.Once
	data []byte
	err  error
}

var (
	milvusChart = &chartArchive{file: "milvus-5.0.19.tgz"}
	lbcChart    = &chartArchive{file: "aws-load-balancer-controller-3.5.0.tgz"}
)

// object is one rendered manifest with the template it came from.
type object struct {
	Source string // e.g. milvus/charts/pulsarv3/templates/zookeeper-statefulset.yaml
	Kind   string `json:"kind"`
	Meta   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	raw []byte
}

func (o object) String() string { return o.Kind + "/" + o.Meta.Name + " (" + o.Source + ")" }

// from reports whether the object comes from the given chart directory,
// e.g. "milvus/templates/" or "milvus/charts/pulsarv3/".
func (o object) from(prefix string) bool { return strings.HasPrefix(o.Source, prefix) }

type manifest []object

var sourceRE = regexp.MustCompile(`(?m)^# Source: (.+)$`)

// render installs the chart client-only with values and returns its objects,
// hooks included.
func render(t *testing.T, c *chartArchive, s *model.Spec, release, namespace string, values map[string]any) manifest {
	t.Helper()
	c.once.Do(func() { c.data, c.err = os.ReadFile(shared.MustPath(t, "charts", c.file)) })
	if c.err != nil {
		t.Fatalf("chart %s: %v", c.file, c.err)
	}
	chrt, err := loader.LoadArchive(bytes.NewReader(c.data))
	if err != nil {
		t.Fatalf("chart %s load failed: %v", c.file, err)
	}
	kv, err := chartutil.ParseKubeVersion("v" + s.Cluster.KubernetesVersion + ".0")
	if err != nil {
		t.Fatalf("cluster.kubernetesVersion %q: %v", s.Cluster.KubernetesVersion, err)
	}
	install := action.NewInstall(&action.Configuration{Log: t.Logf})
	install.DryRun, install.ClientOnly, install.Replace = true, true, true
	install.ReleaseName, install.Namespace, install.KubeVersion = release, namespace, kv
	// Helm coalesces into the values it is given; hand it a copy so the
	// assertions below see the values as milvusgen wrote them.
	rel, err := install.Run(chrt, clone(values).(map[string]any))
	if err != nil {
		t.Fatalf("chart %s render failed: %v", c.file, err)
	}
	docs := []string{rel.Manifest}
	for _, h := range rel.Hooks {
		docs = append(docs, "# Source: "+h.Path+"\n"+h.Manifest)
	}
	var m manifest
	for _, doc := range strings.Split(strings.Join(docs, "\n---\n"), "\n---\n") {
		doc = strings.TrimPrefix(doc, "---\n")
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("rendered manifest does not parse: %v\n%s", err, doc)
		}
		if o.Kind == "" {
			continue
		}
		if sm := sourceRE.FindStringSubmatch(doc); sm != nil {
			o.Source = sm[1]
		}
		o.raw = []byte(doc)
		m = append(m, o)
	}
	return m
}

func renderMilvus(t *testing.T, s *model.Spec) manifest {
	return render(t, milvusChart, s, s.Name, s.Milvus.Namespace, Milvus(s))
}

// filter returns the objects of kind (any kind when empty) from the chart
// directory prefix.
func (m manifest) filter(kind, prefix string) manifest {
	var out manifest
	for _, o := range m {
		if (kind == "" || o.Kind == kind) && o.from(prefix) {
			out = append(out, o)
		}
	}
	return out
}

// component is the one object of kind from the Milvus templates labelled
// component=name, or nil.
func (m manifest) component(t *testing.T, kind, name string) *object {
	t.Helper()
	var found *object
	for _, o := range m.filter(kind, "milvus/templates/") {
		if o.Meta.Labels["component"] == name {
			if found != nil {
				t.Fatalf("two %s objects for component %s: %s and %s", kind, name, found, o)
			}
			found = &o
		}
	}
	return found
}

// decode strictly decodes a rendered object into its API type, so a
// misplaced or misspelled field in the chart output fails the test.
func decode[T any](t *testing.T, o object) *T {
	t.Helper()
	v := new(T)
	if err := yaml.UnmarshalStrict(o.raw, v); err != nil {
		t.Fatalf("%s does not decode as %T: %v", o, v, err)
	}
	return v
}

func deployment(t *testing.T, m manifest, component string) *appsv1.Deployment {
	t.Helper()
	o := m.component(t, "Deployment", component)
	if o == nil {
		t.Fatalf("no %s Deployment rendered", component)
	}
	return decode[appsv1.Deployment](t, *o)
}

// config is milvus.yaml as the pods read it: the chart's default.yaml with
// user.yaml merged over it. Strict parsing catches a doubled key (two mq
// blocks when two queues are enabled).
func config(t *testing.T, m manifest) map[string]any {
	t.Helper()
	cms := m.filter("ConfigMap", "milvus/templates/configmap.yaml")
	if len(cms) != 1 {
		t.Fatalf("want one Milvus ConfigMap, got %v", cms)
	}
	cm := decode[corev1.ConfigMap](t, cms[0])
	cfg := map[string]any{}
	for _, key := range []string{"default.yaml", "user.yaml"} {
		var part map[string]any
		if err := yaml.UnmarshalStrict([]byte(cm.Data[key]), &part); err != nil {
			t.Fatalf("ConfigMap %s key %s does not parse: %v", cm.Name, key, err)
		}
		merge(cfg, part)
	}
	return cfg
}

// at reads a dotted path from a parsed config, or nil.
func at(cfg map[string]any, path string) any {
	var v any = cfg
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func wantConfig(t *testing.T, cfg map[string]any, want map[string]any) {
	t.Helper()
	for _, p := range slices.Sorted(maps.Keys(want)) {
		if got := at(cfg, p); !cmp.Equal(got, want[p]) {
			t.Errorf("milvus.yaml %s = %#v, want %#v", p, got, want[p])
		}
	}
}

// wantClaimsOn checks every volume claim of the StatefulSets from prefix
// asks for the spec's StorageClass, and that there is at least one.
func wantClaimsOn(t *testing.T, m manifest, prefix, class string) {
	t.Helper()
	n := 0
	for _, o := range m.filter("StatefulSet", prefix) {
		sts := decode[appsv1.StatefulSet](t, o)
		for _, pvc := range sts.Spec.VolumeClaimTemplates {
			n++
			if got := pvc.Spec.StorageClassName; got == nil || *got != class {
				t.Errorf("%s claim %s: storageClassName %v, want %s", o, pvc.Name, got, class)
			}
		}
	}
	if n == 0 {
		t.Errorf("no volume claims rendered from %s", prefix)
	}
}

func wantNone(t *testing.T, m manifest, prefix string) {
	t.Helper()
	if got := m.filter("", prefix); len(got) > 0 {
		t.Errorf("want no objects from %s, got %v", prefix, got)
	}
}

func TestMilvusChartRunbook(t *testing.T) {
	t.Parallel()
	s := modeltest.Runbook()
	m := renderMilvus(t, s)
	cfg := config(t, m)

	t.Run("mixcoord", func(t *testing.T) {
		d := deployment(t, m, "mixcoord")
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
			t.Errorf("mixcoord replicas = %v, want 2", d.Spec.Replicas)
		}
		if d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
			t.Error("mixcoord strategy is Recreate, want rolling updates in active standby")
		}
		wantConfig(t, cfg, map[string]any{
			"rootCoord.enableActiveStandby":  true,
			"queryCoord.enableActiveStandby": true,
			"dataCoord.enableActiveStandby":  true,
			"indexCoord.enableActiveStandby": true,
		})
		for _, c := range []string{"rootcoord", "querycoord", "datacoord", "indexcoord", "indexnode"} {
			if o := m.component(t, "Deployment", c); o != nil {
				t.Errorf("%s rendered; chart 5.x runs the coordinators in mixcoord", o)
			}
		}
	})

	t.Run("woodpecker", func(t *testing.T) {
		wantNone(t, m, "milvus/charts/pulsarv3/")
		wantNone(t, m, "milvus/charts/pulsar/")
		wantNone(t, m, "milvus/charts/kafka/")
		if o := m.component(t, "StatefulSet", "woodpecker"); o != nil {
			t.Errorf("%s rendered; embedded woodpecker runs in the streaming nodes", o)
		}
		for _, o := range m.filter("StatefulSet", "") {
			if strings.Contains(o.Meta.Name, "pulsar") || strings.Contains(o.Meta.Name, "woodpecker") {
				t.Errorf("unexpected message queue StatefulSet %s", o)
			}
		}
		deployment(t, m, "streamingnode")
		wantConfig(t, cfg, map[string]any{"mq.type": "woodpecker", "woodpecker.storage.type": "minio"})
	})

	t.Run("service", func(t *testing.T) {
		svcs := m.filter("Service", "milvus/templates/service.yaml")
		if len(svcs) != 1 {
			t.Fatalf("want one Milvus Service, got %v", svcs)
		}
		svc := decode[corev1.Service](t, svcs[0])
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			t.Errorf("Service type = %s, want LoadBalancer", svc.Spec.Type)
		}
		if d := cmp.Diff(s.LBAnnotations(), svc.Annotations); d != "" {
			t.Errorf("Service annotations (-want +got):\n%s", d)
		}
		if d := cmp.Diff(s.Milvus.Service.SourceRanges, svc.Spec.LoadBalancerSourceRanges); d != "" {
			t.Errorf("Service loadBalancerSourceRanges (-want +got):\n%s", d)
		}
		if len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].Port != int32(s.Milvus.Service.Port) {
			t.Errorf("Service ports = %v, want %d first", svc.Spec.Ports, s.Milvus.Service.Port)
		}
	})

	t.Run("serviceAccount", func(t *testing.T) {
		deps := m.filter("Deployment", "milvus/templates/")
		if len(deps) < 5 {
			t.Fatalf("want mixcoord, proxy, querynode, datanode, streamingnode Deployments, got %v", deps)
		}
		for _, o := range deps {
			if got := decode[appsv1.Deployment](t, o).Spec.Template.Spec.ServiceAccountName; got != s.Milvus.ServiceAccount {
				t.Errorf("%s serviceAccountName = %q, want %q", o, got, s.Milvus.ServiceAccount)
			}
		}
		if sas := m.filter("ServiceAccount", "milvus/templates/"); len(sas) > 0 {
			t.Errorf("chart creates %v; eksctl owns the IRSA service account", sas)
		}
	})

	t.Run("s3", func(t *testing.T) {
		wantNone(t, m, "milvus/charts/minio/")
		wantConfig(t, cfg, map[string]any{
			"minio.address":       s.S3Host(),
			"minio.port":          443.0,
			"minio.useSSL":        true,
			"minio.bucketName":    s.Storage.Bucket,
			"minio.region":        s.AWS.Region,
			"minio.useIAM":        true,
			"minio.cloudProvider": "aws",
			"minio.rootPath":      nil,
		})
		for _, k := range []string{"minio.accessKeyID", "minio.secretAccessKey"} {
			if v := at(cfg, k); v != nil && v != "" {
				t.Errorf("milvus.yaml %s = %v, want no static key with IRSA", k, v)
			}
		}
	})

	t.Run("proxy", func(t *testing.T) {
		d := deployment(t, m, "proxy")
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
			t.Errorf("proxy replicas = %v, want 2", d.Spec.Replicas)
		}
		lim := d.Spec.Template.Spec.Containers[0].Resources.Limits
		for name, want := range map[corev1.ResourceName]string{"cpu": "1", "memory": "2Gi"} {
			if got := lim[name]; got.Cmp(resource.MustParse(want)) != 0 {
				t.Errorf("proxy %s limit = %s, want %s", name, got.String(), want)
			}
		}
	})

	t.Run("etcd", func(t *testing.T) {
		wantClaimsOn(t, m, "milvus/charts/etcd/", s.Storage.StorageClass.Name)
	})
}

func TestMilvusChartVariants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fixture string
		check   func(t *testing.T, s *model.Spec, m manifest)
	}{{
		fixture: "noHA",
		check: func(t *testing.T, s *model.Spec, m manifest) {
			d := deployment(t, m, "mixcoord")
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
				t.Errorf("mixcoord replicas = %v, want 1", d.Spec.Replicas)
			}
			if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
				t.Errorf("mixcoord strategy = %q, want Recreate", d.Spec.Strategy.Type)
			}
			wantConfig(t, config(t, m), map[string]any{
				"rootCoord.enableActiveStandby":  false,
				"queryCoord.enableActiveStandby": false,
				"dataCoord.enableActiveStandby":  false,
			})
		},
	}, {
		fixture: "kafka",
		check: func(t *testing.T, s *model.Spec, m manifest) {
			if len(m.filter("StatefulSet", "milvus/charts/kafka/templates/")) == 0 {
				t.Error("no kafka StatefulSet rendered")
			}
			wantClaimsOn(t, m, "milvus/charts/kafka/templates/", s.Storage.StorageClass.Name)
			wantClaimsOn(t, m, "milvus/charts/kafka/charts/zookeeper/", s.Storage.StorageClass.Name)
			wantNone(t, m, "milvus/charts/pulsarv3/")
			wantNone(t, m, "milvus/charts/pulsar/")
			wantConfig(t, config(t, m), map[string]any{"mq.type": "kafka", "messageQueue": "kafka"})
		},
	}, {
		fixture: "pulsar",
		check: func(t *testing.T, s *model.Spec, m manifest) {
			sts := m.filter("StatefulSet", "milvus/charts/pulsarv3/")
			if len(sts) < 2 {
				t.Errorf("want pulsar zookeeper and bookkeeper StatefulSets, got %v", sts)
			}
			wantClaimsOn(t, m, "milvus/charts/pulsarv3/", s.Storage.StorageClass.Name)
			wantNone(t, m, "milvus/charts/kafka/")
			wantConfig(t, config(t, m), map[string]any{"mq.type": "pulsar", "messageQueue": "pulsar"})
		},
	}, {
		fixture: "rootPath",
		check: func(t *testing.T, s *model.Spec, m manifest) {
			wantConfig(t, config(t, m), map[string]any{"minio.rootPath": s.Storage.RootPath})
		},
	}, {
		fixture: "rawValues",
		check: func(t *testing.T, s *model.Spec, m manifest) {
			d := deployment(t, m, "querynode")
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 {
				t.Errorf("querynode replicas = %v, want 3", d.Spec.Replicas)
			}
			svc := decode[corev1.Service](t, m.filter("Service", "milvus/templates/service.yaml")[0])
			if len(svc.Annotations) != 5 || svc.Annotations["example.com/team"] != "search" {
				t.Errorf("Service annotations = %v, want the NLB four plus example.com/team", svc.Annotations)
			}
			wantConfig(t, config(t, m), map[string]any{"log.level": "debug"})
		},
	}} {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			s := fixtures[tc.fixture]()
			tc.check(t, s, renderMilvus(t, s))
		})
	}
}

func TestLBControllerChart(t *testing.T) {
	t.Parallel()
	s := modeltest.Runbook()
	m := render(t, lbcChart, s, model.LBControllerRelease, model.LBControllerNamespace, LBController(s))
	deps := m.filter("Deployment", "aws-load-balancer-controller/templates/deployment.yaml")
	if len(deps) != 1 {
		t.Fatalf("want one controller Deployment, got %v", deps)
	}
	d := decode[appsv1.Deployment](t, deps[0])
	if got := d.Spec.Template.Spec.ServiceAccountName; got != s.LoadBalancerController.ServiceAccount {
		t.Errorf("serviceAccountName = %q, want %q", got, s.LoadBalancerController.ServiceAccount)
	}
	if d.Spec.Replicas == nil || int(*d.Spec.Replicas) != s.LoadBalancerController.Replicas {
		t.Errorf("replicas = %v, want %d", d.Spec.Replicas, s.LoadBalancerController.Replicas)
	}
	args := d.Spec.Template.Spec.Containers[0].Args
	for _, want := range []string{"--cluster-name=" + s.Cluster.Name, "--aws-region=" + s.AWS.Region} {
		if !slices.Contains(args, want) {
			t.Errorf("controller args %v lack %s", args, want)
		}
	}
	if sas := m.filter("ServiceAccount", ""); len(sas) > 0 {
		t.Errorf("chart creates %v; eksctl owns the IRSA service account", sas)
	}
}
