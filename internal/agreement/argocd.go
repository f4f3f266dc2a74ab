package agreement

import (
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
)

func isApplication(apiVersion, kind string) bool {
	return apiVersion == v1alpha1.APIVersion && kind == v1alpha1.ApplicationKind
}

// readApplication reads an Argo CD Application with a Helm source as a
// helmRelease: the chart, the destination namespace the release installs
// into, and spec.source.helm.valuesObject. Applications of a Git path
// (the app of apps) install no chart and are skipped.
func (t *tree) readApplication(file string, i int, doc []byte) (helmRelease, bool) {
	app := &v1alpha1.Application{}
	if err := yaml.Unmarshal(doc, app); err != nil {
		t.problem(Location{File: file, Object: fmt.Sprintf("document %d", i)}, "parsing the Application failed: %v", err)
		return helmRelease{}, false
	}
	src := app.Spec.Source
	if src == nil || src.Chart == "" {
		return helmRelease{}, false
	}
	r := helmRelease{file: file, object: "Application/" + app.Namespace + "/" + app.Name, chart: src.Chart,
		ns: app.Spec.Destination.Namespace, nsField: "spec.destination.namespace",
		valuesField: "spec.source.helm.valuesObject", values: map[string]any{}}
	if src.Helm != nil && src.Helm.ValuesObject != nil {
		if err := json.Unmarshal(src.Helm.ValuesObject.Raw, &r.values); err != nil {
			t.problem(r.at(r.valuesField), "parsing the values failed: %v", err)
			return helmRelease{}, false
		}
	}
	return r, true
}
