package diff

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/diff/awsstep"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// InfraStep is one step a change makes aws/converge.sh take.
type InfraStep struct {
	Step awsstep.Step `json:"step"`
	// Field is the path that called for it, if one did.
	Field string `json:"field,omitempty"`
	// Detail says what changed ("node group milvus-r6i desiredCapacity 4 → 6").
	Detail string `json:"detail"`
	// Command is the class's command with the tree's values.
	Command string `json:"command,omitempty"`
}

// Refusal is a change that must not be merged as it stands.
type Refusal struct {
	Reason string `json:"reason"`
	// Steps are what to do instead, in order.
	Steps []string `json:"steps"`
}

// awsDir is where the AWS half of a tree lives.
const awsDir = "aws/"

// Files of the AWS half whose changes have a step of their own.
const (
	policyFile         = "aws/iam/milvus-s3-readwrite.json"
	kmsPolicyFile      = "aws/iam/ebs-kms.json"
	bucketPolicyFile   = "aws/iam/s3-bucket-management.json"
	operatorPolicyFile = "aws/iam/iam-policy-management.json"
)

// step records one step on c and the infrastructure flag that names it.
func (c *Change) step(field string, step awsstep.Step, detail string, vars awsstep.Vars) {
	cl := awsstep.Of(step)
	s := InfraStep{Step: step, Field: field, Detail: detail}
	if cl.Command != "" {
		s.Command = vars.Expand(cl.Command)
	}
	for _, x := range c.Steps {
		if x == s {
			return
		}
	}
	c.Steps = append(c.Steps, s)
	reason := detail + ": " + cl.What
	if s.Command != "" {
		reason += "; aws/converge.sh runs: " + s.Command
	}
	c.Flags = append(c.Flags, Flag{Infrastructure, field, reason})
}

// note flags an aws/ change no step carries out, so that no change to aws/
// is silent.
func (c *Change) note(field, reason string) {
	f := Flag{Infrastructure, field, reason}
	for _, x := range c.Flags {
		if x == f {
			return
		}
	}
	c.Flags = append(c.Flags, f)
}

// classifyAWS gives every change under aws/ its steps.
func classifyAWS(c *Change, old, new map[string]any, vars awsstep.Vars) {
	if !strings.HasPrefix(c.Path, awsDir) && !strings.HasPrefix(c.OldPath, awsDir) {
		return
	}
	switch {
	case isClusterConfig(c):
		classifyClusterConfig(c, old, new, vars)
	case c.Path == policyFile:
		c.step("", awsstep.StepPolicy, "IAM policy document "+c.Path+" "+string(c.Op), vars)
	case c.Path == kmsPolicyFile:
		if c.Op == Removed {
			c.note("", "the EBS CSI driver's KMS policy leaves the tree: converge.sh no longer updates it and teardown.sh of this tree no longer deletes it; delete it with aws iam delete-policy once no addon uses it")
			return
		}
		c.step("", awsstep.StepKMSPolicy, "KMS policy document "+c.Path+" "+string(c.Op), vars)
	case c.Path == bucketPolicyFile || c.Path == operatorPolicyFile:
		c.step("", awsstep.StepOperatorPolicy, "operator policy document "+c.Path+" "+string(c.Op), vars)
	case strings.HasPrefix(c.Path, "aws/iam/") && path.Ext(c.Path) == ".json":
		if c.Op == Removed {
			c.note("", "IAM policy document "+c.Path+" leaves the tree: converge.sh no longer updates its policy; delete the policy with aws iam delete-policy once nothing uses it")
			return
		}
		c.step("", awsstep.StepPolicy, "IAM policy document "+c.Path+" "+string(c.Op), vars)
	case path.Ext(c.Path) == ".sh":
		classifyScript(c, vars)
	default:
		c.note("", "a file under aws/ "+string(c.Op)+"; no step of aws/converge.sh applies it")
	}
}

// rootSecretMoved is what a new root password Secret name means.
const rootSecretMoved = "root password Secret renamed: Milvus reads the root password only when it first creates the root user, so a new Secret does not change it, and pods that read the new Secret fail until it exists. Rotate the password with milvusgen rotate-password (-f SPEC or --rendered DIR): it changes it in Milvus, then writes the Secret, then logs in with it"

// scriptSteps map a converge.sh variable to the step its change calls for.
var scriptSteps = map[string]awsstep.Step{
	"LIFECYCLE":  awsstep.StepBucket,
	"S3_SERVICE": awsstep.StepS3Endpoint,
}

