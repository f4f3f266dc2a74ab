package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// oneErrorPerPath reduces CUE's errors to one per problem. CUE reports a
// value outside a disjunction as "N errors in empty disjunction" plus one
// "conflicting values" per alternative, and a parent whose comprehension
// reads a bad field ("invalid operation !highAvailability") beside the
// field's own error. Kept: errors at paths with no error below them, one
// per path, the disjunction's conflicts merged into "must be one of".
func oneErrorPerPath(errs []errors.Error, user, def cue.Value) []errors.Error {
	byPath := map[string][]errors.Error{}
	var order []string
	for _, e := range errs {
		k := strings.Join(specPath(e), ".")
		if _, ok := byPath[k]; !ok {
			order = append(order, k)
		}
		byPath[k] = append(byPath[k], e)
	}
	var out []errors.Error
	for _, k := range order {
		if hasErrorBelow(byPath, k) {
			continue // a consequence of the error below it
		}
		group := byPath[k]
		if len(group) == 1 {
			out = append(out, typeMismatch(group[0], user))
			continue
		}
		// An incomplete value is usually a default derived from a field
		// with its own error (gitops.repository.path from cluster.name).
		var real []errors.Error
		for _, e := range group {
			if format, _ := e.Msg(); !strings.HasPrefix(format, "incomplete value") {
				real = append(real, e)
			}
		}
		if len(real) == 0 {
			real = group[:1]
		}
		out = append(out, mergeConflicts(real, user, def))
	}
	if len(out) > 1 {
		// Incomplete values alone at their path: still derived, when
		// other problems exist.
		var kept []errors.Error
		for _, e := range out {
			if format, _ := e.Msg(); !strings.HasPrefix(format, "incomplete value") {
				kept = append(kept, e)
			}
		}
		if len(kept) > 0 {
			out = kept
		}
	}
	return out
}

func hasErrorBelow(byPath map[string][]errors.Error, k string) bool {
	for other := range byPath {
		if other != k && (k == "" || strings.HasPrefix(other, k+".")) {
			return true
		}
	}
	return false
}

var reConflict = regexp.MustCompile(`^conflicting values (.+) and (.+?)( \(mismatched types .*\))?$`)

// mergeConflicts turns the errors of one path into one: what the user
// wrote and what the schema allows there.
func mergeConflicts(group []errors.Error, user, def cue.Value) errors.Error {
	path := specPath(group[0])
	got := user.LookupPath(cue.MakePath(selectors(path)...))
	want := def.LookupPath(cue.MakePath(selectors(path)...))
	if got.Exists() && want.Exists() {
		if wk, gk := want.IncompleteKind(), got.IncompleteKind(); wk&gk == 0 {
			return withMsg(group[0], fmt.Sprintf("must be %s; got %s", kindName(wk), clip(fmt.Sprint(got), 80)))
		}
		var alts []string
		for _, e := range group {
			format, args := e.Msg()
			m := reConflict.FindStringSubmatch(fmt.Sprintf(format, args...))
			if m == nil {
				continue
			}
			gs := fmt.Sprint(got)
			switch {
			case m[1] == gs:
				alts = append(alts, m[2])
			case m[2] == gs:
				alts = append(alts, m[1])
			}
		}
		if len(alts) > 1 {
			return withMsg(group[0], fmt.Sprintf("must be one of %s; got %s", strings.Join(alts, ", "), clip(fmt.Sprint(got), 80)))
		}
	}
	for _, e := range group {
		if format, _ := e.Msg(); !strings.Contains(format, "empty disjunction") {
			return typeMismatch(e, user)
		}
	}
	return group[0]
}

var reMismatch = regexp.MustCompile(`\(mismatched types (\w+) and (\w+)\)`)

// typeMismatch rewords "conflicting values 1 and "192.168.0.0/16"
// (mismatched types int and string)" as what the field must be.
func typeMismatch(e errors.Error, user cue.Value) errors.Error {
	format, args := e.Msg()
	m := reMismatch.FindStringSubmatch(fmt.Sprintf(format, args...))
	if m == nil {
		return e
	}
	got := user.LookupPath(cue.MakePath(selectors(specPath(e))...))
	if !got.Exists() {
		return e
	}
	names := map[string]string{"string": "a string", "int": "a whole number", "float": "a number", "number": "a number",
		"bool": "true or false", "list": "a list", "struct": "a mapping", "null": "null"}
	gk := kindName(got.IncompleteKind())
	for _, t := range m[1:] {
		if names[t] != "" && names[t] != gk {
			return withMsg(e, fmt.Sprintf("must be %s; got %s", names[t], clip(fmt.Sprint(got), 80)))
		}
	}
	return e
}

