package diff

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// The IAM policy rule lives here rather than in rules.go's list; it joins
// the list at init.
func init() { rules = append(rules, iamPolicyName) }

// iamPolicyName: the customer-managed policies a ClusterConfig attaches
// are named; a new name is a new policy in the account (bootstrap.sh
// creates it), and the old one stays behind until it is deleted. Before
// names were derived from the cluster every spec used MilvusS3ReadWrite, so
// upgrading milvusgen renames the policy of a spec that did not pin it.
func iamPolicyName(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed || !isClusterConfig(c) {
		return nil
	}
	a, b := customerPolicies(old), customerPolicies(new)
	var gone, added []string
	for n := range a {
		if !b[n] {
			gone = append(gone, n)
		}
	}
	for n := range b {
		if !a[n] {
			added = append(added, n)
		}
	}
	if len(gone) == 0 && len(added) == 0 {
		return nil
	}
	sort.Strings(gone)
	sort.Strings(added)
	return []Flag{{Infrastructure, "/iam", fmt.Sprintf(
		"IAM policy name %s → %s: bootstrap.sh creates the new policy and eksctl attaches it; the old one stays in the account until deleted. To keep the old name, set storage.policyName to it",
		listOrNone(gone), listOrNone(added))}}
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

// customerPolicies are the names of the account's own policies (not
// aws-managed) a ClusterConfig attaches anywhere.
func customerPolicies(obj map[string]any) map[string]bool {
	out := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		case string:
			// arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME; aws-managed
			// policies have "aws" as the account.
			parts := strings.SplitN(x, ":", 6)
			if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4] != "aws" && strings.HasPrefix(parts[5], "policy/") {
				out[path.Base(parts[5])] = true
			}
		}
	}
	walk(obj["iam"])
	walk(obj["addons"])
	return out
}
