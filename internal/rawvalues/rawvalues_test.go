package rawvalues

import (
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/versions"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

func pathOf(p Problem) string { return strings.Join(p.Path, ".") }

// chart is a chart of the version table; a missing one is a broken table.
func chart(t testing.TB, version string) versions.Chart {
	t.Helper()
	c, ok := versions.Lookup(version)
	if !ok {
		t.Fatalf("chart %s is not in the version table", version)
	}
	return c
}

// TestValuesRefused: every attack of issue 17 and issue 19 item 2, and
// every key that duplicates a spec field, is refused at its position with
// a message that names the field to use or says it is not supported, on
// chart 5.0.19 (TestValuesPerChart covers the others).
func TestValuesRefused(t *testing.T) {
	cases := []struct {
		name, values, path, want string
	}{
		{"custom ConfigMap", "customConfigMap: mine", "customConfigMap", "a custom ConfigMap replaces milvus.yaml"},
		{"extra config files", "extraConfigFiles: {user.yaml: 'x: 1'}", "extraConfigFiles", "use milvus.config"},
		{"external Pulsar", "externalPulsar: {enabled: true, host: attacker.example.com}", "externalPulsar", "use milvus.messageQueue"},
		{"external Pulsar token", "externalPulsar: {enabled: true, authParams: 'token:abc'}", "externalPulsar", "use milvus.messageQueue"},
		{"Pulsar v2", "pulsar: {enabled: true}", "pulsar", "use milvus.messageQueue"},
		{"Pulsar v3 on", "pulsarv3: {enabled: true}", "pulsarv3.enabled", "use milvus.messageQueue"},
		{"Kafka on", "kafka: {enabled: true}", "kafka.enabled", "use milvus.messageQueue"},
		{"external Kafka", "externalKafka: {enabled: true, brokerList: x:9092}", "externalKafka", "use milvus.messageQueue: externalKafka with milvus.externalKafka"},
		{"woodpecker", "woodpecker: {enabled: false}", "woodpecker", "use milvus.messageQueue"},
		{"streaming off", "streaming: {enabled: false}", "streaming", "Milvus 2.6 writes through its streaming nodes"},
		{"external etcd", "etcd: {enabled: false}\nexternalEtcd: {enabled: true, endpoints: [x:2379]}", "etcd.enabled", "an external etcd would move it"},
		{"external etcd block", "externalEtcd: {enabled: true, endpoints: [x:2379]}", "externalEtcd", "an external etcd would move it"},
		{"etcd root password", "etcd: {auth: {rbac: {rootPassword: hunter2}}}", "etcd.auth.rbac.rootPassword", `"rootPassword" names a credential`},
		{"etcd token switch", "etcd: {auth: {token: {enabled: false}}}", "etcd.auth", "not supported: Milvus keeps its metadata in the chart's etcd"},
		{"attu load balancer", "attu: {enabled: true, service: {type: LoadBalancer}}", "attu", "a second door"},
		{"ingress", "ingress: {enabled: true, annotations: {alb.ingress.kubernetes.io/scheme: internet-facing}}", "ingress", "an Ingress would be a second door"},
		{"service type", "service: {type: NodePort}", "service.type", "use milvus.service"},
		{"source ranges", "service: {loadBalancerSourceRanges: [0.0.0.0/0]}", "service.loadBalancerSourceRanges", "use milvus.service"},
		{"LB scheme annotation", "service: {annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing}}", "service.annotations.service.beta.kubernetes.io/aws-load-balancer-scheme", "annotation the chart, Kubernetes or AWS reads"},
		{"LB security groups annotation", "service: {annotations: {service.beta.kubernetes.io/aws-load-balancer-security-groups: sg-1}}", "service.annotations.service.beta.kubernetes.io/aws-load-balancer-security-groups", "annotation the chart, Kubernetes or AWS reads"},
		{"Kafka external access", "kafka: {externalAccess: {enabled: true}}", "kafka.externalAccess", "the only way in"},
		{"cluster off", "cluster: {enabled: false}", "cluster", "cluster.enabled: false would replace every component"},
		{"volumes", "volumes: [{name: x, emptyDir: {}}]", "volumes", "mount over /milvus/configs"},
		{"component volume mounts", "queryNode: {volumeMounts: [{name: x, mountPath: /milvus/configs}]}", "queryNode.volumeMounts", "mount over /milvus/configs"},
		{"component volumes", "proxy: {volumes: [{name: x}]}", "proxy.volumes", "mount over /milvus/configs"},
		{"image tag", "image: {all: {tag: v2.5.0}}", "image.all.tag", "use milvus.version"},
		{"image pull policy", "image: {all: {pullPolicy: Always}}", "image.all.pullPolicy", "only image.all.repository and image.all.pullSecrets"},
		{"replicas", "queryNode: {replicas: 9223372036854775789}", "queryNode.replicas", "use milvus.queryNode.replicas"},
		{"resources", "dataNode: {resources: {limits: {cpu: 1e19}}}", "dataNode.resources", "use milvus.dataNode.resources"},
		{"etcd replicas", "etcd: {replicaCount: 10000000}", "etcd.replicaCount", "3 etcd members"},
		{"zookeeper replicas", "kafka: {zookeeper: {replicaCount: 10000000}}", "kafka.zookeeper.replicaCount", "configures the chart's Kafka"},
		{"mixcoord standby", "mixCoordinator: {activeStandby: {enabled: false}}", "mixCoordinator.activeStandby", "use milvus.highAvailability"},
		{"affinity", "queryNode: {affinity: {}}", "queryNode.affinity", "milvus.highAvailability renders the spread"},
		{"spread", "topologySpreadConstraints: []", "topologySpreadConstraints", "milvus.highAvailability renders the spread"},
		{"metrics", "metrics: {enabled: true}", "metrics", "port 9091"},
		{"service account", "serviceAccount: {create: true}", "serviceAccount", "use milvus.serviceAccount"},
		{"S3 keys", "externalS3: {accessKey: AKIA, secretKey: abc}", "externalS3.accessKey", `"accessKey" names a credential`},
		{"S3 host", "externalS3: {host: minio.example.com}", "externalS3", "use storage.bucket"},
		{"minio", "minio: {enabled: true}", "minio", "use storage.bucket"},
		{"chart 4 block", "rootCoordinator: {replicas: 2}", "rootCoordinator", "chart 5.0.19 has no rootCoordinator; its Milvus components are mixCoordinator, proxy, queryNode, dataNode, streamingNode; Milvus 2.6 runs every coordinator in mixCoordinator"},
		{"priority class of Milvus pods", "queryNode: {priorityClassName: high}", "queryNode.priorityClassName", "chart 5.0.19 gives Milvus's own pods no priority class"},
		{"system priority class", "etcd: {priorityClassName: system-node-critical}", "etcd.priorityClassName", "for kube-system's pods"},
		{"streaming node annotations", "streamingNode: {annotations: {a: b}}", "streamingNode.annotations", "does not read streamingNode.annotations"},
		{"unknown top level", "tei: {enabled: true}", "tei", "not supported; milvus.values accepts"},
		{"name override", "fullnameOverride: x", "fullnameOverride", "not supported"},
		{"log persistence", "log: {persistence: {enabled: true}}", "log.persistence", "only log.level and log.format"},
		{"log level", "log: {level: trace}", "log.level", `must be one of debug, info, warn, error; got "trace"`},
		{"chart label", "labels: {component: proxy}", "labels.component", "a label the chart, Kubernetes or AWS sets"},
		{"reserved label", "labels: {app.kubernetes.io/instance: other}", "labels.app.kubernetes.io/instance", "a label the chart, Kubernetes or AWS sets"},
		{"IRSA annotation", "annotations: {eks.amazonaws.com/role-arn: x}", "annotations.eks.amazonaws.com/role-arn", "annotation the chart, Kubernetes or AWS reads"},
		{"credential annotation", "annotations: {example.com/api-token: abc}", "annotations.example.com/api-token", "names a credential"},
		{"bad label value", "labels: {team: 'a b'}", "labels.team", "not a valid Kubernetes label value"},
		{"label not a string", "labels: {team: 3}", "labels.team", "must be a string"},
		{"bad selector key", "nodeSelector: {'a/b/c': x}", "nodeSelector.a/b/c", "not a valid Kubernetes label key"},
		{"toleration unknown field", "tolerations: [{key: a, operator: Exists, extra: 1}]", "tolerations.0", "unknown field"},
		{"toleration operator", "queryNode: {tolerations: [{key: a, operator: Maybe}]}", "queryNode.tolerations.0.operator", "must be Equal or Exists"},
		{"toleration seconds", "tolerations: [{key: a, operator: Exists, effect: NoExecute, tolerationSeconds: 999999999}]", "tolerations.0.tolerationSeconds", "must be from 0 to"},
		{"repository with tag", "image: {all: {repository: 'milvusdb/milvus:v2.5.0'}}", "image.all.repository", "without a tag or digest"},
		{"repository with digest", "image: {all: {repository: 'milvusdb/milvus@sha256:abc'}}", "image.all.repository", "without a tag or digest"},
		{"registry with path", "etcd: {image: {registry: 'example.com/x'}}", "etcd.image.registry", "must be a registry host"},
		{"pull secret name", "image: {all: {pullSecrets: [Bad_Name]}}", "image.all.pullSecrets.0", "must be the name of a Secret"},
		{"env password", "queryNode: {extraEnv: [{name: ADMIN_PASSWORD, value: x}]}", "queryNode.extraEnv.0.name", `"ADMIN_PASSWORD" names a credential`},
		{"env token", "proxy: {extraEnv: [{name: GITHUB_TOKEN, value: x}]}", "proxy.extraEnv.0.name", `"GITHUB_TOKEN" names a credential`},
		{"env token from secret", "proxy: {extraEnv: [{name: GITHUB_TOKEN, valueFrom: {secretKeyRef: {name: gh, key: token}}}]}", "proxy.extraEnv.0.name", "GITHUB_TOKEN is not supported"},
		{"env queue", "streamingNode: {extraEnv: [{name: MQ_TYPE, value: kafka}]}", "streamingNode.extraEnv.0.name", "use milvus.messageQueue"},
		{"env etcd", "dataNode: {extraEnv: [{name: ETCD_ENDPOINTS, value: x:2379}]}", "dataNode.extraEnv.0.name", "chart's etcd"},
		{"env auth off", "proxy: {extraEnv: [{name: MILVUS_CONF_COMMON_SECURITY_AUTHORIZATIONENABLED, value: 'false'}]}", "proxy.extraEnv.0.name", "use milvus.auth"},
		{"env S3", "queryNode: {extraEnv: [{name: MINIO_ADDRESS, value: x}]}", "queryNode.extraEnv.0.name", "use storage.bucket"},
		{"env proxy port", "proxy: {extraEnv: [{name: PROXY_PORT, value: '1'}]}", "proxy.extraEnv.0.name", "use milvus.service.port"},
		{"env gRPC", "proxy: {extraEnv: [{name: GRPC_ENFORCE_ALPN_ENABLED, value: 'false'}]}", "proxy.extraEnv.0.name", "gRPC's own variables"},
		{"env unknown field", "proxy: {extraEnv: [{name: GOGC, value: '50', valueFrom: {}, x: 1}]}", "proxy.extraEnv.0", "unknown field"},
		{"dotted key is not a path", "'image.all.tag': v1", "image.all.tag", "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			probs := Values(decode(t, tc.values), chart(t, "5.0.19"))
			if len(probs) == 0 {
				t.Fatalf("%s: accepted", tc.values)
			}
			if got := pathOf(probs[0]); got != tc.path || !strings.Contains(probs[0].Msg, tc.want) {
				t.Errorf("%s:\n got %s: %s\nwant %s: …%s…", tc.values, got, probs[0].Msg, tc.path, tc.want)
			}
		})
	}
}

