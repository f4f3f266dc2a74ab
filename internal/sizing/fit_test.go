package sizing

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

func ptr[T any](v T) *T { return &v }

// hundredM is the example dataset: 100M × 768-d under HNSW (M 30), which
// plans 12 query nodes of 8 CPU/32Gi and 211.9 CPU/729.1Gi in all.
func hundredM() *model.Dataset {
	return &model.Dataset{Vectors: 100e6, Dimension: 768, Index: model.Index{Type: HNSW, M: 30}, SegmentSizeMB: 1024, Replicas: 1}
}

func withGroups(s *model.Spec, groups ...model.NodeGroup) *model.Spec {
	for i := range groups {
		if groups[i].VolumeSize == 0 {
			groups[i].VolumeSize = 80
		}
		if groups[i].Name == "" {
			groups[i].Name = "milvus-node-group"
		}
	}
	s.Cluster.NodeGroups = groups
	return s
}

// noHA is the runbook without highAvailability: one mixcoord, and
// members and replicas free to share nodes.
func noHA() *model.Spec {
	s := modeltest.Runbook()
	s.Milvus.HighAvailability = false
	s.Milvus.MixCoordinator.Replicas = ptr(1)
	s.Milvus.InMemoryReplicas = 1
	return s
}

func sized(q model.Component) *model.Spec {
	s := modeltest.Runbook()
	s.Milvus.QueryNode = q
	return s
}

func resources(cpu, mem string) *model.Resources {
	return &model.Resources{Limits: &model.ResourceList{CPU: model.Quantity(cpu), Memory: model.Quantity(mem)}}
}

