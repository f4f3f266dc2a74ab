// Package watchdog bounds a command's run time and heap. CUE (v0.17.1)
// cannot cancel an evaluation, and a small spec can ask for an exponential
// one (a raw value that doubles at every step), so the CLI starts a
// watchdog around validate, render and fleet renders: past either budget
// it ends the process with a message that says which budget and why,
// instead of hanging or being killed by the kernel.
package watchdog

import (
	"context"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"
)

// Limits are the budgets of one command.
type Limits struct {
	// What names the work in the message ("rendering spec.cue").
	What string
	// Time is the wall-clock budget; 0 means none.
	Time time.Duration
	// HeapBytes bounds the heap's live and unswept objects; 0 means none.
	HeapBytes uint64
	// Poll is how often the heap is read; 0 means 50ms.
	Poll time.Duration
	// OnBreach is called once when a budget is exceeded. The default
	// prints the error to stderr and exits with status 1 (invalid input).
	OnBreach func(error)
}

// Default are the CLI's budgets: a spec evaluates in milliseconds and a
// fleet render in seconds, so these only stop runaway input.
var Default = Limits{Time: 10 * time.Second, HeapBytes: 2 << 30}

// FromEnv returns l with the budgets MILVUSGEN_TIME_BUDGET (a Go
// duration, "30s") and MILVUSGEN_MEMORY_BUDGET (MiB) set in the
// environment, for fleets whose specs need more; "0" turns a budget off.
func (l Limits) FromEnv(getenv func(string) string) (Limits, error) {
	if v := getenv("MILVUSGEN_TIME_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return l, fmt.Errorf("MILVUSGEN_TIME_BUDGET=%q is not a duration such as \"30s\"", v)
		}
		l.Time = d
	}
	if v := getenv("MILVUSGEN_MEMORY_BUDGET"); v != "" {
		mib, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return l, fmt.Errorf("MILVUSGEN_MEMORY_BUDGET=%q is not a number of MiB such as \"4096\"", v)
		}
		l.HeapBytes = mib << 20
	}
	return l, nil
}

// For returns l naming the work in its message.
func (l Limits) For(what string) Limits {
	l.What = what
	return l
}

// heapMetric counts the bytes of heap objects, live or not yet swept: it
// grows as soon as an evaluation allocates, before the next GC.
const heapMetric = "/memory/classes/heap/objects:bytes"

// Start watches until ctx is done or stop is called, with one time
// budget, l.Time, for the whole run.
func Start(ctx context.Context, l Limits) (stop func()) {
	w := New(ctx, l)
	w.Stage(l.What, 1)
	return w.Stop
}

// Watchdog watches a command through its stages (loading, rendering,
// hydrating, writing): the heap budget holds throughout, and each stage
// has its own time budget, a multiple of Limits.Time, so a message names
// the stage that ran away.
type Watchdog struct {
	l      Limits
	cancel func()

	mu       sync.Mutex
	what     string
	budget   time.Duration
	deadline time.Time // zero: no time budget
}

// New starts a watchdog with the heap budget only; Stage sets the time
// budget.
func New(ctx context.Context, l Limits) *Watchdog {
	if l.Poll <= 0 {
		l.Poll = 50 * time.Millisecond
	}
	if l.OnBreach == nil {
		l.OnBreach = exit
	}
	if l.What == "" {
		l.What = "evaluating the spec"
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Watchdog{l: l, cancel: cancel, what: l.What}
	var once sync.Once
	breach := func(err error) { once.Do(func() { l.OnBreach(err) }) }
	go func() {
		tick := time.NewTicker(l.Poll)
		defer tick.Stop()
		sample := []metrics.Sample{{Name: heapMetric}}
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				w.mu.Lock()
				what, budget, deadline := w.what, w.budget, w.deadline
				w.mu.Unlock()
				if !deadline.IsZero() && !now.Before(deadline) {
					breach(fmt.Errorf("%s took longer than %s, milvusgen's time budget; "+
						"a spec evaluates in well under a second, so look for CUE that generates values without bound (comprehensions or references that double at every step)", what, budget))
					return
				}
				if l.HeapBytes == 0 {
					continue
				}
				metrics.Read(sample)
				if sample[0].Value.Kind() != metrics.KindUint64 {
					continue
				}
				if used := sample[0].Value.Uint64(); used > l.HeapBytes {
					breach(fmt.Errorf("%s used more than %d MiB of memory, milvusgen's budget; "+
						"a spec needs a few MiB, so look for input that generates values without bound (CUE comprehensions or references that double at every step, raw values or replica numbers that make a chart loop)", what, l.HeapBytes>>20))
					return
				}
			}
		}
	}()
	return w
}

// Stage names the work from now on and gives it scale × Limits.Time
// (none when Limits.Time is 0); the previous stage's budget ends.
func (w *Watchdog) Stage(what string, scale float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.what = what
	w.budget, w.deadline = 0, time.Time{}
	if w.l.Time > 0 && scale > 0 {
		w.budget = time.Duration(float64(w.l.Time) * scale)
		w.deadline = time.Now().Add(w.budget)
	}
}

// Stop ends the watch; it is idempotent.
func (w *Watchdog) Stop() { w.cancel() }

func exit(err error) {
	fmt.Fprintln(os.Stderr, "milvusgen: "+err.Error())
	os.Exit(1)
}
