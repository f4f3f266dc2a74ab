package sizing

import (
	"fmt"
	"math"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/zones"
)

// Workload is every pod of the deployment as the scheduler sees it.
type Workload struct {
	// Plan is the sizing tool's recommendation, nil without a dataset.
	Plan *Plan
	// Milvus are the five Milvus components as they will be deployed: the
	// spec's values where the user sized a component, the plan's elsewhere
	// (Apply's rules), the chart's default (one pod, no resources) where
	// neither says anything.
	Milvus []Component
	// Dependencies are the other pods: etcd, the message queue, the load
	// balancer controller, the cluster add-ons and Flux (dependencies).
	Dependencies []Component
	// Zones is how many zones the nodes spread over (internal/zones).
	// Each managed node group spreads its nodes over them, node i in zone
	// i mod Zones, as the Auto Scaling group balances them.
	Zones int
}

// All is the Milvus components followed by the dependencies.
func (w *Workload) All() []Component {
	return append(append([]Component(nil), w.Milvus...), w.Dependencies...)
}

// Component returns the Milvus component of that name.
func (w *Workload) Component(name string) Component {
	for _, c := range w.Milvus {
		if c.Name == name {
			return c
		}
	}
	return Component{Name: name}
}

// Total sums every pod's requests.
func (w *Workload) Total() Resources { return total(w.All()) }

// MilvusTotal sums the Milvus components' requests.
func (w *Workload) MilvusTotal() Resources { return total(w.Milvus) }

func total(cs []Component) Resources {
	var t Resources
	for _, c := range cs {
		t = t.add(c.Total())
	}
	return t
}

// NewWorkload derives the workload of a spec. It fails only when the
// dataset cannot be measured or the ClusterConfig the zones are read from
// cannot be rendered, which a spec that passed the schema cannot cause.
func NewWorkload(s *model.Spec) (*Workload, error) {
	zs, err := zones.OfSpec(s)
	if err != nil {
		return nil, err
	}
	w := &Workload{Zones: len(zs)}
	if s.Milvus.Dataset != nil {
		d := *s.Milvus.Dataset
		d.Replicas = s.LoadReplicas()
		p, err := NewPlan(d)
		if err != nil {
			return nil, err
		}
		w.Plan = p
	}
	for _, name := range Components(s) {
		c := deployed(s, name, w.Plan)
		c.NodeSelector, c.SelectorPath = nodeSelector(s, name, true)
		w.Milvus = append(w.Milvus, c)
	}
	w.Dependencies = dependencies(s, w.Plan)
	for i, c := range w.Dependencies {
		w.Dependencies[i].Placement = PlacementOf(s, c.Name)
		if block, ok := dependencyBlocks[c.Name]; ok {
			w.Dependencies[i].NodeSelector, w.Dependencies[i].SelectorPath = nodeSelector(s, block, false)
		}
	}
	return w, nil
}

// dependencyBlocks are the chart values blocks of the dependencies whose
// nodeSelector the raw-value allowlist lets through (internal/rawvalues),
// by component name, so the fit check places them where the chart will.
var dependencyBlocks = map[string]string{
	"etcd":             "etcd",
	"kafka":            "kafka",
	"kafka-zookeeper":  "kafka.zookeeper",
	"pulsar-zookeeper": "pulsarv3.zookeeper",
	"pulsar-bookie":    "pulsarv3.bookkeeper",
	"pulsar-broker":    "pulsarv3.broker",
	"pulsar-proxy":     "pulsarv3.proxy",
	"pulsar-recovery":  "pulsarv3.autorecovery",
}

// nodeSelector is milvus.values.<block>.nodeSelector, else (for Milvus's
// own components, which the chart's top-level nodeSelector reaches) the
// top-level one, and the spec path it is at. Tolerations only allow, and
// milvusgen renders no taints, so they restrict nothing here.
func nodeSelector(s *model.Spec, block string, chartWide bool) (map[string]string, string) {
	read := func(m map[string]any) map[string]string {
		sel, ok := m["nodeSelector"].(map[string]any)
		if !ok || len(sel) == 0 {
			return nil
		}
		out := map[string]string{}
		for k, v := range sel {
			out[k] = fmt.Sprint(v)
		}
		return out
	}
	b := s.Milvus.Values
	for _, k := range strings.Split(block, ".") {
		b, _ = b[k].(map[string]any)
	}
	if sel := read(b); sel != nil {
		return sel, "milvus.values." + block + ".nodeSelector"
	}
	if chartWide {
		if sel := read(s.Milvus.Values); sel != nil {
			return sel, "milvus.values.nodeSelector"
		}
	}
	return nil, ""
}

