package runbook

import (
	"fmt"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/iam"
)

// FluxVersion is the Flux release bootstrap.sh installs: the one whose
// controllers serve the API versions milvusgen renders (helm-controller
// v1.6, source- and kustomize-controller v1.9: Flux v2.9).
const FluxVersion = "v2.9.5"

// The oldest flux CLI bootstrap.sh accepts: source.toolkit.fluxcd.io/v1
// HelmRepository arrived in Flux 2.3.
const (
	fluxMin      = "2.3"
	fluxMinMajor = 2
	fluxMinMinor = 3
)

// usEast1 is the one region whose CreateBucket takes no LocationConstraint:
// S3 rejects LocationConstraint=us-east-1.
const usEast1 = "us-east-1"

// buildBootstrap returns the body of bootstrap.sh. docs maps each IAM
// policy document's path to the SHA-256 of its rendered bytes.
func buildBootstrap(s *model.Spec, docs map[string]string) string {
	var w script
	w.f("#\n# bootstrap.sh creates EKS cluster %s and runs Milvus on it, in the", comment(s.Cluster.Name))
	w.raw(`# order of the "Deploy a Milvus cluster on EKS" runbook. Every step checks
# before it creates, so after a failure fix the cause and run it again.
#
`)
	bootstrapIntro(&w, s, "Flux")
	names, files := clusterStepVars(s, docs)
	names = append([]variable{{"MILVUS_RELEASE", s.Name}}, names...)
	names = append(names, variable{"FLUX_VERSION", FluxVersion})
	if s.HasGitRepository() {
		names = append(names, variable{"FLUX_NAMESPACE", model.FluxNamespace})
		names = append(names, gitVars(s)...)
		if n := s.GitSecretName(); n != "" {
			names = append(names, variable{"GIT_SECRET", n})
		}
		files = append(files, variable{"FLUX_DIR", fluxDir})
	} else {
		names = append(names,
			variable{"LBC_NAMESPACE", model.LBControllerNamespace},
			variable{"LBC_RELEASE", model.LBControllerRelease})
		files = append(files, treeDirs()...)
	}
	vars(&w, s, names, files)
	bootstrapPreamble(&w, s)
	w.raw("\nneed aws eksctl kubectl flux\ncheck_account\n")
	writeSteps(&w, s, append(clusterSteps(s), bootstrapGitOps))
	bootstrapVerify(&w, s)
	return w.String()
}

// bootstrapStep writes one numbered step of bootstrap.sh; n is "i/total".
type bootstrapStep func(w *script, s *model.Spec, n string)

// clusterSteps are the steps both engines' bootstrap.sh take before the
// GitOps ones: the bucket, the IAM policies, the cluster and what it needs
// before anything is installed.
func clusterSteps(s *model.Spec) []bootstrapStep {
	steps := []bootstrapStep{bootstrapBucket, bootstrapPolicy}
	if s.UsesKMSKey() {
		steps = append(steps, bootstrapKMSPolicy)
	}
	if s.Backup != nil {
		steps = append(steps, bootstrapBackupPolicy)
	}
	steps = append(steps, bootstrapCluster)
	if s.DemoteGP2() {
		steps = append(steps, bootstrapDemoteGP2)
	}
	if s.Milvus.Auth.Enabled {
		steps = append(steps, bootstrapRootPassword)
	}
	return steps
}

// bootstrapPreamble writes the shell functions of preamble and, with
// authentication on, the root password's check.
func bootstrapPreamble(w *script, s *model.Spec) {
	preamble(w, "bootstrap.sh")
	if s.Milvus.Auth.Enabled {
		checkRootPassword(w)
	}
}

// gitVars name the Git repository the engine syncs from.
func gitVars(s *model.Spec) []variable {
	return []variable{
		{"GIT_URL", s.GitOps.Repository.URL},
		{"GIT_BRANCH", s.GitOps.Repository.Branch},
		{"GIT_PATH", gitPath(s)},
	}
}

// writeSteps writes steps, numbered.
func writeSteps(w *script, s *model.Spec, steps []bootstrapStep) {
	for i, step := range steps {
		step(w, s, fmt.Sprintf("%d/%d", i+1, len(steps)))
	}
}

