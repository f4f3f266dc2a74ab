package hydrate

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Charts ask the cluster what it serves through .Capabilities.APIVersions:
// "networking.k8s.io/v1" and, with a kind, "networking.k8s.io/v1/Ingress".
// Helm's client-only default lists group/versions only, every one client-go
// knows (extensions/v1beta1 included) and no kinds, so a chart testing
// `.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"` renders
// differently than on the cluster. KubeAPIVersions derives what a cluster of
// a Kubernetes version serves from client-go's own scheme instead of a hand
// list; the CRDs the tree installs are added (CRDAPIVersions).

// Lifecycle methods k8s.io/api generates for every prerelease type
// (zz_generated.prerelease-lifecycle.go): the release that introduced the
// type and the one that stops serving it.
type introduced interface{ APILifecycleIntroduced() (major, minor int) }
type removed interface{ APILifecycleRemoved() (major, minor int) }

// betaOffSince is the first minor release whose new beta APIs are off by
// default (KEP-3136); EKS enables no API that is off by default.
const betaOffSince = 24

var kubeAPIs sync.Map // minor version → []string

// KubeAPIVersions lists the API group/versions, and each with its kinds,
// that Kubernetes 1.<minor> serves by default, as discovery reports them
// ("v1", "v1/Pod", "apps/v1/Deployment"), sorted. A type is left out when
// its version is alpha, when it was removed at or before the version, when
// it was introduced after it, or when it is a beta introduced since 1.24.
// Lists, options and other types without object metadata are not kinds
// discovery names.
func KubeAPIVersions(kube string) ([]string, error) {
	minor, err := kubeMinor(kube)
	if err != nil {
		return nil, err
	}
	if v, ok := kubeAPIs.Load(minor); ok {
		return v.([]string), nil
	}
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme, apiextensionsv1beta1.AddToScheme} {
		if err := add(s); err != nil {
			return nil, err
		}
	}
	set := map[string]bool{}
	for gvk := range s.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.Contains(gvk.Version, "alpha") {
			continue
		}
		obj, err := s.New(gvk)
		if err != nil || meta.IsListType(obj) {
			continue
		}
		if _, err := meta.Accessor(obj); err != nil {
			continue // options, events of a watch, status: not resources
		}
		if r, ok := obj.(removed); ok {
			if maj, min := r.APILifecycleRemoved(); maj == 1 && min <= minor && min > 0 {
				continue
			}
		}
		if in, ok := obj.(introduced); ok {
			maj, min := in.APILifecycleIntroduced()
			if maj == 1 && min > minor {
				continue
			}
			if strings.Contains(gvk.Version, "beta") && maj == 1 && min >= betaOffSince {
				continue
			}
		}
		gv := gvk.GroupVersion().String()
		set[gv] = true
		set[path.Join(gv, gvk.Kind)] = true
	}
	out := sorted(set)
	kubeAPIs.Store(minor, out)
	return out, nil
}

func kubeMinor(kube string) (int, error) {
	v := strings.TrimPrefix(kube, "v")
	maj, min, ok := strings.Cut(v, ".")
	if ok {
		min, _, _ = strings.Cut(min, ".")
	}
	n, err := strconv.Atoi(min)
	if !ok || maj != "1" || err != nil {
		return 0, fmt.Errorf("kubernetes version %q: want 1.<minor>, e.g. 1.34", kube)
	}
	return n, nil
}

// CRDAPIVersions lists the group/versions and kinds the
// CustomResourceDefinitions among docs serve (a version with served: false
// is not listed).
func CRDAPIVersions(docs [][]byte) []string {
	set := map[string]bool{}
	for _, d := range docs {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(d, &crd); err != nil || crd.Kind != "CustomResourceDefinition" || crd.Spec.Group == "" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			gv := crd.Spec.Group + "/" + v.Name
			set[gv] = true
			set[gv+"/"+crd.Spec.Names.Kind] = true
		}
	}
	return sorted(set)
}

