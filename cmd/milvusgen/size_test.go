package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/golden"
)

const sizingExample = "../../examples/sizing/spec.cue"

// TestSizeText is the golden table for the sizing example: 100M × 768-d
// vectors under HNSW on six m7i.12xlarge nodes.
func TestSizeText(t *testing.T) {
	code, stdout, stderr := milvusgen(t, "size", today, "-f", sizingExample)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden.Assert(t, "testdata/size/sizing.txt", []byte(stdout))
	for _, line := range strings.Split(stdout, "\n") {
		if strings.TrimRight(line, " ") != line {
			t.Errorf("trailing blanks in %q", line)
		}
	}
}

func TestSizeJSON(t *testing.T) {
	code, stdout, stderr := milvusgen(t, "size", today, "--format", "json", "-f", sizingExample)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Dataset struct {
			Description  string `json:"description"`
			LoadingBytes int64  `json:"loadingBytes"`
		} `json:"dataset"`
		Components []struct {
			Name     string `json:"name"`
			Replicas int    `json:"replicas"`
			PerPod   struct {
				CPU         float64 `json:"cpu"`
				MemoryBytes int64   `json:"memoryBytes"`
			} `json:"perPod"`
			Source string `json:"source"`
		} `json:"components"`
		Total struct {
			CPU float64 `json:"cpu"`
		} `json:"total"`
		Nodes struct {
			InstanceType string `json:"instanceType"`
			Needed       int    `json:"needed"`
		} `json:"nodes"`
		Fits bool `json:"fits"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("size --format json is not JSON: %v\n%s", err, stdout)
	}
	if got.Dataset.Description != "100M × 768-d HNSW (M=30), 1 replica" || got.Dataset.LoadingBytes != 383349606196 {
		t.Errorf("dataset: %+v", got.Dataset)
	}
	if len(got.Components) != 5 {
		t.Fatalf("components: %+v", got.Components)
	}
	q := got.Components[2]
	if q.Name != "queryNode" || q.Replicas != 12 || q.PerPod.CPU != 8 || q.PerPod.MemoryBytes != 32<<30 || q.Source != "dataset" {
		t.Errorf("queryNode: %+v", q)
	}
	if got.Nodes.InstanceType != "m7i.12xlarge" || got.Nodes.Needed != 6 || !got.Fits {
		t.Errorf("nodes: %+v, fits %v", got.Nodes, got.Fits)
	}
	if got.Total.CPU < 211.8 || got.Total.CPU > 211.95 {
		t.Errorf("total cpu %v, want 211.9", got.Total.CPU)
	}
}

// TestSizeWithoutDataset: a spec without a dataset is sized as it is
// written; components it leaves to the chart have no resources.
func TestSizeWithoutDataset(t *testing.T) {
	code, stdout, stderr := milvusgen(t, "size", today, "-f", writeSpec(t, minimal))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Compare with the blanks squeezed; the golden test covers alignment.
	var lines []string
	for _, l := range strings.Split(stdout, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	out := strings.Join(lines, "\n")
	for _, want := range []string{
		"dataset none: resources as the spec sets them",
		"mixCoordinator - - 2 - - chart default (no resources)",
		"proxy 1 2Gi 2 2 4Gi spec",
		"queryNode - - 2 - - chart default (no resources)",
		"etcd 1 4Gi 3 3 12Gi estimate",
		"total 5.9 17.1Gi",
		// Three: highAvailability keeps etcd's three members apart.
		"nodes 3 × m6i.4xlarge hold every pod",
		"node group milvus-node-group: desiredCapacity 3, maxSize 3; the node groups hold every pod",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestSizeUnfit: a spec whose node group cannot hold its pods fails size and
// validate alike, with the problem at the node group's field.
func TestSizeUnfit(t *testing.T) {
	unfit := strings.Replace(minimal, "{name: milvus-eks-cluster}",
		"{name: milvus-eks-cluster, nodeGroups: [{name: small, instanceType: m7i.12xlarge, desiredCapacity: 3}]}", 1) +
		"milvus: {dataset: {vectors: 100000000, dimension: 768, replicas: 1}}\n"
	path := writeSpec(t, unfit)
	for _, cmd := range []string{"size", "validate"} {
		code, stdout, stderr := milvusgen(t, cmd, today, "-f", path)
		if code != exitFailure {
			t.Errorf("%s: exit %d, want %d\n%s", cmd, code, exitFailure, stdout)
		}
		for _, want := range []string{
			"spec is invalid (1 problem):",
			"cluster.nodeGroups.0.desiredCapacity: the node groups cannot hold the deployment's pods: queryNode needs 12 × 8 CPU/32Gi",
			"set desiredCapacity (and maxSize) of small to at least 6:",
			"spec.yaml:3:109",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", cmd, want, stderr)
			}
		}
	}
}

func TestSizeUsage(t *testing.T) {
	spec := writeSpec(t, minimal)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no spec", []string{"size"}, exitUsage, "no spec given"},
		{"bad format", []string{"size", "--format", "yaml", "-f", spec}, exitUsage, `size: --format "yaml": want text or json`},
		{"positional", []string{"size", spec}, exitUsage, "specs are passed with -f"},
	}
	for _, tc := range cases {
		code, _, stderr := milvusgen(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tc.name, code, stderr, tc.code, tc.want)
		}
	}
	code, stdout, _ := milvusgen(t, "size", "--help")
	if code != exitOK || !strings.Contains(stdout, "milvusgen size -f SPEC") || !strings.Contains(stdout, "--format") {
		t.Errorf("size --help: exit %d\n%s", code, stdout)
	}
}