// bootstrapIntro ends bootstrap.sh's opening comment with the credentials
// it needs and, with a Git repository, where engine syncs from; then the
// shell options.
func bootstrapIntro(w *script, s *model.Spec, engine string) {
	w.raw(`# It uses the AWS CLI's own credentials. Besides eksctl's minimum IAM
# policies, they need
`)
	w.f("# %s and %s.", rel(iam.BucketManagementFile), rel(iam.PolicyManagementFile))
	if s.HasGitRepository() {
		w.f("#\n# %s syncs the rendered tree from Git: commit and push it first, to", engine)
		w.f("# %s (branch %s, path %s).", comment(s.GitOps.Repository.URL),
			comment(s.GitOps.Repository.Branch), comment(gitPath(s)))
	}
	w.raw("set -euo pipefail\ncd \"$(dirname \"$0\")\"\n\n")
}

// clusterStepVars are the variables clusterSteps read beyond vars' own:
// the root password Secret, the bucket's lifecycle rule and the policy
// documents with their digests.
func clusterStepVars(s *model.Spec, docs map[string]string) (names, files []variable) {
	if s.Milvus.Auth.Enabled {
		names = append(names,
			variable{"ROOT_SECRET", s.Milvus.Auth.RootPasswordSecret.Name},
			variable{"ROOT_SECRET_KEY", s.Milvus.Auth.RootPasswordSecret.Key})
	}
	names = append(names,
		variable{"LIFECYCLE_RULE", lifecycleRule},
		variable{"LIFECYCLE", lifecycle()},
		variable{"POLICY_SHA256", docs[iam.ReadWriteFile]})
	files = []variable{{"POLICY_DOCUMENT", rel(iam.ReadWriteFile)}}
	if s.UsesKMSKey() {
		names = append(names, variable{"KMS_POLICY_SHA256", docs[iam.KMSFile]})
		files = append(files, variable{"KMS_POLICY_DOCUMENT", rel(iam.KMSFile)})
	}
	if s.Backup != nil {
		names = append(names, variable{"BACKUP_POLICY_SHA256", docs[iam.BackupFile]})
		files = append(files, variable{"BACKUP_POLICY_DOCUMENT", rel(iam.BackupFile)})
	}
	return names, files
}

// gitPath is the rendered tree's directory in the Git repository.
func gitPath(s *model.Spec) string { return strings.TrimSuffix(s.GitOpsPath(""), "/") }

// bootstrapBucket creates the bucket with ACLs off (BucketOwnerEnforced,
// AWS's default since 2023; the runbook's ObjectWriter turns them back on),
// and on every run blocks public access and makes sure failed multipart
// uploads do not stay in it for good.
func bootstrapBucket(w *script, s *model.Spec, n string) {
	location := ""
	if s.AWS.Region != usEast1 {
		location = ` \
    --create-bucket-configuration LocationConstraint="$REGION"`
	}
	w.f(`
step "%s S3 bucket $BUCKET"
if aws s3api head-bucket --bucket "$BUCKET" --region "$REGION" >/dev/null 2>&1; then
  echo "bucket $BUCKET exists"
else
  aws s3api create-bucket --bucket "$BUCKET" --region "$REGION" \
    --object-ownership BucketOwnerEnforced%s >/dev/null
  echo "created bucket $BUCKET"
fi
aws s3api put-bucket-ownership-controls --bucket "$BUCKET" --region "$REGION" \
  --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
aws s3api put-public-access-block --bucket "$BUCKET" --region "$REGION" \
  --public-access-block-configuration \
  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
# Parts of a multipart upload that was never completed are billed and not
# listed as objects. Milvus aborts the uploads it sees fail; the rule
# catches the rest (a killed pod, a lost node). S3 keeps one lifecycle
# configuration per bucket, so a bucket with rules of its own is left alone.
rules="$(aws s3api get-bucket-lifecycle-configuration --bucket "$BUCKET" --region "$REGION" \
  --query "length(Rules[?ID=='$LIFECYCLE_RULE'])" --output text 2>/dev/null || echo none)"
case "$rules" in
none)
  aws s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" --region "$REGION" \
    --lifecycle-configuration "$LIFECYCLE"
  echo "added lifecycle rule $LIFECYCLE_RULE" ;;
0)
  echo "bootstrap.sh: bucket $BUCKET has lifecycle rules of its own; add one that aborts" >&2
  echo "incomplete multipart uploads after %d days: $LIFECYCLE" >&2 ;;
*) echo "lifecycle rule $LIFECYCLE_RULE exists" ;;
esac`, n, location, abortMultipartDays)
}

// abortMultipartDays is how long an unfinished multipart upload may sit in
// the bucket before S3 removes its parts. Milvus's uploads finish in
// minutes; a week leaves room for a long outage without billing for
// orphans for good.
const abortMultipartDays = 7

// lifecycleRule names the bucket's one lifecycle rule.
const lifecycleRule = "milvusgen-abort-incomplete-multipart-uploads"

