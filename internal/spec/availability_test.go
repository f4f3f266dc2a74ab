package spec

import (
	"strings"
	"testing"

	"cuelang.org/go/cue/errors"
)

// TestLoadAvailability: what highAvailability refuses, each at the field
// to change, and the in-memory replicas' defaults.
func TestLoadAvailability(t *testing.T) {
	cases := []struct {
		name, text string
		err, pos   string
	}{
		{"one LB controller replica", base + "loadBalancerController: {replicas: 1}\n",
			"loadBalancerController.replicas: highAvailability needs at least 2 load balancer controller replicas", "spec.yaml:9:36"},
		{"one LB controller replica without HA", base + "loadBalancerController: {replicas: 1}\nmilvus: {highAvailability: false}\n", "", ""},
		{"more replicas than query nodes", base + "milvus: {inMemoryReplicas: 3, queryNode: {replicas: 2}}\n",
			"milvus.inMemoryReplicas: 3 in-memory replicas need at least 3 query nodes (Milvus keeps each replica on query nodes of its own), and the deployment runs 2", "spec.yaml:9:28"},
		{"dataset and field disagree", base + "milvus: {inMemoryReplicas: 2, dataset: {vectors: 1000000, dimension: 128, replicas: 3}}\n",
			"milvus.dataset.replicas: conflicting values 2 and 3", "spec.yaml:9:28"},
		{"three etcd members on two nodes", strings.Replace(base, "  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n  nodeGroups: [{desiredCapacity: 2}]\n", 1),
			"cluster.nodeGroups.0.desiredCapacity: the node groups cannot hold the deployment's pods: etcd needs 3 × 1 CPU/4Gi and 1 of them (1 CPU/4Gi) does not fit", "spec.yaml:7:34"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "spec.yaml", tc.text)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error:\n%s", details(err))
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tc.err)
			}
			got := details(err)
			if !strings.Contains(got, tc.err) {
				t.Errorf("error does not contain %q:\n%s", tc.err, got)
			}
			if tc.pos != "" && !strings.Contains(got, " "+tc.pos+"\n") {
				t.Errorf("error is not positioned at %s:\n%s", tc.pos, got)
			}
			if n := len(errors.Errors(err)); n != 1 {
				t.Errorf("%d errors, want 1:\n%s", n, got)
			}
		})
	}
}

// TestLoadInMemoryReplicasDefaults: two in-memory replicas under
// highAvailability, one without, and dataset.replicas follows the field.
func TestLoadInMemoryReplicasDefaults(t *testing.T) {
	for name, tc := range map[string]struct {
		text    string
		want    int
		dataset int
	}{
		"highAvailability": {base, 2, 0},
		"without":          {base + "milvus: {highAvailability: false}\n", 1, 0},
		"dataset":          {base + "milvus: {dataset: {vectors: 1000000, dimension: 128}}\n", 2, 2},
		"dataset sets it":  {base + "milvus: {dataset: {vectors: 1000000, dimension: 128, replicas: 3}}\n", 2, 3},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := load(t, "spec.yaml", tc.text)
			if err != nil {
				t.Fatal(details(err))
			}
			m := res.Spec.Milvus
			if m.Dataset != nil && m.Dataset.Replicas != tc.dataset {
				t.Errorf("dataset.replicas = %d, want %d", m.Dataset.Replicas, tc.dataset)
			}
			want := tc.want
			if tc.dataset > 0 {
				want = tc.dataset
			}
			if got := res.Spec.LoadReplicas(); got != want {
				t.Errorf("LoadReplicas = %d, want %d", got, want)
			}
		})
	}
}
