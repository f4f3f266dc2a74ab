package apply_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render"
)

var today = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// renderSpec validates and renders a YAML or CUE spec.
func renderSpec(t *testing.T, name, data string) []manifest.File {
	t.Helper()
	res, err := spec.Load([]spec.Source{{Name: name, Data: []byte(data)}}, spec.Options{Today: today})
	if err != nil {
		t.Fatalf("spec %s: %v", name, err)
	}
	files, err := render.Render(res.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

const minimal = `name: milvus-demo
aws: {region: us-east-2, accountID: "123456789012"}
cluster: {name: milvus-eks-cluster}
storage: {bucket: milvus-bucket-039dd013c0712f085d60e21f}
`

const withGit = minimal + `gitops: {repository: {url: "ssh://git@github.com/acme/fleet.git"}}
`

func TestLoad(t *testing.T) {
	objs, err := apply.Load(renderSpec(t, "spec.yaml", withGit))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Subject()+" "+o.File)
		if _, ok := o.Object.GetAnnotations()["config.kubernetes.io/origin"]; ok {
			t.Errorf("%s keeps kustomize's origin annotation", o.Subject())
		}
	}
	want := []string{
		"GitRepository/flux-system/milvusgen flux/gitrepository.yaml",
		"Kustomization/flux-system/milvusgen-infrastructure flux/kustomizations.yaml",
		"Kustomization/flux-system/milvusgen-apps flux/kustomizations.yaml",
		"Namespace/milvus kubernetes/apps/milvus/namespace.yaml",
		"HelmRepository/milvus/milvus kubernetes/apps/milvus/milvus.yaml",
		"HelmRelease/milvus/milvus-demo kubernetes/apps/milvus/milvus.yaml",
		"StorageClass/ebs-gp3-sc kubernetes/infrastructure/storageclass.yaml",
		"HelmRepository/kube-system/eks kubernetes/infrastructure/aws-load-balancer-controller.yaml",
		"HelmRelease/kube-system/aws-load-balancer-controller kubernetes/infrastructure/aws-load-balancer-controller.yaml",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Load (-want +got):\n%s", d)
	}
}

func TestLoadErrors(t *testing.T) {
	files := []manifest.File{
		{Path: "a/kustomization.yaml", Data: []byte("resources: [cm.yaml]\n")},
		{Path: "a/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n")},
		{Path: "b/kustomization.yaml", Data: []byte("resources: [cm.yaml]\n")},
		{Path: "b/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n")},
	}
	_, err := apply.Load(files)
	if err == nil || err.Error() != "ConfigMap/y/x is rendered twice, in a/cm.yaml and b/cm.yaml" {
		t.Errorf("duplicate object: err %v", err)
	}
	_, err = apply.Load([]manifest.File{{Path: "a/kustomization.yaml", Data: []byte("resources: [missing.yaml]\n")}})
	if err == nil || !strings.HasPrefix(err.Error(), "kustomize build of a failed: ") {
		t.Errorf("missing resource: err %v", err)
	}
}
