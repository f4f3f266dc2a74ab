package diff

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// base is a small tree with one object of every kind the rules know,
// shaped like what milvusgen renders and hydrates. Each call returns a
// fresh copy for a case to modify.
func base() map[string]map[string]any {
	var m map[string]map[string]any
	if err := json.Unmarshal([]byte(baseJSON), &m); err != nil {
		panic(err)
	}
	return m
}

const baseJSON = `{
"hr": {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "milvus-demo", "namespace": "milvus"},
  "spec": {"chart": {"spec": {"chart": "milvus", "version": "5.0.19"}}, "values": {
    "externalS3": {"enabled": true, "bucketName": "bucket-a", "region": "us-east-2"},
    "woodpecker": {"enabled": true}, "pulsarv3": {"enabled": false}, "kafka": {"enabled": false},
    "etcd": {"persistence": {"storageClass": "ebs-gp3-sc", "size": "10Gi"}},
    "mixCoordinator": {"replicas": 2, "activeStandby": {"enabled": true}},
    "proxy": {"replicas": 2},
    "service": {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"], "annotations": {
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
      "service.beta.kubernetes.io/aws-load-balancer-name": "milvus-service",
      "service.beta.kubernetes.io/aws-load-balancer-type": "external"}}}}},
"svc": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "milvus-demo", "namespace": "milvus", "annotations": {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/aws-load-balancer-name": "milvus-service"}},
  "spec": {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"]}},
"querynode": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "milvus-demo-querynode", "namespace": "milvus", "labels": {"component": "querynode"}},
  "spec": {"replicas": 2, "selector": {"matchLabels": {"component": "querynode"}},
    "template": {"metadata": {"labels": {"component": "querynode"}}, "spec": {"containers": [{"name": "querynode", "image": "milvusdb/milvus:v2.6.15"}]}}}},
"proxy": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "milvus-demo-proxy", "namespace": "milvus", "labels": {"component": "proxy"}},
  "spec": {"replicas": 2, "template": {"metadata": {"labels": {"component": "proxy"}}, "spec": {"containers": [{"name": "proxy", "image": "milvusdb/milvus:v2.6.15"}]}}}},
"etcd": {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "milvus-demo-etcd", "namespace": "milvus"},
  "spec": {"replicas": 3, "serviceName": "milvus-demo-etcd-headless", "template": {"spec": {"containers": [{"name": "etcd", "image": "etcd"}]}},
    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"storageClassName": "ebs-gp3-sc", "resources": {"requests": {"storage": "10Gi"}}}}]}},
"sc": {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "ebs-gp3-sc"}, "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3", "encrypted": "true"}},
"ns": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "milvus"}},
"pdb": {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "milvus-demo-etcd", "namespace": "milvus"}, "spec": {"minAvailable": "51%"}},
"ks": {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "milvusgen-apps", "namespace": "flux-system"},
  "spec": {"path": "./clusters/milvus-eks-cluster/kubernetes/apps/milvus", "prune": true}},
"cc": {"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig", "metadata": {"name": "milvus-eks-cluster", "region": "us-east-2", "version": "1.33"},
  "iam": {"serviceAccounts": [{"metadata": {"name": "milvus-s3-access-sa"}, "attachPolicyARNs": ["arn:aws:iam::123456789012:policy/MilvusS3ReadWrite"]}]},
  "managedNodeGroups": [{"name": "milvus-node-group", "instanceType": "m6i.4xlarge", "desiredCapacity": 3, "volumeSize": 80}]}
}`

func tree(t *testing.T, objs map[string]map[string]any) []manifest.File {
	t.Helper()
	// Everything Kubernetes in one multi-document file, the cluster
	// config in its own, as the renderer lays them out.
	var k8s []any
	for _, k := range sortedKeys(objs) {
		if k != "cc" {
			k8s = append(k8s, objs[k])
		}
	}
	files := []manifest.File{file(t, "kubernetes/all.yaml", k8s...)}
	if cc, ok := objs["cc"]; ok {
		files = append(files, file(t, "aws/eksctl-cluster.yaml", cc))
	}
	return files
}

// set assigns a value at a dotted path (keys with dots are written
// between brackets: metadata.annotations.[a.b/c]).
func set(obj map[string]any, path string, v any) {
	keys := splitPath(path)
	m := obj
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	if v == nil {
		delete(m, keys[len(keys)-1])
		return
	}
	m[keys[len(keys)-1]] = v
}

