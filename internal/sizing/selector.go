package sizing

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// NodeLabels are the labels a node of the group carries that a
// nodeSelector may name: the group's own labels, the ones EKS managed
// node groups and eksctl set, and the well-known instance-type and OS
// labels the kubelet sets.
func NodeLabels(ng model.NodeGroup) map[string]string {
	out := map[string]string{
		"eks.amazonaws.com/nodegroup":      ng.Name,
		"alpha.eksctl.io/nodegroup-name":   ng.Name,
		"node.kubernetes.io/instance-type": ng.InstanceType,
		"beta.kubernetes.io/instance-type": ng.InstanceType,
		"kubernetes.io/os":                 "linux",
	}
	maps.Copy(out, ng.Labels)
	return out
}

// selects reports whether labels satisfy the nodeSelector sel.
func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// unselectable reports the components whose nodeSelector matches no node
// group: their pods would stay Pending whatever the sizes (issue 19 item
// 4: the fit check ignored values.<component>.nodeSelector).
func unselectable(w *Workload, groups []GroupFit) []Problem {
	var out []Problem
	seen := map[string]bool{}
	for _, c := range w.All() {
		if len(c.NodeSelector) == 0 || c.Replicas < 1 || seen[c.SelectorPath+c.Name] {
			continue
		}
		ok := false
		for _, g := range groups {
			ok = ok || selects(c.NodeSelector, g.Labels)
		}
		if ok {
			continue
		}
		seen[c.SelectorPath+c.Name] = true
		var have []string
		for _, g := range groups {
			var ls []string
			for _, k := range slices.Sorted(maps.Keys(g.Labels)) {
				ls = append(ls, k+"="+g.Labels[k])
			}
			have = append(have, fmt.Sprintf("%s has %s", g.Name, strings.Join(ls, ", ")))
		}
		var want []string
		for _, k := range slices.Sorted(maps.Keys(c.NodeSelector)) {
			want = append(want, k+"="+c.NodeSelector[k])
		}
		out = append(out, Problem{
			Path: c.SelectorPath,
			Message: fmt.Sprintf("%s pods select nodes with %s, and no node group has them (%s); add the labels to a node group (cluster.nodeGroups[].labels) or change the selector",
				c.Name, strings.Join(want, ", "), strings.Join(have, "; ")),
		})
	}
	return out
}