// TestFit is the node-fit table: specs with and without a dataset against
// node groups that hold them, do not, or only do at maxSize.
func TestFit(t *testing.T) {
	dataset := func(groups ...model.NodeGroup) *model.Spec {
		s := modeltest.Runbook()
		s.Milvus.Dataset = hundredM()
		return withGroups(s, groups...)
	}
	cases := []struct {
		name    string
		spec    *model.Spec
		fits    bool
		checked bool
		// want are substrings of "path: message" of each problem, in order;
		// a leading "warning " marks a warning.
		want []string
	}{
		{"runbook", modeltest.Runbook(), true, true, nil},
		{"example on 6 × m7i.12xlarge", dataset(model.NodeGroup{InstanceType: "m7i.12xlarge", DesiredCapacity: 6}), true, true, nil},
		{"example on 3 × m7i.12xlarge", dataset(model.NodeGroup{InstanceType: "m7i.12xlarge", DesiredCapacity: 3}), false, true, []string{
			"cluster.nodeGroups.0.desiredCapacity: the node groups cannot hold the deployment's pods: " +
				"queryNode needs 12 × 8 CPU/32Gi and 1 of them (8 CPU/32Gi) does not fit, " +
				"streamingNode needs 2 × 8 CPU/32Gi and 2 of them (16 CPU/64Gi) do not fit, " +
				"dataNode needs 8 × 8 CPU/16Gi and 8 of them (64 CPU/128Gi) do not fit; " +
				"node group milvus-node-group (3 × m7i.12xlarge, 47.7 CPU/174.6Gi allocatable each) has 1 × 5.9 CPU/5.8Gi, 2 × 6.6 CPU/6.5Gi left after placing the other pods; " +
				"all pods request 211.9 CPU/729.1Gi, the nodes offer 143 CPU/523.9Gi; " +
				"queryNode, streamingNode, dataNode spread evenly over nodes and zones",
			"; set desiredCapacity (and maxSize) of milvus-node-group to at least 6",
		}},
		{"fits only at maxSize", dataset(model.NodeGroup{InstanceType: "m7i.12xlarge", DesiredCapacity: 4, MaxSize: ptr(8)}), false, true, []string{
			"warning cluster.nodeGroups.0.desiredCapacity: the node groups cannot hold",
			"they fit at maxSize, but only once an autoscaler adds nodes (milvusgen installs none): set desiredCapacity of milvus-node-group to at least 6",
		}},
		{"not even at maxSize", dataset(model.NodeGroup{InstanceType: "m7i.12xlarge", DesiredCapacity: 3, MaxSize: ptr(5)}), false, true, []string{
			"set desiredCapacity (and maxSize) of milvus-node-group to at least 6",
		}},
		{"instance too small", dataset(model.NodeGroup{InstanceType: "m6i.large", DesiredCapacity: 40}), false, true, []string{
			"cluster.nodeGroups.0.instanceType: pods larger than any node: mixCoordinator (8 CPU/32Gi each), proxy (8 CPU/32Gi each), queryNode (8 CPU/32Gi each), dataNode (8 CPU/16Gi each), streamingNode (8 CPU/32Gi each), etcd (1 CPU/8Gi each); milvus-node-group (m6i.large) has 1.8 CPU/6.6Gi allocatable per node; use m6i.4xlarge or larger",
		}},
		{"unknown instance type", dataset(model.NodeGroup{InstanceType: "x2idn.16xlarge", DesiredCapacity: 3}), false, false, []string{
			"warning cluster.nodeGroups.0.instanceType: milvusgen has no capacity figures for x2idn.16xlarge (it knows the m6i/m7i/r6i/r7i/c6i/c7i/m6g/m7g/r6g/r7g/c6g/c7g families)",
		}},
		// Without a dataset the spec's own resources are checked: 4 query
		// nodes of 100Gi each fit r6i.4xlarge nodes (≈113Gi allocatable)
		// one per node, so three nodes hold three.
		{"hand-sized, no dataset", withGroups(sized(model.Component{Replicas: ptr(4), Resources: resources("4", "100Gi")}),
			model.NodeGroup{InstanceType: "r6i.4xlarge", DesiredCapacity: 3}), false, true, []string{
			"cluster.nodeGroups.0.desiredCapacity: the node groups cannot hold the deployment's pods: queryNode needs 4 × 4 CPU/100Gi and 1 of them (4 CPU/100Gi) does not fit; node group milvus-node-group (3 × r6i.4xlarge, ",
			"set desiredCapacity (and maxSize) of milvus-node-group to at least 4",
		}},
		{"hand-sized pod too big", sized(model.Component{Replicas: ptr(2), Resources: resources("4", "64Gi")}),
			false, true, []string{"cluster.nodeGroups.0.instanceType: pods larger than any node: queryNode (4 CPU/64Gi each); milvus-node-group (m6i.4xlarge) has 15.7 CPU/56.2Gi allocatable per node; use m6i.8xlarge or larger"}},
		// Requests are what the scheduler counts: 8 × 20Gi limits with 10Gi
		// requests fit where the limits would not.
		{"requests count", withGroups(sized(model.Component{Replicas: ptr(8), Resources: &model.Resources{
			Limits:   &model.ResourceList{CPU: "2", Memory: "20Gi"},
			Requests: &model.ResourceList{CPU: "1", Memory: "10Gi"},
		}}), model.NodeGroup{InstanceType: "m6i.4xlarge", DesiredCapacity: 3}), true, true, nil},
		// Three etcd members need three nodes under highAvailability.
		{"etcd on two nodes", withGroups(modeltest.Runbook(), model.NodeGroup{InstanceType: "m6i.4xlarge", DesiredCapacity: 2}), false, true, []string{
			"cluster.nodeGroups.0.desiredCapacity: the node groups cannot hold the deployment's pods: etcd needs 3 × 1 CPU/4Gi and 1 of them (1 CPU/4Gi) does not fit",
			"etcd keep each member on a node of its own (highAvailability)",
			"set desiredCapacity (and maxSize) of milvus-node-group to at least 3",
		}},
		// Pod slots: an m6g.medium takes 8 pods, 3 of them DaemonSets.
		{"pod slots", withGroups(noHA(), model.NodeGroup{InstanceType: "m6g.4xlarge", DesiredCapacity: 1}, model.NodeGroup{Name: "tiny", InstanceType: "m6g.medium", DesiredCapacity: 1}),
			true, true, nil},
		// Replica counts beyond any node count are refused before pods are
		// listed one by one.
		{"absurd replicas", sized(model.Component{Replicas: ptr(50_000_000), Resources: resources("1", "1Gi")}), false, true, []string{
			"cluster.nodeGroups.0.desiredCapacity: the deployment runs 50000021 pods (queryNode 50000000, flux 4, etcd 3), more than the node groups take even at maxSize (693: each node's pod limit less its DaemonSets)",
		}},
		// Two groups share the pods (nothing pins them to one), as evenly
		// as free room allows with spread "preferred".
		{"two groups", func() *model.Spec {
			s := dataset(
				model.NodeGroup{Name: "core", InstanceType: "m7i.8xlarge", DesiredCapacity: 4},
				model.NodeGroup{Name: "query", InstanceType: "r7i.8xlarge", DesiredCapacity: 5})
			s.Milvus.Spread = model.SpreadPreferred
			return s
		}(), true, true, nil},
		// With "required", a query node may not go to a node holding two
		// more than the fullest core node: the scheduler would leave it
		// Pending, and the check says so.
		{"two groups, spread required", dataset(
			model.NodeGroup{Name: "core", InstanceType: "m7i.8xlarge", DesiredCapacity: 4},
			model.NodeGroup{Name: "query", InstanceType: "r7i.8xlarge", DesiredCapacity: 5}), false, true, []string{
			"queryNode spread evenly over nodes and zones (milvus.spread: \"required\"",
			"\"preferred\" lets them share nodes that have room",
		}},
		// Kafka's brokers and zookeepers take room that Woodpecker, inside
		// the streaming nodes, does not.
		{"woodpecker on one node", withGroups(noHA(), model.NodeGroup{InstanceType: "m6i.2xlarge", DesiredCapacity: 1}), true, true, nil},
		{"kafka on one node", func() *model.Spec {
			s := withGroups(noHA(), model.NodeGroup{InstanceType: "m6i.2xlarge", DesiredCapacity: 1})
			s.Milvus.MessageQueue = model.Kafka
			return s
		}(), false, true, []string{"kafka-zookeeper needs 3 × 0.5 CPU/2Gi and 3 of them (1.5 CPU/6Gi) do not fit", "all pods request 13.4 CPU/47.1Gi, the nodes offer 7.8 CPU/28.5Gi", "to at least 2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Fit(tc.spec)
			if res.Fits != tc.fits || res.Checked != tc.checked {
				t.Errorf("fits %v, checked %v; want %v, %v", res.Fits, res.Checked, tc.fits, tc.checked)
			}
			var got []string
			for _, p := range res.Problems {
				s := p.String()
				if p.Warning {
					s = "warning " + s
				}
				got = append(got, s)
			}
			all := strings.Join(got, "\n")
			if len(tc.want) == 0 && len(got) > 0 {
				t.Errorf("unexpected problems:\n%s", all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems do not contain\n  %s\ngot:\n%s", w, all)
				}
			}
		})
	}
}

