package simcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/internal/zones"
)

// Well-known node labels.
const (
	ZoneLabel      = corev1.LabelTopologyZone
	HostnameLabel  = corev1.LabelHostname
	NodeGroupLabel = "eks.amazonaws.com/nodegroup"
)

// Node is one simulated node and what it offers.
type Node struct {
	Name, Group, Zone string
	// GroupZones are the zones of the node's group.
	GroupZones []string
	Labels     map[string]string
	Taints     []corev1.Taint
	// Capacity is the instance's; Allocatable what the kubelet reports
	// (capacity less its reservations), before the DaemonSets.
	Capacity, Allocatable corev1.ResourceList
}

// NodesFor lays out the nodes of the managed node groups of a defaulted
// ClusterConfig (consumer.Eksctl) at desiredCapacity: named
// <group>-<i>, in zones round-robin (each group's own availabilityZones
// when set, as its auto scaling group balances them), with the group's
// labels and taints and the instance type's resources.
func NodesFor(cfg *api.ClusterConfig) ([]Node, error) {
	clusterZones := zones.Of(cfg)
	var out []Node
	for _, ng := range cfg.ManagedNodeGroups {
		if ng.InstanceType == "" {
			return nil, fmt.Errorf("node group %s: no instanceType", ng.Name)
		}
		inst, ok := sizing.LookupInstance(ng.InstanceType)
		if !ok {
			return nil, fmt.Errorf("node group %s: no figures for instance type %s", ng.Name, ng.InstanceType)
		}
		n := 0
		if ng.ScalingConfig != nil && ng.DesiredCapacity != nil {
			n = *ng.DesiredCapacity
		}
		vol := 80
		if ng.VolumeSize != nil {
			vol = *ng.VolumeSize
		}
		gz := clusterZones
		if len(ng.AvailabilityZones) > 0 {
			gz = ng.AvailabilityZones
		}
		capacity, alloc := nodeResources(inst, vol)
		arch := "amd64"
		if strings.Contains(strings.SplitN(ng.InstanceType, ".", 2)[0], "g") {
			arch = "arm64" // Graviton families (m6g, c7g, ...)
		}
		for i := range n {
			name := fmt.Sprintf("%s-%d", ng.Name, i)
			zone := gz[i%len(gz)]
			labels := map[string]string{}
			for k, v := range ng.Labels {
				labels[k] = v
			}
			for k, v := range map[string]string{
				NodeGroupLabel:                   ng.Name,
				"eks.amazonaws.com/capacityType": "ON_DEMAND",
				corev1.LabelInstanceTypeStable:   ng.InstanceType,
				corev1.LabelTopologyRegion:       cfg.Metadata.Region,
				ZoneLabel:                        zone,
				HostnameLabel:                    name,
				corev1.LabelOSStable:             "linux",
				corev1.LabelArchStable:           arch,
				ManagedLabel:                     "true",
			} {
				labels[k] = v
			}
			var taints []corev1.Taint
			for _, t := range ng.Taints {
				taints = append(taints, corev1.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
			}
			out = append(out, Node{Name: name, Group: ng.Name, Zone: zone, GroupZones: gz, Labels: labels, Taints: taints, Capacity: capacity, Allocatable: alloc})
		}
	}
	return out, nil
}

// nodeResources is what a node of the instance type reports: the capacity
// of internal/sizing, and as allocatable what sizing's Allocatable leaves
// pods plus the DaemonSets it already took off (they run here as pods).
func nodeResources(inst sizing.Instance, volumeGiB int) (capacity, alloc corev1.ResourceList) {
	c := inst.Capacity(volumeGiB)
	a := inst.Allocatable(volumeGiB)
	for _, d := range sizing.DaemonSets {
		a.MilliCPU += d.Pod.MilliCPU
		a.Memory += d.Pod.Memory
	}
	pods := resource.NewQuantity(int64(inst.MaxPods), resource.DecimalSI)
	capacity = corev1.ResourceList{
		corev1.ResourceCPU:              *resource.NewMilliQuantity(c.MilliCPU, resource.DecimalSI),
		corev1.ResourceMemory:           *resource.NewQuantity(c.Memory, resource.BinarySI),
		corev1.ResourceEphemeralStorage: *resource.NewQuantity(c.Disk, resource.BinarySI),
		corev1.ResourcePods:             *pods,
	}
	alloc = corev1.ResourceList{
		corev1.ResourceCPU:              *resource.NewMilliQuantity(a.MilliCPU, resource.DecimalSI),
		corev1.ResourceMemory:           *resource.NewQuantity(a.Memory, resource.BinarySI),
		corev1.ResourceEphemeralStorage: *resource.NewQuantity(a.Disk, resource.BinarySI),
		corev1.ResourcePods:             *pods,
	}
	return capacity, alloc
}

// AddNodes creates the nodes and sets their capacity; kwok brings them up.
func (c *Cluster) AddNodes(nodes []Node) {
	c.t.Helper()
	ctx := c.ctx()
	for _, n := range nodes {
		c.remember(n)
		obj := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels},
			Spec:       corev1.NodeSpec{Taints: n.Taints},
		}
		if _, err := c.Client.CoreV1().Nodes().Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			c.t.Fatalf("creating node %s: %v", n.Name, err)
		}
		patch, _ := json.Marshal(map[string]any{"status": map[string]any{"capacity": n.Capacity, "allocatable": n.Allocatable}})
		if _, err := c.Client.CoreV1().Nodes().Patch(ctx, n.Name, types.MergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil {
			c.t.Fatalf("setting the capacity of node %s: %v", n.Name, err)
		}
	}
}

