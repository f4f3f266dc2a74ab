package sizing

import (
	"fmt"
	"sort"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// Problem is one finding about a spec, at the spec field it concerns
// ("cluster.nodeGroups.0.desiredCapacity"). Warnings do not make the spec
// invalid.
type Problem struct {
	Path    string
	Message string
	Warning bool
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// maxNodesPerNodeGroup is the EKS quota of nodes in one managed node group.
const maxNodesPerNodeGroup = 450

// GroupFit is one node group as the fit check saw it.
type GroupFit struct {
	Name         string
	InstanceType string
	// Known is false for an instance type milvusgen has no numbers for.
	Known bool
	// Nodes is desiredCapacity; MaxNodes maxSize.
	Nodes, MaxNodes int
	// Allocatable is what one node offers pods besides the DaemonSets.
	Allocatable Resources
	// PodSlots is how many such pods one node takes.
	PodSlots int
	// Labels are the labels its nodes carry (NodeLabels).
	Labels map[string]string
}

// FitResult is the outcome of Fit.
type FitResult struct {
	Workload *Workload
	Groups   []GroupFit
	// Checked is false when an unknown instance type (or a dataset that
	// cannot be measured) stopped the check.
	Checked bool
	// Fits reports whether every pod has a place at desiredCapacity.
	Fits bool
	// Problems are errors (the pods do not fit even at maxSize, or a pod
	// is larger than any node) and warnings (unknown instance types, pods
	// that only fit once an autoscaler grows the groups).
	Problems []Problem
}

// Errors are the problems that are not warnings.
func (r *FitResult) Errors() []Problem {
	var out []Problem
	for _, p := range r.Problems {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Fit checks that the spec's node groups hold every pod of the workload:
// the Milvus components (sized by the dataset or by hand), etcd, the
// message queue, the load balancer controller and the cluster's own pods
// (dependencies), on nodes whose allocatable is the instance's capacity
// less the kubelet and system reservations and the DaemonSets
// (Instance.Allocatable).
//
// Pods are placed in decreasing order of memory: first fit, except that a
// pod whose template keeps it apart from its siblings or spreads it
// (Placement) goes only where that allows, on the node with most room
// for it, as the scheduler's least-allocated scoring would; nodes sit in
// Workload.Zones zones round-robin per group. The check fails when some pod has no place with
// every group at maxSize, and warns when the pods only fit above
// desiredCapacity (they stay Pending until an autoscaler adds nodes, and
// milvusgen installs none). A pod larger than any node is reported against
// the instance type (or the volume size, for DISKANN's local disk). Every
// problem names the component and what is missing. Unknown instance types
// are warnings, and the check is then skipped.
func Fit(s *model.Spec) *FitResult {
	res := &FitResult{}
	w, err := NewWorkload(s)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Path: "milvus.dataset", Message: err.Error()})
		return res
	}
	res.Workload = w
	unknown := false
	for i, ng := range s.Cluster.NodeGroups {
		g := GroupFit{Name: ng.Name, InstanceType: ng.InstanceType, Nodes: ng.DesiredCapacity, MaxNodes: max(ng.NodeGroupMaxSize(), ng.DesiredCapacity), Labels: NodeLabels(ng)}
		inst, ok := LookupInstance(ng.InstanceType)
		if ok {
			g.Known = true
			g.Allocatable = inst.Allocatable(ng.VolumeSize)
			g.PodSlots = inst.PodSlots()
		} else {
			unknown = true
			res.Problems = append(res.Problems, Problem{
				Path:    fmt.Sprintf("cluster.nodeGroups.%d.instanceType", i),
				Message: fmt.Sprintf("milvusgen has no capacity figures for %s (it knows the %s families), so it cannot check that the node groups hold Milvus's pods (%s requested in all)", ng.InstanceType, KnownFamilies(), w.Total()),
				Warning: true,
			})
		}
		res.Groups = append(res.Groups, g)
	}
	if unknown || len(res.Groups) == 0 {
		return res
	}
	res.Checked = true
	if p := unselectable(w, res.Groups); len(p) > 0 {
		res.Problems = append(res.Problems, p...)
		return res
	}
	if p := tooLarge(s, w, res.Groups); len(p) > 0 {
		res.Problems = append(res.Problems, p...)
		return res
	}
	// The pod count is bounded before pods are listed one by one: a
	// replica count in the millions must not become a list of millions.
	n, slots := podCount(w.All()), 0
	for _, g := range res.Groups {
		slots += g.MaxNodes * g.PodSlots
	}
	if n > slots {
		res.Problems = append(res.Problems, Problem{
			Path: "cluster.nodeGroups.0.desiredCapacity",
			Message: fmt.Sprintf("the deployment runs %d pods (%s), more than the node groups take even at maxSize (%d: each node's pod limit less its DaemonSets)",
				n, largestCounts(w.All()), slots),
		})
		return res
	}
	at := func(maxSize bool, first int) []node {
		var nodes []node
		for i, g := range res.Groups {
			n := g.Nodes
			if maxSize {
				n = g.MaxNodes
			}
			if i == 0 && first > 0 {
				n = first
			}
			for j := range n {
				nodes = append(nodes, node{group: i, zone: j % w.Zones, free: g.Allocatable, slots: g.PodSlots, labels: g.Labels})
			}
		}
		return nodes
	}
	// Pods are placed by the rules their templates carry (Placement): a
	// component the nodes cannot keep apart is an error, never a quieter
	// template.
	pods := podList(w.All())
	desired := pack(at(false, 0), pods)
	if len(desired.unplaced) == 0 {
		res.Fits = true
		return res
	}
	grows := false
	for _, g := range res.Groups {
		grows = grows || g.MaxNodes > g.Nodes
	}
	fitsAtMax := grows && len(pack(at(true, 0), pods).unplaced) == 0
	need := 0
	for n := res.Groups[0].Nodes + lowerBound(desired, res.Groups[0]); n <= maxNodesPerNodeGroup; n++ {
		if len(pack(at(false, n), pods).unplaced) == 0 {
			need = n
			break
		}
	}
	msg := "the node groups cannot hold the deployment's pods: " + desired.describe(res.Groups, w)
	if hint := desired.placementHint(s, w); hint != "" {
		msg += "; " + hint
	}
	var fix string
	g0 := s.Cluster.NodeGroups[0]
	switch {
	case need == 0:
		fix = fmt.Sprintf("even %d nodes (the EKS limit per group) would not hold them; use a larger instance type", maxNodesPerNodeGroup)
	case need > g0.NodeGroupMaxSize():
		fix = fmt.Sprintf("set desiredCapacity (and maxSize) of %s to at least %d", g0.Name, need)
	default:
		fix = fmt.Sprintf("set desiredCapacity of %s to at least %d", g0.Name, need)
	}
	p := Problem{Path: "cluster.nodeGroups.0.desiredCapacity"}
	if fitsAtMax {
		p.Warning = true
		p.Message = msg + "; they fit at maxSize, but only once an autoscaler adds nodes (milvusgen installs none): " + fix
	} else {
		p.Message = msg + "; " + fix
	}
	res.Problems = append(res.Problems, p)
	return res
}

// tooLarge reports the components whose single pod fits on no node at
// all, in one problem: against the volume size when only DISKANN's local
// disk is short, else against the instance type, naming the smallest type
// of the same family that holds the largest of them.
func tooLarge(s *model.Spec, w *Workload, groups []GroupFit) []Problem {
	var big, diskBig []string
	var largest Resources
	var disk int64
	diskGroup := -1 // the first group whose nodes hold the pod but for its disk
	for _, c := range w.All() {
		if c.Replicas < 1 {
			continue
		}
		// Volume-bound: some group's nodes hold the pod's CPU and memory,
		// so its volumeSize, not its instance type, is the fix (issue 19
		// item 4: with two groups, one too small, the message named the
		// type the pod already fits).
		fitsSomewhere, diskOnly := false, -1
		for gi, g := range groups {
			if g.PodSlots > 0 && c.Pod.fits(g.Allocatable) {
				fitsSomewhere = true
				break
			}
			noDisk := c.Pod
			noDisk.Disk = 0
			if diskOnly < 0 && g.PodSlots > 0 && noDisk.fits(g.Allocatable) {
				diskOnly = gi
			}
		}
		switch {
		case fitsSomewhere:
		case diskOnly >= 0 && c.Pod.Disk > 0:
			diskBig = append(diskBig, c.Name)
			disk = max(disk, c.Pod.Disk)
			if diskGroup < 0 {
				diskGroup = diskOnly
			}
		default:
			big = append(big, fmt.Sprintf("%s (%s each)", c.Name, c.Pod))
			largest = Resources{max(largest.MilliCPU, c.Pod.MilliCPU), max(largest.Memory, c.Pod.Memory), max(largest.Disk, c.Pod.Disk)}
		}
	}
	offers := func(withDisk bool) string {
		var out []string
		for _, g := range groups {
			a := g.Allocatable
			if !withDisk {
				a.Disk = 0
			}
			out = append(out, fmt.Sprintf("%s (%s) has %s allocatable per node", g.Name, g.InstanceType, a))
		}
		return strings.Join(out, ", ")
	}
	var out []Problem
	ng := s.Cluster.NodeGroups[0]
	if len(big) > 0 {
		hint := "use a larger instance type"
		if t := smallestHolding(ng.InstanceType, ng.VolumeSize, largest); t != "" {
			hint = "use " + t + " or larger"
		}
		if largest.Disk > 0 {
			// DISKANN's index needs the disk too, whatever the type.
			if i, ok := LookupInstance(ng.InstanceType); !ok || i.Allocatable(ng.VolumeSize).Disk < largest.Disk {
				hint += fmt.Sprintf(", and set volumeSize to at least %d for the pods' local disk", volumeFor(largest.Disk))
			}
		}
		out = append(out, Problem{
			Path:    "cluster.nodeGroups.0.instanceType",
			Message: fmt.Sprintf("pods larger than any node: %s; %s; %s", strings.Join(big, ", "), offers(false), hint),
		})
	}
	if len(diskBig) > 0 {
		fix := fmt.Sprintf("set volumeSize to at least %d", volumeFor(disk))
		if len(groups) > 1 {
			fix = fmt.Sprintf("set volumeSize of %s to at least %d", groups[diskGroup].Name, volumeFor(disk))
		}
		out = append(out, Problem{
			Path: fmt.Sprintf("cluster.nodeGroups.%d.volumeSize", diskGroup),
			Message: fmt.Sprintf("%s pods need %s of local disk each (DISKANN keeps its index on the node), more than a node offers: %s; %s",
				strings.Join(diskBig, ", "), FormatBytes(disk), offers(true), fix),
		})
	}
	return out
}

// volumeFor is the root volume in GiB whose node-local allocatable holds
// disk: room for the OS and images, and the kubelet's 10% eviction margin.
func volumeFor(disk int64) int64 {
	need := (disk + osImagesDiskGiB*GiB) * 10 / 9
	return (need + GiB - 1) / GiB
}

// smallestHolding is the smallest instance type of the same family whose
// node holds the pod, or "".
func smallestHolding(instanceType string, volumeGiB int, pod Resources) string {
	fam, _, _ := strings.Cut(instanceType, ".")
	best := ""
	bestCPU := 0
	for _, f := range families {
		if f.name != fam {
			continue
		}
		for _, size := range f.sizes {
			i, _ := LookupInstance(f.name + "." + size)
			noDisk := pod
			noDisk.Disk = 0
			if noDisk.fits(i.Allocatable(volumeGiB)) && (best == "" || i.VCPU < bestCPU) {
				best, bestCPU = i.Type, i.VCPU
			}
		}
	}
	return best
}

func podCount(cs []Component) int {
	n := 0
	for _, c := range cs {
		n += max(c.Replicas, 0)
	}
	return n
}

// largestCounts names the three components with the most replicas.
func largestCounts(cs []Component) string {
	cs = append([]Component(nil), cs...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Replicas > cs[j].Replicas })
	var out []string
	for _, c := range cs[:min(3, len(cs))] {
		out = append(out, fmt.Sprintf("%s %d", c.Name, c.Replicas))
	}
	return strings.Join(out, ", ")
}

