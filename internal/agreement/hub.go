package agreement

import (
	"path"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// hubValuesDir holds a hub-mode tree's Helm values files (render/argocd's
// ValuesDir): the hub's Applications read them through $values, so they
// stand for the releases the tree holds no Application of.
const hubValuesDir = "argocd/values"

// readHubValues reads p as a hub-mode values file: the values of the
// chart it is named after. The namespace is the hub ApplicationSet's, not
// the tree's, so it is not observed here.
func (t *tree) readHubValues(p string, data []byte) (helmRelease, bool) {
	if path.Dir(p) != hubValuesDir {
		return helmRelease{}, false
	}
	chart := path.Base(p)
	chart = chart[:len(chart)-len(path.Ext(chart))]
	if chart != manifest.MilvusChart && chart != manifest.LBControllerChart {
		return helmRelease{}, false
	}
	r := helmRelease{file: p, object: "values", chart: chart}
	if err := yaml.Unmarshal(data, &r.values); err != nil {
		t.problem(Location{File: p}, "parsing the values failed: %v", err)
		return helmRelease{}, false
	}
	return r, true
}
