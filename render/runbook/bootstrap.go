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

// buildBootstrap returns the body of bootstrap.sh.
func buildBootstrap(s *model.Spec) string {
	var w script
	w.f("#\n# bootstrap.sh creates EKS cluster %s and runs Milvus on it, in the", comment(s.Cluster.Name))
	w.raw(`# order of the "Deploy a Milvus cluster on EKS" runbook. Every step checks
# before it creates, so after a failure fix the cause and run it again.
#
`)
	bootstrapIntro(&w, s, "Flux")
	names, files := rootSecretVars(s), []variable(nil)
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
	bootstrapVars(&w, s, names, files)
	bootstrapPreamble(&w, s)
	w.raw(bootstrapFlags)
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
	steps := []bootstrapStep{bootstrapConverge}
	if s.DemoteGP2() {
		steps = append(steps, bootstrapDemoteGP2)
	}
	if s.Milvus.Auth.Enabled {
		steps = append(steps, bootstrapRootPassword)
	}
	if len(kafkaSecretVars(s)) > 0 {
		steps = append(steps, bootstrapKafkaSecrets)
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

// rootSecretVars name the root password's Secret, when authentication is
// on, and an external Kafka's Secrets.
func rootSecretVars(s *model.Spec) []variable {
	if !s.Milvus.Auth.Enabled {
		return kafkaSecretVars(s)
	}
	return append([]variable{
		{"ROOT_SECRET", s.Milvus.Auth.RootPasswordSecret.Name},
		{"ROOT_SECRET_KEY", s.Milvus.Auth.RootPasswordSecret.Key},
	}, kafkaSecretVars(s)...)
}

// policyFiles are the policy documents converge.sh reads.
func policyFiles(s *model.Spec) []variable {
	files := []variable{{"POLICY_DOCUMENT", rel(iam.ReadWriteFile)}}
	if s.UsesKMSKey() {
		files = append(files, variable{"KMS_POLICY_DOCUMENT", rel(iam.KMSFile)})
	}
	if s.Backup != nil {
		files = append(files, variable{"BACKUP_POLICY_DOCUMENT", rel(iam.BackupFile)})
	}
	return files
}

// gitPath is the rendered tree's directory in the Git repository.
func gitPath(s *model.Spec) string { return strings.TrimSuffix(s.GitOpsPath(""), "/") }

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

// bootstrapConverge brings AWS to the tree's state with converge.sh: the
// bucket, the IAM policies, the cluster with its addons, node groups and
// identities, created or changed to match; then points kubectl at the
// cluster. The same script runs on merge in CI, so bootstrap.sh is also
// the way to apply a merged change by hand.
func bootstrapConverge(w *script, _ *model.Spec, n string) {
	w.f(`
step "%s AWS: the bucket, the IAM policies and EKS cluster $CLUSTER (converge.sh)"
"$BASH" ./converge.sh $converge_flags
aws eks update-kubeconfig --region "$REGION" --name "$CLUSTER"`, n)
}

// bootstrapFlags reads bootstrap.sh's one flag, --yes, which it hands to
// converge.sh.
const bootstrapFlags = `
converge_flags=""
for arg in "$@"; do
  case "$arg" in
  --yes) converge_flags="--yes" ;;
  *)
    echo "usage: bootstrap.sh [--yes]   (--yes: converge.sh drains and deletes the node groups the tree removed without asking)" >&2
    exit 2 ;;
  esac
done
`

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
fi`, n, fluxMin, fluxMinMajor, fluxMinMajor, fluxMinMinor, fluxMin)
	if s.InstallsEngine() {
		w.raw("flux install --version=\"$FLUX_VERSION\"\n")
	} else {
		fluxInstalled(w)
	}
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
