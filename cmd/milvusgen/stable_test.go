package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/shared"
)

// replicaField matches the fields a resize may change: replica counts in
// the hydrated workloads and the HelmReleases' values, and a node group's
// sizes in the ClusterConfig.
var replicaField = regexp.MustCompile(`(/replicas|/replicaCount|/managedNodeGroups\[name=[^\]]+\]/(desiredCapacity|minSize|maxSize))$`)

// TestResizeRestartsNothing: pod templates depend only on choices the spec
// states. Growing the node group (desired, min and max) and changing the
// replicas of query nodes, data nodes, proxies and the LB controller
// changes replica fields and nothing else in the hydrated tree, and diff
// raises no rolling-restart flag.
func TestResizeRestartsNothing(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", runbookSpec, "-o", old); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(runbookSpec)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, r := range [][2]string{
		{"desiredCapacity: 3,", "desiredCapacity: 6, minSize: 4, maxSize: 9,"},
		{"proxy: {replicas: 2,", "queryNode: replicas: 4\n\tdataNode: replicas: 3\n\tproxy: {replicas: 3,"},
		{`loadBalancerController: chartVersion: "3.5.0"`, `loadBalancerController: {chartVersion: "3.5.0", replicas: 3}`},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("the runbook example no longer holds %q; update this test", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	resized := filepath.Join(t.TempDir(), "spec.cue")
	if err := os.WriteFile(resized, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := milvusgen(t, "diff", today, "-f", resized, "--against-dir", old, "--hydrate", "--chart-dir", shared.MustPath(t, "charts"), "--format", "json")
	if code != 0 && code != 1 {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	d := decodeDiffFields(t, out)
	if len(d.Changes) == 0 {
		t.Fatal("the resize changed nothing; the test proves nothing")
	}
	var workloads int
	for _, c := range d.Changes {
		if c.Op != "changed" {
			t.Errorf("%s %s %s: a resize only changes objects", c.Op, c.ID.Kind, c.Path)
		}
		if c.ID.Kind == "Deployment" || c.ID.Kind == "StatefulSet" {
			workloads++
		}
		for _, f := range c.Fields {
			if !replicaField.MatchString(f.Path) {
				t.Errorf("%s %s: field %s changed (%v → %v); a resize may change replica fields only", c.ID.Kind, c.Path, f.Path, f.Old, f.New)
			}
		}
	}
	if workloads < 3 {
		t.Errorf("%d hydrated workloads changed, want the query nodes, data nodes and proxies: is the tree hydrated?", workloads)
	}
	for _, f := range d.Flags {
		if strings.Contains(f.Reason, "restart") || strings.HasPrefix(f.Field, "/spec/template/") {
			t.Errorf("flag %s on %s (%s): %s", f.Category, f.Object, f.Field, f.Reason)
		}
	}
}

// jsonDiffFields is the part of diff's JSON report this test reads.
type jsonDiffFields struct {
	jsonDiff
	Changes []struct {
		ID struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"id"`
		Path   string `json:"path"`
		Op     string `json:"op"`
		Fields []struct {
			Path string `json:"path"`
			Old  any    `json:"old"`
			New  any    `json:"new"`
		} `json:"fields"`
	} `json:"changes"`
}

func decodeDiffFields(t *testing.T, out string) jsonDiffFields {
	t.Helper()
	var d jsonDiffFields
	d.jsonDiff = decodeDiff(t, out)
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d
}
