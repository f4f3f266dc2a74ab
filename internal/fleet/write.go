package fleet

import (
	stderrors "errors"
	"fmt"
	"io"
	"strings"
	"sync"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render/manifest"
)

// Plan is a rendered fleet: every environment and the collisions between
// them. Nothing is written until Write, and Write writes nothing unless
// the whole plan is sound.
type Plan struct {
	Envs     []*Env
	Problems []Problem
}

// Build renders envs and, when all of them rendered, checks them against
// each other.
func Build(envs []Environment, opts Options) *Plan {
	p := &Plan{Envs: Render(envs, opts)}
	if len(Failed(p.Envs)) == 0 {
		p.Problems = Check(p.Envs)
	}
	return p
}

// OK reports whether every environment rendered and none collide.
func (p *Plan) OK() bool { return len(Failed(p.Envs)) == 0 && len(p.Problems) == 0 }

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

// Target is one output tree. It has the shape of writer.Target (issue 8);
// until that lands, writeAll below stands in for writer.WriteAll.
type Target struct {
	Root  string
	Files []manifest.File
}

// writeAll runs every tree's pre-check before writing any of them, so one
// tree that cannot be written (foreign files, a moved-aside tree) stops
// them all. It has writer.WriteAll's shape.
func writeAll(targets []Target) ([][]writer.Change, error) {
	var failed []string
	for _, t := range targets {
		if _, err := writer.Check(t.Root, t.Files); err != nil {
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(failed, "\n"))
	}
	// Trees are independent and writing is bound by fsync, not the CPU,
	// so they are written concurrently.
	out := make([][]writer.Change, len(targets))
	errs := make([]error, len(targets))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(writeJobs, len(targets)) {
		wg.Go(func() {
			for i := range work {
				out[i], errs[i] = writer.Write(targets[i].Root, targets[i].Files)
			}
		})
	}
	for i := range targets {
		work <- i
	}
	close(work)
	wg.Wait()
	return out, stderrors.Join(errs...)
}

// writeJobs is how many trees are written at once.
const writeJobs = 8

// Write writes every environment's tree, all or nothing: when the plan has
// a problem, or any tree fails the writer's pre-check, it writes none and
// returns an error. The changes are in environment order.
func (p *Plan) Write() ([][]writer.Change, error) {
	if !p.OK() {
		return nil, fmt.Errorf("the fleet has problems; nothing was written")
	}
	ts := make([]Target, len(p.Envs))
	for i, e := range p.Envs {
		ts[i] = Target{Root: e.Output, Files: e.Files}
	}
	return writeAll(ts)
}

// Stale compares every environment's tree with its output directory
// without writing: the changed files per environment, in environment order.
func (p *Plan) Stale() ([][]writer.Change, error) {
	out := make([][]writer.Change, len(p.Envs))
	var errs []string
	for i, e := range p.Envs {
		cs, err := writer.Check(e.Output, e.Files)
		if err != nil {
			errs = append(errs, fmt.Sprintf("environment %s: %v", e.Name, err))
			continue
		}
		out[i] = writer.Changed(cs)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}
