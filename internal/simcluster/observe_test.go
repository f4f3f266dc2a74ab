package simcluster

import (
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestKwokCompletesJobPods: the stages kwok is started with move a
// running pod owned by a Job to Succeeded, so the Job controller counts a
// completion and the Job finishes, as the charts' init Jobs (Pulsar's
// bookie-init and pulsar-init) do on a real cluster; pods of other owners
// stay running.
func TestKwokCompletesJobPods(t *testing.T) {
	data, err := kwokStages(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var st struct {
			Metadata struct{ Name string }
			Spec     struct {
				Selector struct {
					MatchExpressions []struct {
						Key      string
						Operator string
						Values   []string
					} `json:"matchExpressions"`
				} `json:"selector"`
				Next struct {
					StatusTemplate string `json:"statusTemplate"`
				} `json:"next"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(strings.TrimPrefix(doc, "---\n")), &st); err != nil {
			t.Fatal(err)
		}
		if st.Metadata.Name != "pod-complete" {
			continue
		}
		found = true
		var owner, running bool
		for _, e := range st.Spec.Selector.MatchExpressions {
			switch {
			case e.Key == ".metadata.ownerReferences.[].kind" && e.Operator == "In" && slices.Equal(e.Values, []string{"Job"}):
				owner = true
			case e.Key == ".status.phase" && e.Operator == "In" && slices.Equal(e.Values, []string{"Running"}):
				running = true
			}
		}
		if !owner || !running {
			t.Errorf("pod-complete selects %+v, want running pods owned by a Job", st.Spec.Selector.MatchExpressions)
		}
		if !strings.Contains(st.Spec.Next.StatusTemplate, "phase: Succeeded") {
			t.Errorf("pod-complete does not move the pod to Succeeded:\n%s", st.Spec.Next.StatusTemplate)
		}
	}
	if !found {
		t.Error("no pod-complete stage: a Job's pods would run forever and the Job never finish")
	}
}

// TestOnItsWay: a completed Job pod has settled and is no replica; a
// running pod that is not ready, or one terminating, is on its way.
func TestOnItsWay(t *testing.T) {
	for _, tc := range []struct {
		name string
		pod  Pod
		want bool
	}{
		{"ready", Pod{Node: "n", Ready: true}, false},
		{"completed Job pod", Pod{Node: "n", Completed: true, Workload: "Job/milvus/bookie-init"}, false},
		{"unschedulable", Pod{Unschedulable: "0/3 nodes are available"}, false},
		{"not ready yet", Pod{Node: "n"}, true},
		{"not scheduled yet", Pod{}, true},
		{"terminating", Pod{Node: "n", Ready: true, Terminating: true}, true},
	} {
		if got := tc.pod.OnItsWay(); got != tc.want {
			t.Errorf("%s: OnItsWay %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestQuorumKinds: every quorum system's members are kept apart; all but
// Pulsar's brokers need a majority ready.
func TestQuorumKinds(t *testing.T) {
	for _, tc := range []struct {
		workload         string
		quorum, majority bool
	}{
		{"StatefulSet/milvus/milvus-demo-etcd", true, true},
		{"StatefulSet/milvus/milvus-demo-pulsarv3-zookeeper", true, true},
		{"StatefulSet/milvus/milvus-demo-pulsarv3-bookie", true, true},
		{"StatefulSet/milvus/milvus-demo-pulsarv3-broker", true, false},
		{"StatefulSet/milvus/milvus-kafka", true, true},
		{"StatefulSet/milvus/milvus-demo-pulsarv3-proxy", false, false},
		{"StatefulSet/milvus/milvus-demo-pulsarv3-recovery", false, false},
		{"Job/milvus/milvus-demo-pulsarv3-bookie-init", false, false},
		{"Deployment/milvus/milvus-demo-etcd-proxy", false, false},
	} {
		if got := IsQuorum(tc.workload); got != tc.quorum {
			t.Errorf("IsQuorum(%s) = %v, want %v", tc.workload, got, tc.quorum)
		}
		if got := NeedsMajority(tc.workload); got != tc.majority {
			t.Errorf("NeedsMajority(%s) = %v, want %v", tc.workload, got, tc.majority)
		}
	}
}
