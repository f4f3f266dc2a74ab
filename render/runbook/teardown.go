package runbook

import (
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// confirmEnv is the environment variable that confirms a teardown
// non-interactively; its value must be the cluster name.
const confirmEnv = "MILVUSGEN_CONFIRM"

// deleteDataEnv, set to the cluster name, is --delete-data: teardown may
// delete the volumes of the Milvus namespace (etcd's metadata).
const deleteDataEnv = "MILVUSGEN_DELETE_DATA"

// buildTeardown returns the body of teardown.sh: bootstrap.sh in reverse.
// Milvus goes first, while the load balancer controller still runs, so its
// NLB is deleted before eksctl deletes the VPC it sits in.
func buildTeardown(s *model.Spec) string {
	var w script
	teardownHeader(&w, s)
	if s.HasGitRepository() {
		vars(&w, s, []variable{
			{"MILVUS_NAMESPACE", s.Milvus.Namespace},
			{"FLUX_NAMESPACE", model.FluxNamespace},
			{"LBC_NAMESPACE", model.LBControllerNamespace},
			{"LBC_RELEASE", model.LBControllerRelease},
		}, nil)
	} else {
		vars(&w, s, []variable{
			{"MILVUS_NAMESPACE", s.Milvus.Namespace},
			{"LBC_NAMESPACE", model.LBControllerNamespace},
			{"LBC_RELEASE", model.LBControllerRelease},
		}, treeDirs())
	}
	preamble(&w, "teardown.sh")
	w.raw(teardownConfirm)
	w.raw(teardownCheckVolumes)
	w.raw(`  # Nothing of the rendered tree was applied unless Flux is installed.
  if kubectl get crd helmreleases.helm.toolkit.fluxcd.io kustomizations.kustomize.toolkit.fluxcd.io >/dev/null 2>&1; then
`)
	if s.HasGitRepository() {
		w.f(`    # Flux stops applying the apps; the Namespace is not pruned (it is
    # annotated so), and Flux may never have taken over what bootstrap made
    # if it failed early, so the releases and the namespace are deleted
    # explicitly below.
    try kubectl -n "$FLUX_NAMESPACE" delete kustomizations.kustomize.toolkit.fluxcd.io %s \
      --ignore-not-found --wait --timeout=5m`, model.AppsSyncName)
	} else {
		w.raw(`    try kubectl delete -k "$APPS_DIR" --ignore-not-found --wait --timeout=5m
`)
	}
	w.raw(`    # Helm uninstalls Milvus; the controller's finalizer holds the Service
    # until its NLB is gone, so no load balancer is left in the VPC.
    try kubectl -n "$MILVUS_NAMESPACE" delete helmreleases.helm.toolkit.fluxcd.io --all \
      --ignore-not-found --wait --timeout=15m
  fi
  try kubectl delete namespace "$MILVUS_NAMESPACE" --ignore-not-found --wait --timeout=15m
`)
	w.raw(teardownDeleteVolumes)
	w.raw(`  if kubectl get crd helmreleases.helm.toolkit.fluxcd.io >/dev/null 2>&1; then
`)
	if s.HasGitRepository() {
		w.f(`    try kubectl -n "$FLUX_NAMESPACE" delete kustomizations.kustomize.toolkit.fluxcd.io %s \
      --ignore-not-found --wait --timeout=5m`, model.InfrastructureSyncName)
	} else {
		w.raw(`    try kubectl delete -k "$INFRASTRUCTURE_DIR" --ignore-not-found --wait --timeout=5m
`)
	}
	w.raw(`    try kubectl -n "$LBC_NAMESPACE" delete "helmreleases.helm.toolkit.fluxcd.io/$LBC_RELEASE" \
      --ignore-not-found --wait --timeout=10m
  fi
`)
	teardownAWS(&w, s)
	return w.String()
}

// teardownHeader writes the comment both engines' teardown.sh open with.
func teardownHeader(w *script, s *model.Spec) {
	w.f("#\n# teardown.sh deletes what bootstrap.sh created for EKS cluster %s, in", comment(s.Cluster.Name))
	w.raw(`# reverse order: Milvus and its load balancer, the load balancer controller,
# the cluster, the IAM policy, and the bucket if it is empty. It never deletes
# objects: a bucket holding Milvus data is left for you to empty deliberately.
# It stops before deleting the volumes of the Milvus namespace (etcd's
# metadata) unless --delete-data is given. Steps skip what is already gone,
# and a step that cannot finish is reported and passed, so it can be run
# again after a failure.
#
# Destructive: it runs only with --yes, or with ` + confirmEnv + ` set to the cluster name.
set -euo pipefail
cd "$(dirname "$0")"

`)
}

// teardownConfirm reads --yes and --delete-data (or their environment
// variables), refuses to go on unconfirmed, checks the tools and the
// account, and defines try.
const teardownConfirm = `
confirmed=false
delete_data=false
for arg in "$@"; do
  case "$arg" in
    --yes) confirmed=true ;;
    --delete-data) delete_data=true ;;
    *) echo "usage: teardown.sh --yes [--delete-data]   (or ` + confirmEnv + `=$CLUSTER teardown.sh)" >&2; exit 2 ;;
  esac
done
if [ "${` + confirmEnv + `:-}" = "$CLUSTER" ]; then
  confirmed=true
fi
if [ "${` + deleteDataEnv + `:-}" = "$CLUSTER" ]; then
  delete_data=true
fi
if [ "$confirmed" != true ]; then
  echo "teardown.sh deletes EKS cluster $CLUSTER and IAM policy $POLICY_ARN in account $ACCOUNT_ID," >&2
  echo "and bucket $BUCKET if it is empty. Run it with --yes, or with ` + confirmEnv + `=$CLUSTER." >&2
  exit 2
fi

need aws eksctl kubectl
check_account

# try runs a step that may not finish (a controller that never took over,
# a finalizer that never clears): it reports and lets teardown go on, so a
# re-run never stops at the same place for good.
try() {
  if ! "$@"; then
    echo "teardown.sh: did not finish, going on: $*" >&2
  fi
}
`

// loadBalancersFunc is the shell function both Argo CD teardowns use to
// find the LoadBalancer Services Argo CD left behind.
const loadBalancersFunc = `
# load_balancers prints the LoadBalancer Services left in the Milvus namespace.
load_balancers() {
  kubectl -n "$MILVUS_NAMESPACE" get services \
    -o jsonpath='{range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.name}{"\n"}{end}' 2>/dev/null || true
}
`

// teardownCheckVolumes opens step 1 (the cluster's workloads) when the
// cluster exists: it sorts the Milvus namespace's volumes into those
// deleted with their claims ($doomed) and retained ones ($retained, their
// EBS volumes in $kept), and stops unless --delete-data allows losing
// etcd's metadata. The engine's deletions follow; teardownAWS closes it.
const teardownCheckVolumes = `
step "1/4 Milvus and the load balancer controller"
if eksctl get cluster --name "$CLUSTER" --region "$REGION" >/dev/null 2>&1; then
  aws eks update-kubeconfig --region "$REGION" --name "$CLUSTER"
  # etcd's volumes hold Milvus's metadata: without them the segments in the
  # bucket cannot be attached to a new cluster. Volumes whose reclaim policy
  # is Delete go with their claims, so they are deleted only when asked.
  # Retained volumes (the default StorageClass's policy) outlive their
  # claims and the cluster as EBS volumes; --delete-data deletes them too.
  volumes="$(kubectl get pv -o jsonpath='{range .items[*]}{.metadata.name} {.spec.claimRef.namespace} {.spec.persistentVolumeReclaimPolicy} {.spec.csi.volumeHandle}{"\n"}{end}')"
  doomed="" retained="" kept=""
  while read -r pv ns policy volume; do
    [ "$ns" = "$MILVUS_NAMESPACE" ] || continue
    case "$policy" in
    Delete) doomed="$doomed$pv " ;;
    *) retained="$retained$pv " kept="$kept$volume " ;;
    esac
  done <<<"$volumes"
  if [ -n "$doomed" ] && [ "$delete_data" != true ]; then
    echo "teardown.sh: these volumes of namespace $MILVUS_NAMESPACE would be deleted with it: $doomed" >&2
    echo "They hold etcd's metadata, which the data in bucket $BUCKET needs. Back them up first:" >&2
    echo "  - milvus-backup (github.com/zilliztech/milvus-backup) copies collections to the bucket, or" >&2
    echo "  - snapshot their EBS volumes (aws ec2 create-snapshot --volume-id ...), or keep them:" >&2
    echo "    kubectl patch pv NAME -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Retain\"}}'" >&2
    echo "Then run teardown.sh again, with --delete-data (or ` + deleteDataEnv + `=$CLUSTER) to delete them." >&2
    exit 1
  fi
`

// teardownDeleteVolumes runs, inside step 1, once the Milvus namespace is
// deleted: with --delete-data it waits for the released volumes and
// deletes the retained ones and their EBS volumes.
const teardownDeleteVolumes = `  if [ "$delete_data" = true ]; then
    # The EBS CSI driver deletes the released volumes; wait for them so none
    # outlives the cluster. Retained ones are deleted by hand, once detached.
    for pv in $doomed; do
      try kubectl wait "pv/$pv" --for=delete --timeout=10m
    done
    for pv in $retained; do
      try kubectl delete "pv/$pv" --ignore-not-found --wait --timeout=5m
    done
    for volume in $kept; do
      try aws ec2 wait volume-available --region "$REGION" --volume-ids "$volume"
      try aws ec2 delete-volume --region "$REGION" --volume-id "$volume"
    done
    kept=""
  fi
`

// teardownAWS closes step 1, naming the EBS volumes it kept, then deletes
// the cluster, the IAM policies and the bucket if it is empty.
func teardownAWS(w *script, s *model.Spec) {
	w.raw(`  if [ -n "$kept" ]; then
    echo "teardown.sh: kept the EBS volumes of namespace $MILVUS_NAMESPACE (reclaim policy Retain;" >&2
    echo "still billed; teardown.sh --delete-data deletes them): $kept" >&2
  fi
else
  echo "cluster $CLUSTER does not exist"
fi

step "2/4 EKS cluster $CLUSTER"
if eksctl get cluster --name "$CLUSTER" --region "$REGION" >/dev/null 2>&1; then
` + deleteEndpoint(s) + deleteCluster(s) + `else
  echo "cluster $CLUSTER does not exist"
fi

step "3/4 IAM policy $POLICY_NAME"
` + deletePolicy("POLICY"))
	if s.UsesKMSKey() {
		w.raw(deletePolicy("KMS_POLICY"))
	}
	if s.Backup != nil {
		w.raw(deletePolicy("BACKUP_POLICY"))
	}
	w.raw(`
step "4/4 S3 bucket $BUCKET"
if aws s3api head-bucket --bucket "$BUCKET" --region "$REGION" >/dev/null 2>&1; then
  # S3 refuses to delete a bucket that holds objects, and teardown.sh never
  # deletes objects.
  if ! aws s3api delete-bucket --bucket "$BUCKET" --region "$REGION"; then
    echo "teardown.sh: bucket $BUCKET was not deleted. If it is not empty it holds Milvus" >&2
    echo "data (segments, indexes, the write-ahead log): back it up or empty it deliberately," >&2
    echo "then run teardown.sh again." >&2
    exit 1
  fi
  echo "deleted bucket $BUCKET"
else
  echo "bucket $BUCKET does not exist"
fi
`)
}

// deleteEndpoint deletes the S3 gateway endpoint converge.sh gave the
// cluster's VPC, which eksctl deletes with the cluster: the endpoint's
// routes would keep it from deleting the route tables.
func deleteEndpoint(s *model.Spec) string {
	// In an existing VPC (cluster.vpc) converge.sh creates no endpoint, and
	// one there is the platform's.
	if !S3GatewayEndpoint(s) || s.Cluster.VPC != nil {
		return ""
	}
	return `  vpc="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.resourcesVpcConfig.vpcId --output text)"
  for endpoint in $(aws ec2 describe-vpc-endpoints --region "$REGION" \
    --filters "Name=vpc-id,Values=$vpc" "Name=service-name,Values=$S3_SERVICE" \
    --query 'VpcEndpoints[].VpcEndpointId' --output text); do
    aws ec2 delete-vpc-endpoints --region "$REGION" --vpc-endpoint-ids "$endpoint" >/dev/null
    echo "deleted S3 gateway endpoint $endpoint"
  done
`
}

// deletePolicy deletes the policy $<v>_ARN with its versions, if it exists.
func deletePolicy(v string) string {
	return strings.NewReplacer("$POLICY_", "$"+v+"_").Replace(`if aws iam get-policy --policy-arn "$POLICY_ARN" >/dev/null 2>&1; then
  # A policy with versions besides the default cannot be deleted.
  for version in $(aws iam list-policy-versions --policy-arn "$POLICY_ARN" \
    --query 'Versions[?IsDefaultVersion==` + "`false`" + `].VersionId' --output text); do
    aws iam delete-policy-version --policy-arn "$POLICY_ARN" --version-id "$version"
  done
  aws iam delete-policy --policy-arn "$POLICY_ARN"
  echo "deleted policy $POLICY_NAME ($POLICY_ARN)"
else
  echo "policy $POLICY_ARN does not exist"
fi
`)
}
