package spec

import (
	"fmt"

	"cuelang.org/go/cue/errors"
)

// Errorf is a problem with a spec field found outside Load (a check
// against a rendered tree, such as the upgrade rules of validate -o),
// positioned where the user's files set the field, or at the first file
// when they leave it to its default.
func (r *Result) Errorf(path, format string, args ...any) errors.Error {
	pos, _ := r.Pos(path)
	return &fieldError{pos: pos, path: splitPath(path), msg: fmt.Sprintf(format, args...)}
}
