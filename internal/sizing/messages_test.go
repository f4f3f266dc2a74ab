package sizing

import (
	"strconv"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestFitVolumeBoundPointsAtVolumeSize: issue 19 item 4. A DISKANN query
// node that the r7i.8xlarge group holds but for its disk is reported
// against that group's volumeSize, even beside a group too small for it,
// never as "use r7i.8xlarge or larger".
func TestFitVolumeBoundPointsAtVolumeSize(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Dataset = &model.Dataset{Vectors: 1e9, Dimension: 768, Index: model.Index{Type: DiskANN, MaxDegree: 56}, Replicas: 1}
	withGroups(s,
		model.NodeGroup{Name: "small", InstanceType: "m6i.xlarge", DesiredCapacity: 3, VolumeSize: 200},
		model.NodeGroup{Name: "big", InstanceType: "r7i.8xlarge", DesiredCapacity: 8, VolumeSize: 200})
	res := Fit(s)
	if len(res.Problems) != 1 {
		t.Fatalf("problems: %v", res.Problems)
	}
	p := res.Problems[0]
	if p.Path != "cluster.nodeGroups.1.volumeSize" || !strings.Contains(p.Message, "set volumeSize of big to at least 285") {
		t.Errorf("got %s", p)
	}
	if strings.Contains(p.Message, "instance type") || strings.Contains(p.Message, "or larger") {
		t.Errorf("names an instance type: %s", p)
	}
	// Short of memory and disk: the type, and the volume too.
	withGroups(s, model.NodeGroup{Name: "small", InstanceType: "m6i.4xlarge", DesiredCapacity: 8, VolumeSize: 200})
	res = Fit(s)
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "use m6i.8xlarge or larger, and set volumeSize to at least 285") {
		t.Errorf("got %v", res.Problems)
	}
}

// TestEnginePods: issue 19 item 4. Argo CD's pods are counted for an Argo
// CD spec, Flux's for a Flux one, never both.
func TestEnginePods(t *testing.T) {
	for _, engine := range []string{model.EngineFlux, model.EngineArgoCD} {
		s := modeltest.Runbook()
		s.GitOps.Engine = engine
		w, err := NewWorkload(s)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range w.Dependencies {
			got[c.Name] = c.Replicas
		}
		switch engine {
		case model.EngineFlux:
			if got["flux"] != 4 || got["argocd"] != 0 {
				t.Errorf("flux spec: %v", got)
			}
		case model.EngineArgoCD:
			if got["argocd"] != ArgoCDPods || got["flux"] != 0 {
				t.Errorf("argocd spec: %v", got)
			}
		}
	}
}