// pod is one pod to place.
type pod struct {
	component string
	placement Placement
	// selector: the nodeSelector its node's labels must match.
	selector map[string]string
	Resources
}

// podList expands components into pods, largest first: by memory, then
// CPU, then disk, then name, so placement is deterministic.
func podList(cs []Component) []pod {
	var out []pod
	for _, c := range cs {
		for range max(c.Replicas, 0) {
			out = append(out, pod{component: c.Name, placement: c.Placement, Resources: c.Pod, selector: c.NodeSelector})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Memory != b.Memory:
			return a.Memory > b.Memory
		case a.MilliCPU != b.MilliCPU:
			return a.MilliCPU > b.MilliCPU
		case a.Disk != b.Disk:
			return a.Disk > b.Disk
		}
		return a.component < b.component
	})
	return out
}

// node is one node's free resources during placement.
type node struct {
	group int
	// zone is the node's zone, 0 to Workload.Zones-1.
	zone  int
	free  Resources
	slots int
	// labels are the node's labels, for nodeSelectors.
	labels map[string]string
}

// placement is the result of pack.
type placement struct {
	nodes    []node
	unplaced []pod
}

// pack places the pods first-fit in the order given, each on the first
// node with room that its Placement allows, counting as the scheduler
// does: a spread's skew is over every node (or every zone with a node),
// full or not, so a pod whose least-loaded node or zone is full stays
// unplaced rather than pile onto another.
func pack(nodes []node, pods []pod) placement {
	pl := placement{nodes: nodes}
	zones := 0
	for _, n := range nodes {
		zones = max(zones, n.zone+1)
	}
	hasZone := make([]bool, zones)
	for _, n := range nodes {
		hasZone[n.zone] = true
	}
	// Per constrained component: pods on each node and in each zone.
	onNode := map[string][]int{}
	inZone := map[string][]int{}
	minOf := func(counts []int, use []bool) int {
		m := -1
		for i, c := range counts {
			if (use == nil || use[i]) && (m < 0 || c < m) {
				m = c
			}
		}
		return m
	}
	for _, p := range pods {
		rule := p.placement
		if rule.Any() && onNode[p.component] == nil {
			onNode[p.component] = make([]int, len(nodes))
			inZone[p.component] = make([]int, zones)
		}
		hosts, zs := onNode[p.component], inZone[p.component]
		// A spread counts only the nodes (and zones) its nodeSelector
		// selects (nodeAffinityPolicy: Honor, the default).
		eligible := make([]bool, len(pl.nodes))
		inUse := make([]bool, zones)
		for i, n := range pl.nodes {
			if selects(p.selector, n.labels) {
				eligible[i], inUse[n.zone] = true, hasZone[n.zone]
			}
		}
		minHost, minZone := 0, 0
		if rule.EvenHosts {
			minHost = minOf(hosts, eligible)
		}
		if rule.EvenZones {
			minZone = minOf(zs, inUse)
		}
		best, bestRoom := -1, int64(-1)
		for i := range pl.nodes {
			n := &pl.nodes[i]
			switch {
			case n.slots < 1 || !p.fits(n.free) || !eligible[i]:
				continue
			case rule.Apart && hosts[i] > 0:
				continue
			case rule.EvenHosts && hosts[i] > minHost:
				continue
			case rule.EvenZones && zs[n.zone] > minZone:
				continue
			}
			if !rule.Any() {
				best = i // first fit
				break
			}
			// A constrained pod goes where most such pods would still
			// fit, as the scheduler's least-allocated scoring spreads
			// them; first fit would stack the first replica of every
			// component on the first node.
			if room := p.room(n.free); room > bestRoom {
				best, bestRoom = i, room
			}
		}
		if best < 0 {
			pl.unplaced = append(pl.unplaced, p)
			continue
		}
		n := &pl.nodes[best]
		n.free = n.free.sub(p.Resources)
		n.slots--
		if rule.Any() {
			hosts[best]++
			zs[n.zone]++
		}
	}
	return pl
}

