package runbook

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/diff/awsstep"
	"github.com/milvusgen/milvusgen/internal/model"
)

// Oldest engine versions the rendered tree works with, checked when
// gitops.install is false and the platform's engine is used as it is.
const (
	// argoCDMin: the Applications are checked against Argo CD v3.5.1's
	// CRDs and rely on its 3.x defaults; 2.x is out of support.
	argoCDMin      = "3.0"
	argoCDMinMajor = 3
	argoCDMinMinor = 0
)

// versionAtLeast writes shell that reads a version ("v2.9.5", "2.9") from
// the command in read, refuses one it cannot parse or older than
// major.minor with a message naming what, and otherwise goes on.
func versionAtLeast(w *script, what, read string, major, minor int, fix string) {
	w.f(`installed="$(%s)"
installed="${installed##*:}"
installed="${installed#flux-}"
installed="${installed#v}"
case "$installed" in
[0-9]*.[0-9]*) ;;
*) echo "bootstrap.sh: cannot read the installed %s's version (got \"$installed\"); %s" >&2; exit 1 ;;
esac
IFS=. read -r major minor _ <<<"$installed"
if [ "$major" -lt %d ] || { [ "$major" -eq %d ] && [ "$minor" -lt %d ]; }; then
  echo "bootstrap.sh: the installed %s is $installed, older than %d.%d, which this tree needs; %s" >&2
  exit 1
fi
echo "%s $installed is installed; installing nothing"`, read, what, fix, major, major, minor, what, major, minor, fix, what)
}

// fluxInstalled replaces `flux install` when gitops.install is false: the
// version flux install recorded on its namespace must be new enough.
func fluxInstalled(w *script) {
	w.raw("# gitops.install: false: Flux is the platform's; check it, install nothing.\n")
	versionAtLeast(w, "Flux",
		fmt.Sprintf(`kubectl get namespace %s -o jsonpath='{.metadata.labels.app\.kubernetes\.io/version}' 2>/dev/null || true`, model.FluxNamespace),
		fluxMinMajor, fluxMinMinor, "upgrade Flux, or set gitops.install: true to let bootstrap.sh install $FLUX_VERSION")
}

// argoCDInstalled replaces the Argo CD install when gitops.install is
// false: the image of argocd-server must be new enough. The Application
// health check the sync waves need is the platform's to add; without it
// the waves do not wait, which is reported.
func argoCDInstalled(w *script) {
	w.raw("# gitops.install: false: Argo CD is the platform's; check it, install nothing.\n")
	versionAtLeast(w, "Argo CD",
		`kubectl -n "$ARGOCD_NAMESPACE" get deployment argocd-server -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true`,
		argoCDMinMajor, argoCDMinMinor, "upgrade Argo CD, or set gitops.install: true to let bootstrap.sh install $ARGOCD_VERSION")
	w.raw(`if [ -z "$(kubectl -n "$ARGOCD_NAMESPACE" get configmap argocd-cm -o jsonpath='{.data.resource\.customizations\.health\.argoproj\.io_Application}' 2>/dev/null || true)" ]; then
  echo "bootstrap.sh: argocd-cm has no health check for Applications, so the sync waves will not wait" >&2
  echo "for the load balancer controller before Milvus; add resource.customizations.health.argoproj.io_Application" >&2
fi
`)
}

// createCluster is what converge.sh does when the cluster is missing:
// create it, or, for cluster.existing, stop, since milvusgen must not
// create (or later delete) a cluster the platform owns.
func createCluster(s *model.Spec) string {
	if !s.Cluster.Existing {
		return command(awsstep.StepCluster)
	}
	return `echo "converge.sh: cluster $CLUSTER is not in $REGION, and cluster.existing says it exists;" >&2
  echo "check the name and region, or drop cluster.existing to let eksctl create it" >&2
  exit 1`
}

// deleteCluster is teardown.sh's removal of the cluster: the whole cluster
// with eksctl, or, for cluster.existing, only what bootstrap.sh added to it
// (the node groups and the IAM roles of the service accounts or
// associations). Addons stay: the platform may rely on them.
func deleteCluster(s *model.Spec) string {
	if !s.Cluster.Existing {
		return "  eksctl delete cluster -f \"$CLUSTER_CONFIG\" --wait\n"
	}
	iam := `  eksctl delete iamserviceaccount -f "$CLUSTER_CONFIG" --approve --wait
`
	if s.Cluster.Identity == model.PodIdentity {
		iam = `  eksctl delete podidentityassociation -f "$CLUSTER_CONFIG"
`
	}
	return `  # cluster.existing: the cluster is the platform's; remove only what
  # bootstrap.sh added to it.
  eksctl delete nodegroup -f "$CLUSTER_CONFIG" --approve --wait
` + iam
}
