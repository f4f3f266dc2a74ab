package diff

import (
	"sort"

	"github.com/milvusgen/milvusgen/internal/diff/awsstep"
)

// PlannedStep is a step with the change it belongs to.
type PlannedStep struct {
	InfraStep
	Change *Change
}

// InfraSteps returns the steps of every change, in the order
// aws/converge.sh carries them out (the table's), in change order within a
// step.
func (r *Report) InfraSteps() []PlannedStep {
	var out []PlannedStep
	for i := range r.Changes {
		for _, s := range r.Changes[i].Steps {
			out = append(out, PlannedStep{InfraStep: s, Change: &r.Changes[i]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return awsstep.Order(out[i].Step) < awsstep.Order(out[j].Step) })
	return out
}