// treeCRDs are the CRD documents among a tree's own files.
func treeCRDs(files []manifest.File) [][]byte {
	var out [][]byte
	for _, f := range files {
		if !isYAML(f.Path) || IsHydrated(f.Path) || !bytes.Contains(f.Data, []byte("CustomResourceDefinition")) {
			continue
		}
		docs, err := splitYAML(f.Data)
		if err != nil {
			continue
		}
		out = append(out, docs...)
	}
	return out
}

// chartCRDs are the CRD documents of ch and of the subcharts its values
// enable (Helm installs only those), unless the release skips CRDs.
func chartCRDs(in Input, ch *helmchart.Chart) ([][]byte, error) {
	if in.SkipCRDs {
		return nil, nil
	}
	// ProcessDependencies prunes disabled subcharts from the chart it is
	// given: ch must be the caller's own copy.
	if err := chartutil.ProcessDependenciesWithMerge(ch, copyValues(in.Values)); err != nil {
		return nil, err
	}
	var out [][]byte
	for _, crd := range ch.CRDObjects() {
		docs, err := splitYAML(crd.File.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", crd.Filename, err)
		}
		out = append(out, docs...)
	}
	return out, nil
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// union merges sorted lists into one sorted list without repeats.
func union(lists ...[]string) []string {
	set := map[string]bool{}
	for _, l := range lists {
		for _, s := range l {
			set[s] = true
		}
	}
	return sorted(set)
}

// clusterAPIs is what .Capabilities.APIVersions holds for the releases of
// one Render: Kubernetes' own APIs, the CRDs of the tree (Options.APIVersions)
// and those of every release's chart. It is computed once, when the first
// release is templated: a release found in the result cache needs only
// what decides it (keyPart).
type clusterAPIs struct {
	kube   string
	extra  []string
	inputs []Input
	l      Loader

	once sync.Once
	list []string
	err  error

	// charts are the charts get loaded, by input, handed to the release
	// that templates them (take) so no chart is loaded twice.
	mu     sync.Mutex
	charts []*helmchart.Chart
}

func newClusterAPIs(kube string, extra []string, inputs []Input, l Loader) *clusterAPIs {
	return &clusterAPIs{kube: kube, extra: union(extra), inputs: inputs, l: l}
}

// get returns the list; empty kube keeps Helm's default capabilities.
func (c *clusterAPIs) get() ([]string, error) {
	c.once.Do(func() {
		if c.kube == "" {
			return
		}
		kube, err := KubeAPIVersions(c.kube)
		if err != nil {
			c.err = err
			return
		}
		lists := [][]string{kube, c.extra}
		c.charts = make([]*helmchart.Chart, len(c.inputs))
		for i, in := range c.inputs {
			ch, err := c.l.Load(in.Chart)
			if err != nil {
				c.err = err
				return
			}
			c.charts[i] = ch
			docs, err := chartCRDs(in, ch)
			if err != nil {
				c.err = fmt.Errorf("chart %s CRDs: %w", in.Chart, err)
				return
			}
			lists = append(lists, CRDAPIVersions(docs))
		}
		c.list = union(lists...)
	})
	return c.list, c.err
}

// take returns the chart get loaded for input i, once; nil when get loaded
// none (Helm's default capabilities) or it was taken.
func (c *clusterAPIs) take(i int) *helmchart.Chart {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i >= len(c.charts) {
		return nil
	}
	ch := c.charts[i]
	c.charts[i] = nil
	return ch
}

// crdSource is what decides the CRDs one release installs.
type crdSource struct {
	Digest   string
	Values   map[string]any
	SkipCRDs bool
}

// keyPart is what decides the list, for the cache key: the tree's CRDs and
// each release's chart digest, values and SkipCRDs (Kubernetes' own APIs
// follow from the Kubernetes and milvusgen versions, already in the key).
func (c *clusterAPIs) keyPart(dl DigestLoader) (any, error) {
	srcs := make([]crdSource, len(c.inputs))
	for i, in := range c.inputs {
		d, err := dl.Digest(in.Chart)
		if err != nil {
			return nil, err
		}
		srcs[i] = crdSource{Digest: d, Values: in.Values, SkipCRDs: in.SkipCRDs}
	}
	return struct {
		TreeCRDs []string
		Charts   []crdSource
	}{c.extra, srcs}, nil
}