// placementHint says why unplaced pods with a Placement could not go on
// nodes that had room for them, and what else would do: quorum members
// need a node each, evenly spread Milvus replicas may be relaxed with
// milvus.spread: "preferred".
func (pl placement) placementHint(s *model.Spec, w *Workload) string {
	var apart, even []string
	seen := map[string]bool{}
	for _, p := range pl.unplaced {
		if seen[p.component] || !p.placement.Any() {
			continue
		}
		seen[p.component] = true
		if p.placement.Apart {
			apart = append(apart, p.component)
		} else {
			even = append(even, p.component)
		}
	}
	var out []string
	zones := fmt.Sprintf("spread evenly over the %d zones the nodes span", w.Zones)
	if len(apart) > 0 {
		out = append(out, fmt.Sprintf("%s keep each member on a node of its own (highAvailability), %s where the chart allows it", strings.Join(apart, ", "), zones))
	}
	if len(even) > 0 {
		out = append(out, fmt.Sprintf("%s spread evenly over nodes and zones (milvus.spread: %q puts up to one more replica on a node than on any other, and the same per zone; %q lets them share nodes that have room)",
			strings.Join(even, ", "), model.SpreadRequired, model.SpreadPreferred))
	}
	return strings.Join(out, "; ")
}

// lowerBound is how many more nodes of g the unplaced pods need at least:
// in each dimension, what they ask for beyond the free space left on the
// nodes, divided by one node's allocatable; at least one.
func lowerBound(pl placement, g GroupFit) int {
	var need Resources
	slots := int64(len(pl.unplaced))
	for _, p := range pl.unplaced {
		need = need.add(p.Resources)
	}
	for _, n := range pl.nodes {
		need = need.sub(n.free)
		slots -= int64(n.slots)
	}
	div := func(a, b int64) int {
		if a <= 0 || b <= 0 {
			return 0
		}
		return int((a + b - 1) / b)
	}
	return max(1, div(need.MilliCPU, g.Allocatable.MilliCPU), div(need.Memory, g.Allocatable.Memory),
		div(need.Disk, g.Allocatable.Disk), div(slots, int64(g.PodSlots)))
}

