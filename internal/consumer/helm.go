package consumer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/shared"
)

// Archive is a chart archive (.tgz) read into memory once. It is parsed
// again for every render because Helm's install prunes disabled subcharts
// from the *chart.Chart it is given (chartutil.ProcessDependenciesWithMerge),
// so a shared parsed chart would lose Pulsar or Kafka after the first render
// that disables them.
type Archive struct {
	Name, Version string
	// Path is the archive's file.
	Path string
	data []byte
}

var (
	archivesMu sync.Mutex
	archives   = map[string]*Archive{}
)

// Chart returns the archive of chart name at version from ../shared/charts
// (<name>-<version>.tgz), read once per process.
func Chart(name, version string) (*Archive, error) {
	archivesMu.Lock()
	defer archivesMu.Unlock()
	key := name + "-" + version
	if a, ok := archives[key]; ok {
		return a, nil
	}
	// The charts of earlier Milvus lines (4.2.x) sit apart, in
	// charts-previous, so tests that lock every archive of charts keep
	// their meaning.
	var p string
	var data []byte
	for _, dir := range []string{"charts", "charts-previous"} {
		q, err := shared.Path(dir, key+".tgz")
		if err != nil {
			return nil, err
		}
		if data, err = os.ReadFile(q); err == nil {
			p = q
			break
		} else if dir == "charts-previous" {
			return nil, fmt.Errorf("chart %s %s: %w (the charts milvusgen pins must be in ../shared/charts or ../shared/charts-previous)", name, version, err)
		}
	}
	c, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("chart %s loading failed: %w", p, err)
	}
	if c.Metadata.Name != name || c.Metadata.Version != version {
		return nil, fmt.Errorf("chart %s holds %s %s, want %s %s", p, c.Metadata.Name, c.Metadata.Version, name, version)
	}
	a := &Archive{Name: name, Version: version, Path: p, data: data}
	archives[key] = a
	return a, nil
}

// Release is what a chart is rendered with.
type Release struct {
	Name, Namespace string
	// KubeVersion is the cluster's Kubernetes version, "1.34" or "v1.34.0";
	// charts branch on it (.Capabilities.KubeVersion).
	KubeVersion string
	// Values are the release's values. Render does not modify them.
	Values map[string]any
}

// Render installs the chart client-only with r, as `helm template` does,
// and returns its objects, hooks included, each strictly decoded into its
// k8s.io/api type where client-go knows the kind.
func (a *Archive) Render(r Release) (Manifest, error) {
	chrt, err := loader.LoadArchive(bytes.NewReader(a.data))
	if err != nil {
		return nil, fmt.Errorf("chart %s loading failed: %w", a.Path, err)
	}
	kv, err := chartutil.ParseKubeVersion("v" + strings.TrimPrefix(r.KubeVersion, "v") + kubePatch(r.KubeVersion))
	if err != nil {
		return nil, fmt.Errorf("kubernetes version %q: %w", r.KubeVersion, err)
	}
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.DryRun, install.ClientOnly, install.Replace = true, true, true
	install.ReleaseName, install.Namespace, install.KubeVersion = r.Name, r.Namespace, kv
	// Helm coalesces into the values it is given; hand it a copy.
	vals, err := copyValues(r.Values)
	if err != nil {
		return nil, fmt.Errorf("release %s/%s values: %w", r.Namespace, r.Name, err)
	}
	rel, err := install.Run(chrt, vals)
	if err != nil {
		return nil, fmt.Errorf("chart %s %s rendering release %s/%s failed: %w", a.Name, a.Version, r.Namespace, r.Name, err)
	}
	docs := []string{rel.Manifest}
	for _, h := range rel.Hooks {
		docs = append(docs, "# Source: "+h.Path+"\n"+h.Manifest)
	}
	return parseManifest(strings.Join(docs, "\n---\n"))
}

// kubePatch appends ".0" to a major.minor version.
func kubePatch(v string) string {
	if strings.Count(v, ".") == 1 {
		return ".0"
	}
	return ""
}

