package values

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/milvusgen/milvusgen/internal/model"
)

// envFrom finds the container env var name in a Deployment.
func envFrom(c corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

// TestMilvusChartSecurityDefaults renders the real chart: authentication
// is on, the root password reaches mixcoord and the proxies only as a
// Secret reference, and no value or config holds it.
func TestMilvusChartSecurityDefaults(t *testing.T) {
	s := variant(func(*model.Spec) {})
	m := renderMilvus(t, s)
	wantConfig(t, config(t, m), map[string]any{"common.security.authorizationEnabled": true})
	for _, comp := range []string{"mixcoord", "proxy"} {
		d := deployment(t, m, comp)
		e := envFrom(d.Spec.Template.Spec.Containers[0], model.RootPasswordEnv)
		if e == nil || e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil ||
			e.ValueFrom.SecretKeyRef.Name != "milvus-root" || e.ValueFrom.SecretKeyRef.Key != "password" {
			t.Errorf("%s: %s = %+v, want a secretKeyRef to milvus-root/password", comp, model.RootPasswordEnv, e)
		}
	}
	for _, o := range m {
		if o.Kind == "Secret" && strings.Contains(o.Source, "milvus/templates") {
			t.Errorf("the chart rendered a Secret: %s", o)
		}
	}
}

func TestMilvusChartAuthOptOut(t *testing.T) {
	s := variant(func(s *model.Spec) { s.Milvus.Auth.Enabled = false })
	m := renderMilvus(t, s)
	if got := at(config(t, m), "common.security.authorizationEnabled"); got == true {
		t.Error("authorization stays on after the opt-out")
	}
	if e := envFrom(deployment(t, m, "proxy").Spec.Template.Spec.Containers[0], model.RootPasswordEnv); e != nil {
		t.Errorf("root password env without auth: %+v", e)
	}
}

func TestMilvusChartTLS(t *testing.T) {
	s := variant(func(s *model.Spec) {
		s.Milvus.TLS = model.TLS{Mode: 2, SecretName: "milvus-tls"}
		s.Milvus.Config = map[string]any{"proxy": map[string]any{"maxNameLength": 512}}
	})
	m := renderMilvus(t, s)
	cfg := config(t, m)
	for path, want := range map[string]string{
		"common.security.tlsMode":              "2",
		"tls.serverPemPath":                    model.TLSMountPath + "/tls.crt",
		"tls.caPemPath":                        model.TLSMountPath + "/ca.crt",
		"proxy.maxNameLength":                  "512",
		"common.security.authorizationEnabled": "true",
	} {
		if got := fmt.Sprint(at(cfg, path)); got != want {
			t.Errorf("milvus.yaml %s = %s, want %s", path, got, want)
		}
	}
	pod := deployment(t, m, "proxy").Spec.Template.Spec
	found := false
	for _, v := range pod.Volumes {
		if v.Secret != nil && v.Secret.SecretName == "milvus-tls" {
			found = true
		}
	}
	if !found {
		t.Errorf("proxy pod has no milvus-tls Secret volume: %+v", pod.Volumes)
	}
}

// TestMilvusChartOneDoor: whatever the queue, the release renders one
// LoadBalancer Service, milvusgen's NLB in front of the proxies, and no
// Ingress or NodePort (issue 17 item 3). Chart 5.0.19's Pulsar defaults
// its proxy Service to LoadBalancer; the Milvus chart's values override it.
func TestMilvusChartOneDoor(t *testing.T) {
	for _, mq := range []string{model.Woodpecker, model.Kafka, model.Pulsar} {
		t.Run(mq, func(t *testing.T) {
			m := renderMilvus(t, variant(func(s *model.Spec) { s.Milvus.MessageQueue = mq }))
			var doors []string
			for _, o := range m.Filter("Service", "") {
				svc := decode[corev1.Service](t, o)
				if svc.Spec.Type == corev1.ServiceTypeLoadBalancer || svc.Spec.Type == corev1.ServiceTypeNodePort {
					doors = append(doors, o.Source)
				}
			}
			if len(doors) != 1 || doors[0] != "milvus/templates/service.yaml" {
				t.Errorf("load-balanced or node ports: %v, want only milvus/templates/service.yaml", doors)
			}
			if ing := m.Filter("Ingress", ""); len(ing) > 0 {
				t.Errorf("Ingresses rendered: %v", ing)
			}
		})
	}
}

// TestMilvusChartSubchartAllowlist: the subcharts' allowlisted keys are
// ones the charts read. Each is set through milvus.values and found on the
// rendered pods of Kafka, ZooKeeper and Pulsar (issue 17 item 1).
func TestMilvusChartSubchartAllowlist(t *testing.T) {
	t.Run("kafka", func(t *testing.T) {
		s := variant(func(s *model.Spec) {
			s.Milvus.MessageQueue = model.Kafka
			sub := func() map[string]any {
				return map[string]any{
					"image":             map[string]any{"registry": "registry.example.com", "pullSecrets": []any{"mirror-login"}},
					"nodeSelector":      map[string]any{"role": "queue"},
					"tolerations":       []any{map[string]any{"key": "queue", "operator": "Exists"}},
					"priorityClassName": "queue-critical",
				}
			}
			k := sub()
			k["zookeeper"] = sub()
			s.Milvus.Values = map[string]any{"kafka": k}
		})
		m := renderMilvus(t, s)
		for _, prefix := range []string{"milvus/charts/kafka/templates/", "milvus/charts/kafka/charts/zookeeper/"} {
			sts := m.Filter("StatefulSet", prefix)
			if len(sts) != 1 {
				t.Fatalf("want one StatefulSet from %s, got %v", prefix, sts)
			}
			pod := decode[appsv1.StatefulSet](t, sts[0]).Spec.Template.Spec
			if !strings.HasPrefix(pod.Containers[0].Image, "registry.example.com/") || len(pod.ImagePullSecrets) != 1 ||
				pod.NodeSelector["role"] != "queue" || len(pod.Tolerations) != 1 || pod.PriorityClassName != "queue-critical" {
				t.Errorf("%s: image %s pullSecrets %v nodeSelector %v tolerations %v priorityClassName %q",
					prefix, pod.Containers[0].Image, pod.ImagePullSecrets, pod.NodeSelector, pod.Tolerations, pod.PriorityClassName)
			}
		}
	})
	t.Run("pulsar", func(t *testing.T) {
		comps := map[string]string{"zookeeper": "zookeeper", "bookkeeper": "bookie", "autorecovery": "autorecovery", "broker": "broker", "proxy": "proxy"}
		s := variant(func(s *model.Spec) {
			s.Milvus.MessageQueue = model.Pulsar
			images := map[string]any{"imagePullSecrets": []any{"mirror-login"}}
			v := map[string]any{"images": images}
			for c, img := range comps {
				images[img] = map[string]any{"repository": "registry.example.com/apachepulsar/pulsar-all"}
				v[c] = map[string]any{
					"nodeSelector": map[string]any{"role": "queue"},
					"tolerations":  []any{map[string]any{"key": "queue", "operator": "Exists"}},
				}
			}
			s.Milvus.Values = map[string]any{"pulsarv3": v}
		})
		m := renderMilvus(t, s)
		seen := map[string]bool{}
		for _, kind := range []string{"StatefulSet", "Deployment"} {
			for _, o := range m.Filter(kind, "milvus/charts/pulsarv3/") {
				var pod corev1.PodSpec
				if kind == "StatefulSet" {
					pod = decode[appsv1.StatefulSet](t, o).Spec.Template.Spec
				} else {
					pod = decode[appsv1.Deployment](t, o).Spec.Template.Spec
				}
				for c := range comps {
					if strings.Contains(o.Source, "/"+c+"-") {
						seen[c] = true
					}
				}
				if !strings.HasPrefix(pod.Containers[0].Image, "registry.example.com/") || len(pod.ImagePullSecrets) != 1 ||
					pod.NodeSelector["role"] != "queue" || len(pod.Tolerations) != 1 {
					t.Errorf("%s: image %s pullSecrets %v nodeSelector %v tolerations %v", o.Source, pod.Containers[0].Image, pod.ImagePullSecrets, pod.NodeSelector, pod.Tolerations)
				}
			}
		}
		for c := range comps {
			if !seen[c] {
				t.Errorf("no Pulsar %s workload rendered", c)
			}
		}
	})
}
