package sizing

import (
	"testing"
)

func TestLookupInstance(t *testing.T) {
	cases := []struct {
		typ   string
		known bool
		want  Instance
	}{
		{"m6i.4xlarge", true, Instance{"m6i.4xlarge", 16, 64, 234}},
		{"m6i.large", true, Instance{"m6i.large", 2, 8, 29}},
		{"m6i.32xlarge", true, Instance{"m6i.32xlarge", 128, 512, 737}},
		{"m7i.48xlarge", true, Instance{"m7i.48xlarge", 192, 768, 737}},
		{"r6i.8xlarge", true, Instance{"r6i.8xlarge", 32, 256, 234}},
		{"r7i.16xlarge", true, Instance{"r7i.16xlarge", 64, 512, 737}},
		{"c6i.xlarge", true, Instance{"c6i.xlarge", 4, 8, 58}},
		{"c7i.12xlarge", true, Instance{"c7i.12xlarge", 48, 96, 234}},
		{"m6g.medium", true, Instance{"m6g.medium", 1, 4, 8}},
		{"m7g.2xlarge", true, Instance{"m7g.2xlarge", 8, 32, 58}},
		{"r6g.16xlarge", true, Instance{"r6g.16xlarge", 64, 512, 737}},
		{"r7g.large", true, Instance{"r7g.large", 2, 16, 29}},
		{"c6g.4xlarge", true, Instance{"c6g.4xlarge", 16, 32, 234}},
		{"c7g.8xlarge", true, Instance{"c7g.8xlarge", 32, 64, 234}},
		{"m6g.24xlarge", false, Instance{}}, // Graviton stops at 16xlarge
		{"m6i.48xlarge", false, Instance{}}, // only the 7th generation has 48xlarge
		{"m6i.metal", false, Instance{}},
		{"x2idn.16xlarge", false, Instance{}},
		{"m5.large", false, Instance{}},
	}
	for _, tc := range cases {
		got, ok := LookupInstance(tc.typ)
		if ok != tc.known || got != tc.want {
			t.Errorf("LookupInstance(%q) = %+v, %v; want %+v, %v", tc.typ, got, ok, tc.want, tc.known)
		}
	}
	// 6 Intel families × 9 sizes + 6 Graviton families × 8 sizes.
	if n := len(InstanceTypes()); n != 6*9+6*8 {
		t.Errorf("%d instance types, want %d", n, 6*9+6*8)
	}
}

// TestKubeReserved is the EKS AMI's CPU reservation: 6% of the first core,
// 1% of the second, 0.5% of the third and fourth, 0.25% of the rest.
func TestKubeReserved(t *testing.T) {
	cases := map[int]int64{1: 60, 2: 70, 4: 80, 8: 90, 16: 110, 48: 190, 192: 550}
	for vcpu, want := range cases {
		if got := kubeReservedMilliCPU(vcpu); got != want {
			t.Errorf("kubeReservedMilliCPU(%d) = %dm, want %dm", vcpu, got, want)
		}
	}
}

func TestAllocatable(t *testing.T) {
	reported := func(gib int64) int64 { f := 0.925; return int64(float64(gib*GiB) * f) }
	cases := []struct {
		typ    string
		volume int
		want   Resources
	}{
		// 16 vCPU - 110m reserved - 155m of DaemonSets; 64 GiB × 0.925 -
		// (255 + 11·234 + 100)Mi - 120Mi; 80 GiB - 20 GiB - 8 GiB.
		{"m6i.4xlarge", 80, Resources{
			MilliCPU: 16000 - 110 - 155,
			Memory:   reported(64) - (255+11*234+100+120)*MiB,
			Disk:     52 * GiB,
		}},
		{"m6g.medium", 20, Resources{
			MilliCPU: 1000 - 60 - 155,
			Memory:   reported(4) - (255+11*8+100+120)*MiB,
			Disk:     0, // a 20 GiB root volume leaves nothing for pods' local data
		}},
	}
	for _, tc := range cases {
		i, _ := LookupInstance(tc.typ)
		if got := i.Allocatable(tc.volume); got != tc.want {
			t.Errorf("%s allocatable = %v (%+v), want %v (%+v)", tc.typ, got, got, tc.want, tc.want)
		}
	}
	if i, _ := LookupInstance("m6g.medium"); i.PodSlots() != 5 {
		t.Errorf("m6g.medium takes %d pods besides the DaemonSets, want 8 - 3", i.PodSlots())
	}
}