// AddOns creates stand-ins for the pods of the cluster that the fit check
// counts but milvusgen's tree does not install, with the fit check's
// requests: the DaemonSets of every node (sizing.DaemonSets) and the
// add-on and Flux Deployments among the workload's dependencies.
func (c *Cluster) AddOns(w *sizing.Workload) {
	c.t.Helper()
	ctx := c.ctx()
	ns := "kube-system"
	for _, d := range sizing.DaemonSets {
		c.check(c.Client.AppsV1().DaemonSets(ns).Create(ctx, &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Name: d.Name, Namespace: ns},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": d.Name}},
				Template: standIn(d, true),
			},
		}, metav1.CreateOptions{}))
	}
	addOns := map[string]string{"coredns": "kube-system", "ebs-csi-controller": "kube-system", "flux": "flux-system"}
	for _, d := range w.Dependencies {
		ns, ok := addOns[d.Name]
		if !ok {
			continue
		}
		c.namespace(ctx, ns)
		replicas := int32(d.Replicas)
		c.check(c.Client.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: d.Name, Namespace: ns},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": d.Name}},
				Template: standIn(d, false),
			},
		}, metav1.CreateOptions{}))
	}
}

// remember records a node's shape for ReplaceNodes: its group's zones and
// the next free index of the group's node names.
func (c *Cluster) remember(n Node) {
	if c.nodes == nil {
		c.nodes, c.next, c.zones = map[string]Node{}, map[string]int{}, map[string][]string{}
	}
	c.nodes[n.Name] = n
	var i int
	if _, err := fmt.Sscanf(strings.TrimPrefix(n.Name, n.Group+"-"), "%d", &i); err == nil && i >= c.next[n.Group] {
		c.next[n.Group] = i + 1
	}
	for _, z := range append(n.GroupZones, n.Zone) {
		if !slices.Contains(c.zones[n.Group], z) {
			c.zones[n.Group] = append(c.zones[n.Group], z)
		}
	}
}

// addOnLabel marks the add-on stand-ins' pods.
const addOnLabel = "sim.milvusgen.io/add-on"

// check fails the test on an error other than AlreadyExists.
func (c *Cluster) check(_ any, err error) {
	c.t.Helper()
	if err != nil && !apierrors.IsAlreadyExists(err) {
		c.t.Fatal(err)
	}
}

func standIn(d sizing.Component, daemon bool) corev1.PodTemplateSpec {
	req := corev1.ResourceList{}
	if d.Pod.MilliCPU > 0 {
		req[corev1.ResourceCPU] = *resource.NewMilliQuantity(d.Pod.MilliCPU, resource.DecimalSI)
	}
	if d.Pod.Memory > 0 {
		req[corev1.ResourceMemory] = *resource.NewQuantity(d.Pod.Memory, resource.BinarySI)
	}
	spec := corev1.PodSpec{
		Containers: []corev1.Container{{Name: d.Name, Image: "sim.invalid/" + d.Name, Resources: corev1.ResourceRequirements{Requests: req}}},
	}
	if daemon {
		// As the EKS add-ons' DaemonSets: on every node, whatever its taints.
		spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		spec.PriorityClassName = "system-node-critical"
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": d.Name, addOnLabel: "true"}}, Spec: spec}
}

// namespace creates a namespace unless it exists.
func (c *Cluster) namespace(ctx context.Context, name string) {
	c.t.Helper()
	_, err := c.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		c.t.Fatalf("creating namespace %s: %v", name, err)
	}
}

// NodeNames returns the names of the nodes, sorted.
func (c *Cluster) NodeNames() []string {
	c.t.Helper()
	list, err := c.Client.CoreV1().Nodes().List(c.ctx(), metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	var out []string
	for _, n := range list.Items {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out
}
