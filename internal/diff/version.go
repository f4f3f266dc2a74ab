package diff

import (
	"strings"

	"github.com/milvusgen/milvusgen/internal/upgrade"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// releaseState is the Milvus version, coordinator layout and queue a
// Milvus HelmRelease installs.
func releaseState(obj map[string]any) (versions.State, bool) {
	values, _ := get(obj, "spec", "values")
	m, _ := values.(map[string]any)
	return versions.StateOfValues(str(obj, "spec", "chart", "spec", "version"), m)
}

// milvusVersion applies the upgrade rules (internal/versions) to a change
// of the Milvus version: a forbidden move is a Data flag with the path to
// take; a legal one says what restarts, in which order, and what to run
// before the next stage (the same words as `milvusgen upgrade plan`).
func milvusVersion(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed || !isHelmRelease(c) || !milvusValues(old) || !milvusValues(new) {
		return nil
	}
	from, ok1 := releaseState(old)
	to, ok2 := releaseState(new)
	if !ok1 || !ok2 || from.Milvus == to.Milvus && from.Coordinators == to.Coordinators {
		return nil
	}
	field := pointer("spec", "values", "image", "all", "tag")
	if refusals := versions.Check(from, to); len(refusals) > 0 {
		var out []Flag
		for _, r := range refusals {
			out = append(out, Flag{Data, field, "refused upgrade: " + r.String()})
		}
		return out
	}
	step := upgrade.NewStep(from, to, "")
	what := "Milvus " + from.Milvus + " → " + to.Milvus
	if from.Milvus == to.Milvus {
		what = "coordinators " + from.Coordinators + " → " + to.Coordinators + " on Milvus " + from.Milvus
	}
	desc := strings.ReplaceAll(strings.TrimSpace(upgrade.DescribeStep(step, "")), "\n", "; ")
	return []Flag{{Availability, field, what + ": " + desc + "; before the next stage: rollout status, `milvusgen verify` reporting v" + to.Milvus + ", the message queue unchanged, and a backup (see `milvusgen upgrade plan`)"}}
}
