package fleet

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/agreement"
	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/spec"
)

// Files of a rendered tree that hold the names LegacyNames looks for.
const (
	bootstrapFile    = "aws/bootstrap.sh"
	convergeFile     = "aws/converge.sh"
	milvusRelease    = "kubernetes/apps/milvus/milvus.yaml"
	lbNameAnnotation = "service.beta.kubernetes.io/aws-load-balancer-name"
)

// LegacyNames warns when the tree already rendered in dir uses one of the
// fixed names every spec had before names were derived from the cluster,
// and the spec (res) leaves that name to be derived: rendering would
// rename a deployed IAM policy or replace a deployed load balancer. Each
// warning says which line keeps the old name. A missing or unreadable tree
// gives no warnings.
func LegacyNames(dir string, res *spec.Result) []string {
	var out []string
	if _, set := res.Pos("storage.policyName"); !set && res.Spec.Storage.PolicyName != model.LegacyPolicyName {
		if legacyPolicy(dir) {
			out = append(out, fmt.Sprintf(
				"%s uses the IAM policy %s, but this spec now names it %s (derived from the cluster): a new policy would be created. To keep the old name, add to the spec: storage: policyName: %q",
				dir, model.LegacyPolicyName, res.Spec.Storage.PolicyName, model.LegacyPolicyName))
		}
	}
	if _, set := res.Pos("milvus.service.loadBalancerName"); !set && res.Spec.Milvus.Service.LoadBalancerName != model.LegacyLoadBalancerName {
		if data, err := input.ReadFile(filepath.Join(dir, filepath.FromSlash(milvusRelease)), input.TreeFile); err == nil && hasLegacyLBName(data) {
			out = append(out, fmt.Sprintf(
				"%s uses the load balancer %s, but this spec now names it %s (derived from the cluster): the NLB would be replaced and get a new DNS name. To keep the old name, add to the spec: milvus: service: loadBalancerName: %q",
				dir, model.LegacyLoadBalancerName, res.Spec.Milvus.Service.LoadBalancerName, model.LegacyLoadBalancerName))
		}
	}
	return out
}

// hasLegacyLBName reports whether the Milvus HelmRelease's service
// annotations name the old fixed load balancer.
func hasLegacyLBName(data []byte) bool {
	var hr struct {
		Spec struct {
			Values struct {
				Service struct {
					Annotations map[string]string `json:"annotations"`
				} `json:"service"`
			} `json:"values"`
		} `json:"spec"`
	}
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		if yaml.Unmarshal(doc, &hr) == nil && hr.Spec.Values.Service.Annotations[lbNameAnnotation] == model.LegacyLoadBalancerName {
			return true
		}
	}
	return false
}

// legacyPolicy reports whether the tree's scripts name the old fixed
// policy: converge.sh in trees that have it, bootstrap.sh in older ones.
func legacyPolicy(dir string) bool {
	for _, f := range []string{convergeFile, bootstrapFile} {
		data, err := input.ReadFile(filepath.Join(dir, filepath.FromSlash(f)), input.TreeFile)
		if err != nil {
			continue
		}
		vars, _ := agreement.ScriptAssignments(bytes.NewReader(data), f)
		if slices.Contains(vars["POLICY_NAME"], model.LegacyPolicyName) {
			return true
		}
	}
	return false
}
