package main

import (
	"context"
	"os"

	"github.com/milvusgen/milvusgen/internal/watchdog"
)

// Time budgets of a command's stages, as multiples of the watchdog's base
// budget (watchdog.Default.Time, 10 s, or $MILVUSGEN_TIME_BUDGET). A spec
// evaluates and renders in milliseconds and hydrates in about a second, so
// these only stop runaway input; the heap budget holds in every stage.
const (
	stageLoad    = 1 // reading and evaluating a spec or a fleet file
	stageRender  = 1 // rendering one tree
	stageHydrate = 6 // templating the charts of one tree
	stageWrite   = 6 // writing or checking one tree (fsync-bound)
)

// watch starts the command's watchdog, once, and names the stage it is
// in with its time budget (scale × the base budget). CUE and Helm's
// engine cannot be cancelled, so the watchdog ends the process, with a
// message naming the stage, when a budget is exceeded.
func (e *env) watch(what string, scale float64) error {
	if e.dog == nil {
		limits, err := watchdog.Default.FromEnv(os.Getenv)
		if err != nil {
			return usageError{err.Error()}
		}
		e.dog = watchdog.New(context.Background(), limits)
	}
	e.dog.Stage(what, scale)
	return nil
}

// unwatch stops the watchdog before a stage that waits on the network or
// a cluster (apply, verify, chart pull), which has its own timeouts.
func (e *env) unwatch() {
	if e.dog != nil {
		e.dog.Stop()
		e.dog = nil
	}
}

// fleetScale is a per-tree stage's scale for n trees: one tree's budget
// per ten, as they run in parallel.
func fleetScale(n int) float64 { return float64(1 + n/10) }