// copyValues deep-copies values through JSON, which is also how Flux hands
// a HelmRelease's values to Helm.
func copyValues(v map[string]any) (map[string]any, error) {
	out := map[string]any{}
	if v == nil {
		return out, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// HelmRelease renders hr the way helm-controller would on a cluster of
// kubeVersion: chart spec.chart.spec.chart at spec.chart.spec.version from
// ../shared/charts, release name spec.releaseName (or the object's name),
// namespace spec.targetNamespace (or the object's), values spec.values.
// valuesFrom needs a cluster and is refused.
func HelmRelease(hr *helmv2.HelmRelease, kubeVersion string) (Manifest, error) {
	id := ID(helmv2.HelmReleaseKind, hr.Namespace, hr.Name)
	if hr.Spec.Chart == nil {
		return nil, fmt.Errorf("%s: spec.chart is not set", id)
	}
	if len(hr.Spec.ValuesFrom) > 0 {
		return nil, fmt.Errorf("%s: spec.valuesFrom needs a cluster; only spec.values can be rendered offline", id)
	}
	a, err := Chart(hr.Spec.Chart.Spec.Chart, hr.Spec.Chart.Spec.Version)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	vals := map[string]any{}
	if hr.Spec.Values != nil {
		if err := json.Unmarshal(hr.Spec.Values.Raw, &vals); err != nil {
			return nil, fmt.Errorf("%s: spec.values decoding failed: %w", id, err)
		}
	}
	r := Release{Name: hr.GetReleaseName(), Namespace: hr.GetReleaseNamespace(), KubeVersion: kubeVersion, Values: vals}
	m, err := a.Render(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	return m, nil
}

// Rendered is one object a chart rendered.
type Rendered struct {
	// Source is the template it came from, e.g.
	// milvus/charts/pulsarv3/templates/zookeeper-statefulset.yaml.
	Source     string
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	// Typed is the object strictly decoded into its k8s.io/api type, or nil
	// for a kind client-go does not know (a custom resource).
	Typed Object
	// Raw is the YAML document.
	Raw []byte
}

func (o Rendered) String() string { return o.Kind + "/" + o.Metadata.Name + " (" + o.Source + ")" }

// From reports whether the object comes from the given chart directory,
// e.g. "milvus/templates/" or "milvus/charts/pulsarv3/".
func (o Rendered) From(prefix string) bool { return strings.HasPrefix(o.Source, prefix) }

// Manifest is what a chart rendered, in Helm's order.
type Manifest []Rendered

var sourceRE = regexp.MustCompile(`(?m)^# Source: (.+)$`)

func parseManifest(all string) (Manifest, error) {
	var m Manifest
	var errs []error
	for _, doc := range strings.Split(all, "\n---\n") {
		doc = strings.TrimPrefix(doc, "---\n")
		source := ""
		if sm := sourceRE.FindStringSubmatch(doc); sm != nil {
			source = sm[1]
		}
		objs, err := parseDoc(source, []byte(doc))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", source, err))
		}
		m = append(m, objs...)
	}
	return m, errors.Join(errs...)
}

// parseDoc parses one rendered document. A v1 List is flattened into its
// items, as Helm's client does before it sends them to the API server.
func parseDoc(source string, doc []byte) ([]Rendered, error) {
	var o Rendered
	if err := yaml.Unmarshal(doc, &o); err != nil {
		return nil, fmt.Errorf("rendered document does not parse: %w\n%s", err, doc)
	}
	o.Source, o.Raw = source, doc
	switch {
	case o.Kind == "":
		return nil, nil
	case o.APIVersion == "v1" && o.Kind == "List":
		var list struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := yaml.Unmarshal(doc, &list); err != nil {
			return nil, fmt.Errorf("List/%s does not parse: %w", o.Metadata.Name, err)
		}
		var out []Rendered
		var errs []error
		for _, item := range list.Items {
			objs, err := parseDoc(source, item)
			out = append(out, objs...)
			errs = append(errs, err)
		}
		return out, errors.Join(errs...)
	}
	typed, err := Kube(o.Raw)
	switch {
	case runtime.IsNotRegisteredError(err):
	case err != nil:
		return []Rendered{o}, err
	default:
		o.Typed = typed
	}
	return []Rendered{o}, nil
}

// Filter returns the objects of kind (any kind when empty) from the chart
// directory prefix (any when empty).
func (m Manifest) Filter(kind, prefix string) Manifest {
	var out Manifest
	for _, o := range m {
		if (kind == "" || o.Kind == kind) && o.From(prefix) {
			out = append(out, o)
		}
	}
	return out
}

// Component returns the one object of kind from the Milvus templates
// labelled component=name, nil when there is none, and an error when there
// are two.
func (m Manifest) Component(kind, name string) (*Rendered, error) {
	var found *Rendered
	for _, o := range m.Filter(kind, "milvus/templates/") {
		if o.Metadata.Labels["component"] == name {
			if found != nil {
				return nil, fmt.Errorf("two %s objects for component %s: %s and %s", kind, name, found, o)
			}
			found = &o
		}
	}
	return found, nil
}

// As returns the object as *T: its typed form, or for a kind client-go
// does not know, the document strictly decoded into T.
func As[T any](o Rendered) (*T, error) {
	if t, ok := o.Typed.(any).(*T); ok {
		return t, nil
	}
	if o.Typed != nil {
		return nil, fmt.Errorf("%s is a %T, not a %T", o, o.Typed, new(T))
	}
	v := new(T)
	if err := yaml.UnmarshalStrict(o.Raw, v); err != nil {
		return nil, fmt.Errorf("%s does not decode as %T: %w", o, v, err)
	}
	return v, nil
}

// MilvusConfig returns milvus.yaml as the Milvus pods read it: default.yaml
// of the chart's ConfigMap with user.yaml (extraConfigFiles) merged over
// it. Strict parsing catches a doubled key, such as two mq blocks when two
// queues are enabled.
func (m Manifest) MilvusConfig() (map[string]any, error) {
	cms := m.Filter("ConfigMap", "milvus/templates/configmap.yaml")
	if len(cms) != 1 {
		return nil, fmt.Errorf("want one Milvus ConfigMap from milvus/templates/configmap.yaml, got %v", cms)
	}
	cm, err := As[corev1.ConfigMap](cms[0])
	if err != nil {
		return nil, err
	}
	cfg := map[string]any{}
	for _, key := range []string{"default.yaml", "user.yaml"} {
		var part map[string]any
		if err := yaml.UnmarshalStrict([]byte(cm.Data[key]), &part); err != nil {
			return nil, fmt.Errorf("ConfigMap/%s key %s does not parse: %w", cm.Name, key, err)
		}
		mergeConfig(cfg, part)
	}
	return cfg, nil
}

// mergeConfig merges src into dst the way Milvus layers its config files:
// maps merge key by key, anything else replaces.
func mergeConfig(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeConfig(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// Lookup reads a dotted path ("minio.bucketName") from parsed YAML, or nil
// when any step is missing.
func Lookup(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}