// describe says which components did not fit and what the node groups had
// left: "queryNode needs 12 × 8 CPU/32Gi and 9 of them do not fit;
// milvus-node-group (3 × m6i.4xlarge, 15.7 CPU/56.2Gi allocatable each) has
// 3 × 0.3 CPU/5.1Gi left after placing the other pods; …".
func (pl placement) describe(groups []GroupFit, w *Workload) string {
	missing := map[string]int{}
	var order []string
	for _, p := range pl.unplaced {
		if missing[p.component] == 0 {
			order = append(order, p.component)
		}
		missing[p.component]++
	}
	var parts []string
	for _, name := range order {
		c := componentNamed(w, name)
		verb := "do"
		if missing[name] == 1 {
			verb = "does"
		}
		parts = append(parts, fmt.Sprintf("%s needs %s and %d of them (%s) %s not fit", name, count(c.Replicas, c.Pod), missing[name], c.Pod.times(missing[name]), verb))
	}
	// Node-local disk only matters to DISKANN query nodes.
	disk := false
	for _, c := range w.All() {
		disk = disk || c.Pod.Disk > 0
	}
	show := func(r Resources) string {
		if !disk {
			r.Disk = 0
		}
		return r.String()
	}
	var offer Resources
	var left []string
	for gi, g := range groups {
		var nodesLeft []string
		seen := map[string]int{}
		for _, n := range pl.nodes {
			if n.group != gi {
				continue
			}
			offer = offer.add(g.Allocatable)
			s := show(n.free)
			if n.slots == 0 {
				s += " (no pod slots)"
			}
			if seen[s] == 0 {
				nodesLeft = append(nodesLeft, s)
			}
			seen[s]++
		}
		free := make([]string, len(nodesLeft))
		for i, s := range nodesLeft {
			free[i] = fmt.Sprintf("%d × %s", seen[s], s)
		}
		left = append(left, fmt.Sprintf("node group %s (%d × %s, %s allocatable each) has %s left after placing the other pods",
			g.Name, g.Nodes, g.InstanceType, show(g.Allocatable), strings.Join(free, ", ")))
	}
	return fmt.Sprintf("%s; %s; all pods request %s, the nodes offer %s",
		strings.Join(parts, ", "), strings.Join(left, "; "), show(w.Total()), show(offer))
}

