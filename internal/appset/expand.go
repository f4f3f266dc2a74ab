// Package appset expands the ApplicationSets milvusgen renders for a hub
// Argo CD into the Applications the ApplicationSet controller would
// generate, by the rules Argo CD documents for the cluster generator and Go
// templates:
//
//   - each cluster generator selects cluster Secrets by label and yields,
//     per Secret, the parameters name, nameNormalized, server, project,
//     metadata.labels and metadata.annotations, and its values (each
//     itself a template over those parameters) as values.<key>;
//   - with goTemplate, every string of the template, map keys included,
//     is a text/template executed with those parameters, the sprig
//     functions (less env, expandenv and getHostByName) plus normalize,
//     and the template's goTemplateOptions (missingkey=error);
//   - the resources finalizer is added when the template has none and
//     the ApplicationSet does not preserve resources on deletion.
//
// `diff --fleet` uses it to show the per-cluster Applications an
// ApplicationSet change produces. The tests prove the rules against Argo
// CD's own generator and template code where that builds (hack/appset).
package appset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
)

// Cluster is a cluster Secret registered in the hub's namespace: the
// fields the cluster generator reads.
type Cluster struct {
	// Name and Server are the Secret's name and server data.
	Name, Server string
	// Project is the Secret's project data, if any.
	Project string
	// Labels and Annotations are the Secret's.
	Labels, Annotations map[string]string
}

// Expander expands an ApplicationSet over registered clusters into the
// Applications it generates, sorted by name. Rules is milvusgen's;
// the tests also run one backed by Argo CD's own code.
type Expander interface {
	Expand(set *v1alpha1.ApplicationSet, clusters []Cluster) ([]*v1alpha1.Application, error)
}

// Rules is the Expander that follows Argo CD's documented rules.
type Rules struct{}

// Expand implements Expander.
func (Rules) Expand(set *v1alpha1.ApplicationSet, clusters []Cluster) ([]*v1alpha1.Application, error) {
	if !set.Spec.GoTemplate {
		return nil, fmt.Errorf("ApplicationSet %s: only goTemplate: true is supported", set.Name)
	}
	var params []map[string]any
	for i, g := range set.Spec.Generators {
		if g.Clusters == nil {
			return nil, fmt.Errorf("ApplicationSet %s: generator %d is not a cluster generator", set.Name, i)
		}
		sel, err := metav1.LabelSelectorAsSelector(&g.Clusters.Selector)
		if err != nil {
			return nil, fmt.Errorf("ApplicationSet %s: generator %d: %w", set.Name, i, err)
		}
		for _, c := range clusters {
			if !sel.Matches(labels.Set(c.Labels)) {
				continue
			}
			p := clusterParams(c)
			vals := map[string]any{}
			keys := make([]string, 0, len(g.Clusters.Values))
			for k := range g.Clusters.Values {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v, err := execute(g.Clusters.Values[k], p, set.Spec.GoTemplateOptions)
				if err != nil {
					return nil, fmt.Errorf("ApplicationSet %s: generator %d: values.%s: %w", set.Name, i, k, err)
				}
				vals[k] = v
			}
			p["values"] = vals
			params = append(params, p)
		}
	}
	tmpl := &v1alpha1.Application{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: v1alpha1.ApplicationKind},
		ObjectMeta: metav1.ObjectMeta{
			Name: set.Spec.Template.Name, Namespace: set.Spec.Template.Namespace,
			Labels: set.Spec.Template.Labels, Annotations: set.Spec.Template.Annotations,
			Finalizers: set.Spec.Template.Finalizers,
		},
		Spec: set.Spec.Template.Spec,
	}
	raw, err := json.Marshal(tmpl)
	if err != nil {
		return nil, err
	}
	var out []*v1alpha1.Application
	seen := map[string]bool{}
	for _, p := range params {
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, err
		}
		doc, err := replace(doc, p, set.Spec.GoTemplateOptions)
		if err != nil {
			return nil, fmt.Errorf("ApplicationSet %s, cluster %v: %w", set.Name, p["name"], err)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		app := &v1alpha1.Application{}
		if err := json.Unmarshal(b, app); err != nil {
			return nil, err
		}
		if app.Namespace == "" {
			app.Namespace = set.Namespace
		}
		if len(app.Finalizers) == 0 && (set.Spec.SyncPolicy == nil || !set.Spec.SyncPolicy.PreserveResourcesOnDeletion) {
			app.Finalizers = []string{v1alpha1.ResourcesFinalizer}
		}
		if seen[app.Name] {
			return nil, fmt.Errorf("ApplicationSet %s generates Application %s twice", set.Name, app.Name)
		}
		seen[app.Name] = true
		out = append(out, app)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// clusterParams are the cluster generator's parameters of a Secret
// (applicationset/generators/cluster.go, goTemplate mode).
func clusterParams(c Cluster) map[string]any {
	meta := map[string]any{}
	if len(c.Annotations) > 0 {
		meta["annotations"] = c.Annotations
	}
	if len(c.Labels) > 0 {
		meta["labels"] = c.Labels
	}
	return map[string]any{
		"name": c.Name, "nameNormalized": Normalize(c.Name), "server": c.Server,
		"project": c.Project, "metadata": meta,
	}
}

var invalidDNSNameChars = regexp.MustCompile("[^-a-z0-9.]")

// Normalize is Argo CD's SanitizeName, nameNormalized: lower case, each
// other character than a-z, 0-9, '-' and '.' made '-', at most 253
// characters, no leading or trailing '-' or '.'.
func Normalize(name string) string {
	name = invalidDNSNameChars.ReplaceAllString(strings.ToLower(name), "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

// funcs are sprig's generic functions less those that read the
// environment, plus normalize, as Argo CD offers them.
var funcs = func() template.FuncMap {
	m := sprig.GenericFuncMap()
	for _, k := range []string{"env", "expandenv", "getHostByName"} {
		delete(m, k)
	}
	m["normalize"] = Normalize
	return template.FuncMap(m)
}()

func execute(s string, params map[string]any, options []string) (string, error) {
	t := template.New("").Funcs(funcs)
	for _, o := range options {
		t = t.Option(o)
	}
	t, err := t.Parse(s)
	if err != nil {
		return "", fmt.Errorf("template %q: %w", s, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, params); err != nil {
		return "", fmt.Errorf("template %q: %w", s, err)
	}
	return b.String(), nil
}

// replace executes every string of doc, map keys included.
func replace(doc any, params map[string]any, options []string) (any, error) {
	switch x := doc.(type) {
	case string:
		return execute(x, params, options)
	case []any:
		for i := range x {
			v, err := replace(x[i], params, options)
			if err != nil {
				return nil, err
			}
			x[i] = v
		}
		return x, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			k2, err := execute(k, params, options)
			if err != nil {
				return nil, err
			}
			if out[k2], err = replace(v, params, options); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return doc, nil
}
