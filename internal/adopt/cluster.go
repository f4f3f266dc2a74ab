package adopt

import (
	"context"
	"errors"
	"fmt"

	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage"
	"helm.sh/helm/v3/pkg/storage/driver"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// Release is what import reads from the cluster.
type Release struct {
	// Source says where it came from, for messages: "Helm release
	// milvus/my-release revision 3" or "Argo CD Application argocd/x".
	Source       string
	ChartName    string
	ChartVersion string
	Values       map[string]any
	Defaults     map[string]any
	// Manifest is what Helm installed; "" for an Argo CD Application,
	// which keeps no Helm release.
	Manifest string
}

// ErrNoRelease is returned when neither Helm storage nor an Argo CD
// Application holds the release.
var ErrNoRelease = errors.New("no release")

// applicationGVR is Argo CD's Application.
var applicationGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}

// Read reads the deployed revision of release name in namespace ns from
// Helm's storage (Secrets, as Helm 3 and helm-controller keep it). When
// there is none, it reads the Argo CD Application of that name in
// argocdNamespace (Argo CD templates charts without Helm storage).
func Read(ctx context.Context, cfg *rest.Config, ns, name, argocdNamespace string) (*Release, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	st := storage.Init(driver.NewSecrets(cs.CoreV1().Secrets(ns)))
	rel, err := st.Deployed(name)
	if err == nil {
		return fromHelm(rel), nil
	}
	if !errors.Is(err, driver.ErrReleaseNotFound) && !errors.Is(err, driver.ErrNoDeployedReleases) {
		return nil, fmt.Errorf("reading Helm release %s/%s: %w", ns, name, err)
	}
	helmErr := fmt.Errorf("no deployed Helm release %q in namespace %s (Helm keeps one in Secrets labelled owner=helm,name=%s; helm and Flux installs have it)", name, ns, name)
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	app, err := dc.Resource(applicationGVR).Namespace(argocdNamespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return fromApplication(app.Object, argocdNamespace, name)
	case apierrors.IsNotFound(err) || apierrors.IsForbidden(err) || isNoKind(err):
		return nil, fmt.Errorf("%w: %v, and no Argo CD Application %s/%s (an Argo CD install has no Helm storage: pass the Application's name as --release and its namespace as --argocd-namespace)", ErrNoRelease, helmErr, argocdNamespace, name)
	default:
		return nil, fmt.Errorf("%v; reading Argo CD Application %s/%s: %w", helmErr, argocdNamespace, name, err)
	}
}

func isNoKind(err error) bool {
	var se apierrors.APIStatus
	return errors.As(err, &se) && se.Status().Code == 404
}

func fromHelm(rel *release.Release) *Release {
	r := &Release{
		Source:   fmt.Sprintf("Helm release %s/%s revision %d", rel.Namespace, rel.Name, rel.Version),
		Values:   rel.Config,
		Manifest: rel.Manifest,
	}
	if rel.Chart != nil {
		r.Defaults = rel.Chart.Values
		if md := rel.Chart.Metadata; md != nil {
			r.ChartName, r.ChartVersion = md.Name, md.Version
		}
	}
	return r
}

// fromApplication reads a single-source Helm Application:
// spec.source.chart and targetRevision, and its values (valuesObject,
// else the values string).
func fromApplication(obj map[string]any, ns, name string) (*Release, error) {
	src, ok := lookup(obj, []string{"spec", "source"})
	s, _ := src.(map[string]any)
	if !ok || s["chart"] == nil {
		return nil, fmt.Errorf("Argo CD Application %s/%s has no spec.source.chart: only a single-source Helm chart Application can be imported", ns, name)
	}
	r := &Release{
		Source:       fmt.Sprintf("Argo CD Application %s/%s", ns, name),
		ChartName:    fmt.Sprint(s["chart"]),
		ChartVersion: fmt.Sprint(s["targetRevision"]),
		Values:       map[string]any{},
	}
	if v, ok := lookup(s, []string{"helm", "valuesObject"}); ok {
		if m, ok := v.(map[string]any); ok {
			r.Values = clone(m)
		}
	} else if v, ok := lookup(s, []string{"helm", "values"}); ok {
		if err := yaml.Unmarshal([]byte(fmt.Sprint(v)), &r.Values); err != nil {
			return nil, fmt.Errorf("Argo CD Application %s/%s: spec.source.helm.values is not YAML: %w", ns, name, err)
		}
	}
	if _, ok := lookup(s, []string{"helm", "valueFiles"}); ok {
		return nil, fmt.Errorf("Argo CD Application %s/%s reads spec.source.helm.valueFiles from its repository; import reads only valuesObject and values", ns, name)
	}
	return r, nil
}
