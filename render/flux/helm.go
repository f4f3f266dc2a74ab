package flux

import (
	"encoding/json"
	"fmt"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/values"
)

// Names and settings of the two Helm releases.
const (
	// LBControllerRepository names the HelmRepository of the eks-charts
	// repository, as the runbook's `helm repo add eks`.
	LBControllerRepository = "eks"
	// LBControllerChart is the controller's chart in eks-charts.
	LBControllerChart = manifest.LBControllerChart
	// MilvusRepository names the HelmRepository of the Milvus charts, as the
	// runbook's `helm repo add milvus`.
	MilvusRepository = "milvus"
	// MilvusChart is the Milvus chart.
	MilvusChart = manifest.MilvusChart

	// MilvusTimeout bounds each Helm action on Milvus: etcd, the message
	// queue and the coordinators take minutes to become ready, and pods
	// restarting once or twice while they do is normal.
	MilvusTimeout = 15 * time.Minute
	// remediationRetries is how often a failed install or upgrade is
	// remediated (uninstall or rollback) and retried before giving up.
	remediationRetries = 3
)

// buildLBController is the AWS Load Balancer Controller: the runbook's
// `helm install aws-load-balancer-controller eks/aws-load-balancer-controller
// -n kube-system`, with its CRDs (TargetGroupBinding, IngressClassParams)
// created and kept up to date on upgrades.
func buildLBController(s *model.Spec, interval time.Duration) (*sourcev1.HelmRepository, *helmv2.HelmRelease, error) {
	repo := buildHelmRepository(LBControllerRepository, model.LBControllerNamespace, model.LBControllerChartRepo, interval)
	rel := &helmv2.HelmRelease{
		TypeMeta:   metav1.TypeMeta{APIVersion: helmv2.GroupVersion.String(), Kind: helmv2.HelmReleaseKind},
		ObjectMeta: metav1.ObjectMeta{Name: model.LBControllerRelease, Namespace: model.LBControllerNamespace},
		Spec: helmv2.HelmReleaseSpec{
			Interval:    metav1.Duration{Duration: interval},
			ReleaseName: model.LBControllerRelease,
			Chart:       buildChart(LBControllerChart, s.LoadBalancerController.ChartVersion, LBControllerRepository),
			Install: &helmv2.Install{
				CRDs:        helmv2.CreateReplace,
				Remediation: &helmv2.InstallRemediation{Retries: remediationRetries},
			},
			Upgrade: &helmv2.Upgrade{
				CRDs:        helmv2.CreateReplace,
				Remediation: &helmv2.UpgradeRemediation{Retries: remediationRetries},
			},
		},
	}
	if err := setValues(rel, values.LBController(s)); err != nil {
		return nil, nil, err
	}
	return repo, rel, nil
}

// buildMilvus is the Milvus release: the runbook's `helm install milvus-demo
// milvus/milvus -n milvus -f milvus.yaml`. It depends on the LB controller
// release because the controller's webhook must be serving before the
// Milvus LoadBalancer Service is created; otherwise the in-tree cloud
// provider claims the Service and provisions a Classic Load Balancer.
func buildMilvus(s *model.Spec, interval time.Duration) (*sourcev1.HelmRepository, *helmv2.HelmRelease, error) {
	repo := buildHelmRepository(MilvusRepository, s.Milvus.Namespace, model.MilvusChartRepo, interval)
	rel := &helmv2.HelmRelease{
		TypeMeta:   metav1.TypeMeta{APIVersion: helmv2.GroupVersion.String(), Kind: helmv2.HelmReleaseKind},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: s.Milvus.Namespace, Annotations: values.MilvusAnnotations(s)},
		Spec: helmv2.HelmReleaseSpec{
			Interval:    metav1.Duration{Duration: interval},
			ReleaseName: s.Name,
			Chart:       buildChart(MilvusChart, s.Milvus.ChartVersion, MilvusRepository),
			DependsOn: []helmv2.DependencyReference{{
				Name:      model.LBControllerRelease,
				Namespace: model.LBControllerNamespace,
			}},
			Timeout: &metav1.Duration{Duration: MilvusTimeout},
			Install: &helmv2.Install{
				Remediation: &helmv2.InstallRemediation{Retries: remediationRetries},
			},
			Upgrade: &helmv2.Upgrade{
				Remediation: &helmv2.UpgradeRemediation{Retries: remediationRetries},
			},
		},
	}
	if err := setValues(rel, values.Milvus(s)); err != nil {
		return nil, nil, err
	}
	return repo, rel, nil
}

// buildHelmRepository is an HTTPS Helm repository. Its interval is always
// set: the field is a non-pointer Duration and would marshal as 0s.
func buildHelmRepository(name, namespace, url string, interval time.Duration) *sourcev1.HelmRepository {
	return &sourcev1.HelmRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.HelmRepositoryKind},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: sourcev1.HelmRepositorySpec{
			URL:      url,
			Interval: metav1.Duration{Duration: interval},
		},
	}
}

// buildChart pins a chart version from a HelmRepository in the release's
// own namespace.
func buildChart(chart, version, repository string) *helmv2.HelmChartTemplate {
	return &helmv2.HelmChartTemplate{
		Spec: helmv2.HelmChartTemplateSpec{
			Chart:   chart,
			Version: version,
			SourceRef: helmv2.CrossNamespaceObjectReference{
				Kind: sourcev1.HelmRepositoryKind,
				Name: repository,
			},
		},
	}
}

// setValues stores v as the release's inline values. encoding/json sorts
// map keys, so the bytes are deterministic. Empty values are left unset.
func setValues(rel *helmv2.HelmRelease, v map[string]any) error {
	if len(v) == 0 {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("HelmRelease/%s/%s values encoding failed: %w", rel.Namespace, rel.Name, err)
	}
	rel.Spec.Values = &apiextensionsv1.JSON{Raw: raw}
	return nil
}