// TestValuesAllowed: every entry of the allowlist passes with a sound
// value, and the test covers every entry.
func TestValuesAllowed(t *testing.T) {
	sound := map[string]string{
		"nodeSelector":                            "{role: milvus}",
		"*.nodeSelector":                          "{role: milvus, topology.kubernetes.io/zone: us-east-2a}",
		"tolerations":                             "[{key: dedicated, operator: Equal, value: milvus, effect: NoSchedule}]",
		"*.tolerations":                           "[{operator: Exists}, {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]",
		"etcd.nodeSelector":                       "{role: meta}",
		"etcd.tolerations":                        "[{key: meta, operator: Exists}]",
		"kafka.nodeSelector":                      "{role: queue}",
		"kafka.tolerations":                       "[{key: queue, operator: Exists}]",
		"kafka.zookeeper.nodeSelector":            "{role: queue}",
		"kafka.zookeeper.tolerations":             "[{key: queue, operator: Exists}]",
		"pulsarv3.zookeeper.nodeSelector":         "{role: queue}",
		"pulsarv3.zookeeper.tolerations":          "[{key: queue, operator: Exists}]",
		"pulsarv3.bookkeeper.nodeSelector":        "{role: queue}",
		"pulsarv3.bookkeeper.tolerations":         "[{key: queue, operator: Exists}]",
		"pulsarv3.autorecovery.nodeSelector":      "{role: queue}",
		"pulsarv3.autorecovery.tolerations":       "[{key: queue, operator: Exists}]",
		"pulsarv3.broker.nodeSelector":            "{role: queue}",
		"pulsarv3.broker.tolerations":             "[{key: queue, operator: Exists}]",
		"pulsarv3.proxy.nodeSelector":             "{role: queue}",
		"pulsarv3.proxy.tolerations":              "[{key: queue, operator: Exists}]",
		"labels":                                  "{team: search, example.com/cost-center: '42'}",
		"annotations":                             "{example.com/owner: search}",
		"proxy.annotations":                       "{cluster-autoscaler.kubernetes.io/safe-to-evict: 'false'}",
		"queryNode.annotations":                   "{example.com/owner: search}",
		"dataNode.annotations":                    "{example.com/owner: search}",
		"mixCoordinator.annotations":              "{example.com/owner: search}",
		"rootCoordinator.annotations":             "{example.com/owner: search}",
		"queryCoordinator.annotations":            "{example.com/owner: search}",
		"dataCoordinator.annotations":             "{example.com/owner: search}",
		"indexCoordinator.annotations":            "{example.com/owner: search}",
		"indexNode.annotations":                   "{example.com/owner: search}",
		"service.labels":                          "{team: search}",
		"service.annotations":                     "{example.com/team: search}",
		"etcd.priorityClassName":                  "milvus-critical",
		"kafka.priorityClassName":                 "milvus-critical",
		"kafka.zookeeper.priorityClassName":       "milvus-critical",
		"log.level":                               "debug",
		"log.format":                              "json",
		"image.all.repository":                    "registry.example.com:5000/milvusdb/milvus",
		"image.all.pullSecrets":                   "[mirror-login]",
		"etcd.image.registry":                     "registry.example.com",
		"etcd.image.pullSecrets":                  "[mirror-login]",
		"kafka.image.registry":                    "registry.example.com",
		"kafka.image.pullSecrets":                 "[mirror-login]",
		"kafka.zookeeper.image.registry":          "10.0.0.5:5000",
		"kafka.zookeeper.image.pullSecrets":       "[mirror-login]",
		"pulsarv3.images.imagePullSecrets":        "[mirror-login]",
		"pulsarv3.images.zookeeper.repository":    "registry.example.com/apachepulsar/pulsar-all",
		"pulsarv3.images.bookie.repository":       "registry.example.com/apachepulsar/pulsar-all",
		"pulsarv3.images.autorecovery.repository": "registry.example.com/apachepulsar/pulsar-all",
		"pulsarv3.images.broker.repository":       "registry.example.com/apachepulsar/pulsar-all",
		"pulsarv3.images.proxy.repository":        "registry.example.com/apachepulsar/pulsar-all",
		"*.extraEnv":                              "[{name: GODEBUG, value: madvdontneed=1}, {name: QUERYNODE_SEGCORE_CHUNKROWS, value: '256'}, {name: API_TOKEN_FOR_NOTHING, valueFrom: {secretKeyRef: {name: x, key: cfg}}}]",
	}
	for _, c := range versions.Charts() {
		for _, e := range valuesAllowed {
			v, ok := sound[e.path]
			if !ok {
				t.Errorf("allowlist entry %s has no test value", e.path)
				continue
			}
			if e.path == "*.extraEnv" {
				v = "[{name: GODEBUG, value: madvdontneed=1}, {name: QUERYNODE_SEGCORE_CHUNKROWS, value: '256'}, {name: DATACOORD_SEGMENT_MAXSIZE, valueFrom: {configMapKeyRef: {name: x, key: cfg}}}]"
			}
			for _, p := range expand(e.path, c.Blocks()) {
				text := nest(strings.Join(p, "."), v)
				probs := Values(decode(t, text), c)
				switch {
				case slices.Contains(knownComponents(), p[0]) && !slices.Contains(c.Blocks(), p[0]):
					// An entry of a component this chart lacks: refused whole.
					if len(probs) == 0 || pathOf(probs[0]) != p[0] || !strings.Contains(probs[0].Msg, "chart "+c.Version+" has no "+p[0]) {
						t.Errorf("chart %s: %s: %v, want refused at %s", c.Version, text, probs, p[0])
					}
				case len(probs) > 0:
					t.Errorf("chart %s: %s refused: %s: %s", c.Version, text, pathOf(probs[0]), probs[0].Msg)
				}
			}
		}
	}
}

