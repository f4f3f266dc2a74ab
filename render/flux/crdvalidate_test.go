package flux

// This file validates rendered Flux objects the way kube-apiserver does on
// create, against the CRDs in ../shared/crds/flux: unknown fields (which
// the API server would silently prune), structural defaulting, the OpenAPI
// schema, the CEL rules (x-kubernetes-validations) and ObjectMeta.
//
// It is test-only. If other packages need it (hydrate, apply), it belongs
// in an internal test helper package such as internal/crdtest.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/shared"
)

// crdSchema is one served version of a CRD, ready to validate objects.
type crdSchema struct {
	namespaced bool
	structural *structuralschema.Structural
	schema     validation.SchemaValidator
	cel        *cel.Validator
}

// crdSchemas are the schemas of every CRD in ../shared/crds/flux, by kind.
type crdSchemas map[schema.GroupVersionKind]*crdSchema

// loadFluxCRDs reads ../shared/crds/flux/*.yaml.
func loadFluxCRDs(t testing.TB) crdSchemas {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(shared.MustPath(t, "crds", "flux"), "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no Flux CRDs found: %v", err)
	}
	out := crdSchemas{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served || v.Schema == nil {
				continue
			}
			var internal apiextensions.CustomResourceValidation
			if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(v.Schema, &internal, nil); err != nil {
				t.Fatalf("%s %s: converting schema: %v", p, v.Name, err)
			}
			st, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
			if err != nil {
				t.Fatalf("%s %s: structural schema: %v", p, v.Name, err)
			}
			sv, _, err := validation.NewSchemaValidator(internal.OpenAPIV3Schema)
			if err != nil {
				t.Fatalf("%s %s: schema validator: %v", p, v.Name, err)
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
			out[gvk] = &crdSchema{
				namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
				structural: st,
				schema:     sv,
				cel:        cel.NewValidator(st, true, celconfig.PerCallLimit),
			}
		}
	}
	return out
}

// validate checks one object (as decoded from JSON/YAML) like the API
// server does on create and returns every problem found. The object is not
// modified.
func (c crdSchemas) validate(obj map[string]any) field.ErrorList {
	u := runtime.DeepCopyJSON(obj)
	gvk := schema.FromAPIVersionAndKind(stringAt(u, "apiVersion"), stringAt(u, "kind"))
	s, ok := c[gvk]
	if !ok {
		return field.ErrorList{field.NotSupported[string](field.NewPath("kind"), gvk.String(), nil)}
	}
	var errs field.ErrorList
	unknown := structuralpruning.PruneWithOptions(runtime.DeepCopyJSON(u), s.structural, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, p := range unknown {
		errs = append(errs, field.Invalid(field.NewPath(p), nil, "unknown field"))
	}
	structuraldefaulting.Default(u, s.structural)
	errs = append(errs, validation.ValidateCustomResource(nil, u, s.schema)...)
	celErrs, _ := s.cel.Validate(context.Background(), nil, s.structural, u, nil, celconfig.RuntimeCELCostBudget)
	errs = append(errs, celErrs...)

	var meta metav1.ObjectMeta
	if m, ok := u["metadata"].(map[string]any); ok {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &meta); err != nil {
			errs = append(errs, field.Invalid(field.NewPath("metadata"), nil, err.Error()))
		}
	}
	errs = append(errs, apivalidation.ValidateObjectMeta(&meta, s.namespaced, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	return errs
}

func stringAt(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// TestCRDValidatorCatches proves the validator is not vacuous: each case
// breaks a valid rendered object in one way the API server rejects.
func TestCRDValidatorCatches(t *testing.T) {
	crds := loadFluxCRDs(t)
	validHR := func() map[string]any {
		return map[string]any{
			"apiVersion": "helm.toolkit.fluxcd.io/v2",
			"kind":       "HelmRelease",
			"metadata":   map[string]any{"name": "milvus-demo", "namespace": "milvus"},
			"spec": map[string]any{
				"interval": "10m0s",
				"chart": map[string]any{"spec": map[string]any{
					"chart":     "milvus",
					"version":   "5.0.19",
					"sourceRef": map[string]any{"kind": "HelmRepository", "name": "milvus"},
				}},
			},
		}
	}
	spec := func(o map[string]any) map[string]any { return o["spec"].(map[string]any) }
	tests := map[string]struct {
		modify func(map[string]any)
		want   string
	}{
		"valid": {modify: func(map[string]any) {}},
		"unknown field": {
			modify: func(o map[string]any) { spec(o)["valuez"] = map[string]any{} },
			want:   "spec.valuez: Invalid value",
		},
		"bad interval pattern": {
			modify: func(o map[string]any) { spec(o)["interval"] = "10 minutes" },
			want:   "spec.interval",
		},
		"missing required interval": {
			modify: func(o map[string]any) { delete(spec(o), "interval") },
			want:   "spec.interval: Required value",
		},
		"CEL: chart and chartRef": {
			modify: func(o map[string]any) {
				spec(o)["chartRef"] = map[string]any{"kind": "OCIRepository", "name": "milvus"}
			},
			want: "either chart or chartRef must be set",
		},
		"enum: sourceRef kind": {
			modify: func(o map[string]any) {
				spec(o)["chart"].(map[string]any)["spec"].(map[string]any)["sourceRef"].(map[string]any)["kind"] = "OCIRepository"
			},
			want: "spec.chart.spec.sourceRef.kind: Unsupported value",
		},
		"metadata: name": {
			modify: func(o map[string]any) { o["metadata"].(map[string]any)["name"] = "Milvus_Demo" },
			want:   "metadata.name: Invalid value",
		},
		"metadata: namespace required": {
			modify: func(o map[string]any) { delete(o["metadata"].(map[string]any), "namespace") },
			want:   "metadata.namespace: Required value",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			o := validHR()
			tt.modify(o)
			errs := crds.validate(o)
			if tt.want == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs.ToAggregate())
				}
				return
			}
			if errs == nil || !strings.Contains(errs.ToAggregate().Error(), tt.want) {
				t.Errorf("errors = %v, want one containing %q", errs.ToAggregate(), tt.want)
			}
		})
	}
}
