package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart/loader"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/milvusgen/milvusgen/internal/shared"
)

// Doc is one manifest file.
type Doc struct {
	File string
	Data []byte
}

// FluxCRDs returns the Flux CRDs in ../shared/crds/flux, sorted by file.
func FluxCRDs(t testing.TB) []Doc {
	t.Helper()
	return sharedCRDs(t, "flux")
}

// ArgoCDCRDs returns the Argo CD v3.5.1 CRDs in ../shared/crds/argocd
// (Application, AppProject, ApplicationSet), sorted by file.
func ArgoCDCRDs(t testing.TB) []Doc {
	t.Helper()
	return sharedCRDs(t, "argocd")
}

// sharedCRDs returns the CRD files of ../shared/crds/<engine>.
func sharedCRDs(t testing.TB, engine string) []Doc {
	t.Helper()
	dir := shared.MustPath(t, "crds", engine)
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in %s", dir)
	}
	sort.Strings(files)
	var docs []Doc
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, Doc{File: f, Data: data})
	}
	return docs
}

// LBControllerChart is the AWS Load Balancer Controller chart in ../shared.
const LBControllerChart = "aws-load-balancer-controller-3.5.0.tgz"

// ChartCRDs returns the files of the crds/ folder of a chart archive in
// ../shared/charts, read with the Helm SDK's loader.
func ChartCRDs(t testing.TB, archive string) []Doc {
	t.Helper()
	p := shared.MustPath(t, "charts", archive)
	chrt, err := loader.Load(p)
	if err != nil {
		t.Fatalf("loading chart %s failed: %v", p, err)
	}
	var docs []Doc
	for _, c := range chrt.CRDObjects() {
		docs = append(docs, Doc{File: archive + ":" + c.Filename, Data: c.File.Data})
	}
	if len(docs) == 0 {
		t.Fatalf("chart %s has no CRDs", archive)
	}
	return docs
}

// InstallCRDs creates the CRDs in docs (those already there are left
// alone) and waits until they are established.
func (e *Env) InstallCRDs(t testing.TB, docs []Doc) {
	t.Helper()
	cs, err := apiextensions.NewForConfig(e.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var names []string
	for _, d := range docs {
		crds, err := decodeCRDs(d.Data)
		if err != nil {
			t.Fatalf("%s: %v", d.File, err)
		}
		for _, crd := range crds {
			_, err := cs.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{})
			if err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatalf("%s: creating CRD %s failed: %v", d.File, crd.Name, err)
			}
			names = append(names, crd.Name)
		}
	}
	for _, n := range names {
		for {
			crd, err := cs.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, n, metav1.GetOptions{})
			if err == nil && established(crd) {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("CRD %s not established: %v", n, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func established(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
			return true
		}
	}
	return false
}

func decodeCRDs(data []byte) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*apiextensionsv1.CustomResourceDefinition
	for {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := dec.Decode(crd); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if crd.Kind == "" {
			continue
		}
		if crd.Kind != "CustomResourceDefinition" {
			return nil, fmt.Errorf("%s %s is not a CustomResourceDefinition", crd.Kind, crd.Name)
		}
		out = append(out, crd)
	}
}
