package fleet

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// hubSide renders the hub tree and the clusters' trees of specs.
func hubSide(t *testing.T, specs map[string]*model.Spec) ([]manifest.File, map[string]argocd.HubCluster) {
	t.Helper()
	h := &argocd.Hub{Name: modeltest.HubName, Path: "clusters/hub"}
	clusters := map[string]argocd.HubCluster{}
	for _, n := range []string{"dev", "prod"} {
		s := specs[n]
		h.Clusters = append(h.Clusters, s)
		files, err := argocd.Render(s)
		if err != nil {
			t.Fatal(err)
		}
		clusters[n] = argocd.HubCluster{Spec: s, Files: files}
	}
	hub, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	return hub, clusters
}

// TestExpandHubDiff: a change of one environment's spec shows as a change
// of exactly that cluster's generated Application, its values inlined so
// diff reads them as it reads a per-cluster Application's.
func TestExpandHubDiff(t *testing.T) {
	oldHub, oldC := hubSide(t, modeltest.HubVariants())
	changed := modeltest.HubVariants()
	changed["prod"].LoadBalancerController.Replicas = 3
	newHub, newC := hubSide(t, changed)
	before, err := argocd.ExpandHub(oldHub, oldC)
	if err != nil {
		t.Fatal(err)
	}
	after, err := argocd.ExpandHub(newHub, newC)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 8 || len(after) != 8 {
		t.Fatalf("expanded %d and %d Applications, want 8 (4 per cluster)", len(before), len(after))
	}
	r := diff.Compare(before, after)
	var b strings.Builder
	if err := diff.WriteText(&b, r, diff.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "1 changed, 0 added, 0 removed, 7 unchanged") ||
		!strings.Contains(out, "Application argocd/milvus-prod-aws-load-balancer-controller") ||
		!strings.Contains(out, "/spec/source/helm/valuesObject/replicaCount: 2 → 3") {
		t.Errorf("diff of the generated Applications:\n%s", out)
	}
}

// TestExpandHubMissingValues: a values file the hub reads but the tree
// lacks is an error, not an Application without values.
func TestExpandHubMissingValues(t *testing.T) {
	hub, clusters := hubSide(t, modeltest.HubVariants())
	dev := clusters["dev"]
	var kept []manifest.File
	for _, f := range dev.Files {
		if f.Path != argocd.MilvusValuesFile {
			kept = append(kept, f)
		}
	}
	dev.Files = kept
	clusters["dev"] = dev
	if _, err := argocd.ExpandHub(hub, clusters); err == nil || !strings.Contains(err.Error(), "missing from the environment's tree") {
		t.Errorf("err = %v", err)
	}
}
