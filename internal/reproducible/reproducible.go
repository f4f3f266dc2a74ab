// Package reproducible checks that a renderer's output depends on its
// input alone: not on Go's map iteration order, the order maps were built
// in, GOMAXPROCS, other renders running at the same time, or an earlier
// render of the same input.
//
// Rendering the same input twice and comparing catches none of that
// reliably; Check renders many times under all of those variations and
// compares every output with the first.
package reproducible

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"sync"
	"testing"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Check fails t unless every render gives the bytes of the first. input
// must return a fresh input on every call, equal to every other. The
// renders are:
//
//   - one input rendered twice: a renderer that changes its input (sorts a
//     slice in place, fills a default into a map) renders it differently
//     the second time; the input is then compared with a fresh one, so a
//     change that does not show in the output is caught too;
//   - runs inputs whose maps are rebuilt in a shuffled insertion order
//     (Shuffle), rendered one after another with GOMAXPROCS 1: output that
//     follows map order, or how the input's maps share structure, differs;
//   - runs shuffled inputs rendered all at once with GOMAXPROCS of at least
//     4: output that depends on state shared between renders differs.
func Check[In any](t testing.TB, runs int, input func() In, render func(In) ([]byte, error)) {
	t.Helper()
	check(t, runs, input, render, phases{shuffle: true, concurrent: true})
}

// phases are the variations check makes; the tests turn one off to show
// which one catches a defect.
type phases struct{ shuffle, concurrent bool }

func check[In any](t testing.TB, runs int, input func() In, render func(In) ([]byte, error), ph phases) {
	t.Helper()
	want, err := render(input())
	if err != nil {
		t.Errorf("render failed: %v", err)
		return
	}
	differs := func(what string, got []byte, err error) bool {
		t.Helper()
		if err != nil {
			t.Errorf("%s: render failed: %v", what, err)
			return true
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: output differs from the first render:\n%s", what, firstDifference(want, got))
			return true
		}
		return false
	}
	in := input()
	for i := range 2 {
		got, err := render(in)
		if differs(fmt.Sprintf("the same input, render %d", i+1), got, err) {
			return
		}
	}
	if fresh := input(); !reflect.DeepEqual(in, fresh) {
		t.Errorf("render changed its input:\n  before: %s\n  after:  %s", clip(fmt.Sprintf("%+v", deref(fresh))), clip(fmt.Sprintf("%+v", deref(in))))
		return
	}

	shuffled := func(i int, seed uint64) In {
		in := input()
		if ph.shuffle {
			Shuffle(&in, rand.New(rand.NewPCG(uint64(i), seed)))
		}
		return in
	}
	inputs := make([]In, runs)
	for i := range inputs {
		inputs[i] = shuffled(i, 7)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for i, in := range inputs {
		got, err := render(in)
		if differs(fmt.Sprintf("shuffled input %d, GOMAXPROCS 1", i), got, err) {
			return
		}
	}
	runtime.GOMAXPROCS(max(4, runtime.NumCPU()))
	outs := make([][]byte, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range inputs {
		in := shuffled(i, 8)
		if ph.concurrent {
			wg.Go(func() { outs[i], errs[i] = render(in) })
		} else {
			outs[i], errs[i] = render(in)
		}
	}
	wg.Wait()
	for i := range outs {
		if differs(fmt.Sprintf("concurrent render %d of %d", i, runs), outs[i], errs[i]) {
			return
		}
	}
}

// deref is v, or what it points to.
func deref(v any) any {
	if r := reflect.ValueOf(v); r.Kind() == reflect.Pointer && !r.IsNil() {
		return r.Elem().Interface()
	}
	return v
}

func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// firstDifference shows the first line where got differs from want.
func firstDifference(want, got []byte) string {
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b []byte
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if !bytes.Equal(a, b) || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d:\n  first: %q\n  this:  %q", i+1, a, b)
		}
	}
	return "(same lines)"
}

// Shuffle rebuilds every map reachable from *v through exported fields,
// pointers, slices, arrays, interfaces and map values, inserting the keys
// in an order drawn from r.
func Shuffle[T any](v *T, r *rand.Rand) {
	shuffle(reflect.ValueOf(v).Elem(), r)
}

func shuffle(v reflect.Value, r *rand.Rand) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			shuffle(v.Elem(), r)
		}
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.New(v.Elem().Type()).Elem()
		c.Set(v.Elem())
		shuffle(c, r)
		v.Set(c)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				shuffle(f, r)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			shuffle(v.Index(i), r)
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		keys := v.MapKeys()
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		m := reflect.MakeMapWithSize(v.Type(), len(keys))
		for _, k := range keys {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			shuffle(e, r)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// CheckFiles is Check for a renderer of files: each file's path, mode and
// bytes are compared.
func CheckFiles[In any](t testing.TB, runs int, input func() In, render func(In) ([]manifest.File, error)) {
	t.Helper()
	Check(t, runs, input, func(in In) ([]byte, error) {
		files, err := render(in)
		var b bytes.Buffer
		for _, f := range files {
			fmt.Fprintf(&b, "== %s %v\n%s", f.Path, f.Mode, f.Data)
		}
		return b.Bytes(), err
	})
}
