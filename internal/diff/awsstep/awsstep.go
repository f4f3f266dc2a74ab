// Package awsstep is the table of the AWS half of a rendered tree's
// changes: each kind of change to aws/ (a Step), what it does to AWS and
// the command that does it, in the order aws/converge.sh carries them out.
// internal/diff names a pull request's steps from it, and render/runbook
// writes converge.sh from it, so the two cannot disagree.
package awsstep

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Step names one kind of change to the AWS half of a tree (aws/): what it
// does to AWS and the command that does it. Classes lists them in the
// order aws/converge.sh carries them out, and both read this one table:
// the report names each change's step and command, and render/runbook
// writes converge.sh's steps from it, so the pull request and what runs on
// merge cannot disagree.
type Step string

// Steps, in the order of Classes.
const (
	StepBucket           Step = "bucket"
	StepCluster          Step = "cluster"
	StepIdentityProvider Step = "identity-provider"
	StepControlPlane     Step = "control-plane"
	StepAddonCreate      Step = "addon-create"
	StepAddonUpdate      Step = "addon-update"
	StepAddonVersion     Step = "addon-version"
	StepNodeGroupReplace Step = "nodegroup-replace"
	StepNodeGroupUpgrade Step = "nodegroup-upgrade"
	StepNodeGroupCreate  Step = "nodegroup-create"
	StepNodeGroupScale   Step = "nodegroup-scale"
	StepNodeGroupDelete  Step = "nodegroup-delete"
	StepNAT              Step = "nat"
	StepS3Endpoint       Step = "s3-endpoint"
	StepPolicy           Step = "iam-policy"
	StepKMSPolicy        Step = "kms-policy"
	StepServiceAccounts  Step = "service-accounts"
	StepPodIdentity      Step = "pod-identity"
	StepOperatorPolicy   Step = "operator-policy"
	StepScript           Step = "script"
)

// Class is one row of the table.
type Class struct {
	Step Step
	// What says what happens to AWS.
	What string
	// Command is the shell command converge.sh runs for it, with the
	// script's variables ("$CLUSTER_CONFIG", "$nodegroup"); the report
	// shows it with the tree's values. Empty when converge.sh runs no
	// command (the step is manual, or a later run picks it up).
	Command string
	// Destructive steps are asked about before they run, unless
	// converge.sh is given --yes.
	Destructive bool
}

// Classes is the table, in execution order: the bucket and the cluster
// exist first (with the IAM policies the cluster's accounts name); the
// control plane is upgraded one minor version at a time before the addons
// and the node groups follow it (EKS's order); new node groups are created
// and sized before old ones are drained and deleted, so pods always have
// somewhere to go (a group whose instance type changed stops the step
// before any of them); the network, then the IAM policy versions and the pods'
// identities come last. Nothing in it deletes a data volume or the bucket.
var Classes = []Class{
	{StepBucket, "the bucket's ownership, public access block or lifecycle rule is set on the existing bucket",
		`aws s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" --region "$REGION" --lifecycle-configuration "$LIFECYCLE"`, false},
	{StepCluster, "a new EKS cluster: eksctl creates it with its node groups, addons and identities",
		`eksctl create cluster -f "$CLUSTER_CONFIG"`, false},
	{StepIdentityProvider, "the cluster's IAM OIDC provider is associated, before any addon, so the EBS CSI driver and vpc-cni get their IRSA roles",
		`eksctl utils associate-iam-oidc-provider -f "$CLUSTER_CONFIG" --approve`, false},
	{StepControlPlane, "the control plane is upgraded one minor version at a time; the addons and node groups follow",
		`eksctl upgrade cluster --name "$CLUSTER" --region "$REGION" --version "$version" --approve`, false},
	{StepAddonCreate, "the addons the cluster lacks are created",
		`eksctl create addon -f "$CLUSTER_CONFIG"`, false},
	{StepAddonUpdate, "the addons take the file's pinned versions and configuration (IAM roles, Pod Identity associations)",
		`eksctl update addon -f "$CLUSTER_CONFIG"`, false},
	{StepAddonVersion, "an addon without a pinned version moves to AWS's default version for the cluster's Kubernetes version (aws eks describe-addon-versions); converge.sh prints the version it chose",
		`aws eks update-addon --cluster-name "$CLUSTER" --region "$REGION" --addon-name "$addon" --addon-version "$version"`, false},
	{StepNodeGroupReplace, "eksctl cannot change this field of a node group in place, and converge.sh stops at that group: give the group a new name in the spec, so the next run creates the new group, then drains and deletes the old one",
		"", true},
	{StepNodeGroupUpgrade, "the node group's nodes are replaced, a few at a time, by nodes of the control plane's Kubernetes version",
		`eksctl upgrade nodegroup --cluster "$CLUSTER" --region "$REGION" --name "$nodegroup" --kubernetes-version "$version"`, false},
	{StepNodeGroupCreate, "the new node group is created (eksctl skips the groups that exist)",
		`eksctl create nodegroup -f "$CLUSTER_CONFIG"`, false},
	{StepNodeGroupScale, "the node group is scaled to the file's desiredCapacity, minSize and maxSize",
		`eksctl scale nodegroup -f "$CLUSTER_CONFIG" --name "$nodegroup"`, false},
	{StepNodeGroupDelete, "node groups the file no longer names are drained (pods move to the other groups, within their disruption budgets) and deleted; their nodes' root volumes go with them, data volumes (PVs) stay",
		`eksctl delete nodegroup -f "$CLUSTER_CONFIG" --only-missing --approve`, true},
	{StepNAT, "eksctl cannot change the NAT gateways of an existing cluster (upgrade cluster warns that NAT changes are not implemented): converge.sh reads the VPC's subnets and route tables and prints the exact AWS CLI steps (one NAT gateway per zone, then each private route table's default route); it does not run them",
		"", false},
	{StepS3Endpoint, "an S3 gateway VPC endpoint on every route table of the cluster's VPC: the nodes reach S3 without a NAT gateway, in every zone, and segment reads are not billed as NAT data processing",
		`aws ec2 create-vpc-endpoint --region "$REGION" --vpc-id "$vpc" --vpc-endpoint-type Gateway --service-name "$S3_SERVICE" --route-table-ids $route_tables`, false},
	{StepPolicy, "the Milvus IAM policy gets the rendered document as a new default version; when IAM's five versions are in use, the oldest non-default one is deleted first",
		`aws iam create-policy-version --policy-arn "$POLICY_ARN" --policy-document "file://$POLICY_DOCUMENT" --set-as-default`, false},
	{StepKMSPolicy, "the EBS CSI driver's KMS policy gets the rendered document as a new default version (created when the spec first names a key)",
		`aws iam create-policy-version --policy-arn "$KMS_POLICY_ARN" --policy-document "file://$KMS_POLICY_DOCUMENT" --set-as-default`, false},
	{StepServiceAccounts, "the IRSA service accounts and their roles are created where missing and updated to the file's policies",
		`eksctl update iamserviceaccount -f "$CLUSTER_CONFIG" --approve`, false},
	{StepPodIdentity, "each Pod Identity association the file names is created where its namespace and service account have none, and updated to the file's policies",
		`eksctl update podidentityassociation -f "$CLUSTER_CONFIG"`, false},
	{StepOperatorPolicy, "a policy document for the credentials bootstrap.sh and converge.sh run with: attach the new version to that user or role (the CI role too) before the merge, or the next run may be denied",
		"", false},
	{StepScript, "the script changed; the next aws/converge.sh run (on merge) uses it",
		"", false},
}

