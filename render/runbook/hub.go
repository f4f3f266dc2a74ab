package runbook

import (
	"encoding/json"
	"strings"

	"github.com/milvusgen/milvusgen/internal/appset"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// Placeholders of the cluster Secret template, replaced by bootstrap.sh
// with what `aws eks describe-cluster` reports once each passed its
// allowlist.
const (
	serverPlaceholder = "__MILVUSGEN_SERVER__"
	caPlaceholder     = "__MILVUSGEN_CA_DATA__"
)

// hubApp is the name of the Application the hub generates for this
// cluster in place of the per-cluster mode's name.
func hubApp(s *model.Spec, name string) string {
	return argocd.HubApplicationName(appset.Normalize(s.ArgoCDClusterName()), name)
}

// hubVars name the hub, this cluster's registration and the Applications
// the hub generates for it; bootstrap.sh also needs the cluster Secret's
// template and the access policy (register).
func hubVars(s *model.Spec, register bool) ([]variable, error) {
	h := s.GitOps.ArgoCD.Hub
	vs := []variable{
		{"ARGOCD_NAMESPACE", s.GitOps.ArgoCD.Namespace},
		{"HUB_CONTEXT", h.Context},
		{"HUB_ROLE_ARN", h.RoleARN},
		{"CLUSTER_SECRET", s.ArgoCDClusterSecret()},
		{"INFRASTRUCTURE_APP", hubApp(s, model.InfrastructureSyncName)},
		{"LBC_APP", hubApp(s, model.LBControllerRelease)},
		{"APPS_APP", hubApp(s, model.AppsSyncName)},
		{"MILVUS_APP", hubApp(s, s.Name)},
	}
	if !register {
		return vs, nil
	}
	sec, err := argocd.ClusterSecret(s, serverPlaceholder, caPlaceholder)
	if err != nil {
		return nil, err
	}
	tmpl, err := json.Marshal(sec)
	if err != nil {
		return nil, err
	}
	return append(vs,
		variable{"HUB_NAME", h.Name},
		variable{"ACCESS_POLICY", model.HubAccessPolicy},
		variable{"CLUSTER_SECRET_TEMPLATE", string(tmpl)}), nil
}

// hubKubectl is kubectl on the hub, in Argo CD's namespace.
const hubKubectl = `kubectl --context "$HUB_CONTEXT" -n "$ARGOCD_NAMESPACE"`

// buildHubBootstrap returns the body of bootstrap.sh for a cluster a hub
// Argo CD serves: the AWS and cluster steps, then the registration with
// the hub in place of installing Argo CD.
func buildHubBootstrap(s *model.Spec) (string, error) {
	var w script
	w.f("#\n# bootstrap.sh creates EKS cluster %s and runs Milvus on it, in the", comment(s.Cluster.Name))
	w.raw(`# order of the "Deploy a Milvus cluster on EKS" runbook. The hub Argo CD
# (gitops.argocd.mode "hub") installs the load balancer controller and Milvus;
# this script registers the cluster with it and installs no Argo CD. Every
# step checks before it creates, so after a failure fix the cause and run it
# again.
#
# The hub is reached through the kubeconfig context below, and must already
# hold the fleet's hub tree (kubectl apply --server-side -k <hub tree>/argocd).
#
`)
	bootstrapIntro(&w, s, "The hub Argo CD")
	hv, err := hubVars(s, true)
	if err != nil {
		return "", err
	}
	names := append(rootSecretVars(s), hv...)
	bootstrapVars(&w, s, names, nil)
	bootstrapPreamble(&w, s)
	w.raw(strings.ReplaceAll(waitApp, `kubectl -n "$ARGOCD_NAMESPACE"`, hubKubectl))
	w.raw(bootstrapFlags)
	w.raw("\nneed aws eksctl kubectl\ncheck_account\n")
	// The hub is checked before anything is created.
	w.raw(`if ! ` + hubKubectl + ` get appproject "$HUB_NAME" >/dev/null 2>&1; then
  echo "bootstrap.sh: the hub (context $HUB_CONTEXT) has no AppProject $HUB_NAME in $ARGOCD_NAMESPACE;" >&2
  echo "  apply the fleet's hub tree there first: kubectl --context $HUB_CONTEXT apply --server-side -k <hub tree>/argocd" >&2
  exit 1
fi
`)
	writeSteps(&w, s, append(clusterSteps(s), bootstrapHubRegister, bootstrapHubSync))
	// verify --rendered reads the release from the tree, and a hub-mode
	// tree holds none (the hub's ApplicationSets do): the waits above saw
	// Milvus Healthy and Synced; the end-to-end check takes the spec files.
	w.raw("\nstep \"verify\"\n")
	if s.GitOps.ArgoCD.Automated {
		w.raw(`echo "Milvus is Healthy and Synced on the hub. Check it end to end with: milvusgen verify -f <the spec files>"` + "\n")
	} else {
		w.raw(`echo "Once the hub has synced Milvus, check it end to end with: milvusgen verify -f <the spec files>"` + "\n")
	}
	return w.String(), nil
}

// bootstrapHubRegister lets the hub's role into the cluster (an EKS access
// entry with the cluster admin policy, as Argo CD's EKS docs grant) and
// writes the cluster Secret on the hub: the endpoint and CA certificate
// EKS reports, and awsAuthConfig, so Argo CD gets short-lived tokens by
// assuming the role. No token or key is ever written: the Secret goes to
// the hub through a pipe.
func bootstrapHubRegister(w *script, s *model.Spec, n string) {
	w.f(`
step "%s register the cluster with the hub Argo CD"
if aws eks describe-access-entry --cluster-name "$CLUSTER" --region "$REGION" --principal-arn "$HUB_ROLE_ARN" >/dev/null 2>&1; then
  echo "access entry for $HUB_ROLE_ARN exists"
else
  aws eks create-access-entry --cluster-name "$CLUSTER" --region "$REGION" --principal-arn "$HUB_ROLE_ARN" --type STANDARD
fi
if [ -n "$(aws eks list-associated-access-policies --cluster-name "$CLUSTER" --region "$REGION" --principal-arn "$HUB_ROLE_ARN" \
  --query "associatedAccessPolicies[?policyArn=='$ACCESS_POLICY'].policyArn" --output text)" ]; then
  echo "access policy of $HUB_ROLE_ARN is associated"
else
  aws eks associate-access-policy --cluster-name "$CLUSTER" --region "$REGION" --principal-arn "$HUB_ROLE_ARN" \
    --policy-arn "$ACCESS_POLICY" --access-scope type=cluster
fi
# The endpoint and the CA certificate are public; each must pass its
# allowlist before it goes into the Secret.
server="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.endpoint --output text)"
ca="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.certificateAuthority.data --output text)"
if [[ ! "$server" =~ ^https://[A-Za-z0-9.-]+$ ]]; then
  echo "bootstrap.sh: EKS reports the endpoint \"$server\" for $CLUSTER, which is not an https host name" >&2
  exit 1
fi
if [[ ! "$ca" =~ ^[A-Za-z0-9+/]+=*$ ]]; then
  echo "bootstrap.sh: EKS reports a certificate authority for $CLUSTER that is not base64" >&2
  exit 1
fi
secret="${CLUSTER_SECRET_TEMPLATE//%s/$server}"
secret="${secret//%s/$ca}"
printf '%%s' "$secret" | kubectl --context "$HUB_CONTEXT" apply --server-side --field-manager=milvusgen -f -`,
		n, serverPlaceholder, caPlaceholder)
}

// bootstrapHubSync waits for the hub to install the infrastructure, then
// labels the cluster Secret with the stage that lets the apps
// ApplicationSets generate Milvus's Applications: the sync waves of the
// per-cluster mode, across ApplicationSets.
func bootstrapHubSync(w *script, s *model.Spec, n string) {
	w.f(`
step "%s the load balancer controller, then Milvus, from the hub"`, n)
	label := hubKubectl + ` label secret "$CLUSTER_SECRET" --overwrite ` + model.HubStageLabel + "=" + model.HubStageApps
	if !s.GitOps.ArgoCD.Automated {
		w.f(`echo "Automated sync is off (gitops.argocd.automated): in the hub Argo CD, sync $INFRASTRUCTURE_APP and $LBC_APP;"
echo "once they are Healthy, let the hub generate $APPS_APP and $MILVUS_APP with:"
echo "  %s"`, strings.ReplaceAll(label, `"`, `\"`))
		return
	}
	w.raw(`wait_app "$INFRASTRUCTURE_APP" 900
wait_app "$LBC_APP" 900
` + label + `
wait_app "$APPS_APP" 1800
wait_app "$MILVUS_APP" 1800
`)
}

// buildHubTeardown returns the body of teardown.sh for a cluster a hub
// Argo CD serves: the Argo CD teardown with the Applications on the hub.
// The cluster Secret first loses the labels the ApplicationSets select
// on, so nothing is generated again (their create-update policy keeps what
// exists); Argo CD then uninstalls Milvus while the LB controller runs,
// each Application given the resources finalizer the hub leaves off; last
// the cluster is deregistered (its Secret and access entry) before the
// AWS steps.
func buildHubTeardown(s *model.Spec) (string, error) {
	var w script
	teardownHeader(&w, s)
	hv, err := hubVars(s, false)
	if err != nil {
		return "", err
	}
	vars(&w, s, append([]variable{{"MILVUS_NAMESPACE", s.Milvus.Namespace}}, hv...), nil)
	preamble(&w, "teardown.sh")
	w.raw(teardownConfirm)
	w.raw(`
# release_app NAME: delete Application NAME on the hub but none of its
# objects.
release_app() {
  ` + hubKubectl + ` patch application "$1" --type merge \
    -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
  try ` + hubKubectl + ` delete application "$1" --ignore-not-found --timeout=2m
}

# delete_app NAME TIMEOUT: delete Application NAME on the hub and, through
# the resources finalizer added first, everything it installed. If Argo CD
# has not finished in time, say so and release it, so the teardown goes on.
delete_app() {
  ` + hubKubectl + ` patch application "$1" --type merge \
    -p '{"metadata":{"finalizers":["` + "resources-finalizer.argocd.argoproj.io" + `"]}}' >/dev/null 2>&1 || return 0
  ` + hubKubectl + ` delete application "$1" --ignore-not-found --wait=false
  if ! ` + hubKubectl + ` wait "application/$1" --for=delete --timeout="$2"; then
    echo "teardown.sh: Argo CD did not delete Application $1 within $2; releasing it" >&2
    release_app "$1"
  fi
}
`)
	w.raw(loadBalancersFunc)
	w.raw(teardownCheckVolumes)
	w.raw(`  hub=false
  if ` + hubKubectl + ` get secret "$CLUSTER_SECRET" >/dev/null 2>&1; then
    hub=true
    # The ApplicationSets stop generating for this cluster; what they
    # generated stays until deleted below.
    try ` + hubKubectl + ` label secret "$CLUSTER_SECRET" ` + model.HubFleetLabel + `- ` + model.HubEnvironmentLabel + `- ` + model.HubStageLabel + `-
    for app in "$APPS_APP" "$INFRASTRUCTURE_APP"; do
      release_app "$app"
    done
    delete_app "$MILVUS_APP" 15m
  fi
  for svc in $(load_balancers); do
    try kubectl -n "$MILVUS_NAMESPACE" delete service "$svc" --ignore-not-found --wait --timeout=15m
  done
  try kubectl delete namespace "$MILVUS_NAMESPACE" --ignore-not-found --wait --timeout=15m
`)
	w.raw(teardownDeleteVolumes)
	w.raw(`  if [ "$hub" = true ]; then
    delete_app "$LBC_APP" 10m
    try ` + hubKubectl + ` delete secret "$CLUSTER_SECRET" --ignore-not-found
  fi
  try aws eks delete-access-entry --cluster-name "$CLUSTER" --region "$REGION" --principal-arn "$HUB_ROLE_ARN"
`)
	teardownAWS(&w, s)
	return w.String(), nil
}
