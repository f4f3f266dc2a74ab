package spec

import (
	"fmt"
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
