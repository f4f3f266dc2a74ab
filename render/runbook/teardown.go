package runbook

import (
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// confirmEnv is the environment variable that confirms a teardown
// non-interactively; its value must be the cluster name.
const confirmEnv = "MILVUSGEN_CONFIRM"

// buildTeardown returns the body of teardown.sh: bootstrap.sh in reverse.
// Milvus goes first, while the load balancer controller still runs, so its
// NLB is deleted before eksctl deletes the VPC it sits in.
func buildTeardown(s *model.Spec) string {
	var w script
	w.f("#\n# teardown.sh deletes what bootstrap.sh created for EKS cluster %s, in", comment(s.Cluster.Name))
	w.raw(`# reverse order: Milvus and its load balancer, the load balancer controller,
# the cluster, the IAM policy, and the bucket if it is empty. It never deletes
# objects: a bucket holding Milvus data is left for you to empty deliberately.
# Steps skip what is already gone, so it can be run again after a failure.
#
# Destructive: it runs only with --yes, or with ` + confirmEnv + ` set to the cluster name.
set -euo pipefail
cd "$(dirname "$0")"

`)
	if s.HasGitRepository() {
		vars(&w, s, []variable{
			{"FLUX_NAMESPACE", model.FluxNamespace},
			{"LBC_NAMESPACE", model.LBControllerNamespace},
			{"LBC_RELEASE", model.LBControllerRelease},
		}, nil)
	} else {
		vars(&w, s, nil, []variable{
			{"INFRASTRUCTURE_DIR", infrastructureDir},
			{"APPS_DIR", appsDir},
		})
	}
	preamble(&w, "teardown.sh")
	w.raw(`
confirmed=false
for arg in "$@"; do
  case "$arg" in
    --yes) confirmed=true ;;
    *) echo "usage: teardown.sh --yes   (or ` + confirmEnv + `=$CLUSTER teardown.sh)" >&2; exit 2 ;;
  esac
done
if [ "${` + confirmEnv + `:-}" = "$CLUSTER" ]; then
  confirmed=true
fi
if [ "$confirmed" != true ]; then
  echo "teardown.sh deletes EKS cluster $CLUSTER and IAM policy $POLICY_ARN in account $ACCOUNT_ID," >&2
  echo "and bucket $BUCKET if it is empty. Run it with --yes, or with ` + confirmEnv + `=$CLUSTER." >&2
  exit 2
fi

need aws eksctl kubectl
check_account
`)
	w.raw(`
step "1/4 Milvus and the load balancer controller"
if eksctl get cluster --name "$CLUSTER" --region "$REGION" >/dev/null 2>&1; then
  aws eks update-kubeconfig --region "$REGION" --name "$CLUSTER"
  # Nothing of the rendered tree was applied unless Flux is installed.
  if kubectl get crd helmreleases.helm.toolkit.fluxcd.io kustomizations.kustomize.toolkit.fluxcd.io >/dev/null 2>&1; then
`)
	if s.HasGitRepository() {
		w.f(`    # Deleting a Flux Kustomization prunes what it applied: the Milvus
    # HelmRelease (Helm uninstalls the release) and the namespace.
    kubectl -n "$FLUX_NAMESPACE" delete kustomizations.kustomize.toolkit.fluxcd.io %s \
      --ignore-not-found --wait --timeout=15m`, model.AppsSyncName)
	} else {
		w.raw(`    kubectl delete -k "$APPS_DIR" --ignore-not-found --wait --timeout=15m
`)
	}
	w.raw(`    # The controller's finalizer holds each Service until its NLB is gone, so
    # this wait returns once no load balancer is left in the VPC.
    kubectl wait "namespace/$MILVUS_NAMESPACE" --for=delete --timeout=15m
    # The EBS CSI driver deletes the released volumes (etcd and the like);
    # wait for them so none outlives the cluster.
    kubectl get pv -o jsonpath='{range .items[*]}{.metadata.name} {.spec.claimRef.namespace} {.spec.persistentVolumeReclaimPolicy}{"\n"}{end}' |
      while read -r pv ns policy; do
        if [ "$ns" = "$MILVUS_NAMESPACE" ] && [ "$policy" = Delete ]; then
          kubectl wait "pv/$pv" --for=delete --timeout=10m
        fi
      done
`)
	if s.HasGitRepository() {
		w.f(`    kubectl -n "$FLUX_NAMESPACE" delete kustomizations.kustomize.toolkit.fluxcd.io %s \
      --ignore-not-found --wait --timeout=15m
    kubectl -n "$LBC_NAMESPACE" wait "helmreleases.helm.toolkit.fluxcd.io/$LBC_RELEASE" --for=delete --timeout=10m`,
			model.InfrastructureSyncName)
	} else {
		w.raw(`    kubectl delete -k "$INFRASTRUCTURE_DIR" --ignore-not-found --wait --timeout=15m
`)
	}
	w.raw("  fi\n")
	w.raw(`else
  echo "cluster $CLUSTER does not exist"
fi

step "2/4 EKS cluster $CLUSTER"
if eksctl get cluster --name "$CLUSTER" --region "$REGION" >/dev/null 2>&1; then
  eksctl delete cluster -f "$CLUSTER_CONFIG" --wait
else
  echo "cluster $CLUSTER does not exist"
fi

step "3/4 IAM policy $POLICY_NAME"
` + deletePolicy("POLICY"))
	if s.UsesKMSKey() {
		w.raw(deletePolicy("KMS_POLICY"))
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
	return w.String()
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
