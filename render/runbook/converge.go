package runbook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/diff/awsstep"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/eksctl"
	"github.com/milvusgen/milvusgen/render/iam"
)

// ConvergeFile brings AWS to the tree's state; bootstrap.sh runs it, and
// so does CI on merge.
const ConvergeFile = Dir + "/converge.sh"

// Tags on the EKS cluster holding the SHA-256 of the ClusterConfig
// sections whose live state eksctl cannot compare for us: when the tag
// differs from the rendered section, converge.sh runs the section's update
// and tags the cluster again, so an unchanged section runs nothing.
const (
	addonsTag     = "milvusgen.io/addons"
	identitiesTag = "milvusgen.io/identities"
)

// convergeSection writes the part of converge.sh that carries out one
// class of the table in internal/diff.
type convergeSection func(w *script, s *model.Spec, c cluster)

// sections are converge.sh's parts by the table's steps; the script takes
// them in the table's order (awsstep.Classes), so the report's order is the
// script's. Steps that run no command of their own have none.
var sections = map[awsstep.Step]convergeSection{
	awsstep.StepBucket:           convergeBucket,
	awsstep.StepCluster:          convergeCluster,
	awsstep.StepIdentityProvider: convergeIdentityProvider,
	awsstep.StepControlPlane:     convergeControlPlane,
	awsstep.StepAddonCreate:      convergeAddonCreate,
	awsstep.StepAddonUpdate:      convergeAddonUpdate,
	awsstep.StepAddonVersion:     convergeAddonVersions,
	awsstep.StepNodeGroupReplace: convergeNodeGroupReplace,
	awsstep.StepNodeGroupUpgrade: convergeNodeGroupUpgrade,
	awsstep.StepNodeGroupCreate:  convergeNodeGroupCreate,
	awsstep.StepNodeGroupScale:   convergeNodeGroupScale,
	awsstep.StepNodeGroupDelete:  convergeNodeGroupDelete,
	awsstep.StepNAT:              convergeNAT,
	awsstep.StepS3Endpoint:       convergeS3Endpoint,
	awsstep.StepPolicy:           convergePolicy,
	awsstep.StepKMSPolicy:        convergeKMSPolicy,
	awsstep.StepServiceAccounts:  convergeServiceAccounts,
	awsstep.StepPodIdentity:      convergePodIdentity,
}

// cluster is what converge.sh needs of the rendered ClusterConfig, read
// back from eksctl.Render's own bytes, so it cannot disagree with the file.
type cluster struct {
	// nat is the file's vpc.nat.gateway, "" when it sets none.
	nat              string
	addons           []clusterAddon
	addonsSHA256     string
	identitiesSHA256 string
}

type clusterAddon struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// role is how the addon gets its IAM role: "irsa", "podIdentity" or "".
	role string
}

// readCluster renders the ClusterConfig and reads back the addons and the
// digests of its addons and iam sections.
func readCluster(s *model.Spec) (cluster, error) {
	files, err := eksctl.Render(s)
	if err != nil {
		return cluster{}, err
	}
	var cc struct {
		Addons []map[string]any `json:"addons"`
		IAM    map[string]any   `json:"iam"`
		VPC    struct {
			NAT struct {
				Gateway string `json:"gateway"`
			} `json:"nat"`
		} `json:"vpc"`
	}
	if err := yaml.Unmarshal(files[0].Data, &cc); err != nil {
		return cluster{}, fmt.Errorf("%s read back failed: %w", eksctl.File, err)
	}
	c := cluster{nat: cc.VPC.NAT.Gateway}
	for _, a := range cc.Addons {
		ca := clusterAddon{}
		ca.Name, _ = a["name"].(string)
		ca.Version, _ = a["version"].(string)
		switch {
		case a["useDefaultPodIdentityAssociations"] == true || a["podIdentityAssociations"] != nil:
			ca.role = "podIdentity"
		case a["attachPolicyARNs"] != nil || a["wellKnownPolicies"] != nil || a["serviceAccountRoleARN"] != nil:
			ca.role = "irsa"
		}
		c.addons = append(c.addons, ca)
	}
	if c.addonsSHA256, err = digest(cc.Addons); err != nil {
		return cluster{}, err
	}
	if c.identitiesSHA256, err = digest(cc.IAM); err != nil {
		return cluster{}, err
	}
	return c, nil
}