// TestFitDiskANNVolume: DISKANN keeps its graph and vectors on the query
// nodes' disks; a node volume too small for one query node's share is
// reported against volumeSize, with the size that would do.
func TestFitDiskANNVolume(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Dataset = &model.Dataset{Vectors: 1e9, Dimension: 768, Index: model.Index{Type: DiskANN, MaxDegree: 56}, Replicas: 1}
	withGroups(s, model.NodeGroup{InstanceType: "r7i.16xlarge", DesiredCapacity: 8})
	res := Fit(s)
	if len(res.Problems) != 1 {
		t.Fatalf("problems: %v", res.Problems)
	}
	p := res.Problems[0]
	// 822.6 GiB loading → 13 query nodes of 16c/64G; 3.0 TiB of local
	// disk → 236.1Gi each.
	want := "cluster.nodeGroups.0.volumeSize: queryNode pods need 236.1Gi of local disk each (DISKANN keeps its index on the node), more than a node offers: milvus-node-group (r7i.16xlarge) has 63.6 CPU/465.2Gi/52Gi disk allocatable per node; set volumeSize to at least 285"
	if p.String() != want || p.Warning {
		t.Errorf("got  %s\nwant %s", p, want)
	}
	s.Cluster.NodeGroups[0].VolumeSize = 600 // two query nodes' share per node
	if res := Fit(s); !res.Fits {
		t.Errorf("600 GiB volumes: %v", res.Problems)
	}
}

func TestNodesNeeded(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Dataset = hundredM()
	w, err := NewWorkload(s)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		typ   string
		n     int
		known bool
	}{
		{"m7i.12xlarge", 6, true},
		// Four nodes would sit 2, 1, 1 in three zones, and a zone of one
		// node cannot take a third of the query nodes beside the rest.
		{"m7i.16xlarge", 6, true},
		{"m6i.8xlarge", 9, true},
		{"r7i.8xlarge", 9, true}, // CPU-bound: memory-optimised nodes do not help
		{"m6i.4xlarge", 26, true},
		{"m6i.large", 0, true}, // no number holds an 8 CPU/32Gi pod
		{"x2idn.16xlarge", 0, false},
	}
	for _, tc := range cases {
		n, known := NodesNeeded(w, tc.typ, 80)
		if n != tc.n || known != tc.known {
			t.Errorf("NodesNeeded(%s) = %d, %v; want %d, %v", tc.typ, n, known, tc.n, tc.known)
		}
	}
	// The count it gives is one Fit accepts.
	for _, tc := range cases[:5] {
		withGroups(s, model.NodeGroup{InstanceType: tc.typ, DesiredCapacity: tc.n})
		if res := Fit(s); !res.Fits {
			t.Errorf("%d × %s: %v", tc.n, tc.typ, res.Problems)
		}
		s.Cluster.NodeGroups[0].DesiredCapacity = tc.n - 1
		if res := Fit(s); res.Fits {
			t.Errorf("%d × %s fit, one fewer than NodesNeeded", tc.n-1, tc.typ)
		}
	}
}

