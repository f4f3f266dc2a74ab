package fleet

import (
	"runtime"
	"sync"
	"time"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render"
)

// Options control Render.
type Options struct {
	// Today is passed to spec.Load (Kubernetes support dates).
	Today time.Time
	// Jobs is how many environments are loaded and rendered at once; 0
	// means GOMAXPROCS. It never changes the output.
	Jobs int
	// Render turns a spec into its files; nil means render.Render. The CLI
	// passes one that also hydrates the charts when asked.
	Render func(*model.Spec) ([]manifest.File, error)
	// SupportWarnings makes a Kubernetes version past EKS support a
	// warning rather than an error (render --check decides by bytes).
	SupportWarnings bool
	// NoGitPath skips ResolveGitPath (diff against a directory that is not
	// where the tree will live).
	NoGitPath bool
	// Hub is the fleet file's hub section, and Whole says every
	// environment of the fleet is rendered: only then is the hub tree.
	Hub   *Hub
	Whole bool
}

// Env is one environment after loading and rendering.
type Env struct {
	Environment
	Sources []spec.Source
	// Result is nil when the spec did not load.
	Result *spec.Result
	// Files is the rendered tree; nil when Err is set.
	Files []manifest.File
	// Err is why the environment could not be rendered. CUE errors keep
	// their file:line:col.
	Err error
}

// Render loads and renders every environment, Jobs at a time, and returns
// them in the order given. A failed environment has Err set; the others
// still render, so one run reports every problem.
func Render(envs []Environment, opts Options) []*Env {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	out := make([]*Env, len(envs))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(envs)) {
		wg.Go(func() {
			for i := range work {
				out[i] = renderOne(envs[i], opts)
			}
		})
	}
	for i := range envs {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}

func renderOne(e Environment, opts Options) *Env {
	env := &Env{Environment: e}
	for i, f := range e.Files {
		src, err := spec.ReadFiles([]string{f}, nil)
		if err != nil {
			env.Err = errors.Newf(at(e.FilePos, i, e.Pos), "%v", err)
			return env
		}
		env.Sources = append(env.Sources, src...)
	}
	srcs := env.Sources
	res, err := spec.Load(srcs, spec.Options{Today: opts.Today, SupportWarnings: opts.SupportWarnings})
	if err != nil {
		env.Err = err
		return env
	}
	env.Result = res
	if !opts.NoGitPath {
		if err := ResolveGitPath(res, e.Output); err != nil {
			env.Err = err
			return env
		}
	}
	r := opts.Render
	if r == nil {
		r = render.Render
	}
	files, err := r(res.Spec)
	if err != nil {
		env.Err = errors.Newf(e.Pos, "rendering failed: %v", err)
		return env
	}
	env.Files = files
	return env
}

// at is ps[i], or def when there is none.
func at(ps []token.Pos, i int, def token.Pos) token.Pos {
	if i < len(ps) && ps[i].IsValid() {
		return ps[i]
	}
	return def
}

// Failed reports the environments that did not render.
func Failed(envs []*Env) []*Env {
	var out []*Env
	for _, e := range envs {
		if e.Err != nil {
			out = append(out, e)
		}
	}
	return out
}
