package fleet

import (
	"os"
	"path/filepath"
	"testing"
)

// TestYAMLBaseWithOverrides: issue 19 item 1's done-when. A YAML base
// holds defaults; each environment's later files override them (maps by
// key, lists whole), and the fleet renders.
func TestYAMLBaseWithOverrides(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"base.yaml": `name: milvus
aws: {region: us-east-2, accountID: "123456789012"}
cluster:
  name: milvus-base
  nodeGroups: [{name: milvus, instanceType: m6i.4xlarge, desiredCapacity: 3}]
storage: {bucket: acme-milvus-base}
milvus:
  messageQueue: woodpecker
  proxy: {replicas: 2}
  values: {queryNode: {annotations: {example.com/team: search}}}
`,
		"dev.yaml": `cluster:
  name: milvus-dev
  nodeGroups: [{name: milvus, instanceType: m6i.2xlarge, desiredCapacity: 2}]
storage: {bucket: acme-milvus-dev}
milvus: {highAvailability: false, proxy: {replicas: 1}}
`,
		"prod.yaml": `cluster: {name: milvus-prod}
storage: {bucket: acme-milvus-prod}
milvus:
  messageQueue: pulsar
  values: {queryNode: {annotations: {example.com/role: milvus}}}
`,
		"fleet.yaml": `environments:
  dev:  {files: [base.yaml, dev.yaml],  output: out/dev}
  prod: {files: [base.yaml, prod.yaml], output: out/prod}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := build(t, filepath.Join(dir, "fleet.yaml"), 1)
	if !p.OK() {
		t.Fatalf("fleet has problems:\n%s", report(p))
	}
	dev, prod := p.Envs[0].Result.Spec, p.Envs[1].Result.Spec
	if dev.Cluster.Name != "milvus-dev" || *dev.Milvus.Proxy.Replicas != 1 || dev.Cluster.NodeGroups[0].InstanceType != "m6i.2xlarge" {
		t.Errorf("dev did not override the base: cluster %s, proxy %d, nodes %s", dev.Cluster.Name, *dev.Milvus.Proxy.Replicas, dev.Cluster.NodeGroups[0].InstanceType)
	}
	if dev.Milvus.MessageQueue != "woodpecker" || prod.Milvus.MessageQueue != "pulsar" {
		t.Errorf("message queues %s/%s, want the base's woodpecker and prod's pulsar", dev.Milvus.MessageQueue, prod.Milvus.MessageQueue)
	}
	sel := prod.Milvus.Values["queryNode"].(map[string]any)["annotations"].(map[string]any)
	if sel["example.com/team"] != "search" || sel["example.com/role"] != "milvus" {
		t.Errorf("prod's annotations = %v, want both keys merged", sel)
	}
	if len(p.Envs[1].Files) == 0 {
		t.Error("prod rendered no files")
	}
}
