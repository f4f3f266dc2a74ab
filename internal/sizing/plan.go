package sizing

import (
	"math"
	"slices"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// Milvus component names, as the spec (milvus.<name>) and the chart's
// values spell them.
const (
	MixCoordinator = "mixCoordinator"
	Proxy          = "proxy"
	QueryNode      = "queryNode"
	DataNode       = "dataNode"
	StreamingNode  = "streamingNode"
	// IndexNode builds indexes in Milvus 2.5 (charts 4.2.x).
	IndexNode = "indexNode"
)

// Coordinators are the separate coordinators of Milvus 2.5 (charts 4.2.x
// with milvus.coordinators: separate), each sized and counted like
// mixCoordinator.
var Coordinators = []string{"rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator"}

// IsCoordinator reports mixCoordinator or a separate coordinator: active
// standby, replicas from model.Spec.MixCoordinatorReplicas.
func IsCoordinator(name string) bool {
	return name == MixCoordinator || slices.Contains(Coordinators, name)
}

// planName is the sizing tool's component whose figures a component gets:
// a coordinator mixCoordinator's; 2.5's index nodes the data nodes' (2.6
// moved index building into them, and the tool's data node figures carry
// it).
func planName(name string) string {
	switch {
	case IsCoordinator(name):
		return MixCoordinator
	case name == IndexNode:
		return DataNode
	}
	return name
}

// MilvusComponents are the Milvus Deployments milvusgen sizes on chart
// 5.x, in the order tables list them; Components gives the pinned chart's.
var MilvusComponents = []string{MixCoordinator, Proxy, QueryNode, DataNode, StreamingNode}

// Components are the Milvus Deployments the spec's chart runs, in the
// order tables list them: mixCoordinator or the separate coordinators,
// then the chart's components (internal/versions).
func Components(s *model.Spec) []string {
	c, ok := versions.Lookup(s.Milvus.ChartVersion)
	if !ok {
		return MilvusComponents
	}
	out := []string{MixCoordinator}
	if s.Milvus.Coordinators == model.CoordinatorsSeparate {
		out = slices.Clone(Coordinators)
	}
	for _, name := range MilvusComponents[1:] {
		if c.Has(name) {
			out = append(out, name)
		}
	}
	if c.Has(IndexNode) {
		out = append(out, IndexNode)
	}
	return out
}

// Resources are what one pod asks of a node.
type Resources struct {
	MilliCPU int64 // CPU in thousandths of a core
	Memory   int64 // bytes
	Disk     int64 // bytes of node-local disk (a DISKANN query node's share)
}

func (r Resources) add(o Resources) Resources {
	return Resources{r.MilliCPU + o.MilliCPU, r.Memory + o.Memory, r.Disk + o.Disk}
}

func (r Resources) sub(o Resources) Resources {
	return Resources{r.MilliCPU - o.MilliCPU, r.Memory - o.Memory, r.Disk - o.Disk}
}

func (r Resources) times(n int) Resources {
	k := int64(n)
	return Resources{r.MilliCPU * k, r.Memory * k, r.Disk * k}
}

// fits reports whether r fits into free in every dimension.
func (r Resources) fits(free Resources) bool {
	return r.MilliCPU <= free.MilliCPU && r.Memory <= free.Memory && r.Disk <= free.Disk
}

// room is how many pods of r's size fit into free, counting every
// dimension r asks for.
func (r Resources) room(free Resources) int64 {
	n := int64(math.MaxInt64)
	for _, d := range [][2]int64{{r.MilliCPU, free.MilliCPU}, {r.Memory, free.Memory}, {r.Disk, free.Disk}} {
		if d[0] > 0 {
			n = min(n, d[1]/d[0])
		}
	}
	return n
}

// IsZero reports whether the pod asks for nothing (a BestEffort pod).
func (r Resources) IsZero() bool { return r == Resources{} }

// Component is one workload: replicas of identical pods.
type Component struct {
	// Name is the spec's name for it ("queryNode") or the dependency's
	// ("etcd", "coredns").
	Name string
	// Pod is what each replica asks the scheduler for: requests, or limits
	// where no request is set (Kubernetes's defaulting).
	Pod Resources
	// Limit is each replica's memory limit (or request when there is no
	// limit): what a query node can actually load.
	Limit Resources
	// Replicas is the number of pods.
	Replicas int
	// Placement is how its pods must be placed relative to each other
	// (PlacementOf); the fit check honours it.
	Placement Placement
	// Source says where the numbers come from: SourceDataset, SourceSpec,
	// SourceChart or SourceEstimate.
	Source string
	// NodeSelector is the component's nodeSelector from milvus.values
	// (values.<component>.nodeSelector, else the chart-wide
	// values.nodeSelector); the fit check places its pods only on node
	// groups whose labels match it. SelectorPath is where it is set.
	NodeSelector map[string]string
	SelectorPath string
}

// Sources of a component's numbers.
const (
	SourceDataset  = "dataset"  // the sizing tool's table for the spec's dataset
	SourceSpec     = "spec"     // set in the spec
	SourceChart    = "chart"    // the chart's default (no resources)
	SourceEstimate = "estimate" // what milvusgen expects the pod to need (see dependencies)
)

// Total is Pod × Replicas.
func (c Component) Total() Resources { return c.Pod.times(c.Replicas) }

// Plan is the sizing tool's recommendation for a dataset.
type Plan struct {
	Dataset   model.Dataset
	Footprint Footprint
	// Components are the five Milvus components in MilvusComponents order,
	// with the tool's cpu, memory and count; requests equal limits.
	Components []Component
}

// Component returns the plan's component of that name.
func (p *Plan) Component(name string) Component {
	for _, c := range p.Components {
		if c.Name == name {
			return c
		}
	}
	return Component{Name: name}
}

// tier is one row of the tool's cluster table: cores and GiB per pod.
type tier struct {
	cpu, mem int64
	count    int
}

func (t tier) component(name string) Component {
	pod := Resources{MilliCPU: t.cpu * 1000, Memory: t.mem * GiB}
	return Component{Name: name, Pod: pod, Limit: pod, Replicas: t.count, Source: SourceDataset}
}

// band is one row of clusterNodesConfigCalculator, for loading memory in
// [lo, hi) GiB.
type band struct {
	lo, hi                  float64
	query, proxy, mix, data tier
	// qnCores is what the row passes to streamNodeConfigCalculator.
	qnCores int64
}

// fixedBands are generateFixedQueryNodeConfig's rows below 96 GiB.
var fixedBands = []band{
	{0, 8, tier{2, 8, 1}, tier{1, 4, 1}, tier{1, 4, 1}, tier{2, 8, 1}, 2},
	{8, 16, tier{4, 16, 1}, tier{2, 8, 1}, tier{2, 8, 1}, tier{4, 16, 1}, 4},
	{16, 32, tier{4, 16, 2}, tier{2, 8, 1}, tier{2, 8, 1}, tier{4, 16, 2}, 8},
	{32, 48, tier{4, 16, 3}, tier{2, 8, 1}, tier{2, 8, 1}, tier{4, 16, 2}, 12},
	{48, 64, tier{4, 16, 4}, tier{2, 8, 1}, tier{2, 8, 1}, tier{4, 16, 2}, 16},
	{64, 80, tier{4, 16, 5}, tier{2, 8, 1}, tier{2, 8, 1}, tier{4, 16, 4}, 20},
	{80, 96, tier{4, 16, 6}, tier{2, 8, 1}, tier{2, 8, 1}, tier{4, 16, 4}, 24},
}

// largeTiers are the tool's rows from 96 GiB: a query node size, with the
// count ceil(GiB / its memory) (clusterNodesConfigCalculator).
var largeTiers = []struct {
	lo       float64
	cpu, mem int64
}{
	{2048, 32, 128},
	{512, 16, 64},
	{96, 8, 32},
}

// Above 96 GiB the other components stay the same (basicLargeNodeConfig).
var (
	largeProxy = tier{8, 32, 1}
	largeMix   = tier{8, 32, 1}
	largeData  = tier{8, 16, 8}
)

// streamingNode is streamNodeConfigCalculator: streaming nodes follow the
// query nodes' cores, one 2-core unit per 16 query node cores.
func streamingNode(qnCores int64) tier {
	units := (qnCores + 15) / 16
	switch {
	case units <= 1:
		return tier{2, 8, 1}
	case units == 2:
		return tier{4, 16, 1}
	case units <= 4:
		return tier{4, 16, 2}
	case units <= 8:
		return tier{8, 32, 2}
	}
	return tier{8, 32, int((units*2 + 7) / 8)}
}

// row is the tool's answer for one loading memory.
type row struct{ mix, proxy, query, data, streaming tier }

// clusterTable is clusterNodesConfigCalculator for loading memory in GiB:
// the band with lo <= mem < hi.
func clusterTable(mem float64) row {
	for _, b := range fixedBands {
		if b.lo <= mem && mem < b.hi {
			return row{b.mix, b.proxy, b.query, b.data, streamingNode(b.qnCores)}
		}
	}
	var q tier
	for _, t := range largeTiers {
		if mem >= t.lo {
			q = tier{t.cpu, t.mem, int(math.Ceil(mem / float64(t.mem)))}
			break
		}
	}
	return row{largeMix, largeProxy, q, largeData, streamingNode(q.cpu * int64(q.count))}
}

// NewPlan sizes the Milvus components for a dataset by the tool's cluster
// table (clusterNodesConfigCalculator), keyed by the loading memory of all
// replicas in GiB:
//
//	< 8      QN 2c/8G ×1, proxy 1c/4G, mixCoord 1c/4G, DN 2c/8G ×1
//	8–16     QN 4c/16G ×1, proxy 2c/8G, mixCoord 2c/8G, DN 4c/16G ×1
//	16–96    QN 4c/16G ×2…6 (one per 16 GiB band), DN 4c/16G ×2 or ×4
//	96–512   QN 8c/32G × ceil(GiB/32)
//	512–2048 QN 16c/64G × ceil(GiB/64)
//	≥ 2048   QN 32c/128G × ceil(GiB/128)
//	≥ 96     proxy 8c/32G, mixCoord 8c/32G, DN 8c/16G ×8
//
// and streaming nodes from the query nodes' cores (streamingNode). The tool
// emits one proxy and one mixCoord and no active standby; Apply keeps the
// spec's replica counts for those two (highAvailability runs two).
func NewPlan(d model.Dataset) (*Plan, error) {
	fp, err := Measure(d)
	if err != nil {
		return nil, err
	}
	t := clusterTable(gib(fp.Loading))
	return &Plan{
		Dataset:   d,
		Footprint: fp,
		Components: []Component{
			t.mix.component(MixCoordinator),
			t.proxy.component(Proxy),
			t.query.component(QueryNode),
			t.data.component(DataNode),
			t.streaming.component(StreamingNode),
		},
	}, nil
}
