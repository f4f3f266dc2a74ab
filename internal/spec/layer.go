package spec

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// layer combines the spec files the way Helm combines `-f` values files: a
// file given later overrides the concrete values of the files before it.
// Mappings merge by key; a list or a scalar is replaced whole by the last
// file that gives one. What a file states that is not concrete data (a CUE
// bound such as >=2, a disjunction, a default, a type) is a constraint: it
// is not overridden but unified into the result, so a later file can only
// give a value it allows. The schema is applied to the result afterwards.
//
// Every value is filled from the file that supplied it, so positions in
// errors and warnings point at that file's line.
func layer(ctx *cue.Context, vals []cue.Value) (cue.Value, []meeting) {
	if len(vals) == 1 {
		return vals[0], nil
	}
	l := &layering{out: ctx.CompileString("{}")}
	l.mergeAt(nil, vals)
	return l.out, l.met
}

// meeting is a path where values from several files were unified: the
// winning data and the constraints, in file order. A conflict there is
// between files, and is reported naming each (layerConflicts).
type meeting struct {
	path  []cue.Selector
	parts []cue.Value
}

type layering struct {
	out cue.Value
	met []meeting
}

func (l *layering) fill(path []cue.Selector, v cue.Value) {
	if len(path) == 0 {
		l.out = l.out.Unify(v)
		return
	}
	l.out = l.out.FillPath(cue.MakePath(path...), v)
}

// mergeAt fills l.out at path with the layered combination of vs, the values
// the files give at path, in file order.
func (l *layering) mergeAt(path []cue.Selector, vs []cue.Value) {
	if len(vs) == 1 {
		l.fill(path, vs[0])
		return
	}
	if allStructs(vs) {
		// Merge by key, in the order the keys first appear.
		var order []cue.Selector
		byLabel := map[string][]cue.Value{}
		for _, v := range vs {
			it, err := v.Fields(cue.Optional(true))
			if err != nil {
				continue
			}
			for it.Next() {
				sel := it.Selector()
				k := sel.String()
				if _, ok := byLabel[k]; !ok {
					order = append(order, sel)
				}
				byLabel[k] = append(byLabel[k], it.Value())
			}
		}
		for _, sel := range order {
			l.mergeAt(append(path[:len(path):len(path)], sel), byLabel[sel.String()])
		}
		return
	}
	// A scalar or a list: the last file's data wins; every constraint holds.
	last := -1
	for i, v := range vs {
		if isData(v) {
			last = i
		}
	}
	var parts []cue.Value
	for i, v := range vs {
		if i == last || !isData(v) {
			l.fill(path, v)
			parts = append(parts, v)
		}
	}
	if len(parts) > 1 {
		l.met = append(l.met, meeting{path: path, parts: parts})
	}
}

// allStructs reports whether every value is a mapping, whose keys merge.
func allStructs(vs []cue.Value) bool {
	for _, v := range vs {
		if v.Err() != nil || v.IncompleteKind() != cue.StructKind {
			return false
		}
	}
	return true
}

// isData reports whether v is data a later file may override: a concrete
// scalar or a list. A bound, a disjunction (also with a default), a type,
// an incomplete expression and an error are constraints, which hold.
func isData(v cue.Value) bool {
	if v.Err() != nil {
		return false
	}
	switch v.IncompleteKind() {
	case cue.ListKind:
		return v.IsConcrete()
	case cue.StructKind:
		return v.IsConcrete()
	}
	if !v.IsConcrete() {
		return false
	}
	// A disjunction with a default is not data, though it is concrete once
	// its default is taken.
	if op, _ := v.Expr(); op == cue.OrOp {
		return false
	}
	return true
}

// layerConflicts reports each path where the files' values do not unify,
// naming every file involved with its line, so CUE's terse "conflicting
// values" for it can be dropped.
func layerConflicts(r *report, user cue.Value, met []meeting) {
	for _, m := range met {
		if user.LookupPath(cue.MakePath(m.path...)).Err() == nil {
			continue
		}
		path := make([]string, len(m.path))
		for i, sel := range m.path {
			path[i] = selName(sel)
		}
		var data cue.Value
		var cons []cue.Value
		for _, v := range m.parts {
			if isData(v) {
				data = v
			} else {
				cons = append(cons, v)
			}
		}
		var msg string
		pos := valuePos(m.parts[len(m.parts)-1])
		if data.Exists() {
			var broken []cue.Value
			for _, c := range cons {
				if data.Unify(c).Err() != nil {
					broken = append(broken, c)
				}
			}
			if len(broken) == 0 {
				broken = cons
			}
			pos = valuePos(data)
			msg = fmt.Sprintf("%s is not allowed by %s; a later file overrides only data, never a constraint, so give a value the constraint allows, or change the constraint in %s",
				described(data), describedAll(broken), broken[0].Pos().Filename())
		} else {
			msg = fmt.Sprintf("%s cannot all hold at once; constraints from different files must agree, so change one of them", describedAll(cons))
		}
		key := strings.Join(path, ".")
		if r.paths[key] {
			continue
		}
		r.errs = errors.Append(r.errs, &fieldError{pos: pos, path: path, msg: msg})
		if r.paths == nil {
			r.paths = map[string]bool{}
		}
		r.paths[key] = true
	}
}

// described is a value as the user wrote it, with where.
func described(v cue.Value) string {
	return fmt.Sprintf("%s (%s)", clip(fmt.Sprint(v), 80), valuePos(v))
}

func describedAll(vs []cue.Value) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = described(v)
	}
	return strings.Join(s, " and ")
}

// valuePos is where v's value is written (not its label).
func valuePos(v cue.Value) token.Pos {
	if f, ok := v.Source().(*ast.Field); ok && f.Value != nil && f.Value.Pos().IsValid() {
		return f.Value.Pos()
	}
	return v.Pos()
}

func selName(sel cue.Selector) string {
	if sel.LabelType() == cue.StringLabel {
		return sel.Unquoted()
	}
	return sel.String()
}