// lifecycle is the bucket lifecycle configuration bootstrap.sh sets.
func lifecycle() string {
	return fmt.Sprintf(`{"Rules":[{"ID":%q,"Status":"Enabled","Filter":{"Prefix":""},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":%d}}]}`,
		lifecycleRule, abortMultipartDays)
}

// bootstrapPolicy creates the Milvus policy, or makes the rendered document
// its default version, so a changed bucket or rootPath takes effect on a
// re-run.
func bootstrapPolicy(w *script, _ *model.Spec, n string) {
	policyStep(w, n, "POLICY")
}

// bootstrapKMSPolicy creates the EBS CSI driver's policy on the spec's KMS
// key; it appears only with storage.storageClass.kmsKeyID.
func bootstrapKMSPolicy(w *script, _ *model.Spec, n string) {
	policyStep(w, n, "KMS_POLICY")
}

// bootstrapBackupPolicy creates milvus-backup's policy; it appears only
// with a backup section. eksctl binds it to the backup service account.
func bootstrapBackupPolicy(w *script, _ *model.Spec, n string) {
	policyStep(w, n, "BACKUP_POLICY")
}

// documentTag is the IAM policy tag holding "<sha256 of the document>@<the
// version holding it>". IAM keeps at most five versions of a policy, so a
// re-run with an unchanged document must not create one; the tag says
// which document the default version holds without parsing JSON in shell.
const documentTag = "milvusgen.io/document"

// policyStep creates the policy $<v>_NAME from $<v>_DOCUMENT, or makes the
// document its default version when it exists and holds another one.
func policyStep(w *script, n, v string) {
	w.f(strings.NewReplacer("$POLICY_", "$"+v+"_", "@TAG@", documentTag).Replace(`
step "%s IAM policy $POLICY_NAME"
if aws iam get-policy --policy-arn "$POLICY_ARN" >/dev/null 2>&1; then
  default="$(aws iam get-policy --policy-arn "$POLICY_ARN" --query Policy.DefaultVersionId --output text)"
  tagged="$(aws iam list-policy-tags --policy-arn "$POLICY_ARN" \
    --query "Tags[?Key=='@TAG@'].Value | [0]" --output text)"
  if [ "$tagged" = "$POLICY_SHA256@$default" ]; then
    echo "policy $POLICY_NAME holds $POLICY_DOCUMENT ($default)"
  else
    versions="$(aws iam list-policy-versions --policy-arn "$POLICY_ARN" \
      --query 'length(Versions)' --output text)"
    if [ "$versions" -ge 5 ]; then
      oldest="$(aws iam list-policy-versions --policy-arn "$POLICY_ARN" \
        --query 'sort_by(Versions[?IsDefaultVersion==`+"`false`"+`], &CreateDate)[0].VersionId' --output text)"
      aws iam delete-policy-version --policy-arn "$POLICY_ARN" --version-id "$oldest"
    fi
    version="$(aws iam create-policy-version --policy-arn "$POLICY_ARN" \
      --policy-document "file://$POLICY_DOCUMENT" --set-as-default \
      --query PolicyVersion.VersionId --output text)"
    aws iam tag-policy --policy-arn "$POLICY_ARN" --tags "Key=@TAG@,Value=$POLICY_SHA256@$version"
    echo "policy $POLICY_NAME exists; made $POLICY_DOCUMENT its default version ($version)"
  fi
else
  # A new policy's first version is always v1.
  aws iam create-policy --policy-name "$POLICY_NAME" \
    --policy-document "file://$POLICY_DOCUMENT" \
    --tags "Key=@TAG@,Value=$POLICY_SHA256@v1" >/dev/null
  echo "created policy $POLICY_ARN"
fi`), n)
}

// checkRootPassword refuses, before anything is created, a root password
// Milvus cannot use: it hashes the password with bcrypt, which takes at
// most 72 bytes, and mixcoord fails at every start with a longer one.
func checkRootPassword(w *script) {
	w.f(`
# Counted in bytes: bcrypt's limit is 72 bytes, not characters.
byte_length() { local LC_ALL=C; printf '%%s' "${#1}"; }
if [ -n "${MILVUS_ROOT_PASSWORD:-}" ] && [ "$(byte_length "$MILVUS_ROOT_PASSWORD")" -gt %d ]; then
  echo "bootstrap.sh: MILVUS_ROOT_PASSWORD is $(byte_length "$MILVUS_ROOT_PASSWORD") bytes; Milvus accepts at most %d (bcrypt)" >&2
  exit 1
fi`, maxRootPasswordBytes, maxRootPasswordBytes)
}