func componentNamed(w *Workload, name string) Component {
	for _, c := range w.All() {
		if c.Name == name {
			return c
		}
	}
	return Component{Name: name}
}

// NodesNeeded is how many nodes of the instance type (with a root volume of
// volumeGiB) hold every pod of the workload on their own. It returns 0 when
// no number would (a pod larger than one node, or more nodes than EKS
// allows in a group), and known is false for an instance type milvusgen
// does not know.
func NodesNeeded(w *Workload, instanceType string, volumeGiB int) (n int, known bool) {
	inst, ok := LookupInstance(instanceType)
	if !ok {
		return 0, false
	}
	g := GroupFit{Allocatable: inst.Allocatable(volumeGiB), PodSlots: inst.PodSlots()}
	if g.PodSlots == 0 || podCount(w.All()) > maxNodesPerNodeGroup*g.PodSlots {
		return 0, true
	}
	pods := podList(w.All())
	for i, p := range pods {
		if !p.fits(g.Allocatable) {
			return 0, true
		}
		pods[i].selector = nil // one group of one type: every selector is its
	}
	for n := lowerBound(placement{unplaced: pods}, g); n <= maxNodesPerNodeGroup; n++ {
		nodes := make([]node, n)
		for i := range nodes {
			nodes[i] = node{zone: i % max(w.Zones, 1), free: g.Allocatable, slots: g.PodSlots}
		}
		if len(pack(nodes, pods).unplaced) == 0 {
			return n, true
		}
	}
	return 0, true
}
