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

// Start watches until ctx is done or stop is called.
func Start(ctx context.Context, l Limits) (stop func()) {
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
	var deadline <-chan time.Time
	if l.Time > 0 {
		t := time.NewTimer(l.Time)
		deadline = t.C
		context.AfterFunc(ctx, func() { t.Stop() })
	}
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
			case <-deadline:
				breach(fmt.Errorf("%s took longer than %s, milvusgen's time budget; "+
					"a spec evaluates in well under a second, so look for CUE that generates values without bound (comprehensions or references that double at every step)", l.What, l.Time))
				return
			case <-tick.C:
				if l.HeapBytes == 0 {
					continue
				}
				metrics.Read(sample)
				if sample[0].Value.Kind() != metrics.KindUint64 {
					continue
				}
				if used := sample[0].Value.Uint64(); used > l.HeapBytes {
					breach(fmt.Errorf("%s used more than %d MiB of memory, milvusgen's budget; "+
						"a spec needs a few MiB, so look for CUE that generates values without bound (comprehensions or references that double at every step)", l.What, l.HeapBytes>>20))
					return
				}
			}
		}
	}()
	return cancel
}

func exit(err error) {
	fmt.Fprintln(os.Stderr, "milvusgen: "+err.Error())
	os.Exit(1)
}
