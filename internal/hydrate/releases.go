package hydrate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Release is one HelmRelease of a rendered tree and the chart it pins.
type Release struct {
	// Path is the file the HelmRelease is in.
	Path        string
	HelmRelease *helmv2.HelmRelease
	Chart       chart.Ref
	// Application, when set, is the Argo CD Application the release was
	// read from (argocd.go); HelmRelease then states it the Flux way.
	Application *v1alpha1.Application
}

// Releases finds the HelmReleases among files, and the Argo CD
// Applications with a Helm source (after the HelmReleases), decoded strictly into
// helm-controller's API type, with the chart each one pins resolved
// through the HelmRepository it names (which must be among files too).
// They are returned in file order. The error joins every problem found.
func Releases(files []manifest.File) ([]Release, error) {
	type key struct{ ns, name string }
	repos := map[key]*sourcev1.HelmRepository{}
	var rels, apps []Release
	var errs []error
	for _, f := range files {
		if !isYAML(f.Path) || IsHydrated(f.Path) {
			continue
		}
		docs, err := splitYAML(f.Data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.Path, err))
			continue
		}
		for _, doc := range docs {
			var tm struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				continue // not an object; nothing to hydrate
			}
			switch {
			case tm.Kind == helmv2.HelmReleaseKind && strings.HasPrefix(tm.APIVersion, helmv2.GroupVersion.Group+"/"):
				if tm.APIVersion != helmv2.GroupVersion.String() {
					errs = append(errs, fmt.Errorf("%s: HelmRelease %s is not supported; want %s", f.Path, tm.APIVersion, helmv2.GroupVersion))
					continue
				}
				hr := &helmv2.HelmRelease{}
				if err := yaml.UnmarshalStrict(doc, hr); err != nil {
					errs = append(errs, fmt.Errorf("%s: HelmRelease does not decode: %w", f.Path, err))
					continue
				}
				rels = append(rels, Release{Path: f.Path, HelmRelease: hr})
			case isApplication(tm.APIVersion, tm.Kind):
				r, ok, err := applicationRelease(f.Path, doc)
				if err != nil {
					errs = append(errs, err)
				} else if ok {
					apps = append(apps, r)
				}
			case tm.Kind == sourcev1.HelmRepositoryKind && tm.APIVersion == sourcev1.GroupVersion.String():
				repo := &sourcev1.HelmRepository{}
				if err := yaml.UnmarshalStrict(doc, repo); err != nil {
					errs = append(errs, fmt.Errorf("%s: HelmRepository does not decode: %w", f.Path, err))
					continue
				}
				repos[key{repo.Namespace, repo.Name}] = repo
			}
		}
	}
	for i := range rels {
		r := &rels[i]
		hr := r.HelmRelease
		subject := fmt.Sprintf("%s: HelmRelease %s/%s", r.Path, hr.Namespace, hr.Name)
		if hr.Spec.Chart == nil {
			errs = append(errs, fmt.Errorf("%s: only spec.chart with a HelmRepository can be hydrated, not spec.chartRef", subject))
			continue
		}
		cs := hr.Spec.Chart.Spec
		src := cs.SourceRef
		ns := src.Namespace
		if ns == "" {
			ns = hr.Namespace
		}
		if src.Kind != sourcev1.HelmRepositoryKind {
			errs = append(errs, fmt.Errorf("%s: chart source %s is not supported; want a HelmRepository", subject, src.Kind))
			continue
		}
		repo, ok := repos[key{ns, src.Name}]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: HelmRepository %s/%s is not among the rendered files", subject, ns, src.Name))
			continue
		}
		if strings.ContainsAny(cs.Version, "^~<>=*|, ") || cs.Version == "" {
			errs = append(errs, fmt.Errorf("%s: chart version %q is not pinned; hydrate needs an exact version", subject, cs.Version))
			continue
		}
		r.Chart = chart.Ref{Repository: repo.Spec.URL, Name: cs.Chart, Version: cs.Version}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return append(rels, apps...), nil
}

func isYAML(p string) bool { return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") }

// splitYAML returns the non-empty documents of a multi-document YAML file.
func splitYAML(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
}

// stripComments drops whole-line comments, to tell empty documents apart.
func stripComments(doc []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// clusterVersion is metadata.version of the eksctl ClusterConfig among
// files, or "".
func clusterVersion(files []manifest.File) string {
	for _, f := range files {
		if !isYAML(f.Path) || IsHydrated(f.Path) {
			continue
		}
		docs, err := splitYAML(f.Data)
		if err != nil {
			continue
		}
		for _, doc := range docs {
			var cc struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct {
					Version string `json:"version"`
				} `json:"metadata"`
			}
			if yaml.Unmarshal(doc, &cc) == nil && cc.Kind == "ClusterConfig" && strings.HasPrefix(cc.APIVersion, "eksctl.io/") {
				return cc.Metadata.Version
			}
		}
	}
	return ""
}