// nest writes a dotted path and a YAML flow value as nested YAML.
func nest(path, value string) string {
	elems := strings.Split(path, ".")
	var b strings.Builder
	for _, e := range elems[:len(elems)-1] {
		b.WriteString(e + ": {")
	}
	b.WriteString(elems[len(elems)-1] + ": " + value)
	b.WriteString(strings.Repeat("}", len(elems)-1))
	return b.String()
}

func TestConfig(t *testing.T) {
	refused := []struct{ config, path, want string }{
		{"etcd: {endpoints: attacker:2379}", "etcd", "chart's etcd"},
		{"metastore: {type: tikv}", "metastore", "chart's etcd"},
		{"tikv: {endpoints: x}", "tikv", "chart's etcd"},
		{"minio: {address: attacker}", "minio", "use storage.bucket"},
		{"localStorage: {path: /tmp}", "localStorage", "storage.bucket"},
		{"mq: {type: pulsar}", "mq", "use milvus.messageQueue"},
		{"pulsar: {address: attacker}", "pulsar", "use milvus.messageQueue"},
		{"kafka: {brokerList: attacker:9092}", "kafka", "use milvus.messageQueue"},
		{"kafka: {saslPassword: hunter2}", "kafka.saslPassword", `"saslPassword" names a credential`},
		{"rocksmq: {path: /x}", "rocksmq", "use milvus.messageQueue"},
		{"natsmq: {server: {port: 1}}", "natsmq", "use milvus.messageQueue"},
		{"woodpecker: {storage: {type: local}}", "woodpecker", "use milvus.messageQueue"},
		{"messageQueue: kafka", "messageQueue", "use milvus.messageQueue"},
		{"tls: {serverPemPath: /x}", "tls", "use milvus.tls"},
		{"common: {security: {authorizationEnabled: false}}", "common.security", "use milvus.auth"},
		{"'common.security.authorizationEnabled': false", "common.security.authorizationEnabled", "use milvus.auth"},
		{"Common: {Security: {AuthorizationEnabled: false}}", "Common.Security", "use milvus.auth"},
		{"common: {security_: {authorizationEnabled: false}}", "common.security_", "use milvus.auth"},
		{"co: {mmonSecurity: {x: 1}}", "co", "not supported"},
		{"common: {storageType: local}", "common.storageType", "not supported"},
		{"common: 3", "common", "not supported"},
		{"proxy: {port: 19531}", "proxy.port", "use milvus.service.port"},
		{"proxy: {po: {rt: 1}}", "proxy.po.rt", "use milvus.service.port"},
		{"queryCoord: {enableActiveStandby: false}", "queryCoord.enableActiveStandby", "use milvus.highAvailability"},
		{"queryCoord: {clusterLevelLoadReplicaNumber: 1}", "queryCoord.clusterLevelLoadReplicaNumber", "use milvus.inMemoryReplicas"},
		{"msgChannel: {chanNamePrefix: {cluster: x}}", "msgChannel", "channel names"},
		{"trace: {exporter: otlp}", "trace", "outside the cluster"},
		{"function: {textEmbedding: {}}", "function", "external model providers"},
		{"credential: {aksk1: {access_key_id: x}}", "credential.aksk1.access_key_id", "names a credential"},
		{"credential: {aksk1: {enabled: true}}", "credential", "not supported"},
		{"queryNode: {apiKey: x}", "queryNode.apiKey", "names a credential"},
		{"someNewSection: {x: 1}", "someNewSection", "not supported; milvus.config accepts"},
		{"log: {file: {rootPath: /x}}", "log.file.rootPath", "stdout"},
		{"common: {entityExpiration: 60}", "common.entityExpiration", "deletes every collection's entities"},
	}
	for _, tc := range refused {
		probs := Config(decode(t, tc.config))
		if len(probs) == 0 {
			t.Errorf("%s: accepted", tc.config)
			continue
		}
		if got := pathOf(probs[0]); got != tc.path || !strings.Contains(probs[0].Msg, tc.want) {
			t.Errorf("%s:\n got %s: %s\nwant %s: …%s…", tc.config, got, probs[0].Msg, tc.path, tc.want)
		}
	}
	for _, e := range configAllowed {
		text := nest(e.path, "{tuning: 1}")
		if probs := Config(decode(t, text)); len(probs) > 0 {
			t.Errorf("%s refused: %s: %s", text, pathOf(probs[0]), probs[0].Msg)
		}
	}
	for _, ok := range []string{
		"queryNode: {segcore: {knowhereThreadPoolNumRatio: 4}}",
		"'queryNode.segcore.chunkRows': 256",
		"query_node: {cache: {memoryLimit: 1}}",
		"proxy: {maxNameLength: 512, accessLog: {enable: true}}",
		"queryNode: {tokenizer: {x: 1}}",
	} {
		if probs := Config(decode(t, ok)); len(probs) > 0 {
			t.Errorf("%s refused: %s: %s", ok, pathOf(probs[0]), probs[0].Msg)
		}
	}
}

