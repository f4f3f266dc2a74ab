package argocd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/appset"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
)

// HubCluster is a registered environment as `diff --fleet` expands the
// hub's ApplicationSets for it: its spec and its tree's files (old or
// new), from which the values files are read.
type HubCluster struct {
	Spec  *model.Spec
	Files []manifest.File
}

// ExpandHub expands the ApplicationSets of a hub tree for each cluster, as
// registered by bootstrap.sh with its stage label set, and returns the
// generated Applications, one file per cluster and Application
// (<environment>/<Application>.yaml). Each Helm Application's
// $values file is read from the cluster's tree and inlined as
// valuesObject, with the chart as its only source: the Application the
// per-cluster mode would render, so diff's risk flags read it the same
// way. A values file missing from the tree is an error; a cluster without
// a tree is left out.
func ExpandHub(hub []manifest.File, clusters map[string]HubCluster) ([]manifest.File, error) {
	var sets []*v1alpha1.ApplicationSet
	for _, f := range hub {
		for _, d := range bytes.Split(f.Data, []byte("\n---\n")) {
			var set v1alpha1.ApplicationSet
			if yaml.Unmarshal(d, &set) != nil || set.Kind != v1alpha1.ApplicationSetKind {
				continue
			}
			sets = append(sets, &set)
		}
	}
	envs := make([]string, 0, len(clusters))
	for n := range clusters {
		envs = append(envs, n)
	}
	sort.Strings(envs)
	var out []manifest.File
	for _, env := range envs {
		c := clusters[env]
		if c.Files == nil {
			continue // no tree (yet): not registered on that side
		}
		labels := ClusterSecretLabels(c.Spec)
		labels[model.HubStageLabel] = model.HubStageApps
		reg := appset.Cluster{Name: c.Spec.ArgoCDClusterName(), Labels: labels}
		for _, set := range sets {
			apps, err := appset.Rules{}.Expand(set, []appset.Cluster{reg})
			if err != nil {
				return nil, fmt.Errorf("environment %s: %w", env, err)
			}
			for _, a := range apps {
				if err := inlineValues(a, c); err != nil {
					return nil, fmt.Errorf("environment %s: Application %s: %w", env, a.Name, err)
				}
				f, err := manifest.YAML(path.Join(env, a.Name+".yaml"), a)
				if err != nil {
					return nil, err
				}
				out = append(out, f)
			}
		}
	}
	manifest.Sort(out)
	return out, nil
}

// inlineValues replaces a's chart and $values sources with the chart
// alone, its values read from the cluster's tree.
func inlineValues(a *v1alpha1.Application, c HubCluster) error {
	if len(a.Spec.Sources) == 0 {
		return nil
	}
	chart := a.Spec.Sources[0]
	if chart.Helm == nil {
		return nil
	}
	merged := map[string]any{}
	for _, vf := range chart.Helm.ValueFiles {
		// The file is the tree's whose path ends the reference: the tree's
		// place in the repository may differ between the two sides.
		var found bool
		for _, f := range c.Files {
			if strings.HasPrefix(vf, "$values/") && strings.HasSuffix(vf, "/"+f.Path) {
				found = true
				if err := yaml.Unmarshal(f.Data, &merged); err != nil {
					return fmt.Errorf("%s: %w", f.Path, err)
				}
				break
			}
		}
		if !found {
			return fmt.Errorf("values file %s is missing from the environment's tree", vf)
		}
	}
	raw, err := json.Marshal(merged)
	if err != nil {
		return err
	}
	chart.Helm = &v1alpha1.ApplicationSourceHelm{ReleaseName: chart.Helm.ReleaseName, ValuesObject: &apiextensionsv1.JSON{Raw: raw}}
	a.Spec.Sources = nil
	a.Spec.Source = &chart
	return nil
}

// SpokeApplications are the Applications the hub generates for s's
// cluster, values inlined (ExpandHub), from s's rendered tree files: the
// releases a hub-mode tree stands for, for readers that want them as
// Applications (verify -f).
func SpokeApplications(s *model.Spec, files []manifest.File) ([]manifest.File, error) {
	hub, err := RenderHub(&Hub{Name: s.GitOps.ArgoCD.Hub.Name, Path: ".", Clusters: []*model.Spec{s}})
	if err != nil {
		return nil, err
	}
	return ExpandHub(hub, map[string]HubCluster{"": {Spec: s, Files: files}})
}
