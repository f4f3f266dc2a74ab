package apply

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Object is one Kubernetes object to apply and the rendered file it came
// from.
type Object struct {
	Object *unstructured.Unstructured
	// File is the path of the file that holds the object, relative to the
	// root of the rendered tree.
	File string
}

// Subject names the object as Kind/namespace/name (Kind/name when
// cluster-scoped), as Flux and kubectl print it.
func (o Object) Subject() string { return utils.FmtUnstructured(o.Object) }

const (
	kustomizationFile = "kustomization.yaml"
	// originAnnotation is where kustomize records a resource's source file
	// when the kustomization asks for buildMetadata: [originAnnotations].
	originAnnotation = "config.kubernetes.io/origin"
)

// Load builds every kustomization root among files (a directory holding a
// kustomization.yaml) with krusty, in memory, and returns the objects in
// root order. Files outside the roots (aws/, the manifest) and the tree
// root's entry kustomization.yaml are ignored. An
// object rendered by two roots is an error.
func Load(files []manifest.File) ([]Object, error) {
	fsys := filesys.MakeFsInMemory()
	var roots []string
	for _, f := range files {
		p := "/" + f.Path
		if err := fsys.MkdirAll(path.Dir(p)); err != nil {
			return nil, err
		}
		data := f.Data
		// The tree root's kustomization.yaml is the engine's entry point and
		// lists the other roots (or the sync objects); built on its own each
		// object would come twice.
		if path.Base(f.Path) == kustomizationFile && f.Path != kustomizationFile {
			roots = append(roots, path.Dir(f.Path))
			var err error
			if data, err = withOrigin(data); err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
		}
		if err := fsys.WriteFile(p, data); err != nil {
			return nil, err
		}
	}
	sort.Strings(roots)

	var out []Object
	seen := map[string]string{}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	for _, root := range roots {
		rm, err := k.Run(fsys, "/"+root)
		if err != nil {
			return nil, fmt.Errorf("kustomize build of %s failed: %w", root, err)
		}
		yml, err := rm.AsYaml()
		if err != nil {
			return nil, fmt.Errorf("kustomize build of %s failed: %w", root, err)
		}
		objs, err := utils.ReadObjects(bytes.NewReader(yml))
		if err != nil {
			return nil, fmt.Errorf("kustomize build of %s failed: %w", root, err)
		}
		for _, u := range objs {
			file, err := origin(u)
			if err != nil {
				return nil, fmt.Errorf("kustomize build of %s: %s: %w", root, utils.FmtUnstructured(u), err)
			}
			o := Object{Object: u, File: path.Join(root, file)}
			if prev, dup := seen[o.Subject()]; dup {
				return nil, fmt.Errorf("%s is rendered twice, in %s and %s", o.Subject(), prev, o.File)
			}
			seen[o.Subject()] = o.File
			out = append(out, o)
		}
	}
	return out, nil
}

// withOrigin turns on kustomize's origin annotations, which name each
// resource's file; origin strips them again.
func withOrigin(data []byte) ([]byte, error) {
	var k kustypes.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, err
	}
	for _, m := range k.BuildMetadata {
		if m == kustypes.OriginAnnotations {
			return data, nil
		}
	}
	k.BuildMetadata = append(k.BuildMetadata, kustypes.OriginAnnotations)
	return yaml.Marshal(&k)
}

func origin(u *unstructured.Unstructured) (string, error) {
	ann := u.GetAnnotations()
	v, ok := ann[originAnnotation]
	if !ok {
		return "", fmt.Errorf("no %s annotation", originAnnotation)
	}
	delete(ann, originAnnotation)
	if len(ann) == 0 {
		ann = nil
	}
	u.SetAnnotations(ann)
	var o struct {
		Path string `json:"path"`
	}
	if err := yaml.Unmarshal([]byte(v), &o); err != nil || o.Path == "" {
		return "", fmt.Errorf("unreadable %s annotation %q", originAnnotation, v)
	}
	return o.Path, nil
}

// Decode reads the objects of one plain multi-document YAML manifest (such
// as a chart's hydrated output) and attributes them to file.
func Decode(file string, data []byte) ([]Object, error) {
	objs, err := utils.ReadObjects(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := make([]Object, 0, len(objs))
	for _, u := range objs {
		out = append(out, Object{Object: u, File: file})
	}
	return out, nil
}

// subjects lists the objects' subjects, for messages.
func subjects(objs []Object) string {
	s := make([]string, len(objs))
	for i, o := range objs {
		s[i] = o.Subject()
	}
	return strings.Join(s, ", ")
}
