package agreement

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestGitPath(t *testing.T) {
	fsys := fstest.MapFS{
		bootstrapFile: {Data: []byte("#!/bin/bash\nGIT_PATH='./clusters/milvus-prod'\n")},
		fluxSyncFile: {Data: []byte(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: milvusgen-infrastructure, namespace: flux-system}
spec: {path: ./clusters/milvus-prod/kubernetes/infrastructure}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: milvusgen-apps, namespace: flux-system}
spec: {path: ./clusters/milvus-prod/kubernetes/apps/milvus}
`)},
	}
	if ps := GitPath(fsys, "clusters/milvus-prod"); len(ps) != 0 {
		t.Errorf("agreeing tree: %v", ps)
	}
	ps := GitPath(fsys, "envs/prod")
	if len(ps) != 3 {
		t.Fatalf("want 3 problems (GIT_PATH, two Kustomizations), got %v", ps)
	}
	want := `aws/bootstrap.sh GIT_PATH: the tree was rendered for the repository path "./clusters/milvus-prod" but lies at "envs/prod"`
	if got := ps[0].String(); !strings.HasPrefix(got, want) {
		t.Errorf("got %s\nwant %s…", got, want)
	}
	if got := ps[1].At.String(); got != "flux/kustomizations.yaml Kustomization/flux-system/milvusgen-infrastructure spec.path" {
		t.Errorf("location %s", got)
	}
}