// Of returns the table row of step; it panics on a step not in the
// table, which is a programming error.
func Of(step Step) Class {
	for _, c := range Classes {
		if c.Step == step {
			return c
		}
	}
	panic("awsstep: no class " + string(step))
}

// Order is step's position in Classes.
func Order(step Step) int {
	for i, c := range Classes {
		if c.Step == step {
			return i
		}
	}
	return len(Classes)
}

// Vars are the values the report puts into a class's command: the
// script's variables (CLUSTER_CONFIG, CLUSTER, REGION...) and the step's
// own (nodegroup, version, addon).
type Vars map[string]string

// Expand returns cmd with each "$NAME" and $NAME of vars replaced by its
// value, quoted for the shell only where it needs it.
func (v Vars) Expand(cmd string) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	// Longer names first, so $POLICY_ARN is not read as $POLICY + _ARN.
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	var pairs []string
	for _, k := range keys {
		q := shellWord(v[k])
		pairs = append(pairs, `"file://$`+k+`"`, shellWord("file://"+v[k]), `"$`+k+`"`, q, "$"+k, q)
	}
	return strings.NewReplacer(pairs...).Replace(cmd)
}

// shellWord quotes s unless it is made of characters the shell leaves
// alone.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// With returns a copy of v with more values.
func (v Vars) With(kv ...string) Vars {
	out := Vars{}
	for k, x := range v {
		out[k] = x
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// KubernetesPath returns the minor versions an upgrade from old to new
// passes through, new included ("1.33" → "1.35": 1.34, 1.35), or an error
// for a downgrade or a version it cannot read.
func KubernetesPath(old, new string) ([]string, error) {
	a, b := minor(old), minor(new)
	switch {
	case a < 0 || b < 0:
		return nil, fmt.Errorf("cannot read Kubernetes version %q → %q", old, new)
	case b < a:
		return nil, fmt.Errorf("Kubernetes %s → %s: EKS cannot downgrade a cluster", old, new)
	}
	var out []string
	for m := a + 1; m <= b; m++ {
		out = append(out, fmt.Sprintf("1.%d", m))
	}
	return out, nil
}

// KubernetesJump refuses a change of more than one minor version, with the
// path to take instead: one merged change per minor version, since the
// node groups and addons must follow the control plane at each.
func KubernetesJump(old, new string) error {
	path, err := KubernetesPath(old, new)
	if err != nil {
		return err
	}
	if len(path) <= 1 {
		return nil
	}
	return fmt.Errorf("Kubernetes %s → %s skips %d minor versions; EKS upgrades one at a time, and the node groups and addons must follow the control plane at each: set cluster.kubernetesVersion to %s, merge and let aws/converge.sh run, then %s",
		old, new, len(path)-1, path[0], strings.Join(path[1:], ", then "))
}

// minor is the minor number of a "1.N" version, or -1.
func minor(v string) int {
	major, m, ok := strings.Cut(v, ".")
	if !ok || major != "1" {
		return -1
	}
	n, err := strconv.Atoi(m)
	if err != nil {
		return -1
	}
	return n
}