// maxRootPasswordBytes is bcrypt's input limit.
const maxRootPasswordBytes = 72

// bootstrapRootPassword creates the Secret Milvus reads its root password
// from (authentication is on), once, from the operator's environment: the
// password is piped in, never written to a file or a command line.
func bootstrapRootPassword(w *script, _ *model.Spec, n string) {
	w.f(`
step "%s Milvus root password"
# Milvus creates its root user with this password when it first starts.
if kubectl -n "$MILVUS_NAMESPACE" get secret "$ROOT_SECRET" >/dev/null 2>&1; then
  echo "secret $ROOT_SECRET exists"
else
  if ! kubectl get namespace "$MILVUS_NAMESPACE" >/dev/null 2>&1; then
    kubectl create namespace "$MILVUS_NAMESPACE"
  fi
  # Checked before the pipe: a failed expansion inside it would still let
  # kubectl create the Secret from an empty stdin.
  : "${MILVUS_ROOT_PASSWORD:?set MILVUS_ROOT_PASSWORD to the Milvus root password}"
  printf '%%s' "$MILVUS_ROOT_PASSWORD" |
    kubectl -n "$MILVUS_NAMESPACE" create secret generic "$ROOT_SECRET" --from-file="$ROOT_SECRET_KEY=/dev/stdin"
  echo "created secret $ROOT_SECRET"
fi`, n)
}

// bootstrapCluster creates the cluster with eksctl, which also creates the
// IAM identities, node groups and addons, then points kubectl at it. When
// the cluster exists (a re-run, or an eksctl create that failed after the
// control plane was up), eksctl's own idempotent creates add what the file
// names and the cluster lacks: each skips what exists.
func bootstrapCluster(w *script, s *model.Spec, n string) {
	w.f(`
step "%s EKS cluster $CLUSTER"
if eksctl get cluster --name "$CLUSTER" --region "$REGION" >/dev/null 2>&1; then
  echo "cluster $CLUSTER exists; creating what it lacks of $CLUSTER_CONFIG"
  eksctl create nodegroup -f "$CLUSTER_CONFIG"
  eksctl create addon -f "$CLUSTER_CONFIG"`, n)
	if s.Cluster.Identity == model.PodIdentity {
		// eksctl create podidentityassociation fails on an association
		// that exists, so it runs only when some are missing.
		w.f(`  associations="$(aws eks list-pod-identity-associations --cluster-name "$CLUSTER" --region "$REGION" \
    --query 'length(associations)' --output text)"
  if [ "$associations" -lt %d ]; then
    eksctl create podidentityassociation -f "$CLUSTER_CONFIG"
  fi`, podIdentityAssociations)
	} else {
		w.raw(`  eksctl utils associate-iam-oidc-provider -f "$CLUSTER_CONFIG" --approve
  eksctl create iamserviceaccount -f "$CLUSTER_CONFIG" --approve
`)
	}
	w.raw(`else
  eksctl create cluster -f "$CLUSTER_CONFIG"
fi
aws eks update-kubeconfig --region "$REGION" --name "$CLUSTER"
`)
}

// podIdentityAssociations is the number of iam.podIdentityAssociations
// render/eksctl writes with Pod Identity: the LB controller's and Milvus's.
const podIdentityAssociations = 2

// bootstrapDemoteGP2 appears only for clusters older than 1.30.
func bootstrapDemoteGP2(w *script, s *model.Spec, n string) {
	w.f(`
step "%[1]s default StorageClass"
# EKS marks its built-in gp2 StorageClass default on clusters created before
# Kubernetes 1.30; from 1.30 on it does not, and milvusgen leaves this step
# out. Demote gp2 so %[2]s (rendered in kubernetes/infrastructure) is the
# only default.
if kubectl get storageclass gp2 >/dev/null 2>&1; then
  kubectl patch storageclass gp2 \
    -p '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"false"}}}'
fi`, n, comment(s.Storage.StorageClass.Name))
}

