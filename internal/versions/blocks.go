package versions

import (
	"slices"

	"github.com/milvusgen/milvusgen/internal/model"
)

// SeparateCoordinators are the value blocks of the "separate" coordinator
// layout (Milvus 2.5, charts 4.2.x).
var SeparateCoordinators = []string{"rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator"}

// Blocks are the Milvus component blocks of the chart's values that it
// deploys: the coordinators of each layout it offers (mixCoordinator, and
// on charts 4.2.x the separate ones), then Components. A block of the
// chart's values.yaml that is not here (indexNode on 5.0.19, streamingNode
// on 4.2.x) is a Deployment the chart never renders for milvusgen.
func (c Chart) Blocks() []string {
	var out []string
	if slices.Contains(c.Coordinators, model.CoordinatorsMix) {
		out = append(out, "mixCoordinator")
	}
	if slices.Contains(c.Coordinators, model.CoordinatorsSeparate) {
		out = append(out, SeparateCoordinators...)
	}
	return append(out, c.Components...)
}
