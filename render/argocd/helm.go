package argocd

import (
	"encoding/json"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/flux"
	"github.com/milvusgen/milvusgen/render/values"
)

// Sync options of the Helm Applications.
const (
	// serverSideApply: the LB controller chart's CRDs are too large for
	// client-side apply's last-applied-configuration annotation, and
	// server-side apply is how `milvusgen apply` and Flux apply too.
	serverSideApply = "ServerSideApply=true"
	// createNamespace lets the Milvus Application sync on its own even
	// when its namespace is missing. The Namespace is rendered too (in the
	// same root, so it carries the protection annotations); Argo CD does
	// not track a namespace it creates this way, so never prunes it.
	createNamespace = "CreateNamespace=true"
	// respectIgnoreDifferences keeps the live value of an ignored field on
	// sync instead of writing the newly rendered one.
	respectIgnoreDifferences = "RespectIgnoreDifferences=true"
)

// Names of what the LB controller chart renders for release
// aws-load-balancer-controller (its namePrefix trims "-controller").
const (
	lbWebhookName   = "aws-load-balancer-webhook"
	lbWebhookSecret = "aws-load-balancer-tls"
)

// lbControllerIgnoreDifferences are the LB controller chart's own fields
// that drift for good under Argo CD. The chart makes the webhook's CA and
// serving certificate with genCA on every render unless its `lookup` finds
// the live Secret, and Argo CD renders without cluster access, so every
// render has new certificates: the webhooks' caBundle and the TLS Secret
// would be out of sync forever, and each sync would rotate them under the
// running controller. Ignoring them (and respecting that on sync) keeps
// the certificates of the first install.
var lbControllerIgnoreDifferences = []v1alpha1.ResourceIgnoreDifferences{
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration", Name: lbWebhookName,
		JQPathExpressions: []string{".webhooks[]?.clientConfig.caBundle"}},
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration", Name: lbWebhookName,
		JQPathExpressions: []string{".webhooks[]?.clientConfig.caBundle"}},
	{Kind: "Secret", Namespace: model.LBControllerNamespace, Name: lbWebhookSecret,
		JSONPointers: []string{"/data"}},
}

// lbControllerComment says why, in the rendered file.
var lbControllerComment = []string{
	"ignoreDifferences: the chart generates the webhook's CA and certificate (genCA) on every",
	"render, and Argo CD renders without the cluster access its `lookup` of the live Secret",
	"needs. The webhooks' caBundle and the " + lbWebhookSecret + " Secret would drift forever and",
	"each sync would rotate them; RespectIgnoreDifferences keeps those of the first install.",
}

// buildLBController is the AWS Load Balancer Controller: the runbook's
// `helm install aws-load-balancer-controller eks/aws-load-balancer-controller
// -n kube-system`. Argo CD applies the chart's CRDs with the release.
func buildLBController(s *model.Spec) (*v1alpha1.Application, error) {
	app := buildHelmApplication(s, model.LBControllerRelease, model.LBControllerNamespace,
		model.LBControllerChartRepo, flux.LBControllerChart, s.LoadBalancerController.ChartVersion)
	app.Spec.SyncPolicy.SyncOptions = append(app.Spec.SyncPolicy.SyncOptions, respectIgnoreDifferences)
	app.Spec.IgnoreDifferences = lbControllerIgnoreDifferences
	if err := setValues(app, values.LBController(s)); err != nil {
		return nil, err
	}
	return app, nil
}

// buildMilvus is the Milvus release: the runbook's `helm install
// milvus-demo milvus/milvus -n milvus -f milvus.yaml`. It comes after the
// LB controller (sync waves, see buildApps): the controller's webhook
// must be serving before the Milvus LoadBalancer Service is created, or
// the in-tree cloud provider claims it for a Classic Load Balancer.
func buildMilvus(s *model.Spec) (*v1alpha1.Application, error) {
	app := buildHelmApplication(s, s.Name, s.Milvus.Namespace, model.MilvusChartRepo, flux.MilvusChart, s.Milvus.ChartVersion)
	app.Spec.SyncPolicy.SyncOptions = append(app.Spec.SyncPolicy.SyncOptions, createNamespace)
	app.Annotations = values.MilvusAnnotations(s)
	if err := setValues(app, values.Milvus(s)); err != nil {
		return nil, err
	}
	return app, nil
}

// buildHelmApplication installs chart at a pinned version from a Helm
// repository as release into namespace. Deleting the Application deletes
// what it installed (the resources finalizer), as uninstalling a
// HelmRelease does.
func buildHelmApplication(s *model.Spec, release, namespace, repo, chart, version string) *v1alpha1.Application {
	return &v1alpha1.Application{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: v1alpha1.ApplicationKind},
		ObjectMeta: metav1.ObjectMeta{
			Name:       release,
			Namespace:  s.GitOps.ArgoCD.Namespace,
			Finalizers: []string{v1alpha1.ResourcesFinalizer},
		},
		Spec: v1alpha1.ApplicationSpec{
			Project: model.ArgoCDProject,
			Source: &v1alpha1.ApplicationSource{
				RepoURL:        repo,
				Chart:          chart,
				TargetRevision: version,
				Helm:           &v1alpha1.ApplicationSourceHelm{ReleaseName: release},
			},
			Destination: v1alpha1.ApplicationDestination{Server: v1alpha1.InClusterServer, Namespace: namespace},
			SyncPolicy:  syncPolicy(s, serverSideApply),
		},
	}
}

// setValues stores v as the Helm source's valuesObject. encoding/json
// sorts map keys, so the bytes are deterministic. Empty values are left
// unset.
func setValues(app *v1alpha1.Application, v map[string]any) error {
	if len(v) == 0 {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("Application/%s/%s values encoding failed: %w", app.Namespace, app.Name, err)
	}
	app.Spec.Source.Helm.ValuesObject = &apiextensionsv1.JSON{Raw: raw}
	return nil
}
