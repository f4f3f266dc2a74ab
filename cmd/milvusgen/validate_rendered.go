package main

import (
	"fmt"
	"os"

	"github.com/milvusgen/milvusgen/internal/agreement"
	"github.com/milvusgen/milvusgen/internal/fleet"
)

// renderedFlag is validate's flag that checks a rendered tree instead of a
// spec.
const renderedFlag = "rendered"

// validateRendered checks that the artifacts of the tree in dir agree with
// each other and lists every disagreement: exit 0 when they agree, 1 when
// not, 2 when dir is not a directory or a spec was given too.
func (e *env) validateRendered(dir string, specs []string) error {
	if len(specs) > 0 {
		return usageError{fmt.Sprintf("validate: --%s checks a rendered tree and takes no -f; to compare a tree with a spec run: milvusgen render %s -o %s --check", renderedFlag, flagList(specs), dir)}
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError{fmt.Sprintf("validate: --%s %s: not a directory", renderedFlag, dir)}
	}
	if err := e.watch("reading the tree "+dir, stageWrite); err != nil {
		return err
	}
	e.warnFluxPath("", dir)
	problems := agreement.Check(os.DirFS(dir))
	// A tree in a Git work tree must have been rendered for its place there.
	if rel, _, ok, err := fleet.WorkTreePath(dir); err == nil && ok {
		problems = append(problems, agreement.GitPath(os.DirFS(dir), rel)...)
	}
	if len(problems) == 0 {
		e.printf("%s: the rendered artifacts agree\n", dir)
		return nil
	}
	noun := "problem"
	if len(problems) > 1 {
		noun = "problems"
	}
	fmt.Fprintf(e.stderr, "%s: the rendered artifacts disagree (%d %s):\n", dir, len(problems), noun)
	for _, p := range problems {
		fmt.Fprintf(e.stderr, "  %s\n", p)
	}
	return errReported
}

// warnFluxPath prints what would break with Flux pointed at the tree in dir
// (fleet.FluxPathWarnings); env names the fleet environment, if any.
func (e *env) warnFluxPath(envName, dir string) {
	ws, err := fleet.FluxPathWarnings(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "warning: cannot look below %s for other trees: %v\n", dir, err)
	}
	for _, w := range ws {
		if envName != "" {
			w = "environment " + envName + ": " + w
		}
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
}