func splitPath(p string) []string {
	var out []string
	for p != "" {
		if strings.HasPrefix(p, "[") {
			end := strings.Index(p, "]")
			out = append(out, p[1:end])
			p = strings.TrimPrefix(p[end+1:], ".")
			continue
		}
		k, rest, _ := strings.Cut(p, ".")
		out = append(out, k)
		p = rest
	}
	return out
}

const (
	scheme = "[service.beta.kubernetes.io/aws-load-balancer-scheme]"
	lbName = "[service.beta.kubernetes.io/aws-load-balancer-name]"
)

func TestRules(t *testing.T) {
	type want struct {
		cat    Category
		object string
		field  string
		reason string // a substring
	}
	for _, tc := range []struct {
		name   string
		modify func(o map[string]map[string]any)
		want   []want
	}{
		{"unrelated change", func(o map[string]map[string]any) {
			set(o["hr"], "spec.values.proxy.resources.limits.cpu", "2")
			set(o["proxy"], "spec.template.spec.containers", []any{map[string]any{"name": "proxy", "image": "milvusdb/milvus:v2.6.16"}})
		}, nil},
		{"bucket", func(o map[string]map[string]any) { set(o["hr"], "spec.values.externalS3.bucketName", "bucket-b") },
			[]want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values/externalS3/bucketName", `Milvus would start on empty storage: its data stays under the old bucket ("bucket-a" → "bucket-b")`}}},
		{"rootPath added", func(o map[string]map[string]any) { set(o["hr"], "spec.values.externalS3.rootPath", "milvus") },
			[]want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values/externalS3/rootPath", "old root path (null → \"milvus\")"}}},
		{"region", func(o map[string]map[string]any) { set(o["hr"], "spec.values.externalS3.region", "eu-west-1") },
			[]want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values/externalS3/region", "empty storage"}}},
		{"woodpecker to kafka", func(o map[string]map[string]any) {
			set(o["hr"], "spec.values.woodpecker.enabled", false)
			set(o["hr"], "spec.values.kafka.enabled", true)
		}, []want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values", "message queue switch Woodpecker → Kafka"}}},
		{"woodpecker to external kafka", func(o map[string]map[string]any) {
			set(o["hr"], "spec.values.woodpecker.enabled", false)
			set(o["hr"], "spec.values.externalKafka", map[string]any{"enabled": true, "brokerList": "b-1:9096"})
		}, []want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values", "message queue switch Woodpecker → external Kafka"}}},
		{"woodpecker to chart default pulsar", func(o map[string]map[string]any) {
			set(o["hr"], "spec.values.woodpecker", nil)
			set(o["hr"], "spec.values.pulsarv3", nil)
		}, []want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values", "message queue switch Woodpecker → Pulsar"}}},
		{"etcd volume size", func(o map[string]map[string]any) { set(o["hr"], "spec.values.etcd.persistence.size", "20Gi") },
			[]want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values/etcd/persistence/size", `etcd persistence size "10Gi" → "20Gi": volumeClaimTemplates are immutable`}}},
		{"etcd storage class", func(o map[string]map[string]any) { set(o["hr"], "spec.values.etcd.persistence.storageClass", "io2") },
			[]want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values/etcd/persistence/storageClass", "etcd persistence storageClass"}}},
		{"StatefulSet volumeClaimTemplates", func(o map[string]map[string]any) {
			set(o["etcd"]["spec"].(map[string]any)["volumeClaimTemplates"].([]any)[0].(map[string]any), "spec.resources.requests.storage", "20Gi")
		}, []want{{Data, "StatefulSet milvus/milvus-demo-etcd", "/spec/volumeClaimTemplates", "volumeClaimTemplates are immutable"}}},
		{"selector", func(o map[string]map[string]any) { set(o["querynode"], "spec.selector.matchLabels.app", "x") },
			[]want{{Availability, "Deployment milvus/milvus-demo-querynode", "/spec/selector", "selector is immutable"}}},
		{"StorageClass parameters", func(o map[string]map[string]any) { set(o["sc"], "parameters.type", "io2") },
			[]want{{Data, "StorageClass ebs-gp3-sc", "/parameters", "StorageClass parameters are immutable: Flux's apply of the infrastructure Kustomization fails"}}},
		{"StorageClass parameters, replaced by Flux", func(o map[string]map[string]any) {
			set(o["sc"], "metadata.annotations.[kustomize.toolkit.fluxcd.io/force]", "enabled")
			set(o["sc"], "parameters.kmsKeyId", "arn:aws:kms:us-east-2:123456789012:key/abc")
		}, []want{{Data, "StorageClass ebs-gp3-sc", "/parameters", "Flux deletes and recreates the class (force: enabled). Only volumes created from now on get the new type, encryption or KMS key; existing volumes (etcd's) keep theirs"}}},
		{"StorageClass reclaim policy", func(o map[string]map[string]any) { set(o["sc"], "reclaimPolicy", "Retain") },
			[]want{{Data, "StorageClass ebs-gp3-sc", "/reclaimPolicy", `Volumes already provisioned (etcd's) keep null; change each with kubectl patch pv NAME -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'`}}},
		{"namespace removed", func(o map[string]map[string]any) { delete(o, "ns") },
			[]want{{Data, "Namespace milvus", "", "Flux prunes Namespace milvus"}}},
		{"protected namespace removed", func(o map[string]map[string]any) { delete(o, "ns") },
			[]want{{Data, "Namespace milvus", "", "Flux keeps it (prune: disabled)"}}},
		{"Argo CD protected namespace removed", func(o map[string]map[string]any) { delete(o, "ns") },
			[]want{{Data, "Namespace milvus", "", "Argo CD keeps it (Prune=false)"}}},
		{"namespace renamed", func(o map[string]map[string]any) { set(o["ns"], "metadata.name", "vectors") },
			[]want{
				{Data, "Namespace milvus", "", "Flux prunes Namespace milvus"},
				{Data, "Namespace vectors", "/metadata/name", `Milvus namespace renamed "milvus" → "vectors": Milvus is installed afresh in vectors with an empty etcd`},
			}},
		{"gitops path", func(o map[string]map[string]any) { set(o["ks"], "spec.path", "./clusters/prod/kubernetes/apps/milvus") },
			[]want{{Data, "Kustomization flux-system/milvusgen-apps", "/spec/path", `GitOps path "./clusters/milvus-eks-cluster/kubernetes/apps/milvus" → "./clusters/prod/kubernetes/apps/milvus": until the cluster's Kustomization points at the new path`}}},
		{"cluster renamed", func(o map[string]map[string]any) { set(o["cc"], "metadata.name", "milvus-2") },
			[]want{
				{Infrastructure, "ClusterConfig milvus-2", "/metadata/name", `cluster renamed "milvus-eks-cluster" → "milvus-2": eksctl creates a new EKS cluster from scratch; the old cluster keeps running, orphaned with its EBS volumes (etcd's metadata) and its load balancer; clients must move to the new load balancer's address; run the old tree's teardown.sh`},
				{Infrastructure, "ClusterConfig milvus-2", "", "cluster milvus-2 added: a new EKS cluster"},
				{Infrastructure, "ClusterConfig milvus-eks-cluster", "", "converge.sh never deletes a cluster"},
			}},
		{"cluster region", func(o map[string]map[string]any) { set(o["cc"], "metadata.region", "eu-west-1") },
			[]want{{Infrastructure, "ClusterConfig milvus-eks-cluster", "/metadata/region", `cluster region "us-east-2" → "eu-west-1": eksctl creates a new EKS cluster from scratch; the old cluster keeps running, orphaned`}}},
		{"AWS account", func(o map[string]map[string]any) {
			o["cc"]["iam"].(map[string]any)["serviceAccounts"].([]any)[0].(map[string]any)["attachPolicyARNs"] = []any{"arn:aws:iam::210987654321:policy/MilvusS3ReadWrite"}
		}, []want{
			{Infrastructure, "ClusterConfig milvus-eks-cluster", "", "AWS account 123456789012 → 210987654321: eksctl creates a new EKS cluster"},
			{Infrastructure, "ClusterConfig milvus-eks-cluster", "/iam/serviceAccounts", "aws/converge.sh runs: eksctl update iamserviceaccount -f aws/eksctl-cluster.yaml --approve"},
		}},
		{"etcd PDB removed", func(o map[string]map[string]any) { delete(o, "pdb") },
			[]want{{Availability, "PodDisruptionBudget milvus/milvus-demo-etcd", "", "PodDisruptionBudget milvus-demo-etcd removed: a node drain or upgrade may evict several of its pods at once"}}},
		{"release removed", func(o map[string]map[string]any) { delete(o, "hr") },
			[]want{{Availability, "HelmRelease milvus/milvus-demo", "", "Flux uninstalls Helm release milvus-demo"}}},
		{"querynode pod template", func(o map[string]map[string]any) {
			set(o["querynode"], "spec.template.metadata.annotations.[checksum/config]", "abc")
		}, []want{{Availability, "Deployment milvus/milvus-demo-querynode", "/spec/template/metadata/annotations", "rolling restart of the query nodes"}}},
		{"replicas to 1", func(o map[string]map[string]any) {
			set(o["querynode"], "spec.replicas", 1)
			set(o["hr"], "spec.values.proxy.replicas", 1)
		}, []want{
			{Availability, "Deployment milvus/milvus-demo-querynode", "/spec/replicas", "replicas 2 → 1: no redundancy left"},
			{Availability, "HelmRelease milvus/milvus-demo", "/spec/values/proxy/replicas", "replicas 2 → 1"},
		}},
		{"replicas to 0", func(o map[string]map[string]any) { set(o["querynode"], "spec.replicas", 0) },
			[]want{{Availability, "Deployment milvus/milvus-demo-querynode", "/spec/replicas", "scaled to zero"}}},
		{"HA off", func(o map[string]map[string]any) {
			set(o["hr"], "spec.values.mixCoordinator", map[string]any{"replicas": 1})
		}, []want{
			{Availability, "HelmRelease milvus/milvus-demo", "/spec/values/mixCoordinator/activeStandby/enabled", "mixCoordinator active standby turned off"},
			{Availability, "HelmRelease milvus/milvus-demo", "/spec/values/mixCoordinator/replicas", "replicas 2 → 1"},
		}},
		{"scheme internet-facing and open", func(o map[string]map[string]any) {
			set(o["hr"], "spec.values.service.annotations."+scheme, "internet-facing")
			set(o["hr"], "spec.values.service.loadBalancerSourceRanges", []any{"0.0.0.0/0"})
			set(o["svc"], "metadata.annotations."+scheme, "internet-facing")
			set(o["svc"], "spec.loadBalancerSourceRanges", []any{"0.0.0.0/0"})
		}, []want{
			{Network, "HelmRelease milvus/milvus-demo", `/spec/values/service/annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]`, `load balancer replaced (scheme "internal" → "internet-facing")`},
			{Network, "HelmRelease milvus/milvus-demo", "/spec/values/service/loadBalancerSourceRanges", "source ranges opened to 0.0.0.0/0"},
			{Network, "Service milvus/milvus-demo", `/metadata/annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]`, "reachable from the internet"},
			{Network, "Service milvus/milvus-demo", "/spec/loadBalancerSourceRanges", "source ranges opened"},
		}},
		{"LB name", func(o map[string]map[string]any) { set(o["svc"], "metadata.annotations."+lbName, "milvus-2") },
			[]want{{Network, "Service milvus/milvus-demo", `/metadata/annotations["service.beta.kubernetes.io/aws-load-balancer-name"]`, "load balancer replaced (name"}}},
		{"source ranges removed", func(o map[string]map[string]any) { set(o["svc"], "spec.loadBalancerSourceRanges", nil) },
			[]want{{Network, "Service milvus/milvus-demo", "/spec/loadBalancerSourceRanges", "source ranges removed"}}},
		{"service type", func(o map[string]map[string]any) { set(o["svc"], "spec.type", "ClusterIP") },
			[]want{{Network, "Service milvus/milvus-demo", "/spec/type", "the load balancer is deleted"}}},
		{"instance type", func(o map[string]map[string]any) {
			o["cc"]["managedNodeGroups"].([]any)[0].(map[string]any)["instanceType"] = "r6i.4xlarge"
		}, []want{{Infrastructure, "ClusterConfig milvus-eks-cluster", "/managedNodeGroups[name=milvus-node-group]/instanceType", `node group milvus-node-group replaced: eksctl cannot change instanceType in place ("m6i.4xlarge" → "r6i.4xlarge")`}}},
		{"node group renamed", func(o map[string]map[string]any) {
			o["cc"]["managedNodeGroups"].([]any)[0].(map[string]any)["name"] = "milvus-ng-2"
		}, []want{
			{Infrastructure, "ClusterConfig milvus-eks-cluster", "/managedNodeGroups[name=milvus-node-group]", "node group milvus-node-group removed"},
			{Infrastructure, "ClusterConfig milvus-eks-cluster", "/managedNodeGroups[name=milvus-ng-2]", "node group milvus-ng-2 added"},
		}},
		{"node group scaled", func(o map[string]map[string]any) {
			o["cc"]["managedNodeGroups"].([]any)[0].(map[string]any)["desiredCapacity"] = 4
		}, []want{{Infrastructure, "ClusterConfig milvus-eks-cluster", "/managedNodeGroups[name=milvus-node-group]", "node group milvus-node-group desiredCapacity 3 → 4: the node group is scaled to the file's desiredCapacity, minSize and maxSize; aws/converge.sh runs: eksctl scale nodegroup -f aws/eksctl-cluster.yaml --name milvus-node-group"}}},
		{"kubernetes version", func(o map[string]map[string]any) { set(o["cc"], "metadata.version", "1.34") },
			[]want{
				{Infrastructure, "ClusterConfig milvus-eks-cluster", "/metadata/version", "Kubernetes 1.33 → 1.34: the control plane is upgraded one minor version at a time; the addons and node groups follow; aws/converge.sh runs: eksctl upgrade cluster --name milvus-eks-cluster --region us-east-2 --version 1.34 --approve"},
				{Infrastructure, "ClusterConfig milvus-eks-cluster", "/managedNodeGroups[name=milvus-node-group]", "aws/converge.sh runs: eksctl upgrade nodegroup --cluster milvus-eks-cluster --region us-east-2 --name milvus-node-group --kubernetes-version 1.34"},
			}},
		{"existing cluster: kubernetes version", func(o map[string]map[string]any) { set(o["cc"], "metadata.version", "1.34") },
			[]want{
				{Infrastructure, "ClusterConfig milvus-eks-cluster", "/metadata/version", "the control plane is the platform's, and converge.sh does not upgrade it; it stops until the cluster runs 1.34"},
				{Infrastructure, "ClusterConfig milvus-eks-cluster", "/managedNodeGroups[name=milvus-node-group]", "aws/converge.sh runs: eksctl upgrade nodegroup --cluster milvus-eks-cluster --region us-east-2 --name milvus-node-group --kubernetes-version 1.34"},
			}},
		{"adopted as existing", func(o map[string]map[string]any) {
			set(o["cc"], "metadata.annotations.[milvusgen.io/existing-cluster]", "true")
		}, []want{{Infrastructure, "ClusterConfig milvus-eks-cluster", "/metadata/annotations", "cluster.existing false → true: the tree changes who owns the cluster, not the cluster"}}},
		{"kubernetes version skips", func(o map[string]map[string]any) { set(o["cc"], "metadata.version", "1.35") },
			[]want{
				{Infrastructure, "ClusterConfig milvus-eks-cluster", "/metadata/version", "Kubernetes 1.33 → 1.35, control plane to 1.34"},
				{Infrastructure, "ClusterConfig milvus-eks-cluster", "/metadata/version", "Kubernetes 1.33 → 1.35, control plane to 1.35"},
				{Infrastructure, "ClusterConfig milvus-eks-cluster", "/managedNodeGroups[name=milvus-node-group]", "--kubernetes-version 1.35"},
			}},
		{"kubernetes downgrade", func(o map[string]map[string]any) { set(o["cc"], "metadata.version", "1.32") },
			[]want{{Infrastructure, "ClusterConfig milvus-eks-cluster", "/metadata/version", "EKS cannot downgrade"}}},
		{"milvus patch version", func(o map[string]map[string]any) { set(o["hr"], "spec.values.image.all.tag", "v2.6.16") },
			[]want{{Availability, "HelmRelease milvus/milvus-demo", "/spec/values/image/all/tag", "Milvus 2.6.15 → 2.6.16: restarts, in this order: mixCoordinator → streamingNode → queryNode → dataNode → proxy"}}},
		{"milvus downgrade", func(o map[string]map[string]any) { set(o["hr"], "spec.values.image.all.tag", "v2.6.14") },
			[]want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values/image/all/tag", "refused upgrade: milvus.version: Milvus 2.6.15 → 2.6.14 is a downgrade"}}},
		{"milvus back to 2.5", func(o map[string]map[string]any) { set(o["hr"], "spec.chart.spec.version", "4.2.58") },
			[]want{{Data, "HelmRelease milvus/milvus-demo", "/spec/values/image/all/tag", "is a downgrade"}}},
		{"from 2.5.4: straight to 2.6", func(o map[string]map[string]any) {}, []want{
			{Data, "HelmRelease milvus/milvus-demo", "/spec/values/image/all/tag", "refused upgrade: milvus.version: Milvus 2.5.4 → 2.6.15: 2.6 is reached only from 2.5.16 or later; upgrade to 2.5.16 first (chart 4.2.58)"},
			{Data, "HelmRelease milvus/milvus-demo", "/spec/values", "message queue switch Pulsar → Woodpecker"},
			{Data, "HelmRelease milvus/milvus-demo", "/spec/values/image/all/tag", "refused upgrade: milvus.messageQueue: the message queue changes (pulsar → woodpecker)"}}},
		{"from 2.5.4: to 2.5.16", func(o map[string]map[string]any) {
			set(o["hr"], "spec.chart.spec.version", "4.2.58")
			set(o["hr"], "spec.values.woodpecker.enabled", false)
			set(o["hr"], "spec.values.pulsarv3.enabled", true)
		}, []want{{Availability, "HelmRelease milvus/milvus-demo", "/spec/values/image/all/tag", "Milvus 2.5.4 → 2.5.16: restarts, in this order: mixCoordinator → queryNode → dataNode → indexNode → proxy"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, new := base(), base()
			if strings.HasPrefix(tc.name, "from 2.5.4") {
				set(old["hr"], "spec.chart.spec.version", "4.2.37")
				set(old["hr"], "spec.values.woodpecker.enabled", false)
				set(old["hr"], "spec.values.pulsarv3.enabled", true)
			}
			if strings.HasPrefix(tc.name, "existing cluster") {
				set(old["cc"], "metadata.annotations.[milvusgen.io/existing-cluster]", "true")
				set(new["cc"], "metadata.annotations.[milvusgen.io/existing-cluster]", "true")
			}
			if strings.HasPrefix(tc.name, "protected") {
				set(old["ns"], "metadata.annotations.[kustomize.toolkit.fluxcd.io/prune]", "disabled")
			}
			if strings.HasPrefix(tc.name, "Argo CD protected") {
				set(old["ns"], "metadata.annotations.[argocd.argoproj.io/sync-options]", "Prune=false,Delete=false")
			}
			tc.modify(new)
			r := Compare(tree(t, old), tree(t, new))
			if r.Equal() {
				t.Fatal("the modification changed nothing")
			}
			var got []string
			for _, f := range r.Flags() {
				got = append(got, fmt.Sprintf("%s | %s | %s | %s", f.Category, f.Change.Title(), f.Field, f.Reason))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d flags, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for _, w := range tc.want {
				found := false
				for _, f := range r.Flags() {
					if f.Category == w.cat && f.Change.Title() == w.object && f.Field == w.field && strings.Contains(f.Reason, w.reason) {
						found = true
					}
				}
				if !found {
					t.Errorf("no flag %s | %s | %s | …%s…; got:\n%s", w.cat, w.object, w.field, w.reason, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestAddedServiceOpenToTheInternet(t *testing.T) {
	objs := base()
	set(objs["svc"], "spec.loadBalancerSourceRanges", []any{"0.0.0.0/0"})
	r := Compare(nil, tree(t, objs))
	n := 0
	for _, f := range r.Flags() {
		if f.Category == Network && strings.Contains(f.Reason, "opened to 0.0.0.0/0") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("a new Service open to 0.0.0.0/0: %d flags, want 1: %+v", n, r.Flags())
	}
}

// TestExternalKafkaBrokers: a change of an external Kafka's brokers is
// flagged (another cluster would lose the unflushed WAL); the same brokers,
// or brokers of another queue, are not.
func TestExternalKafkaBrokers(t *testing.T) {
	hr := func(ext map[string]any) map[string]any {
		return map[string]any{"spec": map[string]any{"values": map[string]any{"externalKafka": ext}}}
	}
	a := hr(map[string]any{"enabled": true, "brokerList": "b-1.a:9096,b-2.a:9096"})
	b := hr(map[string]any{"enabled": true, "brokerList": "b-1.b:9096,b-2.b:9096"})
	got := externalKafkaBrokers(a, b, mqOf(b))
	if len(got) != 1 || got[0].Category != Data || got[0].Field != "/spec/values/externalKafka/brokerList" ||
		!strings.Contains(got[0].Reason, `external Kafka brokers "b-1.a:9096,b-2.a:9096" → "b-1.b:9096,b-2.b:9096"`) {
		t.Errorf("flags %+v", got)
	}
	if got := externalKafkaBrokers(a, a, mqOf(a)); got != nil {
		t.Errorf("unchanged brokers flagged: %+v", got)
	}
	off := hr(map[string]any{"enabled": false, "brokerList": "x:1"})
	if got := externalKafkaBrokers(off, hr(map[string]any{"enabled": false, "brokerList": "y:1"}), "Pulsar"); got != nil {
		t.Errorf("brokers of a disabled externalKafka flagged: %+v", got)
	}
}
