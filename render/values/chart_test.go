package values

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/sizing"
)

// These tests hand the values to their real consumer: the charts in
// ../shared/charts, rendered in process by the Helm SDK the way
// `helm template` (and Flux's dry runs) do, with the cluster's Kubernetes
// version. They then check the objects Kubernetes would receive.

// manifest is what a chart rendered; object is one object in it, with the
// template it came from.
type (
	manifest = consumer.Manifest
	object   = consumer.Rendered
)

// render renders chart name at version from ../shared/charts with values,
// client-only and hooks included, on a cluster of the spec's Kubernetes
// version (consumer.Chart and Archive.Render).
func render(t *testing.T, name, version string, s *model.Spec, release, namespace string, values map[string]any) manifest {
	t.Helper()
	a, err := consumer.Chart(name, version)
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.Render(consumer.Release{
		Name: release, Namespace: namespace, KubeVersion: s.Cluster.KubernetesVersion, Values: values,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func renderMilvus(t *testing.T, s *model.Spec) manifest {
	return render(t, "milvus", s.Milvus.ChartVersion, s, s.Name, s.Milvus.Namespace, Milvus(s))
}

// componentOf is the one object of kind from the Milvus templates labelled
// component=name, or nil.
func componentOf(t *testing.T, m manifest, kind, name string) *object {
	t.Helper()
	o, err := m.Component(kind, name)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// decode returns a rendered object as its API type; the chart output was
// strictly decoded, so a misplaced or misspelled field fails the test.
func decode[T any](t *testing.T, o object) *T {
	t.Helper()
	v, err := consumer.As[T](o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func deployment(t *testing.T, m manifest, name string) *appsv1.Deployment {
	t.Helper()
	o := componentOf(t, m, "Deployment", name)
	if o == nil {
		t.Fatalf("no %s Deployment rendered", name)
	}
	return decode[appsv1.Deployment](t, *o)
}

// config is milvus.yaml as the pods read it: the chart's default.yaml with
// user.yaml merged over it. Strict parsing catches a doubled key (two mq
// blocks when two queues are enabled).
func config(t *testing.T, m manifest) map[string]any {
	t.Helper()
	cfg, err := m.MilvusConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// at reads a dotted path from a parsed config, or nil.
func at(cfg map[string]any, path string) any { return consumer.Lookup(cfg, path) }

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
	for _, o := range m.Filter("StatefulSet", prefix) {
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
	if got := m.Filter("", prefix); len(got) > 0 {
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
			if o := componentOf(t, m, "Deployment", c); o != nil {
				t.Errorf("%s rendered; chart 5.x runs the coordinators in mixcoord", o)
			}
		}
	})

	t.Run("woodpecker", func(t *testing.T) {
		wantNone(t, m, "milvus/charts/pulsarv3/")
		wantNone(t, m, "milvus/charts/pulsar/")
		wantNone(t, m, "milvus/charts/kafka/")
		if o := componentOf(t, m, "StatefulSet", "woodpecker"); o != nil {
			t.Errorf("%s rendered; embedded woodpecker runs in the streaming nodes", o)
		}
		for _, o := range m.Filter("StatefulSet", "") {
			if strings.Contains(o.Metadata.Name, "pulsar") || strings.Contains(o.Metadata.Name, "woodpecker") {
				t.Errorf("unexpected message queue StatefulSet %s", o)
			}
		}
		deployment(t, m, "streamingnode")
		wantConfig(t, cfg, map[string]any{"mq.type": "woodpecker", "woodpecker.storage.type": "minio"})
	})

	t.Run("service", func(t *testing.T) {
		svcs := m.Filter("Service", "milvus/templates/service.yaml")
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
		// The example's 10.0.0.0/8 does not cover eksctl's VPC: the
		// internal NLB admits the VPC too.
		if d := cmp.Diff([]string{"10.0.0.0/8", s.Cluster.VPCCIDR}, svc.Spec.LoadBalancerSourceRanges); d != "" {
			t.Errorf("Service loadBalancerSourceRanges (-want +got):\n%s", d)
		}
		if len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].Port != int32(s.Milvus.Service.Port) {
			t.Errorf("Service ports = %v, want %d first", svc.Spec.Ports, s.Milvus.Service.Port)
		}
	})

	t.Run("serviceAccount", func(t *testing.T) {
		deps := m.Filter("Deployment", "milvus/templates/")
		if len(deps) < 5 {
			t.Fatalf("want mixcoord, proxy, querynode, datanode, streamingnode Deployments, got %v", deps)
		}
		for _, o := range deps {
			if got := decode[appsv1.Deployment](t, o).Spec.Template.Spec.ServiceAccountName; got != s.Milvus.ServiceAccount {
				t.Errorf("%s serviceAccountName = %q, want %q", o, got, s.Milvus.ServiceAccount)
			}
		}
		if sas := m.Filter("ServiceAccount", "milvus/templates/"); len(sas) > 0 {
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
			if len(m.Filter("StatefulSet", "milvus/charts/kafka/templates/")) == 0 {
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
			sts := m.Filter("StatefulSet", "milvus/charts/pulsarv3/")
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
		// Every kind of allowed raw value reaches the objects the chart
		// renders, and milvusgen's own settings stay (issue 17 item 1).
		check: func(t *testing.T, s *model.Spec, m manifest) {
			qn := deployment(t, m, "querynode")
			pod := qn.Spec.Template.Spec
			if pod.NodeSelector["role"] != "milvus" || len(pod.Tolerations) != 1 || pod.Tolerations[0].Key != "dedicated" {
				t.Errorf("querynode nodeSelector %v tolerations %v, want role: milvus and the dedicated toleration", pod.NodeSelector, pod.Tolerations)
			}
			if qn.Spec.Template.Annotations["example.com/owner"] != "search" || qn.Spec.Template.Labels["team"] != "search" {
				t.Errorf("querynode pod annotations %v labels %v", qn.Spec.Template.Annotations, qn.Spec.Template.Labels)
			}
			if qn.Spec.Template.Labels["component"] != "querynode" {
				t.Errorf("querynode component label = %q", qn.Spec.Template.Labels["component"])
			}
			if img := pod.Containers[0].Image; !strings.HasPrefix(img, "registry.example.com/milvusdb/milvus:v") {
				t.Errorf("querynode image = %s, want the mirror with the chart's tag", img)
			}
			if len(pod.ImagePullSecrets) != 1 || pod.ImagePullSecrets[0].Name != "mirror-login" {
				t.Errorf("querynode imagePullSecrets = %v", pod.ImagePullSecrets)
			}
			mc := deployment(t, m, "mixcoord").Spec.Template.Spec.Containers[0]
			if envFrom(mc, "GOGC") == nil || envFrom(mc, model.RootPasswordEnv) == nil {
				t.Errorf("mixcoord env = %v, want GOGC next to the root password", mc.Env)
			}
			sts := m.Filter("StatefulSet", "milvus/charts/etcd/")
			if len(sts) != 1 {
				t.Fatalf("want one etcd StatefulSet, got %v", sts)
			}
			etcd := decode[appsv1.StatefulSet](t, sts[0]).Spec.Template.Spec
			if etcd.PriorityClassName != "milvus-critical" || !strings.HasPrefix(etcd.Containers[0].Image, "registry.example.com/") {
				t.Errorf("etcd priorityClassName %q image %s", etcd.PriorityClassName, etcd.Containers[0].Image)
			}
			svc := decode[corev1.Service](t, m.Filter("Service", "milvus/templates/service.yaml")[0])
			if len(svc.Annotations) != 5 || svc.Annotations["example.com/team"] != "search" {
				t.Errorf("Service annotations = %v, want the NLB four plus example.com/team", svc.Annotations)
			}
			wantConfig(t, config(t, m), map[string]any{
				"log.level": "debug", "log.format": "json",
				"common.security.authorizationEnabled": true, "minio.useIAM": true, "mq.type": "woodpecker",
			})
		},
	}, {
		fixture: "kafka",
		// The brokers and ZooKeeper request what sizing budgets for them
		// (issue 19 item 2).
		check: func(t *testing.T, s *model.Spec, m manifest) {
			for prefix, name := range map[string]string{
				"milvus/charts/kafka/templates/":        "kafka",
				"milvus/charts/kafka/charts/zookeeper/": "kafka-zookeeper",
			} {
				want, ok := sizing.Dependency(s, name)
				if !ok {
					t.Fatalf("sizing budgets no %s", name)
				}
				sts := m.Filter("StatefulSet", prefix)
				if len(sts) != 1 {
					t.Fatalf("want one StatefulSet from %s, got %v", prefix, sts)
				}
				req := decode[appsv1.StatefulSet](t, sts[0]).Spec.Template.Spec.Containers[0].Resources.Requests
				if req.Cpu().MilliValue() != want.Pod.MilliCPU || req.Memory().Value() != want.Pod.Memory {
					t.Errorf("%s requests cpu %s memory %s, want %dm and %d bytes", name, req.Cpu(), req.Memory(), want.Pod.MilliCPU, want.Pod.Memory)
				}
			}
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
	m := render(t, "aws-load-balancer-controller", s.LoadBalancerController.ChartVersion, s, model.LBControllerRelease, model.LBControllerNamespace, LBController(s))
	deps := m.Filter("Deployment", "aws-load-balancer-controller/templates/deployment.yaml")
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
	if sas := m.Filter("ServiceAccount", ""); len(sas) > 0 {
		t.Errorf("chart creates %v; eksctl owns the IRSA service account", sas)
	}
}
