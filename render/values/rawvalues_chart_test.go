package values

import (
	"os"
	"strings"
	"testing"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/milvusgen/milvusgen/internal/spec"
)

// loadUpgradeExample loads the upgrade example of one Milvus version with
// extra, a CUE source of its own, through spec.Load, so the raw values
// pass the allowlist of the chart the example pins.
func loadUpgradeExample(t *testing.T, version, extra string) (*spec.Result, error) {
	t.Helper()
	var srcs []spec.Source
	for _, f := range []string{"../../examples/upgrade/base.cue", "../../examples/upgrade/" + version + ".cue"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, spec.Source{Name: f, Data: data})
	}
	srcs = append(srcs, spec.Source{Name: "values.cue", Data: []byte(extra)})
	return spec.Load(srcs, spec.Options{Today: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)})
}

// TestIndexNodeSelectorOnChart4: on chart 4.2.58 the allowlist lets an
// index node selector through, and the chart puts it on the index node
// pods only; on 5.0.19, which has no index node, the same key is refused
// at its position.
func TestIndexNodeSelectorOnChart4(t *testing.T) {
	// The node group's own label: the fit check refuses a selector no group
	// matches.
	const extra = "milvus: values: indexNode: nodeSelector: role: \"milvus\"\n"
	res, err := loadUpgradeExample(t, "2.5.16", extra)
	if err != nil {
		t.Fatalf("chart 4.2.58 refused indexNode.nodeSelector: %v", err)
	}
	m := renderMilvus(t, res.Spec)
	if got := deployment(t, m, "indexnode").Spec.Template.Spec.NodeSelector; got["role"] != "milvus" || len(got) != 1 {
		t.Errorf("indexnode pods nodeSelector %v, want role: milvus", got)
	}
	for _, other := range []string{"mixcoord", "proxy", "querynode", "datanode"} {
		if got := deployment(t, m, other).Spec.Template.Spec.NodeSelector; got["role"] == "milvus" {
			t.Errorf("%s pods got the index node's selector: %v", other, got)
		}
	}

	_, err = loadUpgradeExample(t, "2.6.15", extra)
	if err == nil {
		t.Fatal("chart 5.0.19 accepted indexNode.nodeSelector")
	}
	details := errors.Details(err, nil)
	for _, want := range []string{"values.cue:1:28", "milvus.values.indexNode: chart 5.0.19 has no indexNode; its Milvus components are mixCoordinator, proxy, queryNode, dataNode, streamingNode"} {
		if !strings.Contains(details, want) {
			t.Errorf("chart 5.0.19 error does not say %q:\n%s", want, details)
		}
	}
}

// TestSeparateCoordinatorsGetRootPassword: with the four 2.5 coordinators,
// every coordinator reads the root password from the Secret, so rootcoord
// never creates the root user with Milvus's default password.
func TestSeparateCoordinatorsGetRootPassword(t *testing.T) {
	res, err := loadUpgradeExample(t, "2.5.16", "milvus: coordinators: \"separate\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Spec.Milvus.Auth.Enabled {
		t.Fatal("the example has auth off; the test proves nothing")
	}
	m := renderMilvus(t, res.Spec)
	for _, c := range []string{"rootcoord", "querycoord", "datacoord", "indexcoord", "proxy"} {
		found := false
		for _, ctr := range deployment(t, m, c).Spec.Template.Spec.Containers {
			for _, e := range ctr.Env {
				if e.Name == "COMMON_SECURITY_DEFAULTROOTPASSWORD" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s pods do not read the root password from its Secret", c)
		}
	}
}
