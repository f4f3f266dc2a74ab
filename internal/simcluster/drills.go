package simcluster

import (
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// LoseNodes makes the nodes fail as nodes whose instances died: kwok
// stops renewing their leases, so the controller manager marks them
// NotReady (Ready=Unknown) after NodeGracePeriod, marks their pods not
// ready, taints them unreachable (NoExecute) and evicts their pods after
// TolerationSeconds. LoseNodes returns once every node is NotReady and
// tainted and none of its pods is ready.
func (c *Cluster) LoseNodes(names ...string) {
	c.t.Helper()
	ctx := c.ctx()
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]any{ManagedLabel: nil}}})
	for _, n := range names {
		if _, err := c.Client.CoreV1().Nodes().Patch(ctx, n, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			c.t.Fatalf("losing node %s: %v", n, err)
		}
	}
	lost := map[string]bool{}
	for _, n := range names {
		lost[n] = true
	}
	deadline := time.Now().Add(NodeGracePeriod + time.Minute)
	for {
		s := c.Snapshot()
		down := true
		for n := range lost {
			if node := s.Nodes[n]; node != nil && (NodeReady(node) || !taintedUnreachable(node)) {
				down = false
			}
		}
		for _, p := range s.Pods {
			if lost[p.Node] && p.Ready {
				down = false
			}
		}
		if down {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("nodes %v still up %s after they were lost\n%s", names, NodeGracePeriod+time.Minute, s.Describe(func(p Pod) bool { return lost[p.Node] }))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// RemoveNodes deletes lost nodes and their pods at once, as the cloud
// node lifecycle controller (instance gone: Node deleted) and the pod
// garbage collector (pods of a deleted node, after its 40 s quarantine)
// do; the StatefulSets can then recreate their members elsewhere.
func (c *Cluster) RemoveNodes(names ...string) {
	c.t.Helper()
	ctx := c.ctx()
	gone := map[string]bool{}
	for _, n := range names {
		gone[n] = true
		if err := c.Client.CoreV1().Nodes().Delete(ctx, n, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			c.t.Fatalf("deleting node %s: %v", n, err)
		}
	}
	pods, err := c.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	zero := int64(0)
	for _, p := range pods.Items {
		if !gone[p.Spec.NodeName] {
			continue
		}
		err := c.Client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
		if err != nil && !apierrors.IsNotFound(err) {
			c.t.Fatalf("deleting pod %s/%s: %v", p.Namespace, p.Name, err)
		}
	}
}

// ReplaceNodes adds a node for each removed one, as the node group's auto
// scaling group does to keep its desired capacity: of the same group and
// shape, in the same zone unless that zone is down (in down), else in the
// group's other zones in turn. It returns the new nodes' names.
func (c *Cluster) ReplaceNodes(removed []string, down map[string]bool) []string {
	c.t.Helper()
	var add []Node
	for _, name := range removed {
		old, ok := c.nodes[name]
		if !ok {
			c.t.Fatalf("ReplaceNodes: %s is not a node of the cluster", name)
		}
		n := old
		n.Name = fmt.Sprintf("%s-%d", old.Group, c.next[old.Group])
		c.next[old.Group]++
		if down[old.Zone] {
			var up []string
			for _, z := range c.zones[old.Group] {
				if !down[z] {
					up = append(up, z)
				}
			}
			if len(up) == 0 {
				continue
			}
			n.Zone = up[c.next[old.Group]%len(up)]
		}
		n.Labels = maps.Clone(old.Labels)
		n.Labels[HostnameLabel] = n.Name
		n.Labels[ZoneLabel] = n.Zone
		add = append(add, n)
	}
	c.AddNodes(add)
	c.WaitNodesReady()
	var names []string
	for _, n := range add {
		names = append(names, n.Name)
	}
	return names
}

// BusiestNode is the node holding the most pods that match keep and
// still run (not Completed; ties: the first by name).
func (s Snapshot) BusiestNode(keep func(Pod) bool) string {
	count := map[string]int{}
	for _, p := range s.Pods {
		if p.Node != "" && !p.Completed && (keep == nil || keep(p)) {
			count[p.Node]++
		}
	}
	var names []string
	for n := range count {
		names = append(names, n)
	}
	sort.Strings(names)
	best := ""
	for _, n := range names {
		if best == "" || count[n] > count[best] {
			best = n
		}
	}
	return best
}

// NodesIn lists the nodes of a zone, sorted.
func (s Snapshot) NodesIn(zone string) []string {
	var out []string
	for n, node := range s.Nodes {
		if node.Labels[ZoneLabel] == zone {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// taintedUnreachable reports whether the controller manager tainted the
// node unreachable or not-ready for eviction.
func taintedUnreachable(n *corev1.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoExecute && (t.Key == corev1.TaintNodeUnreachable || t.Key == corev1.TaintNodeNotReady) {
			return true
		}
	}
	return false
}
