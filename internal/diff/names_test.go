package diff

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

func clusterConfig(t *testing.T, policy string) []manifest.File {
	t.Helper()
	f, err := manifest.YAML("aws/eksctl-cluster.yaml", map[string]any{
		"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig",
		"metadata": map[string]any{"name": "milvus", "region": "us-east-2"},
		"iam": map[string]any{"serviceAccounts": []any{map[string]any{
			"metadata":         map[string]any{"name": "milvus-s3-access-sa", "namespace": "milvus"},
			"attachPolicyARNs": []any{"arn:aws:iam::123456789012:policy/" + policy, "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return []manifest.File{f}
}

// TestIAMPolicyRenamed: the rename that upgrading to derived names brings
// is flagged with the old and the new name.
func TestIAMPolicyRenamed(t *testing.T) {
	r := Compare(clusterConfig(t, "MilvusS3ReadWrite"), clusterConfig(t, "milvusgen-milvus-us-east-2-s3"))
	var got []string
	for _, f := range r.Flags() {
		got = append(got, f.Reason)
	}
	want := "IAM policy name MilvusS3ReadWrite → milvusgen-milvus-us-east-2-s3"
	// The second flag is converge.sh's step that attaches it.
	if len(got) != 2 || !strings.Contains(got[1], "eksctl update iamserviceaccount") || !strings.HasPrefix(got[0], want) || !strings.Contains(got[0], "storage.policyName") {
		t.Errorf("flags %q, want one starting %q", got, want)
	}
	if r := Compare(clusterConfig(t, "A"), clusterConfig(t, "A")); len(r.Flags()) != 0 {
		t.Errorf("unchanged policy flagged: %v", r.Flags())
	}
}
