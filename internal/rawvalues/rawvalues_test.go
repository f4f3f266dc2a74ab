package rawvalues

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
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

// TestValuesRefused: every attack of issue 17 and issue 19 item 2, and
// every key that duplicates a spec field, is refused at its position with
// a message that names the field to use or says it is not supported.
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
		{"external Kafka", "externalKafka: {enabled: true, brokerList: x:9092}", "externalKafka", "use milvus.messageQueue"},
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
		{"chart 4 block", "rootCoordinator: {replicas: 2}", "rootCoordinator", "chart 5.x has no rootCoordinator"},
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
			probs := Values(decode(t, tc.values))
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
	for _, e := range valuesAllowed {
		v, ok := sound[e.path]
		if !ok {
			t.Errorf("allowlist entry %s has no test value", e.path)
			continue
		}
		paths := []string{e.path}
		if rest, ok := strings.CutPrefix(e.path, "*."); ok {
			paths = nil
			for _, c := range Components {
				paths = append(paths, c+"."+rest)
			}
		}
		for _, p := range paths {
			if e.path == "*.extraEnv" {
				v = "[{name: GODEBUG, value: madvdontneed=1}, {name: QUERYNODE_SEGCORE_CHUNKROWS, value: '256'}, {name: DATACOORD_SEGMENT_MAXSIZE, valueFrom: {configMapKeyRef: {name: x, key: cfg}}}]"
			}
			text := nest(p, v)
			if probs := Values(decode(t, text)); len(probs) > 0 {
				t.Errorf("%s refused: %s: %s", text, pathOf(probs[0]), probs[0].Msg)
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
