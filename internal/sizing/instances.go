package sizing

import (
	"sort"
	"strings"
)

// Instance is an EC2 instance type as Kubernetes sees it.
type Instance struct {
	Type      string
	VCPU      int
	MemoryGiB int
	// MaxPods is the EKS AMI's pod limit for the type with the VPC CNI's
	// default secondary-IP mode (amazon-eks-ami eni-max-pods.txt).
	MaxPods int
}

// families are the EC2 families milvusgen knows, with GiB of memory per
// vCPU and the sizes each offers: general purpose (m, 4 GiB/vCPU), memory
// optimised (r, 8) and compute optimised (c, 2), Intel 6th/7th generation
// and their Graviton counterparts.
var families = []struct {
	name      string
	gibPerCPU int
	sizes     []string
}{
	{"m6i", 4, intel6}, {"m7i", 4, intel7},
	{"r6i", 8, intel6}, {"r7i", 8, intel7},
	{"c6i", 2, intel6}, {"c7i", 2, intel7},
	{"m6g", 4, graviton}, {"m7g", 4, graviton},
	{"r6g", 8, graviton}, {"r7g", 8, graviton},
	{"c6g", 2, graviton}, {"c7g", 2, graviton},
}

var (
	intel6   = []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"}
	intel7   = []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"}
	graviton = []string{"medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}
)

// sizeVCPU and sizeMaxPods are per size name; every family above follows
// them (EC2 instance type specifications; eni-max-pods.txt).
var (
	sizeVCPU = map[string]int{
		"medium": 1, "large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32,
		"12xlarge": 48, "16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192,
	}
	sizeMaxPods = map[string]int{
		"medium": 8, "large": 29, "xlarge": 58, "2xlarge": 58, "4xlarge": 234, "8xlarge": 234,
		"12xlarge": 234, "16xlarge": 737, "24xlarge": 737, "32xlarge": 737, "48xlarge": 737,
	}
)

var instances = func() map[string]Instance {
	m := map[string]Instance{}
	for _, f := range families {
		for _, size := range f.sizes {
			t := f.name + "." + size
			m[t] = Instance{Type: t, VCPU: sizeVCPU[size], MemoryGiB: sizeVCPU[size] * f.gibPerCPU, MaxPods: sizeMaxPods[size]}
		}
	}
	return m
}()

// LookupInstance returns the instance type's specification, if milvusgen
// knows it.
func LookupInstance(instanceType string) (Instance, bool) {
	i, ok := instances[instanceType]
	return i, ok
}

// InstanceTypes lists the known instance types, sorted.
func InstanceTypes() []string {
	out := make([]string, 0, len(instances))
	for t := range instances {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// KnownFamilies names the families of the table, for messages.
func KnownFamilies() string {
	names := make([]string, len(families))
	for i, f := range families {
		names[i] = f.name
	}
	return strings.Join(names, "/")
}

// What a node keeps for itself. The EKS AMI (amazon-eks-ami nodeadm,
// kubelet config) reserves for the kubelet and container runtime
// (kubeReserved) and evicts below memory.available 100Mi:
//
//	cpu     6% of the first core, 1% of the second, 0.5% of cores 3-4,
//	        0.25% of every core above 4
//	memory  255Mi + 11Mi × maxPods, plus the 100Mi eviction threshold
//
// The memory Kubernetes reports is also less than the instance's nominal
// GiB (firmware, kernel); milvusgen takes Karpenter's default allowance for
// that, 7.5% (VM_MEMORY_OVERHEAD_PERCENT 0.075). Node-local disk is the node
// group's root volume less 20 GiB for the OS and images and the kubelet's
// 10% nodefs eviction threshold.
const (
	vmMemoryOverhead   = 0.075
	kubeReservedBaseMi = 255
	kubeReservedPodMi  = 11
	evictionMemoryMi   = 100
	osImagesDiskGiB    = 20
	nodefsEviction     = 0.10
)

// DaemonSets are the pods every node runs, from the add-ons the rendered
// ClusterConfig installs, with their requests: vpc-cni's aws-node (25m),
// kube-proxy (100m) and the EBS CSI node plugin (three containers of
// 10m/40Mi each).
var DaemonSets = []Component{
	{Name: "aws-node", Pod: Resources{MilliCPU: 25}, Replicas: 1, Source: SourceEstimate},
	{Name: "kube-proxy", Pod: Resources{MilliCPU: 100}, Replicas: 1, Source: SourceEstimate},
	{Name: "ebs-csi-node", Pod: Resources{MilliCPU: 30, Memory: 120 * MiB}, Replicas: 1, Source: SourceEstimate},
}

// kubeReservedMilliCPU is the AMI's CPU reservation for vcpu cores.
func kubeReservedMilliCPU(vcpu int) int64 {
	var m float64
	steps := []struct {
		upTo  int
		share float64
	}{{1, 0.06}, {2, 0.01}, {4, 0.005}, {1 << 30, 0.0025}}
	prev := 0
	for _, s := range steps {
		if vcpu <= prev {
			break
		}
		cores := min(vcpu, s.upTo) - prev
		m += float64(cores) * 1000 * s.share
		prev = s.upTo
	}
	return int64(m + 0.5)
}

// Capacity is what the node offers before any reservation: its vCPUs, its
// memory as Kubernetes reports it (nominal less the VM overhead), and the
// root volume.
func (i Instance) Capacity(volumeGiB int) Resources {
	return Resources{
		MilliCPU: int64(i.VCPU) * 1000,
		Memory:   int64(float64(int64(i.MemoryGiB)*GiB) * (1 - vmMemoryOverhead)),
		Disk:     int64(volumeGiB) * GiB,
	}
}

// Reserved is what the kubelet, the runtime, eviction thresholds and the
// DaemonSets take from the capacity of one node.
func (i Instance) Reserved(volumeGiB int) Resources {
	r := Resources{
		MilliCPU: kubeReservedMilliCPU(i.VCPU),
		Memory:   int64(kubeReservedBaseMi+kubeReservedPodMi*i.MaxPods+evictionMemoryMi) * MiB,
		Disk:     osImagesDiskGiB*GiB + int64(float64(int64(volumeGiB)*GiB)*nodefsEviction),
	}
	for _, d := range DaemonSets {
		r = r.add(d.Pod)
	}
	return r
}

// Allocatable is what pods other than the DaemonSets can use on one node
// with a root volume of volumeGiB.
func (i Instance) Allocatable(volumeGiB int) Resources {
	a := i.Capacity(volumeGiB).sub(i.Reserved(volumeGiB))
	a.Disk = max(a.Disk, 0)
	return a
}

// PodSlots is how many pods besides the DaemonSets fit on one node.
func (i Instance) PodSlots() int { return max(i.MaxPods-len(DaemonSets), 0) }
