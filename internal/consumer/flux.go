package consumer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
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
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/shared"
)

// CRDs validates custom resources the way kube-apiserver does on create,
// against the served versions of a set of CustomResourceDefinitions.
type CRDs struct {
	byKind map[schema.GroupVersionKind]*crdVersion
}

// crdVersion is one served version of a CRD, ready to validate objects.
type crdVersion struct {
	namespaced bool
	structural *structuralschema.Structural
	schema     validation.SchemaValidator
	cel        *cel.Validator
}

// FluxCRDs returns the validator for the Flux CRDs in ../shared/crds/flux,
// built once per process (compiling the schemas and CEL rules is the slow
// part).
var FluxCRDs = sync.OnceValues(func() (*CRDs, error) {
	dir, err := shared.Path("crds", "flux")
	if err != nil {
		return nil, err
	}
	return LoadCRDs(dir)
})

// LoadCRDs reads every *.yaml CustomResourceDefinition in dir.
func LoadCRDs(dir string) (*CRDs, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("CRDs in %s: no *.yaml files", dir)
	}
	c := &CRDs{byKind: map[schema.GroupVersionKind]*crdVersion{}}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			return nil, fmt.Errorf("CRD %s decoding failed: %w", p, err)
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served || v.Schema == nil {
				continue
			}
			var internal apiextensions.CustomResourceValidation
			if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(v.Schema, &internal, nil); err != nil {
				return nil, fmt.Errorf("CRD %s version %s converting the schema failed: %w", p, v.Name, err)
			}
			st, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("CRD %s version %s building the structural schema failed: %w", p, v.Name, err)
			}
			sv, _, err := validation.NewSchemaValidator(internal.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("CRD %s version %s building the schema validator failed: %w", p, v.Name, err)
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
			c.byKind[gvk] = &crdVersion{
				namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
				structural: st,
				schema:     sv,
				cel:        cel.NewValidator(st, true, celconfig.PerCallLimit),
			}
		}
	}
	return c, nil
}

// Validate checks one object, as decoded from JSON or YAML, like the API
// server does on create: fields the schema does not know (which the server
// would silently prune), structural defaulting, the OpenAPI schema, the CEL
// rules (x-kubernetes-validations) and ObjectMeta. It returns every
// problem found and does not modify obj.
func (c *CRDs) Validate(obj map[string]any) field.ErrorList {
	u := runtime.DeepCopyJSON(obj)
	apiVersion, _ := u["apiVersion"].(string)
	kind, _ := u["kind"].(string)
	gvk := schema.FromAPIVersionAndKind(apiVersion, kind)
	s, ok := c.byKind[gvk]
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

// Object is a Kubernetes API object: a typed Flux or k8s.io/api object.
type Object interface {
	runtime.Object
	metav1.Object
}

// newFlux returns an empty Go object of a Flux kind, or nil for a kind
// milvusgen does not know.
func newFlux(kind string) Object {
	switch kind {
	case helmv2.HelmReleaseKind:
		return &helmv2.HelmRelease{}
	case sourcev1.HelmRepositoryKind:
		return &sourcev1.HelmRepository{}
	case sourcev1.HelmChartKind:
		return &sourcev1.HelmChart{}
	case sourcev1.GitRepositoryKind:
		return &sourcev1.GitRepository{}
	case sourcev1.OCIRepositoryKind:
		return &sourcev1.OCIRepository{}
	case kustomizev1.KustomizationKind:
		return &kustomizev1.Kustomization{}
	}
	return nil
}

// Flux decodes one YAML document strictly into its Flux Go type (unknown
// or duplicate fields fail) and validates it against the CRDs. It returns
// the typed object, with every problem in one error that names the object
// as Kind/namespace/name; the object is returned with the error when it
// decoded at all.
func (c *CRDs) Flux(doc []byte) (Object, error) {
	o, err := c.decode(doc, "a Flux kind", func(_, kind string) any {
		if o := newFlux(kind); o != nil {
			return o
		}
		return nil
	})
	obj, _ := o.(Object)
	return obj, err
}

// decode is Flux and ArgoCD: newObj returns the empty typed object of an
// apiVersion and kind, or nil for one the caller does not know (what
// names it in the error).
func (c *CRDs) decode(doc []byte, what string, newObj func(apiVersion, kind string) any) (any, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return nil, fmt.Errorf("document parsing failed: %w", err)
	}
	id := ID(head.Kind, head.Metadata.Namespace, head.Metadata.Name)
	o := newObj(head.APIVersion, head.Kind)
	if o == nil {
		return nil, fmt.Errorf("%s: %s is not %s milvusgen renders", id, head.APIVersion, what)
	}
	var errs []error
	if err := yaml.UnmarshalStrict(doc, o); err != nil {
		errs = append(errs, fmt.Errorf("strict decoding failed: %w", err))
	}
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: converting to JSON failed: %w", id, err)
	}
	var obj map[string]any
	// utiljson decodes integers as int64, as the API server does.
	if err := utiljson.Unmarshal(j, &obj); err != nil {
		return nil, fmt.Errorf("%s: decoding JSON failed: %w", id, err)
	}
	if fe := c.Validate(obj); len(fe) > 0 {
		errs = append(errs, fmt.Errorf("CRD validation failed: %w", fe.ToAggregate()))
	}
	if err := errors.Join(errs...); err != nil {
		return o, fmt.Errorf("%s: %w", id, err)
	}
	return o, nil
}

// ID is how errors and tests name an object: Kind/namespace/name, or
// Kind/name for a cluster-scoped one.
func ID(kind, namespace, name string) string {
	if namespace == "" {
		return kind + "/" + name
	}
	return kind + "/" + namespace + "/" + name
}
