package consumer

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
)

// fill sets every field of v, recursively, to a non-zero value, so the
// marshalled object carries every JSON name the type declares.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == reflect.TypeFor[*apiextensionsv1.JSON]() {
			v.Set(reflect.ValueOf(&apiextensionsv1.JSON{Raw: []byte(`{"a":"b"}`)}))
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		switch v.Type() {
		case reflect.TypeFor[metav1.TypeMeta](), reflect.TypeFor[metav1.ObjectMeta]():
			return // set by the caller
		case reflect.TypeFor[apiextensionsv1.JSON]():
			v.Set(reflect.ValueOf(apiextensionsv1.JSON{Raw: []byte(`{"a":"b"}`)}))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), depth+1)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		m.SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf("v"))
		v.Set(m)
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(1)
	}
}

// TestArgoCDTypesMatchCRDs proves milvusgen's minimal Argo CD types
// against the real v3.5.1 CRDs: an object with every field of its type
// set has no field the API server would prune. A misspelt JSON tag, or a
// field in the wrong struct, fails here.
func TestArgoCDTypesMatchCRDs(t *testing.T) {
	crds, err := ArgoCDCRDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []struct {
		kind string
		obj  any
	}{
		{v1alpha1.ApplicationKind, &v1alpha1.Application{}},
		{v1alpha1.AppProjectKind, &v1alpha1.AppProject{}},
		{v1alpha1.ApplicationSetKind, &v1alpha1.ApplicationSet{}},
	} {
		t.Run(o.kind, func(t *testing.T) {
			v := reflect.ValueOf(o.obj).Elem()
			fill(v, 0)
			v.FieldByName("TypeMeta").Set(reflect.ValueOf(metav1.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: o.kind}))
			v.FieldByName("ObjectMeta").Set(reflect.ValueOf(metav1.ObjectMeta{Name: "x", Namespace: "argocd"}))
			raw, err := json.Marshal(o.obj)
			if err != nil {
				t.Fatal(err)
			}
			var obj map[string]any
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatal(err)
			}
			var unknown []string
			for _, e := range crds.Validate(obj) {
				if e.Detail == "unknown field" {
					unknown = append(unknown, e.Field)
				}
			}
			if len(unknown) > 0 {
				t.Errorf("fields the %s CRD does not have: %s\nobject: %s", o.kind, strings.Join(unknown, ", "), raw)
			}
			// The decoder must also read back everything it wrote.
			doc, _ := yaml.JSONToYAML(raw)
			if _, err := crds.ArgoCD(doc); err != nil && strings.Contains(err.Error(), "strict decoding") {
				t.Errorf("strict decoding of the filled object: %v", err)
			}
		})
	}
}

// TestArgoCDValidatorCatches proves the validator is not vacuous: each
// case breaks a valid Application in one way the API server or the strict
// decoder rejects.
func TestArgoCDValidatorCatches(t *testing.T) {
	crds, err := ArgoCDCRDs()
	if err != nil {
		t.Fatal(err)
	}
	valid := `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: milvus-demo
  namespace: argocd
spec:
  project: milvusgen
  destination: {server: https://kubernetes.default.svc, namespace: milvus}
  source:
    repoURL: https://zilliztech.github.io/milvus-helm/
    chart: milvus
    targetRevision: 5.0.19
    helm: {releaseName: milvus-demo, valuesObject: {cluster: {enabled: true}}}
`
	tests := map[string]struct {
		old, new string
		want     string
	}{
		"valid":                  {},
		"unknown field":          {old: "    chart: milvus\n", new: "    chart: milvus\n    charts: milvus\n", want: "unknown field"},
		"missing project":        {old: "  project: milvusgen\n", new: "", want: "spec.project: Required value"},
		"missing repoURL":        {old: "    repoURL: https://zilliztech.github.io/milvus-helm/\n", new: "", want: "spec.source.repoURL: Required value"},
		"wrong type":             {old: "releaseName: milvus-demo", new: "releaseName: [a]", want: "releaseName"},
		"metadata: bad name":     {old: "name: milvus-demo", new: "name: Milvus_Demo", want: "metadata.name: Invalid value"},
		"metadata: no namespace": {old: "  namespace: argocd\n", new: "", want: "metadata.namespace: Required value"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			doc := strings.Replace(valid, tt.old, tt.new, 1)
			if tt.old != "" && doc == valid {
				t.Fatalf("case does not change the object")
			}
			_, err := crds.ArgoCD([]byte(doc))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
