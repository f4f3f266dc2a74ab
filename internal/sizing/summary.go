package sizing

import (
	"github.com/milvusgen/milvusgen/internal/model"
)

// Summary is what `milvusgen size` prints: the dataset's footprint, every
// component's resources, the totals, and the nodes they need.
type Summary struct {
	// Dataset is nil when the spec has none.
	Dataset *DatasetSummary `json:"dataset,omitempty"`
	// Components are the Milvus components as they will be deployed.
	Components []ComponentSummary `json:"components"`
	// Dependencies are the other pods sharing the nodes (estimates).
	Dependencies []ComponentSummary `json:"dependencies"`
	MilvusTotal  Amount             `json:"milvusTotal"`
	Total        Amount             `json:"total"`
	// Nodes is the first node group's instance type and how many of them
	// hold every pod.
	Nodes NodesSummary `json:"nodes"`
	// Fits reports whether the node groups hold every pod at
	// desiredCapacity; Checked is false when an unknown instance type
	// stopped the check.
	Checked  bool     `json:"checked"`
	Fits     bool     `json:"fits"`
	Problems []string `json:"problems,omitempty"`
}

// DatasetSummary is the dataset and its footprint.
type DatasetSummary struct {
	Description string `json:"description"`
	Footprint
}

// Amount is CPU and memory (and node-local disk, when any). In JSON, CPU
// is in cores and every size in bytes, like the dataset's footprint: one
// unit per dimension, so scripts compare numbers without parsing "Gi" or
// "Mi". Memory and Disk are the same sizes as Kubernetes quantities, for
// the text table.
type Amount struct {
	CPU         float64 `json:"cpu"`
	Memory      string  `json:"-"`
	MemoryBytes int64   `json:"memoryBytes"`
	Disk        string  `json:"-"`
	DiskBytes   int64   `json:"localDiskBytes,omitempty"`
}

func amount(r Resources) Amount {
	a := Amount{CPU: float64(r.MilliCPU) / 1000, Memory: FormatMemoryQuantity(r.Memory), MemoryBytes: r.Memory}
	if r.Disk > 0 {
		a.Disk, a.DiskBytes = FormatMemoryQuantity(r.Disk), r.Disk
	}
	return a
}

// ComponentSummary is one component's row.
type ComponentSummary struct {
	Name     string `json:"name"`
	PerPod   Amount `json:"perPod"`
	Replicas int    `json:"replicas"`
	Total    Amount `json:"total"`
	Source   string `json:"source"`
}

func rows(cs []Component) []ComponentSummary {
	out := make([]ComponentSummary, len(cs))
	for i, c := range cs {
		out[i] = ComponentSummary{Name: c.Name, PerPod: amount(c.Pod), Replicas: c.Replicas, Total: amount(c.Total()), Source: c.Source}
	}
	return out
}

// NodesSummary is how many nodes of the first node group's instance type
// hold every pod, with room for the kubelet, system reservations,
// DaemonSets and the cluster's own pods.
type NodesSummary struct {
	NodeGroup    string `json:"nodeGroup"`
	InstanceType string `json:"instanceType"`
	// Known is false when milvusgen has no figures for the type.
	Known bool `json:"known"`
	// Allocatable is one node's room for pods.
	Allocatable Amount `json:"allocatable"`
	// Needed is the node count that holds every pod, 0 when none does.
	Needed int `json:"needed"`
	// DesiredCapacity and MaxSize are the group's.
	DesiredCapacity int `json:"desiredCapacity"`
	MaxSize         int `json:"maxSize"`
	// OtherGroups is how many other node groups there are; Needed then
	// counts the first group's nodes with them at desiredCapacity.
	OtherGroups int `json:"otherGroups,omitempty"`
}

// firstGroupNeeded is how many nodes of the first group hold every pod
// with the other groups at desiredCapacity, placed as Fit places them;
// 0 when no count up to the EKS limit does.
func firstGroupNeeded(fit *FitResult, w *Workload) int {
	pods := podList(w.All())
	for n := 1; n <= maxNodesPerNodeGroup; n++ {
		var nodes []node
		for i, g := range fit.Groups {
			count := g.Nodes
			if i == 0 {
				count = n
			}
			for j := range count {
				nodes = append(nodes, node{group: i, zone: j % max(w.Zones, 1), free: g.Allocatable, slots: g.PodSlots, labels: g.Labels})
			}
		}
		if len(pack(nodes, pods).unplaced) == 0 {
			return n
		}
	}
	return 0
}

// Summarize sizes a spec for `milvusgen size`. It does not change the
// spec; a spec returned by spec.Load already carries Apply's values.
func Summarize(s *model.Spec) (*Summary, error) {
	fit := Fit(s)
	w := fit.Workload
	if w == nil {
		var err error
		if w, err = NewWorkload(s); err != nil {
			return nil, err
		}
	}
	sum := &Summary{
		Components:   rows(w.Milvus),
		Dependencies: rows(w.Dependencies),
		MilvusTotal:  amount(w.MilvusTotal()),
		Total:        amount(w.Total()),
		Checked:      fit.Checked,
		Fits:         fit.Fits,
	}
	if p := w.Plan; p != nil {
		sum.Dataset = &DatasetSummary{Description: Describe(p.Dataset), Footprint: p.Footprint}
	}
	for _, p := range fit.Problems {
		sum.Problems = append(sum.Problems, p.String())
	}
	if len(s.Cluster.NodeGroups) > 0 {
		ng := s.Cluster.NodeGroups[0]
		n := NodesSummary{NodeGroup: ng.Name, InstanceType: ng.InstanceType, DesiredCapacity: ng.DesiredCapacity, MaxSize: ng.NodeGroupMaxSize()}
		if inst, ok := LookupInstance(ng.InstanceType); ok {
			n.Known = true
			a := inst.Allocatable(ng.VolumeSize)
			if w.Total().Disk == 0 {
				a.Disk = 0 // only DISKANN query nodes use node-local disk
			}
			n.Allocatable = amount(a)
			if len(s.Cluster.NodeGroups) > 1 && fit.Checked {
				// One count for the whole cluster (issue 19 item 4): the
				// first group's nodes beside the others at desiredCapacity,
				// as the fit check counts them, not the first group alone.
				n.OtherGroups = len(s.Cluster.NodeGroups) - 1
				n.Needed = firstGroupNeeded(fit, w)
			} else {
				n.Needed, _ = NodesNeeded(w, ng.InstanceType, ng.VolumeSize)
			}
		}
		sum.Nodes = n
	}
	return sum, nil
}
