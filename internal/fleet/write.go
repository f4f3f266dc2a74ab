package fleet

import (
	"errors"
	"fmt"
	"io"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
)

// Plan is a rendered fleet: every environment and the collisions between
// them. Nothing is written until Write, and Write writes nothing unless
// the whole plan is sound.
type Plan struct {
	Envs     []*Env
	Problems []Problem
	// Writer and Record are passed to the writer: its options, and the
	// render options every tree's manifest records.
	Writer writer.Options
	Record writer.RenderOptions
	// Hub is the hub tree, when the fleet has one and all of it is
	// rendered; HubErr is why it could not be rendered.
	Hub    *HubTree
	HubErr error
}

// Build renders envs and, when all of them rendered, checks them against
// each other.
func Build(envs []Environment, opts Options) *Plan {
	p := &Plan{Envs: Render(envs, opts)}
	if len(Failed(p.Envs)) == 0 {
		p.Problems = Check(p.Envs)
	}
	if p.OK() {
		p.Hub, p.HubErr = renderHub(p.Envs, opts.Hub, opts.Whole)
	}
	return p
}

// OK reports whether every environment rendered and none collide.
func (p *Plan) OK() bool {
	return len(Failed(p.Envs)) == 0 && len(p.Problems) == 0 && p.HubErr == nil
}

// Print writes every problem of the plan to w, each environment's spec
// errors with their file:line:col (relative to cwd), and returns how many
// it wrote.
func (p *Plan) Print(w io.Writer, cwd string) int {
	n := 0
	for _, e := range Failed(p.Envs) {
		n += PrintEnvError(w, e.Name, e.Err, cwd)
	}
	for _, pr := range Sorted(p.Problems) {
		fmt.Fprintf(w, "fleet: %s\n", indentPositions(pr.Error(), cwd))
		n++
	}
	if p.HubErr != nil {
		n += PrintEnvError(w, "hub", p.HubErr, cwd)
	}
	return n
}

// PrintEnvError writes err, prefixed with the environment; CUE errors one
// per line with their positions.
func PrintEnvError(w io.Writer, env string, err error, cwd string) int {
	errs := cueerrors.Errors(err)
	if _, ok := err.(cueerrors.Error); !ok || len(errs) == 0 {
		fmt.Fprintf(w, "environment %s: %v\n", env, err)
		return 1
	}
	for _, e := range errs {
		var b strings.Builder
		if spec.IsWarning(e) {
			b.WriteString("warning: ")
		}
		cueerrors.Print(&b, e, &cueerrors.Config{Cwd: cwd})
		fmt.Fprintf(w, "environment %s: %s", env, b.String())
	}
	return len(errs)
}

func indentPositions(s, cwd string) string {
	if cwd == "" {
		return s
	}
	return strings.ReplaceAll(s, cwd+"/", "")
}

// Write writes every environment's tree with writer.WriteAll, all or
// nothing: when the plan has a problem, any tree fails the writer's
// pre-checks (ownership, adoption, locks), or staging any tree fails (a
// full disk), it writes none and returns an error saying so. Only a
// failure after every tree was staged can leave some environments new
// and others old: the error is then a *PartialError naming both. The
// changes are in environment order.
func (p *Plan) Write() ([][]writer.Change, error) {
	if !p.OK() {
		return nil, fmt.Errorf("the fleet has problems; nothing was written")
	}
	cs, err := writer.WriteAll(p.targets(), p.Writer)
	var pe *writer.PartialError
	if errors.As(err, &pe) {
		return cs, &PartialError{New: p.envsAt(pe.New), Old: p.envsAt(pe.Old), Err: pe.Err}
	}
	if err != nil {
		return cs, fmt.Errorf("%w\nnothing was written for any environment", err)
	}
	return cs, nil
}

// PartialError says which environments a failed fleet write left on the
// new version and which on the old one.
type PartialError struct {
	New, Old []string
	Err      error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%v\nthe write stopped part way: environments %s hold the new version; %s still hold the old one and a journal; run render --fleet again to finish them (render --fleet --check reports them as unfinished until then)",
		e.Err, orNone(e.New), orNone(e.Old))
}

func (e *PartialError) Unwrap() error { return e.Err }

func orNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

// envsAt names the environments whose outputs are roots.
func (p *Plan) envsAt(roots []string) []string {
	var out []string
	for _, r := range roots {
		for _, e := range p.Envs {
			if e.Output == r {
				out = append(out, e.Name)
			}
		}
	}
	return out
}

// Stale compares every environment's tree with its output directory
// without writing (writer.CheckAll): the changed files per environment, in
// environment order.
func (p *Plan) Stale() ([][]writer.Change, error) {
	all, err := writer.CheckAll(p.targets(), p.Writer)
	if err != nil {
		return nil, err
	}
	out := make([][]writer.Change, len(all))
	for i, cs := range all {
		out[i] = writer.Changed(cs)
	}
	return out, nil
}

func (p *Plan) targets() []writer.Target {
	ts := make([]writer.Target, len(p.Envs))
	for i, e := range p.Envs {
		ts[i] = writer.Target{Root: e.Output, Files: e.Files, Render: p.Record.RecordedFrom(e.Output)}
	}
	if p.Hub != nil {
		ts = append(ts, writer.Target{Root: p.Hub.Output, Files: p.Hub.Files})
	}
	return ts
}
