package spec

import (
	"strconv"
	"strings"
	"testing"

	"cuelang.org/go/cue/errors"
)

// dataset100M is the sizing example's dataset, one in-memory replica: 12 query nodes of
// 8 CPU/32Gi, 211.9 CPU/729.1Gi in all, which six m7i.12xlarge hold.
const dataset100M = "  dataset: {vectors: 100000000, dimension: 768, index: {type: HNSW, M: 30}, replicas: 1}\n"

func sizingSpec(nodeGroup, milvus string) string {
	return strings.Replace(base, "  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n  nodeGroups: ["+nodeGroup+"]\n", 1) +
		"milvus:\n" + milvus
}

func TestLoadSizing(t *testing.T) {
	cases := []struct {
		name, text string
		err, pos   string // error substring and its position
		warn       string // warning substring
	}{
		{"fits", sizingSpec("{name: ng, instanceType: m7i.12xlarge, desiredCapacity: 6}", dataset100M), "", "", ""},
		{"does not fit", sizingSpec("{name: ng, instanceType: m7i.12xlarge, desiredCapacity: 3}", dataset100M),
			"cluster.nodeGroups.0.desiredCapacity: the node groups cannot hold the deployment's pods: queryNode needs 12 × 8 CPU/32Gi and 1 of them (8 CPU/32Gi) does not fit", "spec.yaml:7:72", ""},
		{"fits at maxSize only", sizingSpec("{name: ng, instanceType: m7i.12xlarge, desiredCapacity: 4, maxSize: 8}", dataset100M),
			"", "", "cluster.nodeGroups.0.desiredCapacity: the node groups cannot hold the deployment's pods"},
		{"instance too small", sizingSpec("{name: ng, instanceType: m6i.2xlarge, desiredCapacity: 30}", dataset100M),
			"cluster.nodeGroups.0.instanceType: pods larger than any node: mixCoordinator (8 CPU/32Gi each)", "spec.yaml:7:41", ""},
		{"unknown instance type", sizingSpec("{name: ng, instanceType: x2idn.16xlarge, desiredCapacity: 3}", dataset100M),
			"", "", "cluster.nodeGroups.0.instanceType: milvusgen has no capacity figures for x2idn.16xlarge"},
		{"query nodes too small", sizingSpec("{name: ng, instanceType: m7i.12xlarge, desiredCapacity: 6}",
			dataset100M+"  queryNode: {replicas: 4, resources: {limits: {cpu: 8, memory: 16Gi}}}\n"),
			"milvus.queryNode.resources.limits.memory: 4 query nodes × 16Gi = 64Gi cannot load the dataset's 357Gi", "spec.yaml:12:65", ""},
		{"no dataset, explicit resources", sizingSpec("{name: ng, instanceType: r6i.4xlarge, desiredCapacity: 3}",
			"  queryNode: {replicas: 4, resources: {limits: {cpu: 4, memory: 100Gi}}}\n"),
			"queryNode needs 4 × 4 CPU/100Gi and 1 of them (4 CPU/100Gi) does not fit", "spec.yaml:7:71", ""},
		{"no dataset, pod larger than a node", base + "milvus: {queryNode: {replicas: 2, resources: {limits: {cpu: 4, memory: 64Gi}}}}\n",
			"cluster.nodeGroups.0.instanceType: pods larger than any node: queryNode (4 CPU/64Gi each); milvus-node-group (m6i.4xlarge) has 15.7 CPU/56.2Gi allocatable per node; use m6i.8xlarge or larger", "spec.yaml:6:3", ""},
		// A node group error is reported once, not again by the fit.
		{"node group error first", sizingSpec("{name: ng, instanceType: m7i.12xlarge, desiredCapacity: 0}", dataset100M),
			"cluster.nodeGroups.0.desiredCapacity: must be at least 1", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := load(t, "spec.yaml", tc.text)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error:\n%s", details(err))
				}
				var ws []string
				for _, w := range res.Warnings {
					ws = append(ws, errors.Details(w, nil))
				}
				got := strings.Join(ws, "\n")
				if (tc.warn == "") != (got == "") || !strings.Contains(got, tc.warn) {
					t.Errorf("warnings:\n%s\nwant: %q", got, tc.warn)
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

// TestLoadAppliesSizing: a valid spec comes back with the dataset's plan in
// the components the user did not size, so rendering sees it.
func TestLoadAppliesSizing(t *testing.T) {
	res, err := load(t, "spec.yaml", sizingSpec("{name: ng, instanceType: m7i.12xlarge, desiredCapacity: 9}",
		dataset100M+"  dataNode: {replicas: 10, resources: {limits: {cpu: 16, memory: 32Gi}}}\n"))
	if err != nil {
		t.Fatal(details(err))
	}
	m := res.Spec.Milvus
	for name, c := range map[string]struct {
		replicas  *int
		cpu, mem  string
		requested bool
	}{
		"queryNode":      {m.QueryNode.Replicas, string(m.QueryNode.Resources.Limits.CPU), string(m.QueryNode.Resources.Limits.Memory), m.QueryNode.Resources.Requests != nil},
		"streamingNode":  {m.StreamingNode.Replicas, string(m.StreamingNode.Resources.Limits.CPU), string(m.StreamingNode.Resources.Limits.Memory), m.StreamingNode.Resources.Requests != nil},
		"proxy":          {m.Proxy.Replicas, string(m.Proxy.Resources.Limits.CPU), string(m.Proxy.Resources.Limits.Memory), m.Proxy.Resources.Requests != nil},
		"dataNode (own)": {m.DataNode.Replicas, string(m.DataNode.Resources.Limits.CPU), string(m.DataNode.Resources.Limits.Memory), m.DataNode.Resources.Requests != nil},
	} {
		want := map[string]string{
			"queryNode":      "12 8 32Gi true",
			"streamingNode":  "2 8 32Gi true",
			"proxy":          "2 8 32Gi true",
			"dataNode (own)": "10 16 32Gi false",
		}[name]
		got := ""
		if c.replicas != nil {
			got = strings.Join([]string{strconv.Itoa(*c.replicas), c.cpu, c.mem}, " ")
		}
		if c.requested {
			got += " true"
		} else {
			got += " false"
		}
		if got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}
