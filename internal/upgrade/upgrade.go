package upgrade

import (
	"fmt"
	"slices"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// DefaultBackupMaxAge is how recent the last successful backup must be
// before a stage starts: one daily schedule plus the time a backup takes.
const DefaultBackupMaxAge = "26h"

// Change is one spec field a stage sets.
type Change struct {
	Path string `json:"path"`
	From string `json:"from,omitempty"`
	// To is the new value; "" removes the field.
	To string `json:"to"`
}

// Check is what must pass before the next stage starts.
type Check struct {
	Name    string `json:"name"`
	Command string `json:"command,omitempty"`
	Expect  string `json:"expect"`
}

// Step is one stage's effect on the cluster.
type Step struct {
	From versions.State `json:"from"`
	To   versions.State `json:"to"`
	// Restarts are the Milvus Deployments after the change, in the order
	// they must become ready (components as the spec names them); Added
	// are those of them that are new.
	Restarts []string `json:"restarts"`
	Added    []string `json:"added,omitempty"`
	Removed  []string `json:"removed,omitempty"`
	// Ordered says whether the rollout follows Restarts' order; Order
	// says how, or why it cannot.
	Ordered bool   `json:"ordered"`
	Order   string `json:"order"`
}

// Stage is one commit of the upgrade.
type Stage struct {
	N       int      `json:"stage"`
	Changes []Change `json:"specChange"`
	Step
	Checks []Check `json:"checks"`
}

// Plan is the staged path from a spec's Milvus version to another.
type Plan struct {
	From   versions.State `json:"from"`
	To     string         `json:"to"`
	Engine string         `json:"engine"`
	Stages []Stage        `json:"stages"`
}

// Options tune the checks between stages.
type Options struct {
	// Spec is how the plan's commands name the spec files ("-f spec.cue").
	Spec string
	// BackupMaxAge bounds the age of the last successful backup.
	BackupMaxAge string
}

// NewStep describes a legal change from one state to another: what
// restarts, in which order, and how that order is kept.
func NewStep(from, to versions.State, engine string) Step {
	st := Step{From: from, To: to}
	fc, _ := versions.Lookup(from.Chart)
	tc, _ := versions.Lookup(to.Chart)
	coord := func(s versions.State) []string {
		if s.Coordinators == model.CoordinatorsSeparate {
			return []string{"rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator"}
		}
		return []string{"mixCoordinator"}
	}
	before := append(coord(from), fc.Components...)
	after := append(coord(to), tc.Components...)
	// The order Milvus needs: coordinators first (a 2.6 streaming node
	// waits for a 2.6 mixcoord, milvus-operator#446), then the streaming
	// nodes, query nodes, data nodes, index nodes and the proxies last.
	rank := []string{"mixCoordinator", "rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator", "streamingNode", "queryNode", "dataNode", "indexNode", "proxy"}
	slices.SortStableFunc(after, func(a, b string) int { return slices.Index(rank, a) - slices.Index(rank, b) })
	st.Restarts = after
	for _, c := range after {
		if !slices.Contains(before, c) {
			st.Added = append(st.Added, c)
		}
	}
	for _, c := range before {
		if !slices.Contains(after, c) {
			st.Removed = append(st.Removed, c)
		}
	}
	crossMinor := versions.Minor(from.Milvus) != versions.Minor(to.Milvus)
	switch {
	case !crossMinor && from.Coordinators == to.Coordinators:
		st.Ordered = true
		st.Order = "one Helm upgrade rolls every Deployment at once (image.all is one image); within a minor line, components of two patch versions work together (Milvus rolling updates, since 2.2.3), so no order is needed"
	case engine == model.EngineArgoCD:
		st.Order = "cannot be ordered: one Helm upgrade moves every component at once (image.all), and Argo CD's Helm source has no post-renderer to hold the others back; the checks after the stage are the gate"
	case engine != model.EngineFlux:
		st.Order = "cannot be ordered: one Helm upgrade moves every component at once (image.all) and milvusgen renders no hold; the checks after the stage are the gate (see `milvusgen upgrade plan`)"
	default:
		st.Order = "cannot be ordered: one Helm upgrade moves every component at once (image.all). A Flux postRenderers patch could pin the other Deployments' image, but every Deployment carries the chart's checksum/config annotation, so they would restart anyway, on the old image with the new milvus.yaml; milvusgen does not render that half state. The checks after the stage are the gate"
	}
	return st
}

// NewPlan is the staged path from the spec's deployment to Milvus to.
// It fails when to is unknown, not newer, or unreachable.
func NewPlan(s *model.Spec, to string, o Options) (*Plan, error) {
	from := versions.StateOf(s)
	if !versions.Valid(to) {
		return nil, fmt.Errorf("--to %q is not a Milvus version (MAJOR.MINOR.PATCH, e.g. %q)", to, from.Milvus)
	}
	target, ok := versions.ForMilvus(to)
	if !ok {
		return nil, fmt.Errorf("no chart milvusgen knows runs Milvus %s; known: %s", to, known())
	}
	if !versions.Less(from.Milvus, to) {
		if from.Milvus == to {
			return nil, fmt.Errorf("the spec already runs Milvus %s", to)
		}
		return nil, fmt.Errorf("Milvus %s → %s is a downgrade, which Milvus does not support; restore a backup taken on %s into a new cluster instead", from.Milvus, to, to)
	}
	if o.BackupMaxAge == "" {
		o.BackupMaxAge = DefaultBackupMaxAge
	}
	p := &Plan{From: from, To: to, Engine: s.GitOps.Engine}
	cur := from
	add := func(next versions.State) {
		n := len(p.Stages) + 1
		stage := Stage{N: n, Changes: changes(cur, next), Step: NewStep(cur, next, s.GitOps.Engine)}
		stage.Checks = checks(s, next, o)
		p.Stages = append(p.Stages, stage)
		cur = next
	}
	for _, st := range versions.Steps() {
		stone := st.To + ".0"
		if !versions.Less(cur.Milvus, stone) || versions.Less(to, stone) {
			continue
		}
		if versions.Minor(cur.Milvus) != versions.Minor(st.From) {
			return nil, fmt.Errorf("Milvus %s → %s passes the stepping stone %s, which milvusgen has no chart for from %s", cur.Milvus, to, st.From, cur.Milvus)
		}
		if cur.Coordinators != st.Coordinators {
			next := cur
			next.Coordinators = st.Coordinators
			add(next)
		}
		if versions.Less(cur.Milvus, st.From) {
			c, _ := versions.ForMilvus(st.From)
			add(versions.State{Chart: c.Version, Milvus: st.From, Coordinators: cur.Coordinators, MessageQueue: cur.MessageQueue})
		}
	}
	add(versions.State{Chart: target.Version, Milvus: to, Coordinators: cur.Coordinators, MessageQueue: cur.MessageQueue})
	for _, stage := range p.Stages {
		if r := versions.Check(stage.From, stage.To); len(r) > 0 {
			return nil, fmt.Errorf("stage %d is refused (a defect of the plan): %s", stage.N, r[0])
		}
	}
	return p, nil
}

func known() string {
	var out []string
	for _, c := range versions.Charts() {
		out = append(out, c.Milvus+" (chart "+c.Version+")")
	}
	return strings.Join(out, ", ")
}

// changes are the spec fields that take one state to the next. The
// version is written only when it is not the chart's own.
func changes(from, to versions.State) []Change {
	var out []Change
	if from.Coordinators != to.Coordinators {
		out = append(out, Change{Path: "milvus.coordinators", From: from.Coordinators, To: to.Coordinators})
	}
	if from.Chart != to.Chart {
		out = append(out, Change{Path: "milvus.chartVersion", From: from.Chart, To: to.Chart})
	}
	fv, tv := specVersion(from), specVersion(to)
	if fv != tv {
		out = append(out, Change{Path: "milvus.version", From: fv, To: tv})
	}
	return out
}

// specVersion is the milvus.version a state needs: "" when the chart's
// own version runs.
func specVersion(s versions.State) string {
	if c, ok := versions.Lookup(s.Chart); ok && c.Milvus == s.Milvus {
		return ""
	}
	return s.Milvus
}

// checks must pass after a stage, before the next one.
func checks(s *model.Spec, st versions.State, o Options) []Check {
	f := o.Spec
	if f == "" {
		f = "-f SPEC"
	}
	out := []Check{
		{Name: "rollout", Command: fmt.Sprintf("kubectl -n %s rollout status deployment -l app.kubernetes.io/instance=%s --timeout=30m", s.Milvus.Namespace, s.Name),
			Expect: "every Milvus Deployment rolled out, none left on the old image"},
		{Name: "verify", Command: "milvusgen verify " + f,
			Expect: fmt.Sprintf("all steps pass and the server reports version v%s", st.Milvus)},
		{Name: "message queue", Command: "milvusgen diff " + f,
			Expect: fmt.Sprintf("milvus.messageQueue is still %q: no message queue flag", st.MessageQueue)},
	}
	backup := Check{Name: "backup", Expect: fmt.Sprintf("the newest milvus-backup Job succeeded less than %s ago", o.BackupMaxAge)}
	if s.Backup != nil {
		backup.Command = fmt.Sprintf("milvusgen backup status %s --max-age %s", f, o.BackupMaxAge)
	} else {
		backup.Expect += " (the spec has no backup section: add backup: {schedule: \"0 3 * * *\"} first, or take one by hand)"
	}
	return append(out, backup)
}
