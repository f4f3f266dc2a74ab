package spec

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"
)

// unknownFields finds every field the user wrote that the schema does not
// allow, walking the user's values beside the schema. CUE reports a closed
// struct's extra field only when the struct has no other error (a bad
// cluster.identity hid cluster.vpcCidr), so one run could not show every
// problem; this walk does not depend on the rest being valid. The errors
// read as CUE's own ("field not allowed"), so userError words them.
func unknownFields(user, def cue.Value) []errors.Error {
	var out []errors.Error
	var walk func(u, s cue.Value, path []string)
	walk = func(u, s cue.Value, path []string) {
		switch u.IncompleteKind() {
		case cue.StructKind:
			if s.IncompleteKind()&cue.StructKind == 0 {
				return // a type error, reported as one
			}
			if op, _ := s.Expr(); op == cue.OrOp {
				return // which alternative applies is CUE's to say
			}
			it, err := u.Fields()
			if err != nil {
				return
			}
			for it.Next() {
				sel := it.Selector()
				if sel.LabelType() != cue.StringLabel {
					continue
				}
				p := append(path[:len(path):len(path)], sel.Unquoted())
				if !s.Allows(sel) {
					out = append(out, &fieldError{path: append([]string{"#Spec"}, p...), msg: "field not allowed"})
					continue
				}
				next := s.LookupPath(cue.MakePath(sel))
				if !next.Exists() {
					next = s.LookupPath(cue.MakePath(sel.Optional()))
				}
				if next.Exists() {
					walk(it.Value(), next, p)
				}
			}
		case cue.ListKind:
			elem := s.LookupPath(cue.MakePath(cue.AnyIndex))
			if !elem.Exists() {
				return
			}
			it, err := u.List()
			if err != nil {
				return
			}
			for i := 0; it.Next(); i++ {
				walk(it.Value(), elem, append(path[:len(path):len(path)], strconv.Itoa(i)))
			}
		}
	}
	walk(user, def, nil)
	return out
}

// leafErrors checks each value the user wrote against the schema's
// constraint for its field alone. CUE stops evaluating a struct whose
// comprehension fails (milvus.highAvailability: x makes "if
// !highAvailability" an error), which hides the errors of its other
// fields; checked one by one, each is still reported in the same run.
// skip holds the leaf paths already reported.
func leafErrors(user, def cue.Value, skip map[string]bool) []errors.Error {
	var out []errors.Error
	var walk func(u, s cue.Value, path []string)
	walk = func(u, s cue.Value, path []string) {
		switch u.IncompleteKind() {
		case cue.StructKind:
			it, err := u.Fields()
			if err != nil {
				return
			}
			for it.Next() {
				sel := it.Selector()
				if sel.LabelType() != cue.StringLabel || !s.Allows(sel) {
					continue
				}
				next := s.LookupPath(cue.MakePath(sel))
				if !next.Exists() {
					next = s.LookupPath(cue.MakePath(sel.Optional()))
				}
				if next.Exists() {
					walk(it.Value(), next, append(path[:len(path):len(path)], sel.Unquoted()))
				}
			}
		case cue.ListKind:
			return // lists are checked whole by CUE; their elements are rarely behind a comprehension
		default:
			if !u.IsConcrete() || skip[strings.Join(path, ".")] {
				return
			}
			err := s.Unify(u).Validate()
			for _, e := range errors.Errors(err) {
				out = append(out, &pathError{e: e, path: path})
			}
		}
	}
	walk(user, def, nil)
	return out
}