var reAssign = regexp.MustCompile(`^[-+]([A-Z][A-Z0-9_]*)=`)

// classifyScript: a changed variable with a step of its own calls for it;
// any other change to a script is noted once.
func classifyScript(c *Change, vars awsstep.Vars) {
	other := c.Op != Changed
	for _, l := range c.Lines {
		m := reAssign.FindStringSubmatch(l)
		if m == nil {
			other = true
			continue
		}
		if m[1] == "ROOT_SECRET" && strings.HasPrefix(l, "+") {
			c.Flags = append(c.Flags, Flag{Availability, "", rootSecretMoved})
			continue
		}
		switch step, ok := scriptSteps[m[1]]; {
		case ok && step == awsstep.StepS3Endpoint && strings.HasPrefix(l, "-") && !hasLine(c.Lines, "+"+m[1]+"="):
			c.note("", "the S3 gateway endpoint leaves the tree: converge.sh leaves it in place (it costs nothing); teardown.sh deletes it with the cluster")
		case ok:
			c.step("", step, c.Path+" "+m[1]+" changed", vars)
		default:
			other = true
		}
	}
	if other {
		c.step("", awsstep.StepScript, c.Path+" "+string(c.Op), vars)
	}
}

func hasLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// sizeFields are the node group fields eksctl scale nodegroup sets.
var sizeFields = []string{"desiredCapacity", "minSize", "maxSize"}

// classifyClusterConfig: each change of the ClusterConfig, by section.
func classifyClusterConfig(c *Change, old, new map[string]any, vars awsstep.Vars) {
	switch c.Op {
	case Added:
		switch {
		case old == nil && existingCluster(new):
			c.note("", "cluster "+c.ID.Name+" enters the tree as an existing cluster (cluster.existing): bootstrap.sh adds only what milvusgen owns to it (node groups, addons, IAM, the bucket); nothing creates or changes the cluster itself")
		case old == nil:
			c.step("", awsstep.StepCluster, "cluster "+c.ID.Name+" added", vars)
		}
		return
	case Removed:
		c.note("", "cluster "+c.ID.Name+" leaves the tree: converge.sh never deletes a cluster; tear it down with the old tree's teardown.sh (git show <base>:<path>/aws/teardown.sh)")
		return
	}
	v := vars.With("CLUSTER", str(new, "metadata", "name"), "REGION", str(new, "metadata", "region"))
	ov, nv := str(old, "metadata", "version"), str(new, "metadata", "version")
	if a, b := existingCluster(old), existingCluster(new); a != b {
		c.note("/metadata/annotations", fmt.Sprintf("cluster.existing %t → %t: the tree changes who owns the cluster, not the cluster; converge.sh never creates or deletes it for this", a, b))
	}
	if ov != nv && existingCluster(new) {
		// The control plane is the platform's: converge.sh checks it and
		// stops until the platform has upgraded it; the node groups and
		// addons milvusgen owns then follow as usual.
		c.note("/metadata/version", fmt.Sprintf("Kubernetes %s → %s on an existing cluster (cluster.existing): the control plane is the platform's, and converge.sh does not upgrade it; it stops until the cluster runs %s, then moves milvusgen's node groups and addons", ov, nv, nv))
	}
	if ov != nv {
		path, err := awsstep.KubernetesPath(ov, nv)
		if err != nil {
			c.note("/metadata/version", err.Error())
		}
		for _, m := range path {
			if existingCluster(new) {
				break
			}
			detail := fmt.Sprintf("Kubernetes %s → %s", ov, nv)
			if len(path) > 1 {
				detail += ", control plane to " + m
			}
			c.step("/metadata/version", awsstep.StepControlPlane, detail, v.With("version", m))
		}
		if len(path) > 0 {
			target := path[len(path)-1]
			for _, a := range addonNames(new) {
				if str(addonOf(new, a), "version") == "" {
					c.step("/addons[name="+a+"]", awsstep.StepAddonVersion, fmt.Sprintf("addon %s follows Kubernetes %s", a, target), v.With("addon", a, "version", "<default for "+target+">"))
				}
			}
			og, ng := groups(old, "managedNodeGroups"), groups(new, "managedNodeGroups")
			for _, name := range sortedKeys(ng) {
				if _, ok := og[name]; ok {
					c.step("/managedNodeGroups[name="+name+"]", awsstep.StepNodeGroupUpgrade, fmt.Sprintf("node group %s follows Kubernetes %s", name, target), v.With("nodegroup", name, "version", target))
				}
			}
		}
	}
	classifyNodeGroups(c, old, new, v)
	classifyAddons(c, old, new, v)
	if _, _, ch := changedValue(old, new, "iam", "withOIDC"); ch && truthy(new, "iam", "withOIDC") {
		c.step("/iam/withOIDC", awsstep.StepIdentityProvider, "IAM OIDC provider turned on", v)
	}
	if _, _, ch := changedValue(old, new, "iam", "serviceAccounts"); ch {
		c.step("/iam/serviceAccounts", awsstep.StepServiceAccounts, "IRSA service accounts changed", v)
	}
	if _, _, ch := changedValue(old, new, "iam", "podIdentityAssociations"); ch {
		c.step("/iam/podIdentityAssociations", awsstep.StepPodIdentity, "Pod Identity associations changed", v)
	}
	if a, b, ch := changedValue(old, new, "vpc", "nat"); ch {
		c.step("/vpc/nat", awsstep.StepNAT, fmt.Sprintf("NAT %s → %s", show(a), show(b)), v)
	}
	for _, f := range c.Fields {
		if !strings.HasPrefix(f.Path, "/vpc/") || strings.HasPrefix(f.Path, "/vpc/nat") {
			continue
		}
		c.note(f.Path, fmt.Sprintf("%s %s → %s: eksctl cannot change the VPC of an existing cluster; converge.sh leaves it as it is. A new VPC is a new cluster: render it as a new environment", f.Path, show(f.Old), show(f.New)))
	}
	for _, f := range c.Fields {
		if f.Path == "/availabilityZones" || strings.HasPrefix(f.Path, "/availabilityZones/") {
			c.note(f.Path, fmt.Sprintf("%s %s → %s: eksctl cannot move an existing cluster to other zones (its subnets are made when it is created); converge.sh leaves them as they are. If they are the zones the cluster already spans (aws ec2 describe-subnets on the cluster's subnets), nothing changes; otherwise a cluster on other zones is a new cluster: render it as a new environment", f.Path, show(f.Old), show(f.New)))
		}
	}
	for _, f := range c.Fields {
		if known(f.Path) {
			continue
		}
		c.note(f.Path, fmt.Sprintf("%s %s → %s: aws/converge.sh has no step for this field; the existing cluster keeps its value", f.Path, show(f.Old), show(f.New)))
	}
}