// specComponent returns the spec's block for a Milvus component.
func specComponent(s *model.Spec, name string) *model.Component {
	switch name {
	case MixCoordinator, "rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator":
		// Separate coordinators are sized like mixCoordinator.
		return &s.Milvus.MixCoordinator
	case Proxy:
		return &s.Milvus.Proxy
	case QueryNode:
		return &s.Milvus.QueryNode
	case DataNode:
		return &s.Milvus.DataNode
	case StreamingNode:
		return &s.Milvus.StreamingNode
	case IndexNode:
		return &s.Milvus.IndexNode
	}
	return nil
}

// HandSized reports whether the user set the component's resources. The
// schema gives the proxy resources by default (1 CPU / 2Gi, the runbook's);
// resources equal to that default count as unset, so a dataset sizes the
// proxies too.
func HandSized(name string, c model.Component) bool {
	if c.Resources == nil {
		return false
	}
	if name == Proxy {
		r := c.Resources
		if r.Requests == nil && r.Limits != nil && r.Limits.CPU == "1" && r.Limits.Memory == "2Gi" {
			return false
		}
	}
	return true
}

// deployed is one Milvus component after Apply's rules.
func deployed(s *model.Spec, name string, p *Plan) Component {
	c := *specComponent(s, name)
	out := Component{Name: name, Replicas: 1, Source: SourceChart}
	var pc Component
	if p != nil {
		pc = p.Component(planName(name))
		pc.Name = name
	}
	switch {
	case p != nil && !HandSized(name, c):
		out.Pod, out.Limit, out.Source = pc.Pod, pc.Limit, SourceDataset
	case c.Resources != nil:
		out.Pod, out.Limit = specResources(c.Resources)
		out.Source = SourceSpec
		if p != nil && out.Pod == pc.Pod && out.Limit == pc.Limit {
			// What Apply wrote on an earlier pass, or the same by hand.
			out.Source = SourceDataset
		}
	}
	switch {
	case IsCoordinator(name):
		out.Replicas = s.MixCoordinatorReplicas()
	case c.Replicas != nil:
		out.Replicas = *c.Replicas
	case p != nil && name == QueryNode && out.Source == SourceSpec && out.Limit.Memory > 0:
		// Hand-sized query nodes without a count: as many as the
		// loading memory needs.
		out.Replicas = int(max(1, (p.Footprint.Loading+out.Limit.Memory-1)/out.Limit.Memory))
	case p != nil:
		out.Replicas = pc.Replicas
	}
	if s.Milvus.HighAvailability && c.Replicas == nil && !IsCoordinator(name) {
		// mixCoordinator's HA count is model.Spec.MixCoordinatorReplicas.
		out.Replicas = max(out.Replicas, HAReplicas)
	}
	if name == QueryNode && c.Replicas == nil {
		// Milvus keeps each in-memory replica on query nodes of its own.
		out.Replicas = max(out.Replicas, s.LoadReplicas())
	}
	if n, ok := rawReplicas(s, name, "replicas"); ok && !IsCoordinator(name) {
		// Raw values are merged last, so the chart deploys their count.
		out.Replicas = n
	}
	out.Placement = PlacementOf(s, name)
	if p != nil && name == QueryNode && out.Replicas > 0 {
		// DISKANN's local disk is spread over the query nodes.
		out.Pod.Disk = (p.Footprint.LocalDisk + int64(out.Replicas) - 1) / int64(out.Replicas)
		out.Limit.Disk = out.Pod.Disk
	}
	return out
}

// specResources reads a resources block: per dimension, the request or the
// limit when no request is set (what the scheduler reserves), and the limit
// or the request when no limit is set (what the container may use).
// Quantities that do not parse count as unset; the spec's checks report
// them.
func specResources(r *model.Resources) (pod, limit Resources) {
	var lim, req model.ResourceList
	if r.Limits != nil {
		lim = *r.Limits
	}
	if r.Requests != nil {
		req = *r.Requests
	}
	pick := func(first, second model.Quantity, milli bool) int64 {
		for _, q := range []model.Quantity{first, second} {
			if v, ok := quantity(q, milli); ok {
				return v
			}
		}
		return 0
	}
	pod = Resources{MilliCPU: pick(req.CPU, lim.CPU, true), Memory: pick(req.Memory, lim.Memory, false)}
	limit = Resources{MilliCPU: pick(lim.CPU, req.CPU, true), Memory: pick(lim.Memory, req.Memory, false)}
	return pod, limit
}