// bootstrapGitOps installs Flux and hands it the rendered tree: through the
// Git repository when the spec has one, else by applying the tree directly
// (Flux's controllers still install the HelmReleases).
func bootstrapGitOps(w *script, s *model.Spec, n string) {
	w.f(`
step "%s Flux, the load balancer controller and Milvus"
# The rendered objects need Flux %s or later (source.toolkit.fluxcd.io/v1
# HelmRepository); the controllers installed are pinned to $FLUX_VERSION.
client="$(flux version --client)"
client="${client#flux: }"
client="${client#v}"
case "$client" in
[0-9]*.[0-9]*) ;;
*) echo "bootstrap.sh: cannot read the flux CLI's version from: $client" >&2; exit 1 ;;
esac
IFS=. read -r major minor _ <<<"$client"
if [ "$major" -lt %d ] || { [ "$major" -eq %d ] && [ "$minor" -lt %d ]; }; then
  echo "bootstrap.sh: flux CLI $client is older than %s; install flux $FLUX_VERSION" >&2
  exit 1
fi
flux install --version="$FLUX_VERSION"`, n, fluxMin, fluxMinMajor, fluxMinMajor, fluxMinMinor, fluxMin)
	if !s.HasGitRepository() {
		w.raw(`# No Git repository in the spec: apply the rendered tree directly. The
# controller must be ready before the Milvus Service asks it for an NLB.
kubectl apply -k "$INFRASTRUCTURE_DIR"
kubectl -n "$LBC_NAMESPACE" wait "helmrelease/$LBC_RELEASE" --for=condition=Ready --timeout=10m
kubectl apply -k "$APPS_DIR"
kubectl -n "$MILVUS_NAMESPACE" wait "helmrelease/$MILVUS_RELEASE" --for=condition=Ready --timeout=30m
`)
		return
	}
	if s.GitSecretName() != "" {
		w.raw(`# The Git credentials Secret is made once, in the cluster only, from
# credentials you pass in the environment; delete it to rotate them.
if kubectl -n "$FLUX_NAMESPACE" get secret "$GIT_SECRET" >/dev/null 2>&1; then
  echo "secret $GIT_SECRET exists"
else
`)
		if strings.HasPrefix(s.GitOps.Repository.URL, "ssh://") {
			w.raw(`  flux create secret git "$GIT_SECRET" --namespace "$FLUX_NAMESPACE" --url "$GIT_URL" \
    --private-key-file "${FLUX_GIT_PRIVATE_KEY_FILE:?set FLUX_GIT_PRIVATE_KEY_FILE to the deploy key}"
`)
		} else {
			// The token goes through a pipe, not the command line, so it
			// does not show in the process list. The variables are checked
			// first: a failed expansion inside the pipe would still let
			// kubectl create the Secret from an empty stdin.
			w.raw(`  : "${FLUX_GIT_USERNAME:?set FLUX_GIT_USERNAME to the Git user}"
  : "${FLUX_GIT_PASSWORD:?set FLUX_GIT_PASSWORD to the Git token}"
  printf '%s' "$FLUX_GIT_PASSWORD" |
    kubectl -n "$FLUX_NAMESPACE" create secret generic "$GIT_SECRET" \
      --from-literal=username="$FLUX_GIT_USERNAME" \
      --from-file=password=/dev/stdin
`)
		}
		w.raw("fi\n")
	}
	w.f(`kubectl apply -k "$FLUX_DIR"
echo "Flux syncs $GIT_URL ($GIT_BRANCH, $GIT_PATH)"
kubectl -n "$FLUX_NAMESPACE" wait kustomization/%s --for=condition=Ready --timeout=15m
kubectl -n "$FLUX_NAMESPACE" wait kustomization/%s --for=condition=Ready --timeout=30m`,
		model.InfrastructureSyncName, model.AppsSyncName)
}

// bootstrapVerify ends with the runbook's check, done by milvusgen verify:
// hello_milvus with the root password, once Flux has installed Milvus.
// An internal load balancer is reached through a port-forward, since the
// script usually runs outside the VPC.
func bootstrapVerify(w *script, s *model.Spec) {
	w.raw("\nstep \"verify\"\n")
	if s.HasGitRepository() {
		w.raw(`kubectl -n "$MILVUS_NAMESPACE" wait "helmrelease/$MILVUS_RELEASE" --for=condition=Ready --timeout=30m
`)
	}
	w.raw(`tree="$(cd .. && pwd)"
`)
	runVerify(w, s)
}

// verifyFlags are milvusgen verify's flags for s.
func verifyFlags(s *model.Spec) string {
	if s.Milvus.Service.Scheme == "internal" {
		return " --port-forward"
	}
	return ""
}

// runVerify runs milvusgen verify on the tree at $tree, or says how to
// when it is not installed.
func runVerify(w *script, s *model.Spec) {
	flags := verifyFlags(s)
	w.f(`if command -v milvusgen >/dev/null 2>&1; then
  milvusgen verify --rendered "$tree"%s
else
  printf 'Check Milvus with: milvusgen verify --rendered %%q%s\n' "$tree"
fi`, flags, flags)
}