// TestTablesDoNotOverlap: no refusal is a prefix of an allowed section
// (it would shut the section), so the carve-outs are exactly the keys
// under allowed sections that the table names.
func TestTablesDoNotOverlap(t *testing.T) {
	for _, r := range configRefused {
		for _, a := range configAllowed {
			if rn, an := Normalize(r.path), Normalize(a.path); strings.HasPrefix(an, rn) {
				t.Errorf("refusal %s shuts the allowed section %s", r.path, a.path)
			}
		}
	}
}

func TestCredential(t *testing.T) {
	for key, want := range map[string]bool{
		"rootPassword": true, "auth_token": true, "ADMIN_PASSWORD": true, "apiKey": true, "APIKey": true,
		"api-key": true, "private_key": true, "privateKey": true, "PRIVATE.KEY": true, "passwd": true,
		"secretKey": true, "clientSecret": true, "credentials": true, "saslPassword": true, "GITHUB_TOKEN": true,
		"DEFAULTROOTPASSWORD": true, "secret_access_key": true, "AWS_ACCESS_KEY_ID": true, "accessKey": true,
		"tokenizer": false, "pullSecrets": false, "imagePullSecrets": false, "secretName": false, "secretKeyRef": false,
		"existingSecret": false, "maxNameLength": false, "accessLog": false, "keyspace": false, "passthrough": false,
	} {
		if w, got := Credential(key); got != want {
			t.Errorf("Credential(%q) = %v (%q), want %v", key, got, w, want)
		}
	}
}

