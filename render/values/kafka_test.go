package values

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/milvusgen/milvusgen/internal/model"
)

// msk is the runbook spec on Amazon MSK's SASL/SCRAM listener.
func msk(chart, coordinators string) *model.Spec {
	return variant(func(s *model.Spec) {
		s.Milvus.ChartVersion = chart
		s.Milvus.Coordinators = coordinators
		s.Milvus.MessageQueue = model.ExternalKafka
		s.Milvus.ExternalKafka = &model.KafkaCluster{
			Brokers: []string{
				"b-1.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096",
				"b-2.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096",
			},
			SecurityProtocol: model.KafkaSASLSSL,
			SASL:             &model.KafkaSASL{Mechanism: "SCRAM-SHA-512", SecretName: "msk-milvus", UsernameKey: "username", PasswordKey: "password"},
		}
	})
}

// renderedDeployments are the Milvus Deployments of a rendered release.
func renderedDeployments(t *testing.T, m manifest) []*appsv1.Deployment {
	t.Helper()
	var out []*appsv1.Deployment
	for _, o := range m.Filter("Deployment", "milvus/templates/") {
		out = append(out, decode[appsv1.Deployment](t, o))
	}
	if len(out) == 0 {
		t.Fatal("no Milvus Deployments rendered")
	}
	return out
}

// TestMilvusChartExternalKafka renders the real charts (5.0.19 with
// Milvus 2.6, 4.2.58 and 4.2.37 with Milvus 2.5, both coordinator layouts)
// for Amazon MSK: milvus.yaml's kafka section names the brokers, the
// protocol and the mechanism; every Milvus container reads the username
// and password from the Secret; no in-cluster queue is deployed; and no
// rendered object holds a credential or a place for one.
func TestMilvusChartExternalKafka(t *testing.T) {
	for _, tc := range []struct{ chart, coordinators string }{
		{"5.0.19", model.CoordinatorsMix},
		{"4.2.58", model.CoordinatorsMix},
		{"4.2.58", model.CoordinatorsSeparate},
		{"4.2.37", model.CoordinatorsMix},
	} {
		t.Run(tc.chart+"/"+tc.coordinators, func(t *testing.T) {
			s := msk(tc.chart, tc.coordinators)
			m := renderMilvus(t, s)
			cfg := config(t, m)
			wantConfig(t, cfg, map[string]any{
				"mq.type":                "kafka",
				"messageQueue":           "kafka",
				"kafka.brokerList":       "b-1.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096,b-2.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096",
				"kafka.securityProtocol": "SASL_SSL",
				"kafka.saslMechanisms":   "SCRAM-SHA-512",
				"kafka.saslUsername":     nil,
				"kafka.saslPassword":     nil,
				"kafka.ssl":              nil,
			})
			for _, dep := range []string{"milvus/charts/kafka/", "milvus/charts/pulsarv3/", "milvus/charts/pulsar/"} {
				wantNone(t, m, dep)
			}
			if got := m.Filter("StatefulSet", "milvus/templates/"); len(got) > 0 {
				t.Errorf("StatefulSets of the Milvus chart (woodpecker?): %v", got)
			}
			deps := renderedDeployments(t, m)
			if want := len(milvusBlocks(s)); len(deps) != want {
				t.Errorf("%d Milvus Deployments, want %d (%v)", len(deps), want, milvusBlocks(s))
			}
			for _, d := range deps {
				c := d.Spec.Template.Spec.Containers[0]
				for env, key := range map[string]string{model.KafkaUsernameEnv: "username", model.KafkaPasswordEnv: "password"} {
					e := envFrom(c, env)
					if e == nil || e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil ||
						e.ValueFrom.SecretKeyRef.Name != "msk-milvus" || e.ValueFrom.SecretKeyRef.Key != key {
						t.Errorf("Deployment %s: %s = %+v, want a secretKeyRef to msk-milvus/%s", d.Name, env, e, key)
					}
				}
			}
			for _, comp := range []string{"proxy"} {
				if e := envFrom(deployment(t, m, comp).Spec.Template.Spec.Containers[0], model.RootPasswordEnv); e == nil {
					t.Errorf("%s lost the root password's variable", comp)
				}
			}
			for _, o := range m {
				if o.Kind == "Secret" {
					t.Errorf("a Secret was rendered: %s", o)
				}
				for _, word := range []string{"saslPassword", "saslUsername", "sasl.password", "sasl.username"} {
					if strings.Contains(string(o.Raw), word) {
						t.Errorf("%s holds %q:\n%s", o, word, o.Raw)
					}
				}
			}
		})
	}
}

