// Package spectest holds the invalid specs milvusgen's tests share: the
// spec loader's table test checks each message and position, the CLI's
// checks the exit code and that nothing is written.
package spectest

import "strings"

// Base is a minimal valid YAML spec; cases append or replace sections.
const Base = `name: milvus-demo
aws:
  region: us-east-2
  accountID: "123456789012"
cluster:
  name: milvus-eks-cluster
storage:
  bucket: milvus-bucket-039dd013c0712f085d60e21f
`

// Case is one invalid spec: its YAML (or CUE when Want names s.cue), a
// substring of the error, and the position it must point at ("" when the
// position is not the point of the case). The file is named spec.yaml, or
// s.cue for CUE cases.
type Case struct {
	Name, Text, Want, Pos string
}

// File is the name a case's spec is loaded under.
func (c Case) File() string {
	if strings.Contains(c.Want, "s.cue") {
		return "s.cue"
	}
	return "spec.yaml"
}

// Invalid returns the invalid specs, at least 30.
func Invalid() []Case {
	base := Base
	set := func(old, new string) string { return strings.Replace(base, old, new, 1) }
	withCluster := func(extra string) string {
		return set("  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n"+extra)
	}
	return []Case{
		{"bucket uppercase", set("milvus-bucket-039dd013c0712f085d60e21f", "Milvus_Bucket"),
			`storage.bucket: bucket name must be 3-63 lowercase letters, digits, '.' or '-'; got "Milvus_Bucket"`, "spec.yaml:8:11"},
		{"bucket too short", set("milvus-bucket-039dd013c0712f085d60e21f", "ab"), "bucket name must be 3-63", "spec.yaml:8:11"},
		{"bucket too long", set("milvus-bucket-039dd013c0712f085d60e21f", strings.Repeat("a", 64)), "bucket name must be 3-63", "spec.yaml:8:11"},
		{"bucket adjacent periods", set("milvus-bucket-039dd013c0712f085d60e21f", "milvus..bucket"), "two adjacent periods", "spec.yaml:8:11"},
		{"bucket ip", set("milvus-bucket-039dd013c0712f085d60e21f", "192.168.5.4"), "IP address", "spec.yaml:8:11"},
		{"bucket prefix", set("milvus-bucket-039dd013c0712f085d60e21f", "xn--milvus"), `must not start with "xn--"`, "spec.yaml:8:11"},
		{"bucket suffix", set("milvus-bucket-039dd013c0712f085d60e21f", "milvus-s3alias"), `must not end with "-s3alias"`, "spec.yaml:8:11"},
		{"bucket hyphen end", set("milvus-bucket-039dd013c0712f085d60e21f", "milvus-"), "begin and end with a letter or digit", "spec.yaml:8:11"},
		{"rootPath slash", set("  bucket: milvus-bucket-039dd013c0712f085d60e21f\n", "  bucket: milvus-bucket-039dd013c0712f085d60e21f\n  rootPath: /milvus/\n"),
			"storage.rootPath: must not start or end with '/'", "spec.yaml:9:13"},
		{"region shape", set("us-east-2", "US East"), `aws.region: must be an AWS region code such as "us-east-2"; got "US East"`, "spec.yaml:3:11"},
		{"account digits", set(`"123456789012"`, `"12345"`), "aws.accountID: must be the 12-digit AWS account ID", "spec.yaml:4:14"},
		{"account unquoted", set(`"123456789012"`, `123456789012`), "aws.accountID: must be a quoted string", "spec.yaml:4:14"},
		{"cluster name", set("  name: milvus-eks-cluster", "  name: 1milvus_cluster"), "cluster.name: EKS cluster name must start with a letter", "spec.yaml:6:9"},
		{"release name", set("name: milvus-demo", "name: Milvus.Demo"), "name: must be a Helm release name", "spec.yaml:1:7"},
		{"k8s 1.27", withCluster("  kubernetesVersion: \"1.27\"\n"), "Kubernetes 1.27 left EKS extended support on 2025-07-24", "spec.yaml:7:22"},
		{"k8s 1.31 ends today", withCluster("  kubernetesVersion: \"1.31\"\n"), "Kubernetes 1.31 left EKS extended support on 2026-11-26", "spec.yaml:7:22"},
		{"k8s unknown", withCluster("  kubernetesVersion: \"1.99\"\n"), "Kubernetes 1.99 is not a version milvusgen knows", "spec.yaml:7:22"},
		{"k8s unquoted", withCluster("  kubernetesVersion: 1.30\n"), "cluster.kubernetesVersion: must be a quoted string", "spec.yaml:7:22"},
		{"node group desired 0", withCluster("  nodeGroups: [{name: ng, desiredCapacity: 0}]\n"), "cluster.nodeGroups.0.desiredCapacity: must be at least 1", "spec.yaml:7:44"},
		{"node group above max", withCluster("  nodeGroups: [{name: ng, desiredCapacity: 5, maxSize: 4}]\n"), "must be at most maxSize (4); got 5", "spec.yaml:7:44"},
		{"node group below min", withCluster("  nodeGroups: [{name: ng, desiredCapacity: 2, minSize: 3, maxSize: 4}]\n"), "must be at least minSize (3); got 2", "spec.yaml:7:44"},
		{"node group too big", withCluster("  nodeGroups: [{name: ng, desiredCapacity: 3, maxSize: 500}]\n"), "EKS allows at most 450 nodes", "spec.yaml:7:56"},
		{"node group duplicate", withCluster("  nodeGroups: [{name: ng}, {name: ng}]\n"), `node group name "ng" is already used`, "spec.yaml:7:35"},
		{"instance type", withCluster("  nodeGroups: [{instanceType: m6i}]\n"), `cluster.nodeGroups.0.instanceType: must be an EC2 instance type such as "m6i.4xlarge"; got "m6i"`, "spec.yaml:7:31"},
		{"unknown field", withCluster("  nodeGroups: [{instanceTyp: m6i.large}]\n"), `cluster.nodeGroups.0.instanceTyp: unknown field; did you mean "instanceType"?`, "spec.yaml:7:17"},
		{"unknown top-level field", base + "milvs: {}\n", `milvs: unknown field; did you mean "milvus"?`, "spec.yaml:9:1"},
		{"lb name long", base + "milvus: {service: {loadBalancerName: " + strings.Repeat("a", 33) + "}}\n", "load balancer name must be 1-32 letters", "spec.yaml:9:38"},
		{"lb name internal-", base + "milvus: {service: {loadBalancerName: internal-milvus}}\n", `must not start with "internal-"`, "spec.yaml:9:38"},
		{"lb name hyphen", base + "milvus: {service: {loadBalancerName: -milvus}}\n", "not starting or ending with '-'", "spec.yaml:9:38"},
		{"scheme", base + "milvus: {service: {scheme: public}}\n", `milvus.service.scheme: must be one of "internal", "internet-facing"; got "public"`, "spec.yaml:9:28"},
		{"cidr", base + "milvus: {service: {sourceRanges: [10.0.0.0/33]}}\n", `milvus.service.sourceRanges.0: must be a CIDR such as "10.0.0.0/8"; got "10.0.0.0/33"`, "spec.yaml:9:35"},
		{"cidr ipv6", base + "milvus: {service: {sourceRanges: [\"::/0\"]}}\n", "IPv6 source ranges need a dualstack load balancer", "spec.yaml:9:35"},
		{"message queue", base + "milvus: {messageQueue: rabbitmq}\n", `milvus.messageQueue: must be one of "woodpecker", "pulsar", "kafka"; got "rabbitmq"`, "spec.yaml:9:24"},
		{"ha needs standby replicas", base + "milvus: {mixCoordinator: {replicas: 1}}\n", "highAvailability needs at least 2 mixCoordinator replicas", "spec.yaml:9:37"},
		{"ha needs two streaming nodes", base + "milvus: {streamingNode: {replicas: 1}}\n", "highAvailability needs at least 2 streamingNode replicas", "spec.yaml:9:36"},
		{"replicas need ha", base + "milvus: {highAvailability: false, mixCoordinator: {replicas: 3}}\n", "more than one mixCoordinator replica needs active standby", "spec.yaml:9:62"},
		{"proxy replicas", base + "milvus: {proxy: {replicas: 0}}\n", "milvus.proxy.replicas: must be at least 1", "spec.yaml:9:28"},
		{"quantity", base + "milvus: {queryNode: {resources: {limits: {memory: lots}}}}\n", `milvus.queryNode.resources.limits.memory: must be a Kubernetes quantity`, "spec.yaml:9:51"},
		{"request above limit", base + "milvus: {queryNode: {resources: {limits: {cpu: 1}, requests: {cpu: 2}}}}\n", "request 2 exceeds the limit 1", "spec.yaml:9:68"},
		{"namespace", base + "milvus: {namespace: Milvus}\n", "milvus.namespace: must be a DNS label", "spec.yaml:9:21"},
		{"shared service account", base + "milvus: {namespace: kube-system, serviceAccount: aws-load-balancer-controller}\n", "is the load balancer controller's service account", "spec.yaml:9:50"},
		{"chart version", base + "milvus: {chartVersion: 4.2.58}\n", `Milvus chart version "4.2.58" is not one milvusgen knows; known: "5.0.19"`, "spec.yaml:9:24"},
		{"inert coordinator", base + "milvus: {values: {rootCoordinator: {replicas: 2}}}\n", "chart 5.x has no rootCoordinator", "spec.yaml:9:36"},
		{"static key in values", base + "milvus: {values: {externalS3: {secretKey: abc}}}\n", "milvus.values.externalS3.secretKey: \"secretKey\" names a credential", "spec.yaml:9:43"},
		{"owned value", base + "milvus: {values: {externalS3: {bucketName: other}}}\n", "milvus.values.externalS3: use storage.bucket", "spec.yaml:9:31"},
		{"kms region", base + "storage: {storageClass: {kmsKeyID: \"arn:aws:kms:eu-west-1:123456789012:key/abc\"}}\n",
			"the KMS key must be in the cluster's partition and region (aws, us-east-2)", ""},
		{"kms without encryption", base + "storage: {storageClass: {encrypted: false, kmsKeyID: \"arn:aws:kms:us-east-2:123456789012:key/abc\"}}\n",
			"a KMS key only applies to encrypted volumes", ""},
		{"internet-facing default ranges", base + "milvus: {service: {scheme: internet-facing}}\n", "an internet-facing load balancer needs explicit milvus.service.sourceRanges", "spec.yaml:9:28"},
		{"internet-facing open", base + "milvus: {service: {scheme: internet-facing, sourceRanges: [0.0.0.0/0]}}\n", "0.0.0.0/0 reaches addresses outside private (RFC 1918), shared (RFC 6598), link-local space and the VPC CIDR, so Milvus would be public (the ranges together reach the whole internet)", "spec.yaml:9:60"},
		{"public without auth", base + "milvus: {auth: {enabled: false}, service: {scheme: internet-facing, allowPublic: true, sourceRanges: [0.0.0.0/0]}}\n", "Milvus would be reachable from the whole internet (milvus.service.sourceRanges) with authentication off", "spec.yaml:9:26"},
		{"static key in spec", base + "aws: {secretKey: abc}\n", "aws.secretKey: static credentials are not accepted", ""},
		{"config owned key", base + "milvus: {config: {common: {security: {authorizationEnabled: false}}}}\n", "milvus.config.common.security: use milvus.auth and milvus.tls", "spec.yaml:9:38"},
		{"config secret", base + "milvus: {config: {common: {security: {superUsers: root, password: x}}}}\n", "milvus.config.common.security.password: \"password\" names a credential", ""},
		{"tls without secret", base + "milvus: {tls: {mode: 1}}\n", "milvus.tls.secretName", ""},
		{"git scp url", base + "gitops: {repository: {url: \"git@github.com:acme/fleet.git\"}}\n", `use "ssh://git@github.com/acme/fleet.git"`, "spec.yaml:9:28"},
		{"git path escapes", base + "gitops: {repository: {path: ../x}}\n", "must be a path relative to the repository root", "spec.yaml:9:29"},
		{"git url whitespace", base + "gitops: {repository: {url: \"https://x.example/a b\"}}\n", "must be a URL without whitespace", "spec.yaml:9:28"},
		{"git branch", base + "gitops: {repository: {branch: \"main..x\"}}\n", "must be a Git branch name", "spec.yaml:9:31"},
		// Issue 10 item 1: credentials in the Git URL.
		{"git url token", base + "gitops: {repository: {url: \"https://bot:ghp_abc123@github.com/acme/fleet.git\"}}\n",
			"gitops.repository.url: must not hold credentials (got \"https://***@github.com/acme/fleet.git\")", "spec.yaml:9:28"},
		{"git url https user", base + "gitops: {repository: {url: \"https://ghp_abc123@github.com/acme/fleet.git\"}}\n",
			"bootstrap.sh read them from the environment into the Secret", "spec.yaml:9:28"},
		{"git url ssh password", base + "gitops: {repository: {url: \"ssh://git:hunter2@github.com/acme/fleet.git\"}}\n",
			"must not hold credentials", "spec.yaml:9:28"},
		{"git url vertical tab", base + "gitops: {repository: {url: \"https://github.com/acme/\\vfleet.git\"}}\n",
			"control", "spec.yaml:9:28"},
		// Issue 10 item 7: what Kubernetes, eksctl and git would refuse later.
		{"secret key empty", base + "milvus: {auth: {rootPasswordSecret: {key: \"\"}}}\n",
			"milvus.auth.rootPasswordSecret.key: must be a Kubernetes Secret key", "spec.yaml:9:43"},
		{"secret key shell", base + "milvus: {auth: {rootPasswordSecret: {key: \"a=b $(id)\"}}}\n",
			"milvus.auth.rootPasswordSecret.key: must be a Kubernetes Secret key", "spec.yaml:9:43"},
		{"secret key newline", base + "milvus: {auth: {rootPasswordSecret: {key: \"pass\\nword\"}}}\n",
			"milvus.auth.rootPasswordSecret.key: must not contain control or line-break characters", "spec.yaml:9:43"},
		{"label key", withCluster("  nodeGroups: [{labels: {\"bad key!!\": v}}]\n"),
			`label key "bad key!!" is not a valid Kubernetes label key`, "spec.yaml:7:39"},
		{"label value newline", withCluster("  nodeGroups: [{labels: {role: \"v a l\\nue\"}}]\n"),
			"cluster.nodeGroups.0.labels.role: must not contain control or line-break characters", "spec.yaml:7:32"},
		{"label value spaces", withCluster("  nodeGroups: [{labels: {role: \"v a l\"}}]\n"),
			`label "role" has an invalid value "v a l"`, "spec.yaml:7:32"},
		{"label value huge", withCluster("  nodeGroups: [{labels: {role: " + strings.Repeat("v", 1<<20) + "}}]\n"),
			"must be no more than 63 bytes", "spec.yaml:7:32"},
		{"label reserved", withCluster("  nodeGroups: [{labels: {\"kubernetes.io/role\": x}}]\n"),
			"labels under kubernetes.io/ or k8s.io/ are reserved", ""},
		{"label reserved subdomain", withCluster("  nodeGroups: [{labels: {\"foo.k8s.io/role\": x}}]\n"),
			"labels under kubernetes.io/ or k8s.io/ are reserved", ""},
		{"label two slashes", withCluster("  nodeGroups: [{labels: {\"a/b/c\": x}}]\n"),
			`label key "a/b/c" is not a valid Kubernetes label key`, ""},
		{"branch leading dash", base + "gitops: {repository: {branch: \"-x/main\"}}\n", "must be a Git branch name", "spec.yaml:9:31"},
		{"branch dot component", base + "gitops: {repository: {branch: \"a/.b\"}}\n", "must be a Git branch name", "spec.yaml:9:31"},
		{"branch trailing dot", base + "gitops: {repository: {branch: \"a.\"}}\n", "must be a Git branch name", "spec.yaml:9:31"},
		{"branch double slash", base + "gitops: {repository: {branch: \"a//b\"}}\n", "must be a Git branch name", "spec.yaml:9:31"},
		{"branch leading dot", base + "gitops: {repository: {branch: \".x\"}}\n", "must be a Git branch name", "spec.yaml:9:31"},
		{"branch HEAD", base + "gitops: {repository: {branch: HEAD}}\n", "HEAD is the name of the current checkout", "spec.yaml:9:31"},
		{"rootPath NEL", set("  bucket: milvus-bucket-039dd013c0712f085d60e21f\n", "  bucket: milvus-bucket-039dd013c0712f085d60e21f\n  rootPath: \"a\\u0085b\"\n"),
			"storage.rootPath: must not contain control or line-break characters", "spec.yaml:9:13"},
		{"values vertical tab", base + "milvus: {values: {queryNode: {podAnnotations: {a: \"x\\vy\"}}}}\n",
			"milvus.values.queryNode.podAnnotations.a: must not contain control", "spec.yaml:9:51"},
		{"cluster name tab", set("  name: milvus-eks-cluster", "  name: \"milvus\\tcluster\""), "cluster.name: must not contain control", "spec.yaml:6:9"},
		// Issue 10 item 3 and issue 11 item 8: bounded numbers, one message each.
		{"negative replicas", base + "milvus: {mixCoordinator: {replicas: -1}}\n", "milvus.mixCoordinator.replicas: must be at least 1", "spec.yaml:9:37"},
		{"replicas near int64", base + "milvus: {queryNode: {replicas: 9223372036854775789}}\n",
			"milvus.queryNode.replicas: must be at most 1000; got 9223372036854775789", "spec.yaml:9:32"},
		{"lb controller replicas near int64", base + "loadBalancerController: {replicas: 9223372036854775807}\n",
			"loadBalancerController.replicas: must be at most 10", "spec.yaml:9:36"},
		{"replicas out of int64", base + "milvus: {queryNode: {replicas: 99999999999999999999999999}}\n",
			"milvus.queryNode.replicas: the number 99999999999999999999999999 is out of range; use a number from 0 to 1000", "spec.yaml:9:32"},
		{"replicas fraction", base + "milvus: {streamingNode: {replicas: 2.5}}\n", "must be a whole number from 0 to 1000; got 2.5", "spec.yaml:9:36"},
		{"node group desired near int64", withCluster("  nodeGroups: [{desiredCapacity: 9223372036854775807}]\n"),
			"cluster.nodeGroups.0.desiredCapacity: must be at most 450", "spec.yaml:7:34"},
		{"dataset vectors huge", base + "milvus: {dataset: {vectors: 9223372036854775807, dimension: 768}}\n",
			"milvus.dataset.vectors: must be at most 100000000000", "spec.yaml:9:29"},
		{"cpu 1e19", base + "milvus: {queryNode: {resources: {limits: {cpu: \"1e19\"}}}}\n",
			"milvus.queryNode.resources.limits.cpu: cpu 1e19 is more than any EC2 instance has; the most milvusgen accepts is 4096", "spec.yaml:9:48"},
		{"cpu 2^64 milli", base + "milvus: {queryNode: {resources: {limits: {cpu: \"18446744073709551616m\"}}}}\n",
			"cpu 18446744073709551616m is more than any EC2 instance has", "spec.yaml:9:48"},
		{"memory 1e30", base + "milvus: {queryNode: {resources: {requests: {memory: \"1e30\"}}}}\n",
			"milvus.queryNode.resources.requests.memory: memory 1e30 is more than any EC2 instance has; the most milvusgen accepts is 64Ti", "spec.yaml:9:53"},
		{"cpu 1e400", base + "milvus: {proxy: {resources: {limits: {cpu: 1e400}}}}\n", "cpu 1e400 is more than any EC2 instance has", "spec.yaml:9:44"},
		{"identity disjunction", base + "cluster: {identity: keys}\n", `cluster.identity: must be one of "irsa", "podIdentity"; got "keys"`, "spec.yaml:9:21"},
		// Issue 11 items 9 and 11: the loader's edges.
		{"yaml unclosed bracket", "name: a\naws:\n  region: [us-east-2,\n  accountID: x\n", `"[" opened at line 3, column 11 is never closed`, "spec.yaml:3:11"},
		{"yaml tab", "name: a\naws:\n\tregion: us-east-2\n", "YAML forbids tabs in indentation; indent with spaces (a tab at line 3, column 1)", "spec.yaml:3:1"},
		{"yaml two documents", base + "---\nname: other\n", "a spec is one YAML document; a second one starts here (line 9)", "spec.yaml:9:1"},
		{"yaml trailing separator positions", strings.Replace(base, "milvus-demo", "Milvus", 1) + "---\n", "name: must be a Helm release name", "spec.yaml:1:7"},
		// Issue 10 item 2: raw values and config may add, never remove or contradict.
		{"config default_root_password", base + "milvus: {config: {common: {security: {default_root_password: hunter2}}}}\n",
			"milvus.config.common.security.default_root_password: \"default_root_password\" names a credential", "spec.yaml:9:62"},
		{"config MinIO secret_access_key", base + "milvus: {config: {MinIO: {secret_access_key: abc}}}\n",
			"milvus.config.MinIO.secret_access_key: \"secret_access_key\" names a credential", "spec.yaml:9:46"},
		{"config MinIO access_key_id", base + "milvus: {config: {MinIO: {access_key_id: AKIA}}}\n",
			"milvus.config.MinIO.access_key_id: \"access_key_id\" names a credential", "spec.yaml:9:42"},
		{"config AuthorizationEnabled false", base + "milvus: {config: {common: {security: {AuthorizationEnabled: false}}}}\n",
			"milvus.config.common.security: use milvus.auth and milvus.tls", "spec.yaml:9:38"},
		{"config dotted key", base + "milvus: {config: {\"common.security.authorizationEnabled\": \"False\"}}\n",
			"use milvus.auth and milvus.tls", "spec.yaml:9:59"},
		{"config proxy port", base + "milvus: {config: {proxy: {port: 19531}}}\n", "milvus.config.proxy.port: use milvus.service.port", "spec.yaml:9:33"},
		{"values useSSL false", base + "milvus: {values: {externalS3: {useSSL: false}}}\n",
			"milvus.values.externalS3: use storage.bucket, storage.rootPath and aws.region", "spec.yaml:9:31"},
		{"values metrics on the load balancer", base + "milvus: {values: {metrics: {enabled: true}}}\n",
			"milvus.values.metrics: not supported: metrics.enabled would put port 9091", "spec.yaml:9:28"},
		{"values service port", base + "milvus: {values: {service: {port: 8080}}}\n",
			"milvus.values.service.port: use milvus.service (scheme, sourceRanges, port, loadBalancerName)", "spec.yaml:9:35"},
		{"values annotation contradicts", base + "milvus: {values: {service: {annotations: {\"service.beta.kubernetes.io/aws-load-balancer-scheme\": internet-facing}}}}\n",
			"\"service.beta.kubernetes.io/aws-load-balancer-scheme\" is an annotation the chart, Kubernetes or AWS reads", "spec.yaml:9:98"},
		{"extraEnv root password", base + "milvus: {values: {streamingNode: {extraEnv: [{name: COMMON_SECURITY_DEFAULTROOTPASSWORD, value: x}]}}}\n",
			"milvus.values.streamingNode.extraEnv.0.name: \"COMMON_SECURITY_DEFAULTROOTPASSWORD\" names a credential", "spec.yaml:9:53"},
		{"extraEnv root password from secret", base + "milvus: {values: {mixCoordinator: {extraEnv: [{name: COMMON_SECURITY_DEFAULTROOTPASSWORD, valueFrom: {secretKeyRef: {name: other, key: p}}}]}}}\n",
			"COMMON_SECURITY_DEFAULTROOTPASSWORD sets milvus.yaml's common.security (Milvus reads every environment variable as config): use milvus.auth", "spec.yaml:9:54"},
		{"extraEnv minio secret", base + "milvus: {values: {queryNode: {extraEnv: [{name: MINIO_SECRETACCESSKEY, value: x}]}}}\n",
			"\"MINIO_SECRETACCESSKEY\" names a credential", "spec.yaml:9:49"},
		{"extraEnv auth off", base + "milvus: {values: {dataNode: {extraEnv: [{name: COMMON_SECURITY_AUTHORIZATIONENABLED, value: \"false\"}]}}}\n",
			"COMMON_SECURITY_AUTHORIZATIONENABLED sets milvus.yaml's common.security", "spec.yaml:9:48"},
		{"extraEnv prefixed", base + "milvus: {values: {proxy: {extraEnv: [{name: MILVUS_CONF_COMMON_SECURITY_AUTHORIZATIONENABLED, value: \"false\"}]}}}\n",
			"MILVUS_CONF_COMMON_SECURITY_AUTHORIZATIONENABLED sets milvus.yaml's common.security", "spec.yaml:9:45"},
		{"extraEnv aws key", base + "milvus: {values: {queryNode: {extraEnv: [{name: AWS_SECRET_ACCESS_KEY, value: x}]}}}\n",
			"\"AWS_SECRET_ACCESS_KEY\" names a credential", "spec.yaml:9:49"},
		{"source range not a string", base + "milvus: {service: {sourceRanges: [1]}}\n", "milvus.service.sourceRanges.0: must be a string; got 1", "spec.yaml:9:35"},
		{"source ranges empty", base + "milvus: {service: {sourceRanges: []}}\n", "milvus.service.sourceRanges: must list at least one CIDR", "spec.yaml:9:34"},
		{"node groups not a list", withCluster("  nodeGroups: 3\n"), "cluster.nodeGroups: must be a list; got 3", "spec.yaml:7:15"},
		{"raw replicas near int64", base + "milvus: {values: {queryNode: {replicas: 9223372036854775789}}}\n",
			"milvus.values.queryNode.replicas: use milvus.queryNode.replicas", "spec.yaml:9:41"},
		{"raw etcd replicas string", base + "milvus: {values: {etcd: {replicaCount: \"3\"}}}\n",
			"milvus.values.etcd.replicaCount: not supported: milvusgen runs the chart's 3 etcd members", "spec.yaml:9:40"},
		// Issue 17 item 1 and issue 19 item 2: every attack through raw
		// values and config is refused at its position.
		{"attack customConfigMap", base + "milvus: {values: {customConfigMap: mine}}\n", "milvus.values.customConfigMap: use milvus.config", "spec.yaml:9:36"},
		{"attack externalPulsar", base + "milvus: {values: {externalPulsar: {enabled: true, host: attacker.example.com}}}\n", "milvus.values.externalPulsar: use milvus.messageQueue", "spec.yaml:9:35"},
		{"attack externalPulsar token", base + "milvus: {values: {externalPulsar: {enabled: true, authParams: \"token:abc\"}}}\n", "milvus.values.externalPulsar: use milvus.messageQueue", "spec.yaml:9:35"},
		{"attack pulsar v2", base + "milvus: {values: {pulsar: {enabled: true}}}\n", "milvus.values.pulsar: use milvus.messageQueue", "spec.yaml:9:27"},
		{"attack etcd off", base + "milvus: {values: {etcd: {enabled: false}}}\n", "milvus.values.etcd.enabled: not supported", "spec.yaml:9:35"},
		{"attack externalEtcd", base + "milvus: {values: {externalEtcd: {enabled: true, endpoints: [\"x:2379\"]}}}\n", "milvus.values.externalEtcd: not supported", ""},
		{"attack externalKafka", base + "milvus: {values: {externalKafka: {enabled: true}}}\n", "milvus.values.externalKafka: use milvus.messageQueue", "spec.yaml:9:34"},
		{"attack kafka enabled", base + "milvus: {values: {kafka: {enabled: true}}}\n", "milvus.values.kafka.enabled: use milvus.messageQueue", "spec.yaml:9:36"},
		{"attack streaming off", base + "milvus: {values: {streaming: {enabled: false}}}\n", "milvus.values.streaming: not supported: Milvus 2.6 writes through its streaming nodes", "spec.yaml:9:30"},
		{"attack etcd root password", base + "milvus: {values: {etcd: {auth: {rbac: {rootPassword: hunter2}}}}}\n", "milvus.values.etcd.auth.rbac.rootPassword: \"rootPassword\" names a credential", "spec.yaml:9:54"},
		{"attack env admin password", base + "milvus: {values: {proxy: {extraEnv: [{name: ADMIN_PASSWORD, value: x}]}}}\n", "\"ADMIN_PASSWORD\" names a credential", "spec.yaml:9:45"},
		{"attack env github token", base + "milvus: {values: {proxy: {extraEnv: [{name: GITHUB_TOKEN, value: x}]}}}\n", "\"GITHUB_TOKEN\" names a credential", "spec.yaml:9:45"},
		{"attack kafka saslPassword", base + "milvus: {config: {kafka: {saslPassword: x}}}\n", "milvus.config.kafka.saslPassword: \"saslPassword\" names a credential", "spec.yaml:9:41"},
		{"attack attu", base + "milvus: {values: {attu: {enabled: true, service: {type: LoadBalancer}}}}\n", "milvus.values.attu: not supported: Attu would get its own Service or Ingress", "spec.yaml:9:25"},
		{"attack ingress", base + "milvus: {values: {ingress: {enabled: true}}}\n", "milvus.values.ingress: not supported", "spec.yaml:9:28"},
		{"attack cluster off", base + "milvus: {values: {cluster: {enabled: false}}}\n", "milvus.values.cluster: not supported: milvusgen always runs Milvus in cluster mode", "spec.yaml:9:28"},
		{"attack volumes", base + "milvus: {values: {queryNode: {volumes: [{name: x, emptyDir: {}}]}}}\n", "milvus.values.queryNode.volumes: not supported: a volume can mount over /milvus/configs", "spec.yaml:9:40"},
		{"attack volumeMounts", base + "milvus: {values: {queryNode: {volumeMounts: [{name: x, mountPath: /milvus/configs}]}}}\n", "milvus.values.queryNode.volumeMounts: not supported: a volume can mount over /milvus/configs", "spec.yaml:9:45"},
		{"attack image tag", base + "milvus: {values: {image: {all: {tag: v2.5.0}}}}\n", "milvus.values.image.all.tag: the image tag follows milvus.chartVersion", "spec.yaml:9:38"},
		{"attack zookeeper replicas", base + "milvus: {values: {pulsarv3: {zookeeper: {replicaCount: 10000000}}}}\n", "milvus.values.pulsarv3.zookeeper.replicaCount: not supported: milvusgen configures the chart's Pulsar", "spec.yaml:9:56"},
		{"attack kafka zookeeper replicas", base + "milvus: {values: {kafka: {zookeeper: {replicaCount: 10000000}}}}\n", "milvus.values.kafka.zookeeper.replicaCount: not supported: milvusgen configures the chart's Kafka", "spec.yaml:9:53"},
		{"attack config mq", base + "milvus: {config: {mq: {type: kafka}}}\n", "milvus.config.mq: use milvus.messageQueue", "spec.yaml:9:23"},
		{"attack config etcd", base + "milvus: {config: {etcd: {endpoints: \"attacker:2379\"}}}\n", "milvus.config.etcd: not supported", "spec.yaml:9:25"},
		{"attack env mq type", base + "milvus: {values: {streamingNode: {extraEnv: [{name: MQ_TYPE, value: kafka}]}}}\n", "MQ_TYPE sets milvus.yaml's mq", "spec.yaml:9:53"},
		{"attack open halves", base + "milvus: {service: {scheme: internet-facing, sourceRanges: [0.0.0.0/1, 128.0.0.0/1]}}\n", "milvus.service.sourceRanges.0: 0.0.0.0/1 reaches addresses outside private", "spec.yaml:9:60"},
		{"attack open halves auth off", base + "milvus: {auth: {enabled: false}, service: {scheme: internet-facing, sourceRanges: [0.0.0.0/1, 128.0.0.0/1]}}\n", "milvus.auth.enabled: Milvus would be reachable from the whole internet", "spec.yaml:9:26"},
		{"rootPath dot dot", set("  bucket: milvus-bucket-039dd013c0712f085d60e21f\n", "  bucket: milvus-bucket-039dd013c0712f085d60e21f\n  rootPath: tenant-b/../tenant-a\n"),
			"storage.rootPath: must not contain \".\" or \"..\" segments", "spec.yaml:9:13"},
		{"rootPath dot", set("  bucket: milvus-bucket-039dd013c0712f085d60e21f\n", "  bucket: milvus-bucket-039dd013c0712f085d60e21f\n  rootPath: ./a\n"),
			"storage.rootPath: must not contain \".\" or \"..\" segments", "spec.yaml:9:13"},
		{"git url query token", base + "gitops: {repository: {url: \"https://gitlab.example.com/acme/fleet.git?private_token=glpat-secret\"}}\n", "gitops.repository.url: must not hold a query string", "spec.yaml:9:28"},
		{"interval", base + "gitops: {interval: soon}\n", `gitops.interval: must be a duration such as "10m"`, "spec.yaml:9:20"},
		{"wrong type", base + "milvus: {highAvailability: \"yes\"}\n", `milvus.highAvailability: must be true or false; got "yes"`, "spec.yaml:9:28"},
		{"gitops engine", base + "gitops: {engine: argo}\n", `gitops.engine: must be one of "flux", "argocd"`, "spec.yaml:9:18"},
		{"argocd namespace", base + "gitops: {engine: argocd, argocd: {namespace: Argo_CD}}\n", "gitops.argocd.namespace: must be a DNS label", "spec.yaml:9:46"},
		{"missing bucket", strings.Replace(base, "  bucket: milvus-bucket-039dd013c0712f085d60e21f\n", "  rootPath: x\n", 1), "storage.bucket: required field is missing", "spec.yaml:8:3"},
		{"not a mapping", "- a\n- b\n", "a spec must be a mapping of fields", "spec.yaml:1:1"},
		{"yaml syntax", "name: [unclosed\n", "spec.yaml:", ""},
		{"cue syntax", "name: {\n", "s.cue:", ""},
	}
}