// TestSummaryAgreesWithFit: issue 19 item 4. With two node groups, the
// summary's node count is the one the fit check asks for (the first
// group's nodes beside the others), not the first group alone.
func TestSummaryAgreesWithFit(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Dataset = &model.Dataset{Vectors: 3e8, Dimension: 768, Index: model.Index{Type: "HNSW", M: 30}, Replicas: 1}
	withGroups(s,
		model.NodeGroup{Name: "big", InstanceType: "r7i.8xlarge", DesiredCapacity: 6, MaxSize: ptr(20)},
		model.NodeGroup{Name: "other", InstanceType: "r7i.8xlarge", DesiredCapacity: 4})
	sum, err := Summarize(s)
	if err != nil {
		t.Fatal(err)
	}
	fit := Fit(s)
	if len(fit.Problems) != 1 {
		t.Fatalf("problems: %v", fit.Problems)
	}
	want := "set desiredCapacity of big to at least " + itoa(sum.Nodes.Needed)
	if sum.Nodes.OtherGroups != 1 || !strings.Contains(fit.Problems[0].Message, want) {
		t.Errorf("summary needs %d (other groups %d); fit says %s", sum.Nodes.Needed, sum.Nodes.OtherGroups, fit.Problems[0].Message)
	}
	alone, _ := NodesNeeded(fit.Workload, "r7i.8xlarge", 0)
	if alone <= sum.Nodes.Needed {
		t.Errorf("the first group alone needs %d, the summary %d: the other group's nodes are not counted", alone, sum.Nodes.Needed)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestFitHonoursNodeSelectors: issue 19 item 4. A component's nodeSelector
// in milvus.values restricts its pods to the node groups whose labels
// match; one that matches no group is an error at the selector.
func TestFitHonoursNodeSelectors(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Dataset = hundredM()
	s.Milvus.Values = map[string]any{"queryNode": map[string]any{"nodeSelector": map[string]any{"team": "search"}}}
	withGroups(s, model.NodeGroup{Name: "general", InstanceType: "r7i.8xlarge", DesiredCapacity: 12})
	res := Fit(s)
	if len(res.Problems) != 1 || res.Problems[0].Path != "milvus.values.queryNode.nodeSelector" ||
		!strings.Contains(res.Problems[0].Message, "queryNode pods select nodes with team=search, and no node group has them") {
		t.Fatalf("problems: %v", res.Problems)
	}
	// The same nodes, labelled for search, hold everything.
	withGroups(s, model.NodeGroup{Name: "general", InstanceType: "r7i.8xlarge", DesiredCapacity: 12, Labels: map[string]string{"team": "search"}})
	if res := Fit(s); !res.Fits {
		t.Fatalf("labelled group: %v", res.Problems)
	}
	// Split: the query nodes only have the small labelled group, which
	// cannot hold them; the big unlabelled group does not count for them.
	withGroups(s,
		model.NodeGroup{Name: "search", InstanceType: "r7i.8xlarge", DesiredCapacity: 1, Labels: map[string]string{"team": "search"}},
		model.NodeGroup{Name: "general", InstanceType: "r7i.8xlarge", DesiredCapacity: 20})
	res = Fit(s)
	if res.Fits || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "queryNode needs") {
		t.Errorf("query nodes placed outside their selector: %v", res.Problems)
	}
}

// TestFitHonoursDependencySelectors: the message queue's selectors the
// raw-value allowlist passes (kafka, kafka.zookeeper, pulsarv3.*) place
// those pods as the chart will, as etcd's does.
func TestFitHonoursDependencySelectors(t *testing.T) {
	for _, tc := range []struct {
		mq, block, path string
		values          map[string]any
	}{
		{model.Kafka, "kafka", "milvus.values.kafka.nodeSelector", map[string]any{"kafka": map[string]any{"nodeSelector": map[string]any{"team": "mq"}}}},
		{model.Kafka, "kafka-zookeeper", "milvus.values.kafka.zookeeper.nodeSelector", map[string]any{"kafka": map[string]any{"zookeeper": map[string]any{"nodeSelector": map[string]any{"team": "mq"}}}}},
		{model.Pulsar, "pulsar-bookie", "milvus.values.pulsarv3.bookkeeper.nodeSelector", map[string]any{"pulsarv3": map[string]any{"bookkeeper": map[string]any{"nodeSelector": map[string]any{"team": "mq"}}}}},
		{model.Pulsar, "pulsar-recovery", "milvus.values.pulsarv3.autorecovery.nodeSelector", map[string]any{"pulsarv3": map[string]any{"autorecovery": map[string]any{"nodeSelector": map[string]any{"team": "mq"}}}}},
	} {
		t.Run(tc.block, func(t *testing.T) {
			s := modeltest.Runbook()
			s.Milvus.MessageQueue = tc.mq
			s.Milvus.Values = tc.values
			withGroups(s, model.NodeGroup{Name: "general", InstanceType: "m6i.4xlarge", DesiredCapacity: 6})
			res := Fit(s)
			if len(res.Problems) != 1 || res.Problems[0].Path != tc.path || !strings.Contains(res.Problems[0].Message, "team=mq") {
				t.Fatalf("problems: %v", res.Problems)
			}
		})
	}
}