// TestMilvusChartExternalKafkaCA: a private CA is mounted from its Secret
// into every Milvus pod, and librdkafka's producer and consumer read it
// (Milvus's kafka.producer.* and kafka.consumer.* pass-through), beside
// the proxies' own TLS volume.
func TestMilvusChartExternalKafkaCA(t *testing.T) {
	for _, chart := range []string{"5.0.19", "4.2.58"} {
		t.Run(chart, func(t *testing.T) {
			s := msk(chart, model.CoordinatorsMix)
			s.Milvus.ExternalKafka.Brokers = []string{"kafka-0.kafka.example.internal:9093"}
			s.Milvus.ExternalKafka.SecurityProtocol = model.KafkaSSL
			s.Milvus.ExternalKafka.SASL = nil
			s.Milvus.ExternalKafka.TLS = &model.KafkaTLS{CASecret: model.SecretKey{Name: "kafka-ca", Key: "ca.pem"}}
			s.Milvus.TLS = model.TLS{Mode: 1, SecretName: "milvus-tls"}
			m := renderMilvus(t, s)
			cfg := config(t, m)
			wantConfig(t, cfg, map[string]any{"kafka.securityProtocol": "SSL", "kafka.brokerList": "kafka-0.kafka.example.internal:9093"})
			for _, group := range []string{"producer", "consumer"} {
				g, _ := at(cfg, "kafka."+group).(map[string]any)
				if got := g["ssl.ca.location"]; got != model.KafkaCAMountPath+"/ca.pem" {
					t.Errorf("kafka.%s ssl.ca.location = %v, want %s/ca.pem", group, got, model.KafkaCAMountPath)
				}
			}
			for _, d := range renderedDeployments(t, m) {
				pod := d.Spec.Template.Spec
				var ca *corev1.Volume
				for i := range pod.Volumes {
					if pod.Volumes[i].Name == "kafka-ca" {
						ca = &pod.Volumes[i]
					}
				}
				if ca == nil || ca.Secret == nil || ca.Secret.SecretName != "kafka-ca" || len(ca.Secret.Items) != 1 || ca.Secret.Items[0].Key != "ca.pem" {
					t.Errorf("Deployment %s: kafka-ca volume = %+v", d.Name, ca)
				}
				mounts := map[string]string{}
				for _, vm := range pod.Containers[0].VolumeMounts {
					mounts[vm.Name] = vm.MountPath
				}
				if mounts["kafka-ca"] != model.KafkaCAMountPath || mounts["milvus-tls"] != model.TLSMountPath {
					t.Errorf("Deployment %s mounts %v, want kafka-ca at %s beside milvus-tls", d.Name, mounts, model.KafkaCAMountPath)
				}
				if e := envFrom(pod.Containers[0], model.KafkaPasswordEnv); e != nil {
					t.Errorf("Deployment %s: SASL variable without SASL: %+v", d.Name, e)
				}
			}
		})
	}
}

// TestExternalKafkaValues: under highAvailability an external Kafka gets
// none of the in-cluster Kafka's values (sizing requests, persistence,
// the brokers' and ZooKeeper's spread and budgets), and in-cluster Kafka
// keeps them.
func TestExternalKafkaValues(t *testing.T) {
	v := Milvus(msk("5.0.19", model.CoordinatorsMix))
	if got, want := v["kafka"], map[string]any{"enabled": false}; !cmp.Equal(got, want) {
		t.Errorf("kafka = %v, want %v", got, want)
	}
	if got, want := v["externalKafka"], map[string]any{
		"enabled":          true,
		"brokerList":       "b-1.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096,b-2.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096",
		"securityProtocol": "SASL_SSL",
		"sasl":             map[string]any{"mechanisms": "SCRAM-SHA-512"},
	}; !cmp.Equal(got, want) {
		t.Errorf("externalKafka = %v, want %v", got, want)
	}
	in := Milvus(variant(func(s *model.Spec) { s.Milvus.MessageQueue = model.Kafka }))
	for _, key := range []string{"podAntiAffinityPreset", "topologySpreadConstraints", "pdb", "resources", "zookeeper"} {
		if _, ok := in["kafka"].(map[string]any)[key]; !ok {
			t.Errorf("in-cluster kafka lost %s", key)
		}
	}
	if _, ok := in["externalKafka"]; ok {
		t.Error("in-cluster kafka sets externalKafka")
	}
}
