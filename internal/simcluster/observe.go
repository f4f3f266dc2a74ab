package simcluster

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Pod is a pod as the checks see it.
type Pod struct {
	Namespace, Name string
	// Workload is the controller at the top of the pod's owners:
	// "Deployment/ns/name", "StatefulSet/ns/name", ...
	Workload string
	// Node and Zone are where the scheduler put it ("" while Pending).
	Node, Zone string
	Ready      bool
	// Completed is a pod that ran to completion (Succeeded), as a Job's
	// pods do: it no longer runs, holds no resources and serves nothing,
	// so it is neither on its way nor a replica of anything.
	Completed bool
	// Unschedulable is the scheduler's message when it found no node.
	Unschedulable string
	Terminating   bool
	AddOn         bool
}

// OnItsWay reports whether the pod is still changing: terminating, or
// neither ready, nor completed (a Job's pod that ran to the end), nor
// unschedulable (Pending with the scheduler's reason).
func (p Pod) OnItsWay() bool {
	return p.Terminating || (!p.Ready && !p.Completed && p.Unschedulable == "")
}

// Snapshot is the cluster's pods and nodes at one moment.
type Snapshot struct {
	Pods  []Pod
	Nodes map[string]*corev1.Node
}

// Snapshot reads every pod and node.
func (c *Cluster) Snapshot() Snapshot {
	c.t.Helper()
	ctx := c.ctx()
	nodes, err := c.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	pods, err := c.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	rss, err := c.Client.AppsV1().ReplicaSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	rsOwner := map[string]string{}
	for _, rs := range rss.Items {
		if ref := metav1.GetControllerOf(&rs); ref != nil {
			rsOwner[rs.Namespace+"/"+rs.Name] = ref.Kind + "/" + rs.Namespace + "/" + ref.Name
		}
	}
	s := Snapshot{Nodes: map[string]*corev1.Node{}}
	for i := range nodes.Items {
		s.Nodes[nodes.Items[i].Name] = &nodes.Items[i]
	}
	for _, p := range pods.Items {
		sp := Pod{
			Namespace: p.Namespace, Name: p.Name, Node: p.Spec.NodeName,
			Ready: podReady(&p), Terminating: p.DeletionTimestamp != nil,
			Completed: p.Status.Phase == corev1.PodSucceeded,
			AddOn:     p.Labels[addOnLabel] == "true",
			Workload:  "Pod/" + p.Namespace + "/" + p.Name,
		}
		if ref := metav1.GetControllerOf(&p); ref != nil {
			sp.Workload = ref.Kind + "/" + p.Namespace + "/" + ref.Name
			if ref.Kind == "ReplicaSet" {
				if top, ok := rsOwner[p.Namespace+"/"+ref.Name]; ok {
					sp.Workload = top
				}
			}
		}
		if n := s.Nodes[p.Spec.NodeName]; n != nil {
			sp.Zone = n.Labels[ZoneLabel]
		}
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse && cond.Reason == corev1.PodReasonUnschedulable {
				sp.Unschedulable = cond.Message
			}
		}
		s.Pods = append(s.Pods, sp)
	}
	sort.Slice(s.Pods, func(i, j int) bool {
		return s.Pods[i].Namespace+"/"+s.Pods[i].Name < s.Pods[j].Namespace+"/"+s.Pods[j].Name
	})
	return s
}

func podReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Workloads groups the pods that match keep by workload.
func (s Snapshot) Workloads(keep func(Pod) bool) map[string][]Pod {
	out := map[string][]Pod{}
	for _, p := range s.Pods {
		if keep == nil || keep(p) {
			out[p.Workload] = append(out[p.Workload], p)
		}
	}
	return out
}

// Pending lists the pods of keep that no node took, with the scheduler's
// reason.
func (s Snapshot) Pending(keep func(Pod) bool) []string {
	var out []string
	for _, p := range s.Pods {
		if (keep == nil || keep(p)) && p.Node == "" && !p.Terminating {
			out = append(out, fmt.Sprintf("%s/%s: %s", p.Namespace, p.Name, p.Unschedulable))
		}
	}
	return out
}

// quorumKinds are the quorum systems among the charts' StatefulSets, by
// a word of their name: etcd, ZooKeeper, Kafka brokers, BookKeeper and
// Pulsar brokers. Issue 18 keeps their members on separate nodes.
var quorumKinds = []string{"etcd", "zookeeper", "kafka", "bookie", "bookkeeper", "broker"}

// majorityKinds are those among them held to a majority of ready members:
// etcd and ZooKeeper vote; Pulsar writes each entry to 2 bookies of 3
// (managedLedgerDefaultEnsembleSize and WriteQuorum 2 in the Milvus
// chart's pulsarv3 values), so a second lost bookie stops new ledgers;
// Kafka's brokers, whose topics are replicated 3 times, are held to the
// same. Pulsar brokers are not: they hold no data and no vote, and a lost
// broker's topics move to any broker still up, so one ready broker
// serves.
var majorityKinds = []string{"etcd", "zookeeper", "kafka", "bookie", "bookkeeper"}

// IsQuorum reports whether a workload is a quorum system's StatefulSet.
func IsQuorum(workload string) bool { return statefulSetOf(workload, quorumKinds) }

// NeedsMajority reports whether a workload is a quorum system that stops
// when fewer than a majority of its members are ready.
func NeedsMajority(workload string) bool { return statefulSetOf(workload, majorityKinds) }

func statefulSetOf(workload string, kinds []string) bool {
	kind, rest, _ := strings.Cut(workload, "/")
	if kind != "StatefulSet" {
		return false
	}
	_, name, _ := strings.Cut(rest, "/")
	for _, w := range strings.Split(name, "-") {
		if slices.Contains(kinds, w) {
			return true
		}
	}
	return false
}

// Settled waits until no pod matching keep is on its way (OnItsWay) for
// two consecutive reads, or until timeout. It returns the last snapshot
// and whether it settled. A Job's pods settle once they completed.
func (c *Cluster) Settled(keep func(Pod) bool, timeout time.Duration) (Snapshot, bool) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	calm := 0
	for {
		s := c.Snapshot()
		busy := false
		for _, p := range s.Pods {
			if keep != nil && !keep(p) {
				continue
			}
			if p.OnItsWay() {
				busy = true
				break
			}
		}
		if busy {
			calm = 0
		} else {
			calm++
		}
		if calm >= 2 {
			return s, true
		}
		if time.Now().After(deadline) {
			return s, false
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// Describe lists the pods of keep with their node, zone and readiness, for
// failure messages.
func (s Snapshot) Describe(keep func(Pod) bool) string {
	var b strings.Builder
	for _, p := range s.Pods {
		if keep != nil && !keep(p) {
			continue
		}
		state := "ready"
		switch {
		case p.Terminating:
			state = "terminating"
		case p.Node == "":
			state = "pending: " + p.Unschedulable
		case p.Completed:
			state = "completed"
		case !p.Ready:
			state = "not ready"
		}
		fmt.Fprintf(&b, "  %s/%s on %s (%s): %s\n", p.Namespace, p.Name, p.Node, p.Zone, state)
	}
	return b.String()
}
