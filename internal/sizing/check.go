package sizing

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/model"
)

// Check compares the Milvus components the user sized by hand with the
// dataset's plan; without a dataset there is nothing to compare. Query
// nodes whose memory (limit, else request) × replicas cannot hold the
// loading memory are an error; other hand-sized components below the
// sizing tool's recommendation are warnings (they run, but slower or
// closer to their limits than the tool advises). Problems point at the
// field the user set.
func Check(s *model.Spec) []Problem {
	w, err := NewWorkload(s)
	if err != nil {
		return []Problem{{Path: "milvus.dataset", Message: err.Error()}}
	}
	p := w.Plan
	if p == nil {
		return nil
	}
	var out []Problem
	fp := p.Footprint
	dataset := Describe(p.Dataset)
	for _, c := range w.Milvus {
		sc := specComponent(s, c.Name)
		rec := p.Component(planName(c.Name))
		base := "milvus." + c.Name
		if c.Name == QueryNode {
			switch {
			case c.Source == SourceSpec && c.Limit.Memory == 0:
				out = append(out, Problem{
					Path:    base + ".resources",
					Message: fmt.Sprintf("sets no memory limit or request, so milvusgen cannot check that the query nodes hold the dataset's %s of loading memory (%s); set memory, or drop resources to have it sized", FormatBytes(fp.Loading), dataset),
					Warning: true,
				})
			case c.Limit.Memory*int64(c.Replicas) < fp.Loading:
				path := base + ".replicas"
				if c.Source == SourceSpec {
					path = memoryPath(base, sc.Resources)
				}
				need := (fp.Loading + c.Limit.Memory - 1) / c.Limit.Memory
				out = append(out, Problem{
					Path: path,
					Message: fmt.Sprintf("%d query nodes × %s = %s cannot load the dataset's %s (%s); run at least %d replicas of %s, or leave queryNode unset and milvusgen sizes it (%s)",
						c.Replicas, FormatBytes(c.Limit.Memory), FormatBytes(c.Limit.Memory*int64(c.Replicas)), FormatBytes(fp.Loading), dataset,
						need, FormatBytes(c.Limit.Memory), count(rec.Replicas, rec.Pod)),
				})
			}
		}
		if c.Source != SourceSpec || c.Pod.IsZero() {
			continue
		}
		// mixcoord runs active-standby: one replica works, so compare one
		// pod; the other components share the load, so compare totals.
		have, want := c.Total(), rec.Total()
		what := count(c.Replicas, c.Pod)
		if IsCoordinator(c.Name) {
			have, want, what = c.Pod, rec.Pod, c.Pod.String()+" per replica"
		}
		have.Disk, want.Disk = 0, 0
		// Only what the user set is compared; a query node's memory was
		// checked above.
		cpuLow := have.MilliCPU > 0 && have.MilliCPU < want.MilliCPU
		memLow := c.Name != QueryNode && have.Memory > 0 && have.Memory < want.Memory
		if cpuLow || memLow {
			out = append(out, Problem{
				Path: base + ".resources",
				Message: fmt.Sprintf("%s is below the sizing tool's %s for %s of loading memory (%s); leave resources unset to use it",
					what, count(rec.Replicas, rec.Pod), FormatBytes(fp.Loading), dataset),
				Warning: true,
			})
		}
	}
	return out
}

// memoryPath is the memory field the user set: the limit, else the request.
func memoryPath(base string, r *model.Resources) string {
	if r != nil && r.Limits != nil && r.Limits.Memory != "" {
		return base + ".resources.limits.memory"
	}
	if r != nil && r.Requests != nil && r.Requests.Memory != "" {
		return base + ".resources.requests.memory"
	}
	return base + ".resources"
}
