package reproducible

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

type input struct {
	Labels map[string]string
	Ports  []int
	Nested []map[string]any
}

func newInput() *input {
	labels := map[string]string{}
	for i := range 12 {
		labels[fmt.Sprintf("k%02d", i)] = fmt.Sprint(i)
	}
	return &input{Labels: labels, Ports: []int{3, 1, 2}, Nested: []map[string]any{{"a": 1, "b": 2}}}
}

// sorted renders deterministically.
func sorted(in *input) ([]byte, error) {
	var b strings.Builder
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range in.Labels {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s=%s\n", k, in.Labels[k])
	}
	fmt.Fprintln(&b, in.Ports)
	return []byte(b.String()), nil
}

// Check must be able to fail: each of these renderers has a defect it
// exists to catch.
func TestCheckFails(t *testing.T) {
	var global []string
	var mu sync.Mutex
	for name, render := range map[string]func(*input) ([]byte, error){
		"map order": func(in *input) ([]byte, error) {
			var b strings.Builder
			for k, v := range in.Labels {
				fmt.Fprintf(&b, "%s=%s\n", k, v)
			}
			return []byte(b.String()), nil
		},
		"changes its input": func(in *input) ([]byte, error) {
			in.Ports = append(in.Ports, len(in.Ports))
			return fmt.Appendln(nil, in.Ports), nil
		},
		"sorts its input in place and reads it first": func(in *input) ([]byte, error) {
			out := fmt.Appendln(nil, in.Ports)
			sort.Ints(in.Ports)
			return out, nil
		},
		"changes its input without printing it": func(in *input) ([]byte, error) {
			in.Labels["default"] = "filled in"
			return fmt.Appendln(nil, in.Ports), nil
		},
		"shared state": func(in *input) ([]byte, error) {
			mu.Lock()
			defer mu.Unlock()
			global = append(global, "x")
			return fmt.Appendln(nil, len(global)), nil
		},
	} {
		r := &recorder{TB: t}
		Check(r, 20, newInput, render)
		if len(r.errors) == 0 {
			t.Errorf("%s: Check passed", name)
		}
	}
	r := &recorder{TB: t}
	Check(r, 20, newInput, sorted)
	if len(r.errors) > 0 {
		t.Errorf("a deterministic renderer failed: %v", r.errors)
	}
}

// TestShuffle: Shuffle keeps every map's content and rebuilds every map,
// also one inside an interface or a slice: a new map, so a renderer
// cannot tell how the input was built.
func TestShuffle(t *testing.T) {
	in := newInput()
	in.Nested = append(in.Nested, map[string]any{"inner": map[string]any{"x": 1, "y": 2}})
	labels, nested, inner := mapID(in.Labels), mapID(in.Nested[0]), mapID(in.Nested[1]["inner"])
	before := fmt.Sprint(in.Labels, in.Nested)
	Shuffle(&in, rand.New(rand.NewPCG(1, 2)))
	if got := fmt.Sprint(in.Labels, in.Nested); got != before { // fmt prints maps sorted
		t.Errorf("shuffle changed content: %s, want %s", got, before)
	}
	for name, ids := range map[string][2]uintptr{
		"Labels":          {labels, mapID(in.Labels)},
		"Nested[0]":       {nested, mapID(in.Nested[0])},
		"Nested[1].inner": {inner, mapID(in.Nested[1]["inner"])},
	} {
		if ids[0] == ids[1] {
			t.Errorf("%s: Shuffle kept the same map", name)
		}
	}
}

func mapID(m any) uintptr { return reflect.ValueOf(m).Pointer() }

// aliased is an input whose builder shares one map between two fields,
// as a builder that defaults annotations to the labels does.
type aliased struct {
	Labels, Annotations map[string]string
}

func newAliased() *aliased {
	m := map[string]string{"app": "milvus", "tier": "db"}
	return &aliased{Labels: m, Annotations: m}
}

// TestOnlyShufflingCatches: a renderer whose output follows how its
// input's maps share structure, not their content (it writes a YAML
// alias when two fields hold the same map). Renders of fresh inputs
// agree, at once or not; only inputs whose maps Shuffle rebuilt differ.
func TestOnlyShufflingCatches(t *testing.T) {
	render := func(in *aliased) ([]byte, error) {
		out := fmt.Appendf(nil, "labels: %v\n", in.Labels)
		if mapID(in.Labels) == mapID(in.Annotations) {
			return fmt.Appendf(out, "annotations: *labels\n"), nil
		}
		return fmt.Appendf(out, "annotations: %v\n", in.Annotations), nil
	}
	r := &recorder{TB: t}
	Check(r, 8, newAliased, render)
	if len(r.errors) == 0 {
		t.Error("Check passed a renderer whose output follows map sharing")
	}
	r = &recorder{TB: t}
	check(r, 8, newAliased, render, phases{shuffle: false, concurrent: true})
	if len(r.errors) > 0 {
		t.Errorf("without shuffling the defect was caught, so this test shows nothing about shuffling: %v", r.errors)
	}
}

// TestOnlyConcurrencyCatches: a renderer that shares a scratch buffer
// between renders: one after another they agree; two at once spoil each
// other's output. Only the concurrent phase catches it.
func TestOnlyConcurrencyCatches(t *testing.T) {
	var inflight atomic.Int32
	render := func(in *input) ([]byte, error) {
		inflight.Add(1)
		defer inflight.Add(-1)
		// Stands for the work of a render, during which another render
		// may start; bounded, so a lone render ends.
		for i := 0; i < 20000 && inflight.Load() < 2; i++ {
			runtime.Gosched()
		}
		out, _ := sorted(in)
		if inflight.Load() > 1 {
			out = append(out, "(scratch buffer shared with another render)\n"...)
		}
		return out, nil
	}
	r := &recorder{TB: t}
	Check(r, 8, newInput, render)
	if len(r.errors) == 0 {
		t.Error("Check passed a renderer that shares state between concurrent renders")
	}
	r = &recorder{TB: t}
	check(r, 8, newInput, render, phases{shuffle: true, concurrent: false})
	if len(r.errors) > 0 {
		t.Errorf("without concurrency the defect was caught, so this test shows nothing about concurrency: %v", r.errors)
	}
}
