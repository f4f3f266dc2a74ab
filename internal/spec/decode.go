package spec

import (
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"

	"github.com/milvusgen/milvusgen/internal/model"
)

// invalidSet holds the spec paths whose values are unknown or invalid. A
// rule check runs only when none of its inputs overlaps one of them, so
// every other problem is still reported in the same run, and a default
// filling a misspelled field never causes a false problem.
type invalidSet map[string]bool

func (in invalidSet) add(path []string) { in[strings.Join(path, ".")] = true }

// clean reports whether no invalid path is at, above or below any of paths.
func (in invalidSet) clean(paths ...string) bool {
	for bad := range in {
		for _, p := range paths {
			if bad == "" || bad == p || strings.HasPrefix(bad, p+".") || strings.HasPrefix(p, bad+".") {
				return false
			}
		}
	}
	return true
}

// markErrors adds the paths of CUE's errors. An unknown field is what the
// user meant to write elsewhere: its closest allowed sibling ("queyNode"
// for queryNode) is marked too, as its value is a default the user did
// not choose.
func (in invalidSet) markErrors(errs []errors.Error, def cue.Value) {
	for _, e := range errs {
		path := specPath(e)
		in.add(path)
		if format, _ := e.Msg(); strings.Contains(format, "field not allowed") || strings.Contains(format, "not allowed") {
			if best, ok := closestField(def, path); ok {
				in.add(append(append([]string{}, path[:len(path)-1]...), best))
			}
		}
	}
}

// decodeClean decodes v into s, leaving out the invalid values: the
// decoded spec holds every value that is sound, and zero values where a
// value is not (checks on those are skipped through the invalid set).
func decodeClean(ctx *cue.Context, v, user, def cue.Value, s *model.Spec, in invalidSet) {
	if v.Validate(cue.Concrete(true)) == nil && v.Decode(s) == nil {
		return
	}
	x, ok := cleanValue(v, nil, user, def, in)
	if !ok {
		return
	}
	// Re-encode the sound parts so the model decodes the same way as a
	// fully valid spec (same number types in raw values).
	_ = ctx.Encode(x).Decode(s)
}

func cleanValue(v cue.Value, path []string, user, def cue.Value, in invalidSet) (any, bool) {
	key := strings.Join(path, ".")
	if in[key] && len(path) > 0 {
		return nil, false
	}
	if v.Validate(cue.Concrete(true)) == nil {
		var x any
		if v.Decode(&x) == nil {
			return x, true
		}
	}
	// A struct with an error below it can be bottom itself; its fields
	// still iterate.
	if it, err := v.List(); err == nil {
		var l []any
		for i := 0; it.Next(); i++ {
			x, _ := cleanValue(it.Value(), append(path[:len(path):len(path)], itoa(i)), user, def, in)
			l = append(l, x) // keep indexes: messages name them
		}
		return l, true
	}
	// A list with an error in it is bottom and does not iterate; its
	// elements are found by index, as many as the user wrote (the schema's
	// lists are open: any index exists in them).
	if u := user.LookupPath(cue.MakePath(selectors(path)...)); u.Exists() && u.IncompleteKind() == cue.ListKind {
		n, err := u.Len().Int64()
		if err != nil {
			return nil, false
		}
		l := make([]any, 0, n)
		for i := range int(n) {
			x, _ := cleanValue(v.LookupPath(cue.MakePath(cue.Index(i))), append(path[:len(path):len(path)], itoa(i)), user, def, in)
			l = append(l, x)
		}
		return l, true
	}
	it, err := v.Fields()
	if err != nil {
		// A struct made bottom by an error in one field (a comprehension
		// reading milvus.highAvailability: x) does not iterate; its other
		// fields are still found by the names the schema and the user give.
		return cleanFields(v, path, user, def, in)
	}
	m := map[string]any{}
	for it.Next() {
		if !it.Selector().IsString() {
			continue
		}
		name := it.Selector().Unquoted()
		if x, ok := cleanValue(it.Value(), append(path[:len(path):len(path)], name), user, def, in); ok {
			m[name] = x
		}
	}
	return m, true
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// cleanFields decodes the sound fields of a struct that does not iterate,
// looking each up by name. Without names the struct is marked invalid, so
// no rule check reads its zero values as the user's.
func cleanFields(v cue.Value, path []string, user, def cue.Value, in invalidSet) (any, bool) {
	var names []string
	seen := map[string]bool{}
	for _, src := range []cue.Value{def.LookupPath(cue.MakePath(selectors(path)...)), user.LookupPath(cue.MakePath(selectors(path)...))} {
		it, err := src.Fields(cue.Optional(true))
		if err != nil {
			continue
		}
		for it.Next() {
			if n := it.Selector(); n.LabelType() == cue.StringLabel && !seen[n.Unquoted()] {
				seen[n.Unquoted()] = true
				names = append(names, n.Unquoted())
			}
		}
	}
	if len(names) == 0 {
		in.add(path)
		return nil, false
	}
	m := map[string]any{}
	for _, name := range names {
		f := v.LookupPath(cue.MakePath(cue.Str(name)))
		if !f.Exists() {
			continue
		}
		if x, ok := cleanValue(f, append(path[:len(path):len(path)], name), user, def, in); ok {
			m[name] = x
		}
	}
	return m, true
}