func quantity(q model.Quantity, milli bool) (int64, bool) {
	if q == "" {
		return 0, false
	}
	v, err := resource.ParseQuantity(string(q))
	if err != nil || v.Sign() <= 0 {
		return 0, false
	}
	if milli {
		return v.MilliValue(), true
	}
	return v.Value(), true
}

// Apply writes the dataset's plan into the spec so the rendered Milvus
// values carry it, and returns the plan (nil without a dataset). For each
// Milvus component the user did not size (HandSized), resources become the
// plan's, with requests equal to limits: Guaranteed QoS, so the scheduler
// reserves what the sizing tool says the component needs and the query
// nodes holding loaded segments are the last pods evicted under pressure.
// Replica counts the spec leaves unset become the plan's; mixCoordinator's
// stays with highAvailability (model.Spec.MixCoordinatorReplicas), and a
// hand-sized query node without a count gets as many replicas as the
// loading memory needs. Apply is idempotent.
func Apply(s *model.Spec) (*Plan, error) {
	w, err := NewWorkload(s)
	if err != nil || w.Plan == nil {
		return nil, err
	}
	for _, d := range w.Milvus {
		c := specComponent(s, d.Name)
		if !HandSized(d.Name, *c) {
			c.Resources = modelResources(d.Limit)
		}
		if c.Replicas == nil && !IsCoordinator(d.Name) {
			n := d.Replicas
			c.Replicas = &n
		}
	}
	return w.Plan, nil
}

// modelResources is a Guaranteed resources block for r.
func modelResources(r Resources) *model.Resources {
	l := model.ResourceList{CPU: model.Quantity(FormatCPUQuantity(r.MilliCPU)), Memory: model.Quantity(FormatMemoryQuantity(r.Memory))}
	req := l
	return &model.Resources{Limits: &l, Requests: &req}
}

// FormatCPUQuantity writes millicores as a Kubernetes quantity ("8", "500m").
func FormatCPUQuantity(m int64) string {
	if m%1000 == 0 {
		return fmt.Sprint(m / 1000)
	}
	return fmt.Sprintf("%dm", m)
}

// FormatMemoryQuantity writes bytes as a Kubernetes quantity ("32Gi",
// "128Mi").
func FormatMemoryQuantity(b int64) string {
	switch {
	case b%GiB == 0:
		return fmt.Sprintf("%dGi", b/GiB)
	case b%MiB == 0:
		return fmt.Sprintf("%dMi", b/MiB)
	}
	return fmt.Sprint(b)
}

// large is the sizing tool's "$100M768D": raw data of 100M × 768-d float
// vectors, above which it sizes etcd and the message queue up.
const large = 100e6 * 768 * 4

