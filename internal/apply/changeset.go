package apply

import (
	"errors"
	"fmt"
	"strings"
)

// Action says what happened, or with DryRun would happen, to one object.
type Action string

// Actions of a Change. The first four are ssa's.
const (
	Created    Action = "created"
	Configured Action = "configured"
	Unchanged  Action = "unchanged"
	Deleted    Action = "deleted"
	// Skipped: a prune candidate left in place; Note says why.
	Skipped Action = "skipped"
	// Failed: the API server refused the object; Err says why.
	Failed Action = "failed"
)

// Change is the fate of one object.
type Change struct {
	// Subject is Kind/namespace/name.
	Subject string
	// File is the rendered file of the object; empty for pruned objects,
	// which are known only from the inventory.
	File   string
	Action Action
	// Fields lists the changed field paths of a Configured object, when
	// known (dry run).
	Fields []string
	// Note explains a Skipped change or an unvalidated dry-run result.
	Note string
	// Err is set when Action is Failed; it is an *ObjectError.
	Err error
}

// String prints the change as Flux and kubectl do:
// "HelmRelease/milvus/milvus-demo configured".
func (c Change) String() string { return c.Subject + " " + string(c.Action) }

// ObjectError is an API server error about one object, with the file the
// object came from.
type ObjectError struct {
	Subject string
	File    string
	Err     error
}

func (e *ObjectError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("%s: %s", e.Subject, describe(e.Err))
	}
	return fmt.Sprintf("%s (%s): %s", e.Subject, e.File, describe(e.Err))
}

func (e *ObjectError) Unwrap() error { return e.Err }

// Result is the outcome of one Apply, in apply order (prune last).
type Result struct {
	DryRun  bool
	Changes []Change
	// Stale lists objects milvusgen applied before that are no longer
	// rendered, left in place because pruning was not asked for.
	Stale []string
}

// Count returns how many changes have action a.
func (r *Result) Count(a Action) int {
	n := 0
	for _, c := range r.Changes {
		if c.Action == a {
			n++
		}
	}
	return n
}

// Changed reports whether anything was (or would be) created, configured
// or deleted.
func (r *Result) Changed() bool {
	return r.Count(Created)+r.Count(Configured)+r.Count(Deleted) > 0
}

// Err returns the failed objects' errors joined, or nil. It may represent
// more than one error; errors.Join's Unwrap() []error lists them.
func (r *Result) Err() error {
	var errs []error
	for _, c := range r.Changes {
		if c.Action == Failed {
			errs = append(errs, c.Err)
		}
	}
	return errors.Join(errs...)
}

// Summary is a one-line count of the actions, e.g.
// "7 objects: 2 created, 1 configured, 4 unchanged".
func (r *Result) Summary() string {
	var parts []string
	for _, a := range []Action{Created, Configured, Unchanged, Deleted, Skipped, Failed} {
		if n := r.Count(a); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, a))
		}
	}
	noun := "objects"
	if len(r.Changes) == 1 {
		noun = "object"
	}
	s := fmt.Sprintf("%d %s", len(r.Changes), noun)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}
