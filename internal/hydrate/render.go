package hydrate

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Placeholder replaces, base64-encoded as Secret data and caBundles are,
// what a chart generates anew on every render.
var Placeholder = base64.StdEncoding.EncodeToString([]byte("milvusgen-hydrate-placeholder"))

// Labels helm-controller's origin post-renderer puts on every object.
var (
	originName      = helmv2.GroupVersion.Group + "/name"
	originNamespace = helmv2.GroupVersion.Group + "/namespace"
)

// chartLabel names the chart and its version on the objects of most charts.
const chartLabel = "helm.sh/chart"

// object is one rendered manifest and the template it came from.
type object struct {
	source                string
	postRendered          bool // helm-controller's post-renderers see it: not a hook, not from crds/
	kind, namespace, name string
	body                  map[string]any
}

var (
	sourceRE = regexp.MustCompile(`(?m)^# Source: (.+)$`)
)

// rendered is what the Helm engine made of one release.
type rendered struct {
	release, namespace string
	objs               []object
}

// template renders one release the way `helm template` (Helm's client-only
// install) does, through Helm's engine rather than the install action: the
// same release name check, dependency processing, capabilities, values
// (coalesced and checked against the chart's schema), kubeVersion
// constraint and manifest sorting, without the release storage the action
// links in. CRDs come first unless install.crds is Skip, then the
// manifests in Helm's install order, then the hooks (test hooks never,
// every hook when install.disableHooks is set).
func template(in Input, ch *helmchart.Chart, kube string, apis []string) (rendered, error) {
	out := rendered{release: in.ReleaseName, namespace: in.Namespace}
	caps := chartutil.DefaultCapabilities.Copy()
	if kube != "" {
		kv, err := parseKubeVersion(kube)
		if err != nil {
			return rendered{}, err
		}
		caps.KubeVersion = *kv
	}
	// What the cluster serves (KubeAPIVersions and the tree's CRDs), so a
	// chart testing .Capabilities.APIVersions.Has renders as it will there.
	if apis != nil {
		caps.APIVersions = chartutil.VersionSet(apis)
	}
	// Helm coalesces into the values it is given: a copy keeps the
	// caller's (and the cache key's) intact.
	values := copyValues(in.Values)
	fail := func(err error) (rendered, error) {
		return rendered{}, fmt.Errorf("chart %s render failed: %w", in.Chart, err)
	}
	if err := chartutil.ValidateReleaseName(out.release); err != nil {
		return fail(fmt.Errorf("release name %q: %w", out.release, err))
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, values); err != nil {
		return fail(err)
	}
	top, err := chartutil.ToRenderValuesWithSchemaValidation(ch, values, chartutil.ReleaseOptions{
		Name: out.release, Namespace: out.namespace, Revision: 1, IsInstall: true,
	}, caps, false)
	if err != nil {
		return fail(err)
	}
	if c := ch.Metadata.KubeVersion; c != "" && !chartutil.IsCompatibleRange(c, caps.KubeVersion.String()) {
		return fail(fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", c, caps.KubeVersion.String()))
	}
	files, err := engine.Engine{}.Render(ch, top)
	if err != nil {
		return fail(err)
	}
	for k := range files {
		if strings.HasSuffix(k, "NOTES.txt") {
			delete(files, k)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return fail(err)
	}
	// helm-controller installs CRDs itself and Helm 3 does not post-render
	// hooks: neither gets the origin labels.
	var docs []rawDoc
	add := func(source, doc string, postRendered bool) {
		split := releaseutil.SplitManifests(doc)
		keys := make([]string, 0, len(split))
		for k := range split {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		for _, k := range keys {
			// A document without a "# Source:" line comes from the same
			// file as the one before it (Helm prints a crds/ file's
			// documents under one Source line).
			if m := sourceRE.FindStringSubmatch(split[k]); m != nil {
				source = m[1]
			}
			docs = append(docs, rawDoc{text: split[k], source: source, postRendered: postRendered})
		}
	}
	if !in.SkipCRDs {
		for _, crd := range ch.CRDObjects() {
			add(crd.Filename, string(crd.File.Data), false)
		}
	}
	for _, m := range manifests {
		add(m.Name, m.Content, true)
	}
	for _, h := range hooks {
		if isTestHook(h.Events) || in.DisableHooks {
			continue // only `helm test` runs test hooks; helm-controller does when spec.test is on
		}
		add(h.Path, h.Manifest, false)
	}
	// Decoding is most of hydrate's own work; documents decode in parallel.
	found := make([][]object, len(docs))
	errs := make([]error, len(docs))
	parallel(len(docs), func(i int) { found[i], errs[i] = parseObjects(docs[i]) })
	for i := range docs {
		if errs[i] != nil {
			return rendered{}, errs[i]
		}
		out.objs = append(out.objs, found[i]...)
	}
	return out, nil
}

// parseKubeVersion reads a Kubernetes minor version such as "1.34".
func parseKubeVersion(kube string) (*chartutil.KubeVersion, error) {
	kv, err := chartutil.ParseKubeVersion("v" + strings.TrimPrefix(kube, "v") + ".0")
	if err != nil {
		return nil, fmt.Errorf("kubernetes version %q: %w", kube, err)
	}
	return kv, nil
}

// hydrateRelease renders one release into its hydrated file.
func hydrateRelease(in Input, i int, l Loader, kube string, apis *clusterAPIs, opts Options) (manifest.File, error) {
	versions, err := apis.get()
	if err != nil {
		return manifest.File{}, err
	}
	// The chart get loaded has had its disabled subcharts pruned for the
	// same values, as template does.
	ch := apis.take(i)
	if ch == nil {
		if ch, err = l.Load(in.Chart); err != nil {
			return manifest.File{}, err
		}
	}
	rd, err := template(in, ch, kube, versions)
	if err != nil {
		return manifest.File{}, err
	}
	data, err := encode(in, rd, kube, opts)
	if err != nil {
		return manifest.File{}, err
	}
	return manifest.File{Path: Path(rd.namespace, rd.release), Data: data, Mode: 0o644}, nil
}

// encode post-processes a release's objects like helm-controller (origin
// and common labels), makes them reproducible (placeholders, no chart
// labels) and writes the hydrated file.
func encode(in Input, rd rendered, kube string, opts Options) ([]byte, error) {
	objs := rd.objs
	var redacted, unlabelled int
	for _, o := range objs {
		redacted += redact(o)
		if !opts.KeepChartLabels {
			unlabelled += stripLabel(o.body, chartLabel)
		}
		if o.postRendered {
			addLabels(o.body, in)
		}
	}
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.namespace != b.namespace {
			return a.namespace < b.namespace
		}
		if a.name != b.name {
			return a.name < b.name
		}
		return a.source < b.source
	})

	var b bytes.Buffer
	b.WriteString("# " + manifest.Header + "\n")
	fmt.Fprintf(&b, "# Hydrated for review only: the %d objects chart %s renders for %s\n", len(objs), in.Chart, in.Origin)
	fmt.Fprintf(&b, "# (release %s in namespace %s, Kubernetes %s), by the Helm SDK offline, as helm-controller installs it.\n", rd.release, rd.namespace, kubeOrDefault(kube))
	b.WriteString("# Flux installs the chart itself: no kustomization.yaml lists this file and nothing applies it.\n")
	b.WriteString("# Changed so that two renders are byte-identical and no secret is written:\n")
	fmt.Fprintf(&b, "# - Secret data and webhook caBundles are replaced by the placeholder %s (%d values): the chart\n", Placeholder, redacted)
	b.WriteString("#   generates certificates, keys and passwords anew on every render; the cluster keeps its own.\n")
	if opts.KeepChartLabels {
		b.WriteString("# - helm.sh/chart labels are kept.\n")
	} else {
		fmt.Fprintf(&b, "# - %s labels are removed (%d): they change with every chart version.\n", chartLabel, unlabelled)
	}
	encoded := make([][]byte, len(objs))
	errs := make([]error, len(objs))
	parallel(len(objs), func(i int) { encoded[i], errs[i] = manifest.Marshal(objs[i].body) })
	for i, o := range objs {
		data, err := encoded[i], errs[i]
		if err != nil {
			return nil, fmt.Errorf("%s %s/%s encoding failed: %w", o.kind, o.namespace, o.name, err)
		}
		b.WriteString("---\n")
		if o.source != "" {
			b.WriteString("# Source: " + o.source + "\n")
		}
		b.Write(data)
	}
	return b.Bytes(), nil
}

func kubeOrDefault(v string) string {
	if v == "" {
		return chartutil.DefaultCapabilities.KubeVersion.Version + " (Helm's default)"
	}
	return v
}

func isTestHook[E ~string](events []E) bool {
	for _, e := range events {
		if e == "test" || e == "test-success" {
			return true
		}
	}
	return false
}

// rawDoc is one rendered YAML document and the chart file it came from.
type rawDoc struct {
	text, source string
	postRendered bool
}

// parallel calls fn(0) … fn(n-1) on GOMAXPROCS goroutines.
func parallel(n int, fn func(int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// parseObjects decodes one rendered document into its objects: none for a
// template that rendered only comments, the items of a List (the Helm
// client and helm-controller's post-renderer both unpack them), else one.
func parseObjects(d rawDoc) ([]object, error) {
	var body map[string]any
	if err := yaml.Unmarshal([]byte(d.text), &body); err != nil {
		return nil, fmt.Errorf("rendered manifest %s does not parse: %w", d.source, err)
	}
	if len(body) == 0 {
		return nil, nil
	}
	pruneNulls(body)
	var bodies []map[string]any
	if kind, _ := body["kind"].(string); strings.HasSuffix(kind, "List") && body["items"] != nil {
		items, _ := body["items"].([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				bodies = append(bodies, m)
			}
		}
	} else {
		bodies = append(bodies, body)
	}
	objs := make([]object, 0, len(bodies))
	for _, b := range bodies {
		o := object{body: b, source: d.source, postRendered: d.postRendered}
		o.kind, _ = b["kind"].(string)
		if md, ok := b["metadata"].(map[string]any); ok {
			o.name, _ = md["name"].(string)
			o.namespace, _ = md["namespace"].(string)
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// pruneNulls drops null map values (`annotations: null`, `env: null`):
// the API server never stores them, and they are noise in a review.
func pruneNulls(v any) {
	walk(v, func(m map[string]any) {
		for k, x := range m {
			if x == nil {
				delete(m, k)
			}
		}
	})
}

// redact replaces every Secret value and every caBundle with Placeholder
// and returns how many it replaced.
func redact(o object) int {
	n := 0
	if o.kind == "Secret" {
		for _, field := range []string{"data", "stringData"} {
			if m, ok := o.body[field].(map[string]any); ok {
				for k := range m {
					m[k] = Placeholder
					n++
				}
			}
		}
	}
	walk(o.body, func(m map[string]any) {
		if v, ok := m["caBundle"].(string); ok && v != "" {
			m["caBundle"] = Placeholder
			n++
		}
	})
	return n
}

// stripLabel removes label from every labels map in v (the object's, pod
// templates', volume claim templates') and returns how many it removed.
func stripLabel(v any, label string) int {
	n := 0
	walk(v, func(m map[string]any) {
		if labels, ok := m["labels"].(map[string]any); ok {
			if _, ok := labels[label]; ok {
				delete(labels, label)
				n++
				if len(labels) == 0 {
					delete(m, "labels")
				}
			}
		}
	})
	return n
}

// addLabels puts on the object the labels and annotations of in, as
// helm-controller's post-renderers add spec.commonMetadata's and the
// origin labels.
func addLabels(obj map[string]any, in Input) {
	md, ok := obj["metadata"].(map[string]any)
	if !ok {
		md = map[string]any{}
		obj["metadata"] = md
	}
	labels, ok := md["labels"].(map[string]any)
	if !ok {
		labels = map[string]any{}
		md["labels"] = labels
	}
	for k, v := range in.Labels {
		labels[k] = v
	}
	if len(in.Annotations) > 0 {
		ann, ok := md["annotations"].(map[string]any)
		if !ok {
			ann = map[string]any{}
			md["annotations"] = ann
		}
		for k, v := range in.Annotations {
			ann[k] = v
		}
	}
}

// copyValues deep-copies a values tree of maps and lists.
func copyValues(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return copyValues(t)
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = copyValue(e)
		}
		return l
	}
	return v
}

// walk calls fn on every map in v, parents before children.
func walk(v any, fn func(map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		fn(t)
		for _, c := range t {
			walk(c, fn)
		}
	case []any:
		for _, c := range t {
			walk(c, fn)
		}
	}
}
