package agreement

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// TestCheckHubValues: a hub-mode tree's values files are its releases, so
// a bucket in the Milvus values file that the IAM policy does not grant is
// caught, and values files where render/argocd writes them are read.
func TestCheckHubValues(t *testing.T) {
	if argocd.MilvusValuesFile != hubValuesDir+"/milvus.yaml" {
		t.Fatalf("render/argocd writes the Milvus values to %s; update hubValuesDir", argocd.MilvusValuesFile)
	}
	files, err := render.Render(modeltest.HubVariants()["dev"])
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range files {
		data := f.Data
		if f.Path == argocd.MilvusValuesFile {
			data = []byte(strings.Replace(string(data), "bucketName: ", "bucketName: other-", 1))
		}
		fsys[f.Path] = &fstest.MapFile{Data: data, Mode: f.Mode}
	}
	var got []string
	for _, p := range Check(fsys) {
		got = append(got, p.String())
	}
	if !strings.Contains(strings.Join(got, "\n"), argocd.MilvusValuesFile) {
		t.Errorf("a bucket the policy does not grant went unnoticed: %v", got)
	}
}