func kindName(k cue.Kind) string {
	switch k &^ cue.BottomKind {
	case cue.BoolKind:
		return "true or false"
	case cue.IntKind:
		return "a whole number"
	case cue.NumberKind, cue.FloatKind:
		return "a number"
	case cue.StringKind:
		return "a string"
	case cue.StructKind:
		return "a mapping"
	case cue.ListKind:
		return "a list"
	}
	return k.String()
}

// withMsg is e with its message replaced; userError positions it.
func withMsg(e errors.Error, msg string) errors.Error { return &msgError{e: e, msg: msg} }

type msgError struct {
	e   errors.Error
	msg string
}

func (m *msgError) Position() token.Pos         { return m.e.Position() }
func (m *msgError) InputPositions() []token.Pos { return m.e.InputPositions() }
func (m *msgError) Path() []string              { return m.e.Path() }
func (m *msgError) Msg() (string, []any)        { return "%s", []any{m.msg} }
func (m *msgError) Error() string               { return m.msg }

var reBigNumber = regexp.MustCompile(`illegal number start "number & ([-+0-9.eE_]+)"`)

// parseError rephrases parse errors CUE words for its own authors: an
// integer beyond 64 bits in YAML becomes "illegal number start".
func parseError(err error) errors.Error {
	var out errors.Error
	for _, e := range errors.Errors(err) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		if m := reBigNumber.FindStringSubmatch(msg); m != nil {
			hint := ""
			if rule, ok := intRuleFor(specPath(e)); ok {
				hint = fmt.Sprintf("; use a number from %d to %d", rule.min, rule.max)
			}
			out = errors.Append(out, &fieldError{pos: e.Position(), path: specPath(e),
				msg: fmt.Sprintf("the number %s is out of range%s", clip(m[1], 40), hint)})
			continue
		}
		out = errors.Append(out, errors.Promote(e, "parse"))
	}
	return out
}

// intRuleFor finds the bound of a path, list indexes matching "*".
func intRuleFor(path []string) (intRule, bool) {
	p := make([]string, len(path))
	for i, s := range path {
		p[i] = s
		if _, err := strconv.Atoi(s); err == nil {
			p[i] = "*"
		}
	}
	rule, ok := intRules[strings.Join(p, ".")]
	return rule, ok
}

// unknownAncestor moves a "field not allowed" error up to the first field
// of its path the schema does not allow: CUE sometimes reports the leaves
// below a misspelt field (milvus.queyNode.replicas) instead of the field
// itself, which hides the "did you mean" the user needs.
func unknownAncestor(e errors.Error, def cue.Value) errors.Error {
	if format, _ := e.Msg(); !strings.Contains(format, "field not allowed") {
		return e
	}
	path := specPath(e)
	parent := def
	for i, p := range path[:max(len(path)-1, 0)] {
		sel := cue.Str(p)
		if _, err := strconv.Atoi(p); err == nil {
			sel = cue.AnyIndex
		} else if parent.IncompleteKind() == cue.StructKind && !parent.Allows(sel) {
			return &pathError{e: e, path: path[:i+1]}
		}
		next := parent.LookupPath(cue.MakePath(sel))
		if !next.Exists() && sel != cue.AnyIndex {
			next = parent.LookupPath(cue.MakePath(sel.Optional()))
		}
		if !next.Exists() {
			return e
		}
		parent = next
	}
	return e
}

// pathError is e at another path (with "#Spec" first, as CUE's own).
type pathError struct {
	e    errors.Error
	path []string
}

func (p *pathError) Position() token.Pos         { return p.e.Position() }
func (p *pathError) InputPositions() []token.Pos { return p.e.InputPositions() }
func (p *pathError) Path() []string              { return append([]string{"#Spec"}, p.path...) }
func (p *pathError) Msg() (string, []any)        { return p.e.Msg() }
func (p *pathError) Error() string               { return p.e.Error() }
