package apply_test

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// TestHubDryRun: the server accepts the hub tree (AppProject, root
// Application, the four ApplicationSets) and each cluster's Secret in a
// server-side dry run, against the real v3.5.1 CRDs.
func TestHubDryRun(t *testing.T) {
	env := argoCDCluster(t)
	m := manager(t, env, "test-argocd-hub-dry-run")
	h := &argocd.Hub{Name: modeltest.HubName, Path: "clusters/hub"}
	for _, n := range []string{"dev", "prod"} {
		h.Clusters = append(h.Clusters, modeltest.HubVariants()[n])
	}
	files, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	objs := load(t, files)
	for _, s := range h.Clusters {
		sec, err := argocd.ClusterSecret(s, "https://example.gr7.us-east-2.eks.amazonaws.com", "Q0E=")
		if err != nil {
			t.Fatal(err)
		}
		f, err := manifest.YAML("secret-"+s.Cluster.Name+".yaml", sec)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, decode(t, f.Path, string(f.Data))...)
	}
	res, err := m.Apply(ctx(t), objs, apply.ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatalf("server-side dry run: %v", err)
	}
	kinds := map[string]int{}
	for _, c := range res.Changes {
		kinds[strings.Split(c.Subject, "/")[0]]++
	}
	if kinds["ApplicationSet"] != 4 || kinds["AppProject"] != 1 || kinds["Application"] != 1 || kinds["Secret"] != 2 {
		t.Errorf("dry run covered %v, want 4 ApplicationSets, 1 AppProject, 1 Application, 2 Secrets", kinds)
	}
}
