package watchdog

import (
	"context"
	"strings"
	"testing"
	"time"
)

// backstop only keeps a broken watchdog from hanging the test; no
// assertion depends on how fast anything runs.
const backstop = time.Minute

func TestHeapBudget(t *testing.T) {
	got := make(chan error, 1)
	stop := Start(context.Background(), Limits{What: "rendering spec.cue", HeapBytes: 1, Poll: time.Millisecond, OnBreach: func(err error) { got <- err }})
	defer stop()
	select {
	case err := <-got:
		if !strings.Contains(err.Error(), "rendering spec.cue used more than 0 MiB of memory") {
			t.Errorf("message = %q", err)
		}
	case <-time.After(backstop):
		t.Fatal("no breach reported for a 1-byte heap budget")
	}
}

func TestTimeBudget(t *testing.T) {
	got := make(chan error, 1)
	stop := Start(context.Background(), Limits{What: "validating spec.cue", Time: time.Nanosecond, OnBreach: func(err error) { got <- err }})
	defer stop()
	select {
	case err := <-got:
		if !strings.Contains(err.Error(), "validating spec.cue took longer than 1ns") || !strings.Contains(err.Error(), "without bound") {
			t.Errorf("message = %q", err)
		}
	case <-time.After(backstop):
		t.Fatal("no breach reported for a 1ns budget")
	}
}

// TestStopped: a stopped watchdog reports nothing, however long after.
func TestStopped(t *testing.T) {
	got := make(chan error, 1)
	stop := Start(context.Background(), Limits{Time: time.Hour, HeapBytes: 1 << 62, Poll: time.Millisecond, OnBreach: func(err error) { got <- err }})
	stop()
	stop() // idempotent
	select {
	case err := <-got:
		t.Errorf("stopped watchdog reported %v", err)
	default:
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"MILVUSGEN_TIME_BUDGET": "30s", "MILVUSGEN_MEMORY_BUDGET": "4096"}
	l, err := Default.FromEnv(func(k string) string { return env[k] })
	if err != nil || l.Time != 30*time.Second || l.HeapBytes != 4096<<20 {
		t.Errorf("FromEnv = %+v, %v", l, err)
	}
	for _, bad := range []map[string]string{{"MILVUSGEN_TIME_BUDGET": "soon"}, {"MILVUSGEN_MEMORY_BUDGET": "4Gi"}} {
		if _, err := Default.FromEnv(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("FromEnv(%v) accepted", bad)
		}
	}
	if l, _ := Default.FromEnv(func(string) string { return "" }); l.Time != Default.Time || l.HeapBytes != Default.HeapBytes {
		t.Errorf("FromEnv without variables changed the limits: %+v", l)
	}
}

// TestStage: each stage has its own time budget, and the message names the
// stage that ran past it; the heap budget holds across stages.
func TestStage(t *testing.T) {
	got := make(chan error, 1)
	w := New(context.Background(), Limits{Time: time.Hour, Poll: time.Millisecond, OnBreach: func(err error) { got <- err }})
	defer w.Stop()
	w.Stage("evaluating spec.cue", 1)
	w.Stage("hydrating the charts of -f spec.cue", 1e-9) // the budget of this stage: 3.6µs
	select {
	case err := <-got:
		if !strings.Contains(err.Error(), "hydrating the charts of -f spec.cue took longer than 3.6µs") {
			t.Errorf("message = %q", err)
		}
	case <-time.After(backstop):
		t.Fatal("no breach reported for the second stage")
	}
}
