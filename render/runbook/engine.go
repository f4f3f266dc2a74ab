package runbook

import (
	"fmt"

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