// existingCluster reports whether a ClusterConfig is marked as the
// platform's (cluster.existing).
func existingCluster(cfg map[string]any) bool {
	return str(cfg, "metadata", "annotations", manifest.ExistingClusterAnnotation) == "true"
}

// known reports whether a ClusterConfig field path is covered by a step
// or a note above.
func known(p string) bool {
	for _, prefix := range []string{"/metadata/", "/managedNodeGroups", "/nodeGroups", "/addons", "/iam/", "/vpc/", "/availabilityZones"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// classifyNodeGroups: added, removed, replaced and resized groups.
func classifyNodeGroups(c *Change, old, new map[string]any, v awsstep.Vars) {
	for _, list := range []string{"managedNodeGroups", "nodeGroups"} {
		og, ng := groups(old, list), groups(new, list)
		for _, name := range sortedKeys(og) {
			field := "/" + list + "[name=" + name + "]"
			g, ok := ng[name]
			if !ok {
				c.step(field, awsstep.StepNodeGroupDelete, "node group "+name+" removed", v.With("nodegroup", name))
				continue
			}
			var sizes []string
			for _, f := range sizeFields {
				if a, b, ch := changedValue(og[name], g, f); ch {
					sizes = append(sizes, fmt.Sprintf("%s %s → %s", f, show(a), show(b)))
				}
			}
			if len(sizes) > 0 {
				c.step(field, awsstep.StepNodeGroupScale, "node group "+name+" "+strings.Join(sizes, ", "), v.With("nodegroup", name))
			}
			for _, f := range replacedBy {
				if a, b, ch := changedValue(og[name], g, f); ch {
					c.step(field+"/"+f, awsstep.StepNodeGroupReplace, fmt.Sprintf("node group %s replaced: eksctl cannot change %s in place (%s → %s)", name, f, show(a), show(b)), v.With("nodegroup", name))
				}
			}
			for _, k := range sortedKeys(union(og[name], g)) {
				if k == "name" || oneOf(k, sizeFields...) || oneOf(k, replacedBy...) {
					continue
				}
				if a, b, ch := changedValue(og[name], g, k); ch {
					c.note(field+"/"+k, fmt.Sprintf("node group %s %s %s → %s: converge.sh does not change it on an existing group; give the group a new name to replace it", name, k, show(a), show(b)))
				}
			}
		}
		for _, name := range sortedKeys(ng) {
			if _, ok := og[name]; !ok {
				c.step("/"+list+"[name="+name+"]", awsstep.StepNodeGroupCreate, "node group "+name+" added (a renamed group is a new one)", v.With("nodegroup", name))
			}
		}
	}
}

func union(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// classifyAddons: added, removed and changed addons.
func classifyAddons(c *Change, old, new map[string]any, v awsstep.Vars) {
	oa, na := map[string]bool{}, map[string]bool{}
	for _, a := range addonNames(old) {
		oa[a] = true
	}
	for _, a := range addonNames(new) {
		na[a] = true
		field := "/addons[name=" + a + "]"
		switch {
		case !oa[a]:
			c.step(field, awsstep.StepAddonCreate, "addon "+a+" added", v)
		default:
			if x, y, ch := changedValue(addonOf(old, a), addonOf(new, a), "version"); ch && y != nil {
				c.step(field, awsstep.StepAddonUpdate, fmt.Sprintf("addon %s version %s → %s", a, show(x), show(y)), v)
			}
			o, n := withoutVersion(addonOf(old, a)), withoutVersion(addonOf(new, a))
			if _, _, ch := changedValue(o, n); ch {
				c.step(field, awsstep.StepAddonUpdate, "addon "+a+" configuration changed", v)
			}
		}
	}
	for _, a := range addonNames(old) {
		if !na[a] {
			c.note("/addons[name="+a+"]", fmt.Sprintf("addon %s leaves the file: converge.sh leaves it installed; remove it with eksctl delete addon --cluster %s --region %s --name %s once nothing needs it", a, v["CLUSTER"], v["REGION"], a))
		}
	}
}

func withoutVersion(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != "version" {
			out[k] = v
		}
	}
	return out
}

func addonNames(cc map[string]any) []string {
	l, _ := get(cc, "addons")
	var out []string
	for _, e := range asList(l) {
		if n := str(e, "name"); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func addonOf(cc map[string]any, name string) map[string]any {
	l, _ := get(cc, "addons")
	for _, e := range asList(l) {
		if str(e, "name") == name {
			m, _ := e.(map[string]any)
			return m
		}
	}
	return nil
}

func asList(v any) []any { l, _ := v.([]any); return l }

// refuseAWS adds the report's refusals: a Kubernetes jump of more than one
// minor version or a downgrade, and a new environment (cluster renamed,
// moved to another region or account) at the same GitOps path. Both trees
// of a report sit at one place in the repository, so an environment change
// the report sees is always at the same path: the new tree replaces the
// old one there, where the old cluster's engine syncs from (even when the
// new tree's own sync objects name another path).
func refuseAWS(r *Report) {
	for _, c := range r.Changes {
		if !isClusterConfig(&c) {
			continue
		}
		for _, f := range c.Flags {
			switch {
			case f.Field == "/metadata/version" && f.Category == Infrastructure && strings.Contains(f.Reason, "cannot downgrade"):
				r.Refusals = append(r.Refusals, Refusal{Reason: f.Reason, Steps: []string{"keep cluster.kubernetesVersion at the running version or newer"}})
			case strings.Contains(f.Reason, clusterReplaced):
				r.Refusals = append(r.Refusals, Refusal{
					Reason: strings.TrimSuffix(f.Reason, ": "+clusterReplaced) + " at the same GitOps path: a new environment. The old cluster's GitOps engine syncs this path, so it would apply the new tree (its load balancer controller gets the new cluster name, its NLB is renamed), and this change overwrites the old tree's teardown.sh",
					Steps:  environmentSteps,
				})
			}
		}
		for _, s := range c.Steps {
			if s.Step != awsstep.StepControlPlane {
				continue
			}
			old, new := versionsOf(s.Detail)
			if err := awsstep.KubernetesJump(old, new); err != nil {
				r.Refusals = append(r.Refusals, Refusal{Reason: err.Error(), Steps: jumpSteps(old, new)})
			}
			break
		}
	}
}

// environmentSteps is the way to a renamed or moved cluster; <base> and
// <path> are filled in by Locate.
var environmentSteps = []string{
	"keep this tree as it is on the base branch, and render the new cluster as a new environment at a new path (its own overlay or spec, with its own gitops.repository.path)",
	"merge it and run the new tree's aws/bootstrap.sh: a new cluster, with its own load balancer",
	"move the clients to the new load balancer's address, and migrate the data (milvus-backup) if the bucket changes",
	"tear the old cluster down with the old tree's script, fetched from the base branch: git show <base>:<path>/aws/teardown.sh (it reads the files beside it: git worktree add ../old <base>, then run ../old/<path>/aws/teardown.sh)",
	"only then remove the old path from the repository",
}

func jumpSteps(old, new string) []string {
	path, _ := awsstep.KubernetesPath(old, new)
	var out []string
	prev := old
	for _, m := range path {
		out = append(out, fmt.Sprintf("set cluster.kubernetesVersion %s → %s, merge, and let aws/converge.sh upgrade the control plane, addons and node groups", prev, m))
		prev = m
	}
	return out
}

var reVersions = regexp.MustCompile(`Kubernetes (1\.[0-9]+) → (1\.[0-9]+)`)

func versionsOf(detail string) (string, string) {
	m := reVersions.FindStringSubmatch(detail)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

// Locate fills the base revision and the tree's path into the refusals'
// steps.
func (r *Report) Locate(base, path string) {
	if path == "" {
		path = "."
	}
	rep := strings.NewReplacer("<base>", base, "<path>", path)
	for i := range r.Refusals {
		for j, s := range r.Refusals[i].Steps {
			r.Refusals[i].Steps[j] = rep.Replace(s)
		}
	}
	for i := range r.Changes {
		for j, f := range r.Changes[i].Flags {
			r.Changes[i].Flags[j].Reason = rep.Replace(f.Reason)
		}
	}
}

// Refused reports whether the report holds a refusal.
func (r *Report) Refused() bool { return len(r.Refusals) > 0 }

// reScriptVar is one NAME='value' line of a rendered script.
var reScriptVar = regexp.MustCompile(`(?m)^([A-Z][A-Z0-9_]*)='((?:[^']|'\\'')*)'$`)

// scriptFiles are the script variables holding paths relative to aws/.
var scriptFiles = map[string]bool{"CLUSTER_CONFIG": true, "POLICY_DOCUMENT": true, "KMS_POLICY_DOCUMENT": true}

// treeVars are the new tree's values for the table's commands: the
// variables converge.sh assigns (else bootstrap.sh's), paths made
// relative to the tree's root.
func treeVars(files []manifest.File) awsstep.Vars {
	v := awsstep.Vars{"CLUSTER_CONFIG": "aws/eksctl-cluster.yaml"}
	for _, name := range []string{"aws/bootstrap.sh", "aws/converge.sh"} {
		for _, f := range files {
			if f.Path != name {
				continue
			}
			for _, m := range reScriptVar.FindAllStringSubmatch(string(f.Data), -1) {
				val := strings.ReplaceAll(m[2], `'\''`, "'")
				if scriptFiles[m[1]] {
					val = awsDir + val
				}
				v[m[1]] = val
			}
		}
	}
	return v
}

// CheckKubernetesJump reads the Kubernetes version of the tree rendered in
// dir (its ClusterConfig) and refuses a move to version of more than one
// minor version, or a downgrade, with the path to take. A directory with
// no rendered ClusterConfig is a new tree: nothing to compare.
func CheckKubernetesJump(dir, version string) error {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(manifest.EksctlFile)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var cc struct {
		Metadata struct {
			Version string `json:"version"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(data, &cc); err != nil {
		return fmt.Errorf("%s read failed: %w", manifest.EksctlFile, err)
	}
	old := cc.Metadata.Version
	if old == "" || old == version {
		return nil
	}
	if err := awsstep.KubernetesJump(old, version); err != nil {
		return fmt.Errorf("cluster.kubernetesVersion: the tree in %s runs %s: %w", dir, old, err)
	}
	if _, err := awsstep.KubernetesPath(old, version); err != nil {
		return fmt.Errorf("cluster.kubernetesVersion: the tree in %s runs %s: %w", dir, old, err)
	}
	return nil
}