// digest is the SHA-256 of v's JSON (map keys sorted by encoding/json).
func digest(v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// existingVPCEndpoint is the S3 endpoint step in an existing VPC
// (cluster.vpc): the network is the platform's, so converge.sh creates
// nothing in it and only warns, naming what is missing.
func existingVPCEndpoint(w *script) {
	w.raw(`
step "network: S3 gateway endpoint (cluster.vpc: checked, never created)"
vpc="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.resourcesVpcConfig.vpcId --output text)"
endpoint="$(aws ec2 describe-vpc-endpoints --region "$REGION" \
  --filters "Name=vpc-id,Values=$vpc" "Name=service-name,Values=$S3_SERVICE" "Name=vpc-endpoint-state,Values=pending,available" \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)"
if [ "$endpoint" = None ]; then
  echo "converge.sh: warning: VPC $vpc has no S3 gateway endpoint ($S3_SERVICE), so S3 traffic goes through" >&2
  echo "a NAT gateway; cluster.vpc is the platform's network and milvusgen creates nothing in it" >&2
else
  echo "S3 gateway endpoint $endpoint exists"
fi
`)
}

// S3GatewayEndpoint reports whether converge.sh gives the cluster's VPC an
// S3 gateway endpoint: under high availability, with the NAT gateway in
// every zone it goes with.
func S3GatewayEndpoint(s *model.Spec) bool { return s.Milvus.HighAvailability }

// s3Service is the S3 gateway endpoint's service name in s's region.
func s3Service(s *model.Spec) string {
	if s.Partition() == "aws-cn" {
		return "cn.com.amazonaws." + s.AWS.Region + ".s3"
	}
	return "com.amazonaws." + s.AWS.Region + ".s3"
}

// buildConverge returns the body of converge.sh.
func buildConverge(s *model.Spec, docs map[string]string) (string, error) {
	c, err := readCluster(s)
	if err != nil {
		return "", err
	}
	var w script
	w.f("#\n# converge.sh brings the AWS side of EKS cluster %s to this tree's state,", comment(s.Cluster.Name))
	w.raw(`# from nothing or from any earlier tree's: it reads the live state with the
# AWS CLI and eksctl and runs only what differs, in a safe order (the
# table in internal/diff, which milvusgen diff shows in the same order):
# the bucket, the cluster, the control plane one minor version at a time,
# the addons, the node groups (upgraded, created, scaled, then removed
# ones drained and deleted), the network, the IAM policy versions, and the
# pods' identities. Run it again after any interruption.
#
#   converge.sh --plan   prints what it would run and changes nothing
#   converge.sh --yes    runs destructive steps (draining and deleting node
#                        groups) without asking
#
# Without --yes it asks before each destructive step, and stops when it
# cannot ask. It never deletes a data volume or the bucket. bootstrap.sh
# runs it; so does the CI job on merge (examples/github/milvusgen.yaml).
`)
	w.raw(`#
# It uses the AWS CLI's own credentials. Besides eksctl's minimum IAM
# policies, they need
`)
	w.f("# %s and %s.", rel(iam.BucketManagementFile), rel(iam.PolicyManagementFile))
	w.raw("set -euo pipefail\ncd \"$(dirname \"$0\")\"\n\n")
	vars(&w, s, convergeNames(s, docs, c), policyFiles(s))
	preamble(&w, "converge.sh")
	w.raw(convergeHelpers)
	w.raw("\nneed aws eksctl\ncheck_account\n")
	for _, cl := range awsstep.Classes {
		if section, ok := sections[cl.Step]; ok {
			section(&w, s, c)
		}
	}
	w.raw(`
if [ "$manual" != 0 ]; then
  echo "converge.sh: $manual step(s) above must be run by hand (eksctl cannot make them); run converge.sh again afterwards" >&2
  exit 3
fi
if [ "$PLAN" = 1 ]; then
  echo "converge.sh --plan: $changes change(s) to make"
else
  echo "converge.sh: AWS matches the tree ($changes change(s) made)"
fi
`)
	return w.String(), nil
}

// convergeNames are converge.sh's own variables: the tree's node groups
// and addons, the digests, and the S3 endpoint's service.
func convergeNames(s *model.Spec, docs map[string]string, c cluster) []variable {
	names := []variable{{"KUBERNETES_VERSION", s.Cluster.KubernetesVersion}}
	var groups []string
	for _, ng := range s.Cluster.NodeGroups {
		groups = append(groups, fmt.Sprintf("%s %s %d %s %s", ng.Name, ng.InstanceType, ng.DesiredCapacity, size(ng.MinSize), size(ng.MaxSize)))
	}
	names = append(names, variable{"NODEGROUPS", strings.Join(groups, "\n")})
	var addons []string
	for _, a := range c.addons {
		v := a.Version
		if v == "" {
			v = "-"
		}
		role := a.role
		if role == "" {
			role = "-"
		}
		addons = append(addons, a.Name+" "+v+" "+role)
	}
	names = append(names,
		variable{"ADDONS", strings.Join(addons, "\n")},
		variable{"ADDONS_SHA256", c.addonsSHA256},
		variable{"IDENTITIES_SHA256", c.identitiesSHA256},
		variable{"LIFECYCLE_RULE", lifecycleRule},
		variable{"LIFECYCLE", lifecycle()},
		variable{"POLICY_SHA256", docs[iam.ReadWriteFile]})
	names = append(names, tagVars(s)...)
	if s.UsesKMSKey() {
		names = append(names, variable{"KMS_POLICY_SHA256", docs[iam.KMSFile]})
	}
	if s.Backup != nil {
		names = append(names, variable{"BACKUP_POLICY_SHA256", docs[iam.BackupFile]})
	}
	return names
}

func size(p *int) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// command is the table's command for step, as converge.sh runs it.
func command(step awsstep.Step, replace ...string) string {
	return "run " + strings.NewReplacer(replace...).Replace(awsstep.Of(step).Command)
}

// convergeHelpers reads the flags and defines run, confirm and the
// counters the sections share.
const convergeHelpers = `
PLAN=0
YES=0
for arg in "$@"; do
  case "$arg" in
  --plan) PLAN=1 ;;
  --yes) YES=1 ;;
  *) echo "usage: converge.sh [--plan] [--yes]" >&2; exit 2 ;;
  esac
done
changes=0
manual=0

# run makes one change, or with --plan only prints it.
run() {
  changes=$((changes + 1))
  if [ "$PLAN" = 1 ]; then
    printf 'plan: %s\n' "$*"
    return 0
  fi
  printf '+ %s\n' "$*" >&2
  "$@"
}

# confirm asks before a destructive step; --yes answers for the operator.
# Without a terminal to ask on, it stops.
confirm() {
  if [ "$PLAN" = 1 ] || [ "$YES" = 1 ]; then
    return 0
  fi
  if [ -t 0 ]; then
    local answer
    read -r -p "$* Go on? [y/N] " answer
    case "$answer" in
    y | yes) return 0 ;;
    esac
    echo "converge.sh: stopped before: $*" >&2
    exit 1
  fi
  echo "converge.sh: $*: run again with --yes to confirm (there is no terminal to ask on)" >&2
  exit 1
}

# in_list WORD LIST reports whether WORD is one of LIST's words.
in_list() {
  case " ${2//[$'\t\n']/ } " in
  *" $1 "*) return 0 ;;
  esac
  return 1
}
`

// convergeBucket creates the bucket with ACLs off (BucketOwnerEnforced,
// AWS's default since 2023; the runbook's ObjectWriter turns them back on),
// blocks public access, and makes sure failed multipart uploads do not
// stay in it for good; each only when it differs.
func convergeBucket(w *script, s *model.Spec, _ cluster) {
	location := ""
	if s.AWS.Region != usEast1 {
		location = ` \
    --create-bucket-configuration LocationConstraint="$REGION"`
	}
	w.f(`
step "S3 bucket $BUCKET"
ownership=none blocked=none
if aws s3api head-bucket --bucket "$BUCKET" --region "$REGION" >/dev/null 2>&1; then
  echo "bucket $BUCKET exists"
  ownership="$(aws s3api get-bucket-ownership-controls --bucket "$BUCKET" --region "$REGION" \
    --query 'OwnershipControls.Rules[0].ObjectOwnership' --output text 2>/dev/null || echo none)"
  blocked="$(aws s3api get-public-access-block --bucket "$BUCKET" --region "$REGION" \
    --query 'PublicAccessBlockConfiguration.[BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets]' \
    --output text 2>/dev/null || echo none)"
else
  run aws s3api create-bucket --bucket "$BUCKET" --region "$REGION" \
    --object-ownership BucketOwnerEnforced%s >/dev/null
fi
if [ "$ownership" != BucketOwnerEnforced ]; then
  run aws s3api put-bucket-ownership-controls --bucket "$BUCKET" --region "$REGION" \
    --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
fi
if [ "$blocked" != "$(printf 'True\tTrue\tTrue\tTrue')" ]; then
  run aws s3api put-public-access-block --bucket "$BUCKET" --region "$REGION" \
    --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
fi
# Parts of a multipart upload that was never completed are billed and not
# listed as objects. Milvus aborts the uploads it sees fail; the rule
# catches the rest (a killed pod, a lost node). S3 keeps one lifecycle
# configuration per bucket, so a bucket with rules of its own is left alone.
# The answer is: all rules, milvusgen's rule, milvusgen's rule as rendered.
rules="$(aws s3api get-bucket-lifecycle-configuration --bucket "$BUCKET" --region "$REGION" \
  --query "[length(Rules), length(Rules[?ID=='$LIFECYCLE_RULE']), length(Rules[?ID=='$LIFECYCLE_RULE' && AbortIncompleteMultipartUpload.DaysAfterInitiation==%[2]s%[3]d%[2]s])]" \
  --output text 2>/dev/null || echo none)"
read -r all ours current <<<"$rules"
if [ "$all" = none ] || { [ "${current:-0}" = 0 ] && [ "$all" = "${ours:-}" ]; }; then
  %[4]s
elif [ "${current:-0}" != 0 ]; then
  echo "lifecycle rule $LIFECYCLE_RULE exists"
else
  echo "converge.sh: bucket $BUCKET has lifecycle rules of its own; add one that aborts" >&2
  echo "incomplete multipart uploads after %[3]d days: $LIFECYCLE" >&2
fi`, location, "\\`", abortMultipartDays, command(awsstep.StepBucket))
	bucketTags(w, s)
}

// convergeCluster creates the IAM policies the cluster's service accounts
// name when they are missing, then the cluster, and tags a new cluster
// with the digests of the file it was made from. With --plan and no
// cluster, the rest follows from eksctl create cluster, and the script
// ends here.
func convergeCluster(w *script, s *model.Spec, _ cluster) {
	w.raw("\nstep \"IAM policies the cluster needs\"\n")
	ensurePolicy(w, "POLICY")
	policyTags(w, s, "POLICY")
	if s.UsesKMSKey() {
		ensurePolicy(w, "KMS_POLICY")
		policyTags(w, s, "KMS_POLICY")
	}
	if s.Backup != nil {
		ensurePolicy(w, "BACKUP_POLICY")
		policyTags(w, s, "BACKUP_POLICY")
	}
	w.f(`
step "EKS cluster $CLUSTER"
if eksctl get cluster --name "$CLUSTER" --region "$REGION" >/dev/null 2>&1; then
  echo "cluster $CLUSTER exists"
else
  %s
  if [ "$PLAN" = 1 ]; then
    echo "converge.sh --plan: the cluster is new; eksctl creates its node groups, addons and identities with it"
    exit 0
  fi
  cluster_arn="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.arn --output text)"
  run aws eks tag-resource --resource-arn "$cluster_arn" --tags "%s=$ADDONS_SHA256,%s=$IDENTITIES_SHA256"
fi
cluster_arn="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.arn --output text)"`, createCluster(s), addonsTag, identitiesTag)
}

// ensurePolicy creates the policy $<v>_ARN from its document when it is
// missing: the cluster's service accounts name it. convergePolicy makes a
// changed document its default version later.
func ensurePolicy(w *script, v string) {
	w.raw(strings.NewReplacer("$POLICY_", "$"+v+"_", "@TAG@", documentTag).Replace(`if aws iam get-policy --policy-arn "$POLICY_ARN" >/dev/null 2>&1; then
  echo "policy $POLICY_NAME exists"
else
  # A new policy's first version is always v1.
  run aws iam create-policy --policy-name "$POLICY_NAME" \
    --policy-document "file://$POLICY_DOCUMENT" \
    --tags "Key=@TAG@,Value=$POLICY_SHA256@v1" >/dev/null
fi
`))
}

// convergeIdentityProvider associates the cluster's OIDC provider when it
// is missing, before any addon: eksctl creates an addon that needs an IRSA
// role without one when the provider is not there yet, and later creates
// skip the addon because it exists.
func convergeIdentityProvider(w *script, s *model.Spec, _ cluster) {
	if s.Cluster.Identity == model.PodIdentity {
		return
	}
	w.f(`
step "IAM OIDC provider"
issuer="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.identity.oidc.issuer --output text)"
providers="$(aws iam list-open-id-connect-providers \
  --query "length(OpenIDConnectProviderList[?ends_with(Arn, '/id/${issuer##*/}')])" --output text)"
if [ "$providers" = 0 ]; then
  %s
else
  echo "the OIDC provider of $CLUSTER exists"
fi`, command(awsstep.StepIdentityProvider))
}

// convergeControlPlane upgrades the control plane one minor version at a
// time up to the tree's, and refuses a cluster newer than the tree.
//
// On an existing cluster (cluster.existing) the control plane is the
// platform's: converge.sh only checks it, and stops while it differs from
// the tree, so milvusgen's node groups never run ahead of it or behind.
func convergeControlPlane(w *script, s *model.Spec, _ cluster) {
	if s.Cluster.Existing {
		w.f(`
step "control plane: Kubernetes $KUBERNETES_VERSION (the platform's)"
current="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.version --output text)"
case "$current" in
1.[0-9]*) ;;
*) echo "converge.sh: cannot read the cluster's Kubernetes version: $current" >&2; exit 1 ;;
esac
if [ "$current" != "$KUBERNETES_VERSION" ]; then
  echo "converge.sh: cluster $CLUSTER runs Kubernetes $current and the tree says $KUBERNETES_VERSION." >&2
  echo "cluster.existing: the control plane is the platform's, and converge.sh does not change it;" >&2
  echo "set cluster.kubernetesVersion to $current, or ask the platform team to upgrade the cluster, then run again" >&2
  exit 1
fi
echo "the control plane runs Kubernetes $current"`)
		return
	}
	w.f(`
step "control plane: Kubernetes $KUBERNETES_VERSION"
current="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.version --output text)"
case "$current" in
1.[0-9]*) ;;
*) echo "converge.sh: cannot read the cluster's Kubernetes version: $current" >&2; exit 1 ;;
esac
if [ "${current#1.}" -gt "${KUBERNETES_VERSION#1.}" ]; then
  echo "converge.sh: cluster $CLUSTER runs Kubernetes $current, newer than the tree's $KUBERNETES_VERSION; EKS cannot downgrade" >&2
  exit 1
fi
if [ "$current" = "$KUBERNETES_VERSION" ]; then
  echo "the control plane runs Kubernetes $current"
fi
# EKS upgrades one minor version at a time; the addons and node groups
# follow below.
while [ "${current#1.}" -lt "${KUBERNETES_VERSION#1.}" ]; do
  version="1.$((${current#1.} + 1))"
  %s
  current="$version"
done`, command(awsstep.StepControlPlane))
}

// convergeAddonCreate creates the addons the cluster lacks.
func convergeAddonCreate(w *script, _ *model.Spec, _ cluster) {
	w.f(`
step "addons"
missing=""
while read -r addon _ _ <&3; do
  if ! aws eks describe-addon --cluster-name "$CLUSTER" --region "$REGION" --addon-name "$addon" >/dev/null 2>&1; then
    missing="$missing $addon"
  fi
done 3<<<"$ADDONS"
if [ -n "$missing" ]; then
  echo "addons missing:$missing"
  %s
fi`, command(awsstep.StepAddonCreate))
}

// convergeAddonUpdate gives the addons the file's configuration when it
// changed (the cluster's tag holds the digest it last applied), or when an
// addon that needs an IAM role has none: one created before the OIDC
// provider (a half-created cluster), or without its Pod Identity
// associations.
func convergeAddonUpdate(w *script, _ *model.Spec, _ cluster) {
	w.f(`roleless=""
while read -r addon _ role <&3; do
  in_list "$addon" "$missing" && [ "$PLAN" = 1 ] && continue
  case "$role" in
  irsa)
    arn="$(aws eks describe-addon --cluster-name "$CLUSTER" --region "$REGION" --addon-name "$addon" \
      --query addon.serviceAccountRoleArn --output text)"
    [ "$arn" != None ] || roleless="$roleless $addon" ;;
  podIdentity)
    n="$(aws eks describe-addon --cluster-name "$CLUSTER" --region "$REGION" --addon-name "$addon" \
      --query 'length(addon.podIdentityAssociations || %[1]s[]%[1]s)' --output text)"
    [ "$n" != 0 ] || roleless="$roleless $addon" ;;
  esac
done 3<<<"$ADDONS"
tagged="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query 'cluster.tags."%[2]s"' --output text)"
if [ "$tagged" != "$ADDONS_SHA256" ] || [ -n "$roleless" ]; then
  if [ -n "$roleless" ]; then
    echo "addons without their IAM role:$roleless"
  fi
  %[3]s
  run aws eks tag-resource --resource-arn "$cluster_arn" --tags "%[2]s=$ADDONS_SHA256"
else
  echo "the addons have the file's configuration"
fi`, "`", addonsTag, command(awsstep.StepAddonUpdate))
}

// convergeAddonVersions moves each addon to its pinned version, or to
// AWS's default for the tree's Kubernetes version, printing the one it
// chose.
func convergeAddonVersions(w *script, _ *model.Spec, _ cluster) {
	w.f(`while read -r addon version _ <&3; do
  if [ "$version" = - ]; then
    version="$(aws eks describe-addon-versions --region "$REGION" --addon-name "$addon" \
      --kubernetes-version "$KUBERNETES_VERSION" \
      --query 'addons[0].addonVersions[?compatibilities[0].defaultVersion] | [0].addonVersion' --output text)"
    if [ -z "$version" ] || [ "$version" = None ]; then
      echo "converge.sh: AWS names no default version of addon $addon for Kubernetes $KUBERNETES_VERSION; pin one in the spec (cluster.addonVersions)" >&2
      exit 1
    fi
    echo "addon $addon: AWS's default version for Kubernetes $KUBERNETES_VERSION is $version"
  fi
  live="$(aws eks describe-addon --cluster-name "$CLUSTER" --region "$REGION" --addon-name "$addon" \
    --query addon.addonVersion --output text 2>/dev/null || echo none)"
  if [ "$live" = none ]; then
    continue
  fi
  if [ "$live" = "$version" ]; then
    echo "addon $addon is at $version"
    continue
  fi
  %s >/dev/null
  run aws eks wait addon-active --cluster-name "$CLUSTER" --region "$REGION" --addon-name "$addon"
done 3<<<"$ADDONS"`, command(awsstep.StepAddonVersion))
}

// convergeNodeGroupReplace reads every group's live state, and stops at a
// group whose instance type the tree changed: eksctl cannot change it in
// place.
func convergeNodeGroupReplace(w *script, _ *model.Spec, _ cluster) {
	w.raw(`
step "node groups"
# nodegroup_state NAME prints the group's live "desired min max version
# instanceType", or nothing when it does not exist.
nodegroup_state() {
  aws eks describe-nodegroup --cluster-name "$CLUSTER" --region "$REGION" --nodegroup-name "$1" \
    --query '[nodegroup.scalingConfig.desiredSize,nodegroup.scalingConfig.minSize,nodegroup.scalingConfig.maxSize,nodegroup.version,nodegroup.instanceTypes[0]]' \
    --output text 2>/dev/null || true
}
tree_groups=""
missing=""
while read -r nodegroup type _ _ _ <&3; do
  tree_groups="$tree_groups $nodegroup"
  read -r _ _ _ _ live_type <<<"$(nodegroup_state "$nodegroup")"
  if [ -z "$live_type" ]; then
    missing="$missing $nodegroup"
  elif [ "$live_type" != "$type" ]; then
    echo "converge.sh: node group $nodegroup runs $live_type and the tree says $type: eksctl cannot change" >&2
    echo "the instance type in place. Give the group a new name in the spec instead; converge.sh then" >&2
    echo "creates the new group, and drains and deletes $nodegroup once the new one is up." >&2
    exit 1
  fi
done 3<<<"$NODEGROUPS"
`)
}

// convergeNodeGroupUpgrade moves each existing group to the control
// plane's Kubernetes version.
func convergeNodeGroupUpgrade(w *script, _ *model.Spec, _ cluster) {
	w.f(`while read -r nodegroup _ _ _ _ <&3; do
  in_list "$nodegroup" "$missing" && continue
  read -r _ _ _ live_version _ <<<"$(nodegroup_state "$nodegroup")"
  if [ "$live_version" != "$KUBERNETES_VERSION" ]; then
    version="$KUBERNETES_VERSION"
    %s
  fi
done 3<<<"$NODEGROUPS"`, command(awsstep.StepNodeGroupUpgrade))
}

// convergeNodeGroupCreate creates the groups the cluster lacks.
func convergeNodeGroupCreate(w *script, _ *model.Spec, _ cluster) {
	w.f(`if [ -n "$missing" ]; then
  echo "node groups missing:$missing"
  %s
fi`, command(awsstep.StepNodeGroupCreate))
}

// convergeNodeGroupScale scales each existing group whose sizes differ
// from the file's (sizes the spec leaves out are not compared).
func convergeNodeGroupScale(w *script, _ *model.Spec, _ cluster) {
	w.f(`while read -r nodegroup _ desired min max <&3; do
  in_list "$nodegroup" "$missing" && continue
  read -r live_desired live_min live_max _ _ <<<"$(nodegroup_state "$nodegroup")"
  if [ "$live_desired" != "$desired" ] || { [ "$min" != - ] && [ "$live_min" != "$min" ]; } ||
    { [ "$max" != - ] && [ "$live_max" != "$max" ]; }; then
    echo "node group $nodegroup: $live_desired (min $live_min, max $live_max) → $desired (min $min, max $max)"
    %s
  else
    echo "node group $nodegroup has $desired nodes (min $min, max $max)"
  fi
done 3<<<"$NODEGROUPS"`, command(awsstep.StepNodeGroupScale))
}

// convergeNodeGroupDelete drains and deletes the groups the tree no longer
// names, after asking.
func convergeNodeGroupDelete(w *script, _ *model.Spec, _ cluster) {
	w.f(`removed=""
for nodegroup in $(aws eks list-nodegroups --cluster-name "$CLUSTER" --region "$REGION" --query nodegroups --output text); do
  in_list "$nodegroup" "$tree_groups" || removed="$removed $nodegroup"
done
if [ -n "$removed" ]; then
  confirm "drain and delete node groups$removed, which the tree no longer names (their pods move to the other groups; data volumes stay)."
  %s
fi`, command(awsstep.StepNodeGroupDelete))
}

// convergeNAT checks, when the file asks for HighlyAvailable NAT (the
// spec's high availability does), that every zone has its own NAT gateway. eksctl cannot change the NAT setting of an existing cluster
// (upgrade cluster warns that NAT changes are not implemented), so for a
// zone without one converge.sh prints the exact AWS CLI steps, with the
// VPC's real subnet and route table IDs, and ends with exit 3 until they
// are run: creating gateways is billed, and routes switched under running
// nodes are better done by an operator watching them.
func convergeNAT(w *script, _ *model.Spec, c cluster) {
	if c.nat != highlyAvailableNAT {
		return
	}
	w.raw(`
step "network: a NAT gateway per zone"
vpc="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.resourcesVpcConfig.vpcId --output text)"
nat_subnets="$(aws ec2 describe-nat-gateways --region "$REGION" \
  --filter "Name=vpc-id,Values=$vpc" "Name=state,Values=pending,available" \
  --query 'NatGateways[].SubnetId' --output text)"
public="$(aws ec2 describe-subnets --region "$REGION" \
  --filters "Name=vpc-id,Values=$vpc" "Name=map-public-ip-on-launch,Values=true" \
  --query 'Subnets[].[AvailabilityZone,SubnetId]' --output text)"
nat_zones=""
while read -r zone subnet <&3; do
  [ -n "$subnet" ] || continue
  in_list "$subnet" "$nat_subnets" && nat_zones="$nat_zones $zone"
done 3<<<"$public"
while read -r zone subnet <&3; do
  [ -n "$subnet" ] || continue
  if in_list "$zone" "$nat_zones"; then
    echo "zone $zone has a NAT gateway"
    continue
  fi
  nat_zones="$nat_zones $zone"
  private="$(aws ec2 describe-subnets --region "$REGION" \
    --filters "Name=vpc-id,Values=$vpc" "Name=availability-zone,Values=$zone" "Name=map-public-ip-on-launch,Values=false" \
    --query 'Subnets[].SubnetId' --output text)"
  tables="$(aws ec2 describe-route-tables --region "$REGION" \
    --filters "Name=association.subnet-id,Values=${private//[$'\t\n ']/,}" \
    --query 'RouteTables[].RouteTableId' --output text)"
  manual=$((manual + 1))
  echo "converge.sh: zone $zone has no NAT gateway of its own. eksctl cannot add one to an existing"
  echo "cluster; run these, then converge.sh again:"
  echo "  allocation=\"\$(aws ec2 allocate-address --region $REGION --domain vpc --query AllocationId --output text)\""
  echo "  nat=\"\$(aws ec2 create-nat-gateway --region $REGION --subnet-id $subnet --allocation-id \"\$allocation\" --query NatGateway.NatGatewayId --output text)\""
  echo "  aws ec2 wait nat-gateway-available --region $REGION --nat-gateway-ids \"\$nat\""
  for table in $tables; do
    echo "  aws ec2 replace-route --region $REGION --route-table-id $table --destination-cidr-block 0.0.0.0/0 --nat-gateway-id \"\$nat\""
  done
done 3<<<"$public"
`)
}

// highlyAvailableNAT is eksctl's NAT setting with a gateway per zone.
const highlyAvailableNAT = "HighlyAvailable"

// convergeS3Endpoint gives the cluster's VPC an S3 gateway endpoint on all
// its route tables, under high availability: S3 traffic then needs no NAT
// gateway in any zone.
func convergeS3Endpoint(w *script, s *model.Spec, _ cluster) {
	if !S3GatewayEndpoint(s) {
		return
	}
	if s.Cluster.VPC != nil {
		existingVPCEndpoint(w)
		return
	}
	w.f(`
step "network: S3 gateway endpoint"
vpc="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query cluster.resourcesVpcConfig.vpcId --output text)"
endpoint="$(aws ec2 describe-vpc-endpoints --region "$REGION" \
  --filters "Name=vpc-id,Values=$vpc" "Name=service-name,Values=$S3_SERVICE" "Name=vpc-endpoint-state,Values=pending,available" \
  --query 'VpcEndpoints[0].VpcEndpointId' --output text)"
if [ "$endpoint" = None ]; then
  route_tables="$(aws ec2 describe-route-tables --region "$REGION" --filters "Name=vpc-id,Values=$vpc" \
    --query 'RouteTables[].RouteTableId' --output text)"
  # shellcheck disable=SC2086 # one argument per route table
  %s >/dev/null
else
  echo "S3 gateway endpoint $endpoint exists"
fi`, command(awsstep.StepS3Endpoint))
}

// convergePolicy makes the rendered document the Milvus policy's default
// version, when it holds another; milvus-backup's policy, with a backup
// section, the same way.
func convergePolicy(w *script, s *model.Spec, _ cluster) {
	w.raw("\nstep \"IAM policy $POLICY_NAME\"\n")
	updatePolicy(w, "POLICY", awsstep.StepPolicy)
	if s.Backup != nil {
		w.raw("\nstep \"IAM policy $BACKUP_POLICY_NAME\"\n")
		updatePolicy(w, "BACKUP_POLICY", awsstep.StepPolicy)
	}
}

// convergeKMSPolicy does the same for the EBS CSI driver's KMS policy.
func convergeKMSPolicy(w *script, s *model.Spec, _ cluster) {
	if !s.UsesKMSKey() {
		return
	}
	w.raw("\nstep \"IAM policy $KMS_POLICY_NAME\"\n")
	updatePolicy(w, "KMS_POLICY", awsstep.StepKMSPolicy)
}

// documentTag is the IAM policy tag holding "<sha256 of the document>@<the
// version holding it>". IAM keeps at most five versions of a policy, so a
// re-run with an unchanged document must not create one; the tag says
// which document the default version holds without parsing JSON in shell.
const documentTag = "milvusgen.io/document"

// updatePolicy makes $<v>_DOCUMENT the default version of $<v>_ARN when
// the policy holds another, deleting the oldest non-default version first
// when IAM's five are in use.
func updatePolicy(w *script, v string, step awsstep.Step) {
	create := strings.ReplaceAll(command(step), "$POLICY_", "$"+v+"_")
	w.raw(strings.NewReplacer("$POLICY_", "$"+v+"_", "@TAG@", documentTag, "@CREATE@", create).Replace(`if ! aws iam get-policy --policy-arn "$POLICY_ARN" >/dev/null 2>&1; then
  echo "policy $POLICY_NAME is created above"
else
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
        --query 'sort_by(Versions[?IsDefaultVersion==` + "`false`" + `], &CreateDate)[0].VersionId' --output text)"
      run aws iam delete-policy-version --policy-arn "$POLICY_ARN" --version-id "$oldest"
    fi
    @CREATE@ >/dev/null
    version='<the new version>'
    if [ "$PLAN" = 0 ]; then
      version="$(aws iam get-policy --policy-arn "$POLICY_ARN" --query Policy.DefaultVersionId --output text)"
    fi
    run aws iam tag-policy --policy-arn "$POLICY_ARN" --tags "Key=@TAG@,Value=$POLICY_SHA256@$version"
  fi
fi
`))
}

// convergeServiceAccounts creates the IRSA service accounts whose eksctl
// stack is missing, and updates them all when the file's iam section
// changed.
func convergeServiceAccounts(w *script, s *model.Spec, _ cluster) {
	if s.Cluster.Identity == model.PodIdentity {
		return
	}
	w.raw("\nstep \"IRSA service accounts\"\nmissing=\"\"\n")
	for _, sa := range serviceAccounts(s) {
		w.f(`if ! aws cloudformation describe-stacks --region "$REGION" \
  --stack-name "eksctl-$CLUSTER-addon-iamserviceaccount-"%[1]s >/dev/null 2>&1; then
  missing="$missing "%[2]s
fi`, quote(sa.namespace+"-"+sa.name), quote(sa.namespace+"/"+sa.name))
	}
	w.f(`if [ -n "$missing" ]; then
  echo "service accounts missing:$missing"
  run eksctl create iamserviceaccount -f "$CLUSTER_CONFIG" --approve
fi
tagged="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query 'cluster.tags."%[1]s"' --output text)"
if [ "$tagged" != "$IDENTITIES_SHA256" ]; then
  %[2]s
  run aws eks tag-resource --resource-arn "$cluster_arn" --tags "%[1]s=$IDENTITIES_SHA256"
else
  echo "the service accounts have the file's policies"
fi`, identitiesTag, command(awsstep.StepServiceAccounts))
}

// convergePodIdentity creates each association the file names whose
// namespace and service account have none (eksctl create
// podidentityassociation -f fails on one that exists, and the addons own
// associations of their own, so a count would not do), then updates them
// all when the file's iam section changed.
func convergePodIdentity(w *script, s *model.Spec, _ cluster) {
	if s.Cluster.Identity != model.PodIdentity {
		return
	}
	w.raw("\nstep \"Pod Identity associations\"\n")
	for _, sa := range serviceAccounts(s) {
		w.f(`n="$(aws eks list-pod-identity-associations --cluster-name "$CLUSTER" --region "$REGION" \
  --namespace %[1]s --service-account %[2]s --query 'length(associations)' --output text)"
if [ "$n" = 0 ]; then
  run eksctl create podidentityassociation --cluster "$CLUSTER" --region "$REGION" \
    --namespace %[1]s --service-account-name %[2]s --create-service-account %[3]s
else
  echo "service account "%[1]s/%[2]s" has its association"
fi`, quote(sa.namespace), quote(sa.name), sa.policyFlag)
	}
	w.f(`tagged="$(aws eks describe-cluster --name "$CLUSTER" --region "$REGION" --query 'cluster.tags."%[1]s"' --output text)"
if [ "$tagged" != "$IDENTITIES_SHA256" ]; then
  %[2]s
  run aws eks tag-resource --resource-arn "$cluster_arn" --tags "%[1]s=$IDENTITIES_SHA256"
else
  echo "the associations have the file's policies"
fi`, identitiesTag, command(awsstep.StepPodIdentity))
}

// identity is one service account the ClusterConfig gives an IAM role.
type identity struct {
	namespace, name string
	// policyFlag is the eksctl create podidentityassociation flag that
	// attaches its policy.
	policyFlag string
}

// serviceAccounts are the identities render/eksctl writes: the load
// balancer controller's and Milvus's, sorted.
func serviceAccounts(s *model.Spec) []identity {
	out := []identity{
		{model.LBControllerNamespace, s.LoadBalancerController.ServiceAccount, "--well-known-policies awsLoadBalancerController"},
		{s.Milvus.Namespace, s.Milvus.ServiceAccount, "--permission-policy-arns \"$POLICY_ARN\""},
	}
	sort.Slice(out, func(i, j int) bool { return out[i].namespace+"/"+out[i].name < out[j].namespace+"/"+out[j].name })
	return out
}