// dependencies are the pods besides Milvus's own that share the node
// groups, with what milvusgen expects them to request. The charts set no
// resources for etcd, the queues or the load balancer controller, so these
// are estimates:
//
//   - etcd: the chart's 3 replicas (etcd.replicaCount in milvus.values
//     overrides it) at the sizing tool's 1c/4G, 1c/8G from 100M × 768-d of
//     raw data (dependencyCalculator);
//   - pulsar: bookie 1c/8G ×3, broker 1c/4G ×2, proxy 0.5c/4G ×2,
//     zookeeper 0.5c/2G ×3; from 100M × 768-d 2c/16G, 2c/8G, 1c/4G, 0.5c/4G
//     (dependencyCalculator); autorecovery at the Milvus chart's 0.1c/128Mi,
//     PulsarRecoveryReplicas of it;
//   - kafka: broker 2c/8G ×3, zookeeper 0.5c/2G ×3; from 100M × 768-d
//     4c/16G and 0.5c/4G (dependencyCalculator);
//   - the AWS Load Balancer Controller: loadBalancerController.replicas at
//     100m/128Mi, the chart's suggested resources (values.yaml);
//   - coredns 2 × 100m/70Mi and ebs-csi-controller 2 × 60m/240Mi (six
//     containers of 10m/40Mi), the EKS add-ons' requests;
//   - Flux's source, kustomize, helm and notification controllers, 100m/64Mi
//     each (flux install's requests), or with gitops.engine argocd Argo
//     CD's seven pods, which request nothing (ArgoCDPods).
//
// Woodpecker, the default queue, runs inside the streaming nodes.
func dependencies(s *model.Spec, p *Plan) []Component {
	big := p != nil && float64(p.Footprint.Raw) >= large
	est := func(name string, milli int64, mem int64, n int) Component {
		pod := Resources{MilliCPU: milli, Memory: mem}
		return Component{Name: name, Pod: pod, Limit: pod, Replicas: n, Source: SourceEstimate}
	}
	e := etcd(big)
	out := []Component{est("etcd", e.MilliCPU, e.Memory, EtcdReplicas(s))}
	switch s.Milvus.MessageQueue {
	case model.Pulsar:
		if big {
			out = append(out,
				est("pulsar-bookie", 2000, 16*GiB, 3), est("pulsar-broker", 2000, 8*GiB, 2),
				est("pulsar-proxy", 1000, 4*GiB, 2), est("pulsar-recovery", 100, 128*MiB, PulsarRecoveryReplicas(s)),
				est("pulsar-zookeeper", 500, 4*GiB, 3))
		} else {
			out = append(out,
				est("pulsar-bookie", 1000, 8*GiB, 3), est("pulsar-broker", 1000, 4*GiB, 2),
				est("pulsar-proxy", 500, 4*GiB, 2), est("pulsar-recovery", 100, 128*MiB, PulsarRecoveryReplicas(s)),
				est("pulsar-zookeeper", 500, 2*GiB, 3))
		}
	case model.Kafka:
		if big {
			out = append(out, est("kafka", 4000, 16*GiB, 3), est("kafka-zookeeper", 500, 4*GiB, 3))
		} else {
			out = append(out, est("kafka", 2000, 8*GiB, 3), est("kafka-zookeeper", 500, 2*GiB, 3))
		}
	}
	out = append(out,
		est(LBController, 100, 128*MiB, max(s.LoadBalancerController.Replicas, 1)),
		est("coredns", 100, 70*MiB, 2),
		est("ebs-csi-controller", 60, 240*MiB, 2),
	)
	if s.Backup != nil {
		// The CronJob's pod: one at a time (concurrencyPolicy Forbid).
		cpu, mem := resource.MustParse(model.BackupCPURequest), resource.MustParse(model.BackupMemoryRequest)
		out = append(out, est("milvus-backup", cpu.MilliValue(), mem.Value(), 1))
	}
	// The engine the tree is for runs in the cluster too (issue 19 item 4:
	// an Argo CD spec was sized with Flux's controllers).
	if s.UsesArgoCD() {
		return append(out, est("argocd", 0, 0, ArgoCDPods))
	}
	return append(out, est("flux", 100, 64*MiB, 4))
}

// PulsarRecoveryReplicas is how many Pulsar autorecovery pods s runs: the
// chart's 1, HAReplicas under highAvailability (render/values sets it).
// Autorecovery copies the entries a lost bookie held back to a second
// bookie; its instances elect one auditor through ZooKeeper and all
// replicate, so a second one on another node keeps that going when the
// node holding the first is lost with a bookie.
func PulsarRecoveryReplicas(s *model.Spec) int {
	if s.Milvus.HighAvailability {
		return HAReplicas
	}
	return 1
}

// ArgoCDPods are the pods of Argo CD's install.yaml, which bootstrap.sh
// applies: the application controller, ApplicationSet controller, Dex,
// notifications controller, Redis, repo server and API server, one each.
// The stock manifests request no resources, so they take pod slots only.
const ArgoCDPods = 7

// Etcd is what each etcd pod of s requests: the sizing tool's 1 CPU / 4Gi,
// 8Gi from 100M × 768-d of raw data. render/values sets it on the chart's
// etcd, so the fit check counts what the scheduler reserves.
func Etcd(s *model.Spec) Resources {
	big := false
	if s.Milvus.Dataset != nil {
		if p, err := NewPlan(*s.Milvus.Dataset); err == nil {
			big = float64(p.Footprint.Raw) >= large
		}
	}
	return etcd(big)
}

func etcd(big bool) Resources {
	if big {
		return Resources{MilliCPU: 1000, Memory: 8 * GiB}
	}
	return Resources{MilliCPU: 1000, Memory: 4 * GiB}
}

// EtcdReplicas is the chart's etcd.replicaCount (3) unless raw values set it.
func EtcdReplicas(s *model.Spec) int {
	if n, ok := rawReplicas(s, "etcd", "replicaCount"); ok {
		return n
	}
	return 3
}

// rawReplicas is milvus.values.<block>.<key> when it is a whole number.
func rawReplicas(s *model.Spec, block, key string) (int, bool) {
	if e, ok := s.Milvus.Values[block].(map[string]any); ok {
		switch n := e[key].(type) {
		case int:
			return n, true
		case int64:
			return int(n), true
		case float64:
			if n == math.Trunc(n) {
				return int(n), true
			}
		}
	}
	return 0, false
}
