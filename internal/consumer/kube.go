package consumer

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// strictCodecs decode with client-go's scheme (every built-in API group)
// and fail on unknown or duplicate fields, as kube-apiserver's strict field
// validation does.
var strictCodecs = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict)

// Kube decodes one YAML document strictly into its k8s.io/api type. The
// error names the object; for a kind the scheme does not know (a custom
// resource) it satisfies [runtime.IsNotRegisteredError].
func Kube(doc []byte) (Object, error) {
	// YAMLToJSONStrict fails on a duplicate key, which plain conversion
	// would resolve silently to the last value.
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, fmt.Errorf("document parsing failed: %w", err)
	}
	obj, gvk, err := strictCodecs.UniversalDeserializer().Decode(j, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) {
			return nil, err
		}
		name := "object"
		if gvk != nil {
			name = gvk.Kind
		}
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct{ Name, Namespace string }
		}
		if yaml.Unmarshal(j, &head) == nil && head.Kind != "" {
			name = ID(head.Kind, head.Metadata.Namespace, head.Metadata.Name)
		}
		return nil, fmt.Errorf("%s: strict decoding failed: %w", name, err)
	}
	o, ok := obj.(Object)
	if !ok {
		return nil, fmt.Errorf("%s: %T has no object metadata", gvk.Kind, obj)
	}
	return o, nil
}
