package spec

import (
	"fmt"
	"strings"
	"testing"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"

	"github.com/milvusgen/milvusgen/internal/spec/spectest"
)

// TestLabelsAgreeWithEksctl: a node group's labels load exactly when
// eksctl's own validation (ValidateManagedNodeGroup → validateLabels)
// accepts them.
func TestLabelsAgreeWithEksctl(t *testing.T) {
	labels := []map[string]string{
		{"role": "milvus"},
		{"example.com/team": "search", "tier": ""},
		{"node.kubernetes.io/lifecycle": "spot"}, // a kubelet label: allowed
		{"kubernetes.io/arch": "amd64"},
		{"kubernetes.io/role": "x"},
		{"foo.k8s.io/role": "x"},
		{"k8s.io/x": "y"},
		{"bad key!!": "v"},
		{"a/b/c": "x"},
		{"role": "v a l"},
		{"role": strings.Repeat("v", 64)},
		{strings.Repeat("k", 64): "v"},
		{"-role": "v"},
		{"Example.com/x": "v"},
	}
	for _, l := range labels {
		ng := api.NewManagedNodeGroup()
		ng.Name = "ng"
		ng.Labels = l
		eksctlErr := api.ValidateManagedNodeGroup(0, ng)

		var b strings.Builder
		b.WriteString(spectest.Base + "cluster:\n  name: milvus-eks-cluster\n  nodeGroups:\n  - labels:\n")
		for k, v := range l {
			fmt.Fprintf(&b, "      %q: %q\n", k, v)
		}
		text := strings.Replace(b.String(), "cluster:\n  name: milvus-eks-cluster\n", "", 1)
		_, err := load(t, "spec.yaml", text)
		if (eksctlErr == nil) != (err == nil) {
			t.Errorf("labels %v: eksctl says %v, milvusgen says %v", l, eksctlErr, err)
		}
	}
}
