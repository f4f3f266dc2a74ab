package reproducible

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
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

func TestShuffle(t *testing.T) {
	in := newInput()
	before := fmt.Sprint(in.Labels, in.Nested)
	Shuffle(&in, rand.New(rand.NewPCG(1, 2)))
	if got := fmt.Sprint(in.Labels, in.Nested); got != before { // fmt prints maps sorted
		t.Errorf("shuffle changed content: %s, want %s", got, before)
	}
}
