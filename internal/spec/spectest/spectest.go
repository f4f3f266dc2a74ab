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
		{"static key in values", base + "milvus: {values: {externalS3: {secretKey: abc}}}\n", "milvus.values.externalS3.secretKey: static credentials must not be written", "spec.yaml:9:43"},
		{"owned value", base + "milvus: {values: {externalS3: {bucketName: other}}}\n", "milvusgen sets externalS3.bucketName from storage.bucket", "spec.yaml:9:44"},
		{"kms region", base + "storage: {storageClass: {kmsKeyID: \"arn:aws:kms:eu-west-1:123456789012:key/abc\"}}\n",
			"the KMS key must be in the cluster's partition and region (aws, us-east-2)", ""},
		{"kms without encryption", base + "storage: {storageClass: {encrypted: false, kmsKeyID: \"arn:aws:kms:us-east-2:123456789012:key/abc\"}}\n",
			"a KMS key only applies to encrypted volumes", ""},
		{"internet-facing default ranges", base + "milvus: {service: {scheme: internet-facing}}\n", "an internet-facing load balancer needs explicit milvus.service.sourceRanges", "spec.yaml:9:28"},
		{"internet-facing open", base + "milvus: {service: {scheme: internet-facing, sourceRanges: [0.0.0.0/0]}}\n", "0.0.0.0/0 opens Milvus to the whole internet", "spec.yaml:9:60"},
		{"public without auth", base + "milvus: {auth: {enabled: false}, service: {scheme: internet-facing, allowPublic: true, sourceRanges: [0.0.0.0/0]}}\n", "a public load balancer (allowPublic) needs Milvus authentication", "spec.yaml:9:26"},
		{"static key in spec", base + "aws: {secretKey: abc}\n", "aws.secretKey: static credentials are not accepted", ""},
		{"config owned key", base + "milvus: {config: {common: {security: {authorizationEnabled: false}}}}\n", "milvusgen sets common.security.authorizationEnabled from milvus.auth.enabled", "spec.yaml:9:61"},
		{"config secret", base + "milvus: {config: {common: {security: {superUsers: root, password: x}}}}\n", "milvus.config.common.security.password: secrets must not be written", ""},
		{"tls without secret", base + "milvus: {tls: {mode: 1}}\n", "milvus.tls.secretName", ""},
		{"identity", base + "cluster: {identity: keys}\n", "cluster.identity", ""},
		{"git scp url", base + "gitops: {repository: {url: \"git@github.com:acme/fleet.git\"}}\n", `use "ssh://git@github.com/acme/fleet.git"`, "spec.yaml:9:28"},
		{"git path escapes", base + "gitops: {repository: {path: ../x}}\n", "must be a path relative to the repository root", "spec.yaml:9:29"},
		{"git url whitespace", base + "gitops: {repository: {url: \"https://x.example/a b\"}}\n", "must be a URL without whitespace", "spec.yaml:9:28"},
		{"git branch", base + "gitops: {repository: {branch: \"main..x\"}}\n", "must be a Git branch name", "spec.yaml:9:31"},
		{"interval", base + "gitops: {interval: soon}\n", `gitops.interval: must be a duration such as "10m"`, "spec.yaml:9:20"},
		{"wrong type", base + "milvus: {highAvailability: \"yes\"}\n", "milvus.highAvailability: conflicting values", "spec.yaml:9:28"},
		{"missing bucket", strings.Replace(base, "  bucket: milvus-bucket-039dd013c0712f085d60e21f\n", "  rootPath: x\n", 1), "storage.bucket: required field is missing", "spec.yaml:8:3"},
		{"not a mapping", "- a\n- b\n", "a spec must be a mapping of fields", "spec.yaml:1:1"},
		{"yaml syntax", "name: [unclosed\n", "spec.yaml:", ""},
		{"cue syntax", "name: {\n", "s.cue:", ""},
	}
}
