package simcluster

import (
	"strings"
	"testing"
	"time"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/internal/zones"
)

func TestKwokStages(t *testing.T) {
	for _, hold := range []bool{false, true} {
		data, err := kwokStages(Options{HoldReadiness: hold, ReadyDelay: 1500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, doc := range strings.Split(string(data), "\n---\n") {
			var st struct {
				Kind     string `json:"kind"`
				Metadata struct{ Name string }
				Spec     struct {
					Delay    *struct{ DurationMilliseconds int64 } `json:"delay"`
					Selector struct {
						MatchExpressions []struct{ Key string } `json:"matchExpressions"`
					} `json:"selector"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal([]byte(strings.TrimPrefix(doc, "---\n")), &st); err != nil {
				t.Fatal(err)
			}
			if st.Kind != "Stage" {
				t.Errorf("kind %q, want Stage", st.Kind)
			}
			names = append(names, st.Metadata.Name)
			if st.Metadata.Name != "pod-ready" {
				continue
			}
			if st.Spec.Delay == nil || st.Spec.Delay.DurationMilliseconds != 1500 {
				t.Errorf("pod-ready delay %+v, want 1500 ms", st.Spec.Delay)
			}
			held := false
			for _, e := range st.Spec.Selector.MatchExpressions {
				held = held || strings.Contains(e.Key, ReleaseAnnotation)
			}
			if held != hold {
				t.Errorf("HoldReadiness %v: pod-ready selects on %s: %v", hold, ReleaseAnnotation, held)
			}
		}
		if got := strings.Join(names, " "); got != strings.Join(stageNames, " ") {
			t.Errorf("stages %s, want %s", got, strings.Join(stageNames, " "))
		}
	}
}

func TestNodesFor(t *testing.T) {
	three, two, vol := 3, 2, 80
	cfg := &api.ClusterConfig{
		Metadata: &api.ClusterMeta{Region: "us-east-2"},
		ManagedNodeGroups: []*api.ManagedNodeGroup{
			{NodeGroupBase: &api.NodeGroupBase{Name: "core", InstanceType: "m6i.2xlarge", ScalingConfig: &api.ScalingConfig{DesiredCapacity: &three}, VolumeSize: &vol, Labels: map[string]string{"role": "milvus"}}},
			{NodeGroupBase: &api.NodeGroupBase{Name: "query", InstanceType: "r7g.4xlarge", ScalingConfig: &api.ScalingConfig{DesiredCapacity: &two}, VolumeSize: &vol}, Taints: []api.NodeGroupTaint{{Key: "dedicated", Value: "query", Effect: corev1.TaintEffectNoSchedule}}},
		},
	}
	nodes, err := NodesFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range nodes {
		got = append(got, n.Name+"@"+n.Zone+"/"+n.Labels[corev1.LabelArchStable])
	}
	want := "core-0@us-east-2a/amd64 core-1@us-east-2b/amd64 core-2@us-east-2c/amd64 query-0@us-east-2a/arm64 query-1@us-east-2b/arm64"
	if strings.Join(got, " ") != want {
		t.Errorf("nodes %v, want %s", got, want)
	}
	if nodes[0].Labels["role"] != "milvus" || nodes[0].Labels[NodeGroupLabel] != "core" || nodes[0].Labels[HostnameLabel] != "core-0" {
		t.Errorf("labels %v", nodes[0].Labels)
	}
	if len(nodes[3].Taints) != 1 || nodes[3].Taints[0].Key != "dedicated" {
		t.Errorf("taints %v", nodes[3].Taints)
	}
	// Allocatable less the DaemonSets is what the fit check gives pods.
	inst, _ := sizing.LookupInstance("m6i.2xlarge")
	a := inst.Allocatable(vol)
	alloc := nodes[0].Allocatable
	var ds sizing.Resources
	for _, d := range sizing.DaemonSets {
		ds.MilliCPU += d.Pod.MilliCPU
		ds.Memory += d.Pod.Memory
	}
	if c := alloc.Cpu().MilliValue() - ds.MilliCPU; c != a.MilliCPU {
		t.Errorf("cpu for pods %d, fit check %d", c, a.MilliCPU)
	}
	if m := alloc.Memory().Value() - ds.Memory; m != a.Memory {
		t.Errorf("memory for pods %d, fit check %d", m, a.Memory)
	}
	if p := alloc.Pods().Value() - int64(len(sizing.DaemonSets)); p != int64(inst.PodSlots()) {
		t.Errorf("pods %d, fit check %d", p, inst.PodSlots())
	}
	if z := zones.Of(&api.ClusterConfig{Metadata: &api.ClusterMeta{Region: "us-east-1"}}); len(z) != 2 {
		t.Errorf("us-east-1 zones %v, want 2 (eksctl's choice there)", z)
	}
}