func TestMergeLists(t *testing.T) {
	ours := map[string]any{"mixCoordinator": map[string]any{"replicas": 2, "extraEnv": []any{"ours"}}}
	user := map[string]any{"mixCoordinator": map[string]any{"extraEnv": []any{"user"}}}
	got := MergeLists(ours, user)["mixCoordinator"].(map[string]any)["extraEnv"].([]any)
	if len(got) != 2 || got[0] != "ours" || got[1] != "user" {
		t.Errorf("MergeLists = %v, want [ours user]", got)
	}
	if l := user["mixCoordinator"].(map[string]any)["extraEnv"].([]any); len(l) != 1 {
		t.Errorf("MergeLists modified the user's values: %v", l)
	}
}

// TestValuesPerChart: the per-component keys pass exactly on the
// components the pinned chart deploys; a component it lacks is refused at
// its key, naming the chart and the components it has.
func TestValuesPerChart(t *testing.T) {
	const (
		on42 = "mixCoordinator, rootCoordinator, queryCoordinator, dataCoordinator, indexCoordinator, proxy, queryNode, dataNode, indexNode"
		on50 = "mixCoordinator, proxy, queryNode, dataNode, streamingNode"
	)
	cases := []struct {
		name, values string
		charts       []string
		path, want   string // path "" means accepted
	}{
		{"index node selector", "indexNode: {nodeSelector: {role: index}}", []string{"4.2.37", "4.2.58"}, "", ""},
		{"index node tolerations", "indexNode: {tolerations: [{key: gpu, operator: Exists}]}", []string{"4.2.37", "4.2.58"}, "", ""},
		{"index node annotations", "indexNode: {annotations: {example.com/owner: search}}", []string{"4.2.37", "4.2.58"}, "", ""},
		{"index node extraEnv", "indexNode: {extraEnv: [{name: GOGC, value: '50'}]}", []string{"4.2.37", "4.2.58"}, "", ""},
		{"rootcoord selector", "rootCoordinator: {nodeSelector: {role: meta}}", []string{"4.2.37", "4.2.58"}, "", ""},
		{"querycoord tolerations", "queryCoordinator: {tolerations: [{operator: Exists}]}", []string{"4.2.37", "4.2.58"}, "", ""},
		{"datacoord annotations", "dataCoordinator: {annotations: {example.com/owner: search}}", []string{"4.2.37", "4.2.58"}, "", ""},
		{"indexcoord selector", "indexCoordinator: {nodeSelector: {role: meta}}", []string{"4.2.37", "4.2.58"}, "", ""},
		{"mixcoord selector", "mixCoordinator: {nodeSelector: {role: meta}}", []string{"4.2.37", "4.2.58", "5.0.19"}, "", ""},
		{"streaming node selector", "streamingNode: {nodeSelector: {role: wal}}", []string{"5.0.19"}, "", ""},

		{"index node on 5", "indexNode: {nodeSelector: {role: index}}", []string{"5.0.19"}, "indexNode", "chart 5.0.19 has no indexNode; its Milvus components are " + on50 + "; Milvus 2.6 builds indexes in the data nodes: set it on dataNode"},
		{"rootcoord on 5", "rootCoordinator: {tolerations: [{operator: Exists}]}", []string{"5.0.19"}, "rootCoordinator", "chart 5.0.19 has no rootCoordinator; its Milvus components are " + on50},
		{"querycoord on 5", "queryCoordinator: {annotations: {a: b}}", []string{"5.0.19"}, "queryCoordinator", "chart 5.0.19 has no queryCoordinator"},
		{"datacoord on 5", "dataCoordinator: {nodeSelector: {a: b}}", []string{"5.0.19"}, "dataCoordinator", "chart 5.0.19 has no dataCoordinator"},
		{"indexcoord on 5", "indexCoordinator: {nodeSelector: {a: b}}", []string{"5.0.19"}, "indexCoordinator", "chart 5.0.19 has no indexCoordinator"},
		{"streaming node on 4.2.37", "streamingNode: {nodeSelector: {role: wal}}", []string{"4.2.37"}, "streamingNode", "chart 4.2.37 has no streamingNode; its Milvus components are " + on42 + "; streaming nodes come with Milvus 2.6"},
		{"streaming node on 4.2.58", "streamingNode: {extraEnv: [{name: GOGC, value: '50'}]}", []string{"4.2.58"}, "streamingNode", "chart 4.2.58 has no streamingNode; its Milvus components are " + on42},
		{"streaming node annotations", "streamingNode: {annotations: {a: b}}", []string{"5.0.19"}, "streamingNode.annotations", "chart 5.0.19 does not read streamingNode.annotations"},
		{"credential in an absent component", "indexNode: {apiToken: x}", []string{"5.0.19"}, "indexNode.apiToken", `"apiToken" names a credential`},

		{"index node replicas", "indexNode: {replicas: 4}", []string{"4.2.37", "4.2.58"}, "indexNode.replicas", "use milvus.indexNode.replicas"},
		{"rootcoord replicas", "rootCoordinator: {replicas: 4}", []string{"4.2.58"}, "rootCoordinator.replicas", "use milvus.mixCoordinator.replicas"},
		{"querycoord resources", "queryCoordinator: {resources: {}}", []string{"4.2.37"}, "queryCoordinator.resources", "use milvus.mixCoordinator.resources"},
		{"datacoord standby", "dataCoordinator: {activeStandby: {enabled: false}}", []string{"4.2.58"}, "dataCoordinator.activeStandby", "use milvus.highAvailability"},
		{"indexcoord service", "indexCoordinator: {service: {type: LoadBalancer}}", []string{"4.2.58"}, "indexCoordinator.service", "reached inside the cluster only"},
		{"index node volumes", "indexNode: {volumeMounts: [{name: x, mountPath: /milvus/configs}]}", []string{"4.2.58"}, "indexNode.volumeMounts", "mount over /milvus/configs"},
		{"index node hpa", "indexNode: {hpa: {enabled: true}}", []string{"4.2.58"}, "indexNode.hpa", "use milvus.indexNode.replicas"},
		{"index node priority", "indexNode: {priorityClassName: high}", []string{"4.2.37"}, "indexNode.priorityClassName", "chart 4.2.37 gives Milvus's own pods no priority class"},
		{"index node affinity", "indexNode: {affinity: {}}", []string{"4.2.37"}, "indexNode.affinity", "milvus.highAvailability renders the spread"},
		{"index node selector checked", "indexNode: {nodeSelector: {'a/b/c': x}}", []string{"4.2.58"}, "indexNode.nodeSelector.a/b/c", "not a valid Kubernetes label key"},
		{"chart off the table", "indexNode: {nodeSelector: {role: index}}", []string{""}, "indexNode", "milvus.chartVersion names no chart milvusgen knows (known: 4.2.37, 4.2.58, 5.0.19)"},
	}
	for _, tc := range cases {
		for _, v := range tc.charts {
			t.Run(tc.name+"/"+v, func(t *testing.T) {
				c := versions.Chart{}
				if v != "" {
					c = chart(t, v)
				}
				probs := Values(decode(t, tc.values), c)
				if tc.path == "" {
					if len(probs) > 0 {
						t.Fatalf("chart %s: %s refused: %s: %s", v, tc.values, pathOf(probs[0]), probs[0].Msg)
					}
					return
				}
				if len(probs) == 0 {
					t.Fatalf("chart %s: %s accepted", v, tc.values)
				}
				if got := pathOf(probs[0]); got != tc.path || !strings.Contains(probs[0].Msg, tc.want) {
					t.Errorf("chart %s: %s:\n got %s: %s\nwant %s: …%s…", v, tc.values, got, probs[0].Msg, tc.path, tc.want)
				}
			})
		}
	}
}
