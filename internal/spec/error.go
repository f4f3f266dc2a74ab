package spec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// fieldError is a positioned problem with one spec field. It implements
// cue/errors.Error, so errors.Print shows "path: message:" then the position.
type fieldError struct {
	pos  token.Pos
	path []string
	msg  string
}

var _ errors.Error = (*fieldError)(nil)

func (e *fieldError) Position() token.Pos         { return e.pos }
func (e *fieldError) InputPositions() []token.Pos { return nil }
func (e *fieldError) Path() []string              { return e.path }
func (e *fieldError) Msg() (string, []any)        { return "%s", []any{e.msg} }
func (e *fieldError) Error() string {
	if len(e.path) == 0 {
		return e.msg
	}
	return strings.Join(e.path, ".") + ": " + e.msg
}

// splitPath turns "milvus.service.scheme" or "cluster.nodeGroups.0.name"
// into path elements.
func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

// report collects field errors and warnings with their positions.
type report struct {
	pos      func(path []string) token.Pos
	errs     errors.Error
	warnings []errors.Error
	paths    map[string]bool // paths with an error, to drop CUE's duplicates
	// set reports whether the user wrote a value at path (rather than the
	// schema defaulting it).
	set func(path string) bool
	// invalid are the paths with unknown or invalid values, which rule
	// checks must not read.
	invalid invalidSet
}

// sound reports whether the rule inputs at paths are all sound.
func (r *report) sound(paths ...string) bool { return r.invalid.clean(paths...) }

func (r *report) errorf(path, format string, args ...any) {
	if r.paths[path] {
		return // one problem, one message: the first rule to see it says it
	}
	p := splitPath(path)
	r.errs = errors.Append(r.errs, &fieldError{pos: r.pos(p), path: p, msg: fmt.Sprintf(format, args...)})
	if r.paths == nil {
		r.paths = map[string]bool{}
	}
	r.paths[path] = true
}

func (r *report) warnf(path, format string, args ...any) {
	p := splitPath(path)
	r.warnings = append(r.warnings, &fieldError{pos: r.pos(p), path: p, msg: fmt.Sprintf(format, args...)})
}

// covers reports whether a Go-side error was already reported at path or at
// one of its parents, so CUE's less helpful message for it can be dropped.
func (r *report) covers(path []string) bool {
	for i := len(path); i > 0; i-- {
		if r.paths[strings.Join(path[:i], ".")] {
			return true
		}
	}
	return false
}

// Warning is a warning that comes with the errors of a spec that did not
// load, so that one run shows every problem (errors.Errors lists it among
// them, in file order). IsWarning tells it apart.
type Warning struct{ W errors.Error }

func (w *Warning) Position() token.Pos         { return w.W.Position() }
func (w *Warning) InputPositions() []token.Pos { return w.W.InputPositions() }
func (w *Warning) Path() []string              { return w.W.Path() }
func (w *Warning) Msg() (string, []any)        { return w.W.Msg() }
func (w *Warning) Error() string               { return w.W.Error() }

// IsWarning reports whether e is a warning rather than an error.
func IsWarning(e errors.Error) bool {
	_, ok := e.(*Warning)
	return ok
}

// Problems counts the errors and warnings in err.
func Problems(err error) (errs, warnings int) {
	for _, e := range errors.Errors(err) {
		if IsWarning(e) {
			warnings++
		} else {
			errs++
		}
	}
	return errs, warnings
}

// sortByPosition orders problems as the user reads the files: by the
// file's place among the sources, then line and column. Problems without a
// position keep their order, after the positioned ones.
func sortByPosition(es []errors.Error, order map[string]int) {
	slices.SortStableFunc(es, func(a, b errors.Error) int {
		pa, pb := a.Position(), b.Position()
		switch {
		case !pa.IsValid() || !pb.IsValid():
			return cmp.Compare(boolInt(!pa.IsValid()), boolInt(!pb.IsValid()))
		case pa.Filename() != pb.Filename():
			return cmp.Compare(order[pa.Filename()], order[pb.Filename()])
		case pa.Line() != pb.Line():
			return cmp.Compare(pa.Line(), pb.Line())
		}
		return cmp.Compare(pa.Column(), pb.Column())
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
