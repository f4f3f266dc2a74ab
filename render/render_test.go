package render_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render"
)

var today = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

func loadExample(tb testing.TB) []spec.Source {
	tb.Helper()
	srcs, err := spec.ReadFiles([]string{"../examples/runbook/spec.cue"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return srcs
}

// BenchmarkRender measures what `milvusgen render` does in process for the
// runbook example: load + validate + render every artifact (no disk).
func BenchmarkRender(b *testing.B) {
	srcs := loadExample(b)
	b.ReportAllocs()
	for b.Loop() {
		res, err := spec.Load(srcs, spec.Options{Today: today})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := render.Render(res.Spec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderOnly measures the renderers alone.
func BenchmarkRenderOnly(b *testing.B) {
	res, err := spec.Load(loadExample(b), spec.Options{Today: today})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render.Render(res.Spec); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRenderFileSet(t *testing.T) {
	res, err := spec.Load(loadExample(t), spec.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(res.Spec)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(files); i++ {
		if files[i-1].Path >= files[i].Path {
			t.Errorf("files not sorted: %s before %s", files[i-1].Path, files[i].Path)
		}
	}
}

func ExampleRender() {
	srcs := []spec.Source{{Name: "spec.yaml", Data: []byte(`name: milvus-demo
aws: {region: us-east-2, accountID: "123456789012"}
cluster: {name: milvus-eks-cluster}
storage: {bucket: milvus-bucket-039dd013c0712f085d60e21f}
gitops: {repository: {url: "ssh://git@github.com/acme/fleet.git"}}
`)}}
	res, err := spec.Load(srcs, spec.Options{})
	if err != nil {
		panic(err)
	}
	files, err := render.Render(res.Spec)
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		fmt.Println(f.Path)
	}
	// Output:
	// .sourceignore
	// aws/bootstrap.sh
	// aws/converge.sh
	// aws/eksctl-cluster.yaml
	// aws/iam/iam-policy-management.json
	// aws/iam/milvus-s3-readwrite.json
	// aws/iam/s3-bucket-management.json
	// aws/teardown.sh
	// flux/gitrepository.yaml
	// flux/kustomization.yaml
	// flux/kustomizations.yaml
	// kubernetes/apps/milvus/kustomization.yaml
	// kubernetes/apps/milvus/milvus.yaml
	// kubernetes/apps/milvus/namespace.yaml
	// kubernetes/infrastructure/aws-load-balancer-controller.yaml
	// kubernetes/infrastructure/kustomization.yaml
	// kubernetes/infrastructure/storageclass.yaml
	// kustomization.yaml
}
