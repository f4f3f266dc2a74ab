package eksctl

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// TestExistingClusterMarked: the ClusterConfig of cluster.existing carries
// the annotation diff reads, eksctl accepts it (it ignores annotations),
// and a cluster eksctl creates has none.
func TestExistingClusterMarked(t *testing.T) {
	for _, existing := range []bool{false, true} {
		s := existingVPC()
		s.Cluster.Existing = existing
		files, err := Render(s)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := consumer.Eksctl(files[0].Data)
		if err != nil {
			t.Fatalf("eksctl rejects %s:\n%v\n%s", File, err, files[0].Data)
		}
		if got := cfg.Metadata.Annotations[manifest.ExistingClusterAnnotation] == "true"; got != existing {
			t.Errorf("existing %t: annotation %s is %q", existing, manifest.ExistingClusterAnnotation, cfg.Metadata.Annotations[manifest.ExistingClusterAnnotation])
		}
	}
}
