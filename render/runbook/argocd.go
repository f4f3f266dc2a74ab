package runbook

import (
	"encoding/json"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/argocd"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// Argo CD release bootstrap.sh installs, by its install manifest.
const (
	ArgoCDVersion = "v3.5.1"
	// ArgoCDInstall is the pinned manifest: Argo CD's own install.yaml of
	// that release (CRDs, controllers, RBAC), as its Getting Started says.
	ArgoCDInstall = "https://raw.githubusercontent.com/argoproj/argo-cd/" + ArgoCDVersion + "/manifests/install.yaml"
)

// Directories of the Argo CD tree, relative to Dir.
var argoCDDir = "../" + kustomize.ArgoCDDir

// buildArgoCDBootstrap returns the body of bootstrap.sh for gitops.engine
// "argocd": the AWS and cluster steps of the Flux script, then Argo CD in
// place of Flux.
func buildArgoCDBootstrap(s *model.Spec) string {
	var w script
	w.f("#\n# bootstrap.sh creates EKS cluster %s and runs Milvus on it, in the", comment(s.Cluster.Name))
	w.raw(`# order of the "Deploy a Milvus cluster on EKS" runbook, with Argo CD
# ` + ArgoCDVersion + ` installing the load balancer controller and Milvus. Every
# step checks before it creates, so after a failure fix the cause and run it
# again.
#
`)
	bootstrapIntro(&w, s, "Argo CD")
	names, files := rootSecretVars(s), []variable(nil)
	names = append(names,
		variable{"ARGOCD_NAMESPACE", s.GitOps.ArgoCD.Namespace},
		variable{"ARGOCD_VERSION", ArgoCDVersion},
		variable{"ARGOCD_INSTALL", ArgoCDInstall})
	files = append(files, variable{"ARGOCD_DIR", argoCDDir})
	if s.HasGitRepository() {
		names = append(names, gitVars(s)...)
		names = append(names,
			variable{"INFRASTRUCTURE_APP", model.InfrastructureSyncName},
			variable{"APPS_APP", model.AppsSyncName})
		if n := s.GitSecretName(); n != "" {
			names = append(names, variable{"GIT_SECRET", n})
		}
	} else {
		names = append(names,
			variable{"MILVUS_RELEASE", s.Name},
			variable{"LBC_RELEASE", model.LBControllerRelease})
		files = append(files, treeDirs()...)
	}
	bootstrapVars(&w, s, names, files)
	bootstrapPreamble(&w, s)
	w.raw(waitApp)
	w.raw(bootstrapFlags)
	w.raw("\nneed aws eksctl kubectl mktemp\ncheck_account\n")
	writeSteps(&w, s, append(clusterSteps(s), bootstrapArgoCD, bootstrapArgoCDSync))
	argoCDVerify(&w, s)
	return w.String()
}

// argoCDVerify ends with the runbook's check, done by milvusgen verify, as
// the Flux script does; the waits before it already saw Milvus Healthy.
// With automated sync off nothing is installed yet, so it only says how.
func argoCDVerify(w *script, s *model.Spec) {
	w.raw("\nstep \"verify\"\n")
	w.raw(`tree="$(cd .. && pwd)"
`)
	if !s.GitOps.ArgoCD.Automated {
		w.f(`printf 'Once Argo CD has synced, check Milvus with: milvusgen verify --rendered %%q%s\n' "$tree"`, verifyFlags(s))
		return
	}
	runVerify(w, s)
}

// waitApp is the shell function that waits, bounded, for an Application
// to exist and be Healthy and Synced: created by the root Application,
// then synced by Argo CD.
const waitApp = `
# wait_app NAME SECONDS: wait until Application NAME is Healthy and Synced,
# polling every 10 seconds.
wait_app() {
  local tries=$(($2 / 10)) status=""
  while [ "$tries" -gt 0 ]; do
    tries=$((tries - 1))
    status="$(kubectl -n "$ARGOCD_NAMESPACE" get application "$1" \
      -o jsonpath='{.status.health.status} {.status.sync.status}' 2>/dev/null || true)"
    if [ "$status" = "Healthy Synced" ]; then
      echo "Application $1 is Healthy and Synced"
      return 0
    fi
    sleep 10
  done
  echo "bootstrap.sh: Application $1 is not Healthy and Synced after $2s (status: ${status:-not found})." >&2
  echo "  Look at it with: kubectl -n $ARGOCD_NAMESPACE describe application $1" >&2
  exit 1
}
`

// installKustomization installs the manifest at the first %s into the
// namespace at the second: the namespace transformer also moves the
// ServiceAccount subjects of the ClusterRoleBindings, which `namespace:`
// alone leaves in argocd (its default is defaultOnly).
const installKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- %s
transformers:
- |-
  apiVersion: builtin
  kind: NamespaceTransformer
  metadata:
    name: argocd-namespace
    namespace: %s
  setRoleBindingSubjects: allServiceAccounts
  fieldSpecs:
  - path: metadata/namespace
    create: true
`

// healthCheckPatch is the merge patch of argocd-cm that adds the
// Application health check.
func healthCheckPatch() string {
	data, err := json.Marshal(map[string]any{"data": map[string]string{argocd.HealthCheckKey: argocd.HealthCheckLua}})
	if err != nil {
		panic(err) // a constant map of strings always encodes
	}
	return string(data)
}

// bootstrapArgoCD installs the pinned Argo CD into its namespace and adds
// the Application health check the sync waves need.
func bootstrapArgoCD(w *script, s *model.Spec, n string) {
	if !s.InstallsEngine() {
		w.f("\nstep \"%s Argo CD, installed by the platform\"", n)
		argoCDInstalled(w)
		return
	}
	w.f(`
step "%s Argo CD $ARGOCD_VERSION"
if ! kubectl get namespace "$ARGOCD_NAMESPACE" >/dev/null 2>&1; then
  kubectl create namespace "$ARGOCD_NAMESPACE"
fi
# The install manifest names the namespace argocd, in its objects and in its
# ClusterRoleBindings' subjects; kustomize moves both to $ARGOCD_NAMESPACE.
# Server-side, because the CRDs are too large for client-side apply's
# last-applied annotation.
install="$(mktemp -d)"
trap 'rm -rf "$install"' EXIT
printf %s "$ARGOCD_INSTALL" "$ARGOCD_NAMESPACE" >"$install/kustomization.yaml"
kubectl apply --server-side --force-conflicts -k "$install"
# Argo CD stopped assessing the health of Applications in 1.8; without this
# check the sync waves of the root Application would not wait for the load
# balancer controller before Milvus.
kubectl -n "$ARGOCD_NAMESPACE" patch configmap argocd-cm --type merge -p %s
kubectl -n "$ARGOCD_NAMESPACE" rollout status statefulset/argocd-application-controller --timeout=5m
kubectl -n "$ARGOCD_NAMESPACE" rollout status deployment/argocd-repo-server --timeout=5m`,
		n, quote(strings.ReplaceAll(installKustomization, "\n", `\n`)), quote(healthCheckPatch()))
}

// bootstrapArgoCDSync hands Argo CD the rendered tree: the repository's
// credentials, the AppProject and the root Application when the spec has
// a repository, else the AppProject and the trees applied directly.
func bootstrapArgoCDSync(w *script, s *model.Spec, n string) {
	w.f(`
step "%s the load balancer controller and Milvus"`, n)
	if !s.HasGitRepository() {
		w.raw(`# No Git repository in the spec: apply the rendered tree directly. The
# controller must be Healthy before the Milvus Service asks it for an NLB.
kubectl apply --server-side -k "$ARGOCD_DIR"
kubectl apply --server-side -k "$INFRASTRUCTURE_DIR"
`)
		if s.GitOps.ArgoCD.Automated {
			w.raw(`wait_app "$LBC_RELEASE" 900
kubectl apply --server-side -k "$APPS_DIR"
wait_app "$MILVUS_RELEASE" 1800
`)
		} else {
			w.raw(`kubectl apply --server-side -k "$APPS_DIR"
echo "Automated sync is off (gitops.argocd.automated): sync $LBC_RELEASE, then $MILVUS_RELEASE, in Argo CD."
`)
		}
		return
	}
	if s.GitSecretName() != "" {
		w.raw(`# Argo CD reads the repository's credentials from a Secret labelled as a
# repository. It is made once, in the cluster only, from credentials you
# pass in the environment; delete it to rotate them.
if kubectl -n "$ARGOCD_NAMESPACE" get secret "$GIT_SECRET" >/dev/null 2>&1; then
  echo "secret $GIT_SECRET exists"
else
`)
		if strings.HasPrefix(s.GitOps.Repository.URL, "ssh://") {
			w.raw(`  kubectl -n "$ARGOCD_NAMESPACE" create secret generic "$GIT_SECRET" \
    --from-literal=type=git --from-literal=url="$GIT_URL" \
    --from-file=sshPrivateKey="${ARGOCD_GIT_PRIVATE_KEY_FILE:?set ARGOCD_GIT_PRIVATE_KEY_FILE to the deploy key}"
`)
		} else {
			// The token goes through a pipe, not the command line, so it
			// does not show in the process list; the variables are checked
			// before the pipe.
			w.raw(`  : "${ARGOCD_GIT_USERNAME:?set ARGOCD_GIT_USERNAME to the Git user}"
  : "${ARGOCD_GIT_PASSWORD:?set ARGOCD_GIT_PASSWORD to the Git token}"
  printf '%s' "$ARGOCD_GIT_PASSWORD" |
    kubectl -n "$ARGOCD_NAMESPACE" create secret generic "$GIT_SECRET" \
      --from-literal=type=git --from-literal=url="$GIT_URL" \
      --from-literal=username="$ARGOCD_GIT_USERNAME" --from-file=password=/dev/stdin
`)
		}
		w.raw(`fi
kubectl -n "$ARGOCD_NAMESPACE" label secret "$GIT_SECRET" --overwrite argocd.argoproj.io/secret-type=repository
`)
	}
	w.raw(`kubectl apply --server-side -k "$ARGOCD_DIR"
echo "Argo CD syncs $GIT_URL ($GIT_BRANCH, $GIT_PATH)"
`)
	if s.GitOps.ArgoCD.Automated {
		w.raw(`wait_app "$INFRASTRUCTURE_APP" 900
wait_app "$APPS_APP" 1800
`)
	} else {
		w.f(`echo "Automated sync is off (gitops.argocd.automated): in Argo CD, sync %s, then"
echo "$INFRASTRUCTURE_APP and its Applications, then $APPS_APP and its Applications."`, model.ArgoCDRootName)
	}
}

// buildArgoCDTeardown returns the body of teardown.sh for gitops.engine
// "argocd": bootstrap.sh in reverse, with every wait bounded. Milvus goes
// first, while the load balancer controller still runs, so its NLB is
// deleted before eksctl deletes the VPC it sits in. The Milvus volumes are
// deleted only with --delete-data.
func buildArgoCDTeardown(s *model.Spec) string {
	var w script
	teardownHeader(&w, s)
	vars(&w, s, []variable{
		{"MILVUS_NAMESPACE", s.Milvus.Namespace},
		{"ARGOCD_NAMESPACE", s.GitOps.ArgoCD.Namespace},
		{"ROOT_APP", model.ArgoCDRootName},
		{"INFRASTRUCTURE_APP", model.InfrastructureSyncName},
		{"APPS_APP", model.AppsSyncName},
		{"MILVUS_RELEASE", s.Name},
		{"LBC_RELEASE", model.LBControllerRelease},
	}, nil)
	preamble(&w, "teardown.sh")
	w.raw(teardownConfirm)
	w.raw(`
# release_app NAME: delete Application NAME but none of its objects (its
# finalizer is dropped first), so nothing re-creates what the next steps
# delete.
release_app() {
  kubectl -n "$ARGOCD_NAMESPACE" patch application "$1" --type merge \
    -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
  try kubectl -n "$ARGOCD_NAMESPACE" delete application "$1" --ignore-not-found --timeout=2m
}

# delete_app NAME TIMEOUT: delete Application NAME and, through its
# finalizer, everything it installed. If Argo CD has not finished in time,
# say so and release it, so the teardown goes on.
delete_app() {
  kubectl -n "$ARGOCD_NAMESPACE" delete application "$1" --ignore-not-found --wait=false
  if ! kubectl -n "$ARGOCD_NAMESPACE" wait "application/$1" --for=delete --timeout="$2"; then
    echo "teardown.sh: Argo CD did not delete Application $1 within $2; releasing it" >&2
    release_app "$1"
  fi
}
`)
	w.raw(loadBalancersFunc)
	w.raw(teardownCheckVolumes)
	w.raw(`  argocd=false
  if kubectl get crd applications.argoproj.io >/dev/null 2>&1; then
    argocd=true
    # The app of apps and its children first, without their objects:
    # otherwise Argo CD would sync back what the next steps delete.
    for app in "$ROOT_APP" "$APPS_APP" "$INFRASTRUCTURE_APP"; do
      release_app "$app"
    done
    # Argo CD uninstalls Milvus; the namespace is not deleted with it (it
    # is annotated so), and is deleted explicitly below.
    delete_app "$MILVUS_RELEASE" 15m
  fi
  # The controller's finalizer holds each LoadBalancer Service until its NLB
  # is gone. Services Argo CD did not delete (it may never have taken over
  # if bootstrap failed early) are deleted here.
  for svc in $(load_balancers); do
    try kubectl -n "$MILVUS_NAMESPACE" delete service "$svc" --ignore-not-found --wait --timeout=15m
  done
  try kubectl delete namespace "$MILVUS_NAMESPACE" --ignore-not-found --wait --timeout=15m
`)
	w.raw(teardownDeleteVolumes)
	w.raw(`  if [ "$argocd" = true ]; then
    delete_app "$LBC_RELEASE" 10m
  fi
`)
	teardownAWS(&w, s)
	return w.String()
}
