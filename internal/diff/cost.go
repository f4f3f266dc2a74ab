package diff

import (
	"fmt"
	"strings"

	"github.com/milvusgen/milvusgen/internal/cost"
)

// writeCostText is the cost section of the text report.
func writeCostText(b *strings.Builder, r *Report) {
	if r.Cost == nil {
		return
	}
	b.WriteByte('\n')
	_ = cost.WriteChangeText(b, r.Cost)
}

// writeCostMarkdown is the cost section of the PR comment, at its top.
func writeCostMarkdown(b *strings.Builder, r *Report) {
	if r.Cost == nil {
		return
	}
	_ = cost.WriteChangeMarkdown(b, r.Cost)
	b.WriteByte('\n')
}

// fleetCost sums the environments' cost changes; ok is false when no
// environment was priced or any lacks prices.
func (f FleetReport) fleetCost() (old, new float64, priced int, missing []string) {
	for _, e := range f {
		c := e.Report.Cost
		switch {
		case c == nil:
		case c.NoPrices != "":
			missing = append(missing, e.Env)
		default:
			old += c.OldTotal
			new += c.NewTotal
			priced++
		}
	}
	return
}

// fleetCostLine states the fleet's monthly cost and its change.
func (f FleetReport) fleetCostLine() string {
	old, new, priced, missing := f.fleetCost()
	if priced == 0 && len(missing) == 0 {
		return ""
	}
	s := fmt.Sprintf("monthly cost of %d priced environment(s): %s", priced, cost.Delta(old, new))
	if len(missing) > 0 {
		s += fmt.Sprintf("; not priced (no prices for their region): %s", strings.Join(missing, ", "))
	}
	return s
}