func TestDependencies(t *testing.T) {
	names := func(s *model.Spec) string {
		w, err := NewWorkload(s)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range w.Dependencies {
			out = append(out, c.Name+" "+count(c.Replicas, c.Pod))
		}
		return strings.Join(out, ", ")
	}
	system := "aws-load-balancer-controller 2 × 0.1 CPU/128Mi, coredns 2 × 0.1 CPU/70Mi, ebs-csi-controller 2 × 0.06 CPU/240Mi, flux 4 × 0.1 CPU/64Mi"
	s := modeltest.Runbook()
	if got, want := names(s), "etcd 3 × 1 CPU/4Gi, "+system; got != want {
		t.Errorf("woodpecker, no dataset:\n got %s\nwant %s", got, want)
	}
	s.Milvus.MessageQueue = model.Pulsar
	if got, want := names(s), "etcd 3 × 1 CPU/4Gi, pulsar-bookie 3 × 1 CPU/8Gi, pulsar-broker 2 × 1 CPU/4Gi, pulsar-proxy 2 × 0.5 CPU/4Gi, pulsar-recovery 2 × 0.1 CPU/128Mi, pulsar-zookeeper 3 × 0.5 CPU/2Gi, "+system; got != want {
		t.Errorf("pulsar, no dataset:\n got %s\nwant %s", got, want)
	}
	// Without highAvailability, the chart's one autorecovery pod.
	noHA := modeltest.Runbook()
	noHA.Milvus.MessageQueue, noHA.Milvus.HighAvailability = model.Pulsar, false
	if got, want := names(noHA), "pulsar-recovery 1 × 0.1 CPU/128Mi"; !strings.Contains(got, want) {
		t.Errorf("pulsar without highAvailability:\n got %s\nwant %s among them", got, want)
	}
	// From 100M × 768-d of raw data the tool sizes etcd and the queue up.
	s.Milvus.Dataset = hundredM()
	if got, want := names(s), "etcd 3 × 1 CPU/8Gi, pulsar-bookie 3 × 2 CPU/16Gi, pulsar-broker 2 × 2 CPU/8Gi, pulsar-proxy 2 × 1 CPU/4Gi, pulsar-recovery 2 × 0.1 CPU/128Mi, pulsar-zookeeper 3 × 0.5 CPU/4Gi, "+system; got != want {
		t.Errorf("pulsar, 100M × 768-d:\n got %s\nwant %s", got, want)
	}
	s.Milvus.MessageQueue = model.Kafka
	s.Milvus.Values = map[string]any{"etcd": map[string]any{"replicaCount": int64(5)}}
	if got, want := names(s), "etcd 5 × 1 CPU/8Gi, kafka 3 × 4 CPU/16Gi, kafka-zookeeper 3 × 0.5 CPU/4Gi, "+system; got != want {
		t.Errorf("kafka, 100M × 768-d, 5 etcd:\n got %s\nwant %s", got, want)
	}
	// An external Kafka (Amazon MSK) runs no pods in the cluster: no
	// brokers, no ZooKeeper, and so no quorum to keep apart.
	s.Milvus.MessageQueue = model.ExternalKafka
	s.Milvus.ExternalKafka = &model.KafkaCluster{Brokers: []string{"b-1.m.abc.c2.kafka.us-east-2.amazonaws.com:9096"}, SecurityProtocol: model.KafkaSASLSSL}
	if got, want := names(s), "etcd 5 × 1 CPU/8Gi, "+system; got != want {
		t.Errorf("external kafka, 100M × 768-d, 5 etcd:\n got %s\nwant %s", got, want)
	}
	for _, name := range []string{"kafka", "kafka-zookeeper"} {
		if _, ok := Dependency(s, name); ok {
			t.Errorf("external kafka: sizing budgets %s", name)
		}
	}
}
