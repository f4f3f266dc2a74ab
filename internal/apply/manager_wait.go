package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// WaitOptions control Wait.
type WaitOptions struct {
	// Interval between two polls of the objects.
	Interval time.Duration
	// Timeout bounds the whole wait, checked between passes: the pass
	// under way finishes first (each read at most readTimeout).
	Timeout time.Duration
	// Progress, when set, is called after the first poll and after every
	// poll in which some object's status changed.
	Progress func(Progress)
}

// DefaultWaitOptions polls every 2 seconds for up to 10 minutes.
func DefaultWaitOptions() WaitOptions {
	return WaitOptions{Interval: 2 * time.Second, Timeout: 10 * time.Minute}
}

// Status is the readiness of one object: kstatus's Current, InProgress,
// Failed, NotFound or Unknown, with its message.
type Status struct {
	Subject string
	Status  string
	Message string
}

func (s Status) String() string {
	if s.Message == "" {
		return s.Subject + " " + s.Status
	}
	return s.Subject + " " + s.Status + ": " + s.Message
}

// Progress is a snapshot of a Wait.
type Progress struct {
	Elapsed      time.Duration
	Ready, Total int
	// NotReady lists the objects that are not Current, in apply order.
	NotReady []Status
}

// Wait polls objs until every one is ready (kstatus Current), or some
// failed and the rest are ready, or the timeout. Flux objects are ready
// only once their controller reconciled the current generation and set
// Ready=True; Argo CD Applications once they are Healthy and Synced at
// the current revision (applicationStatus). The error names every object
// that is not ready.
func (m *Manager) Wait(ctx context.Context, objs []Object, opts WaitOptions) error {
	if opts.Interval <= 0 {
		opts.Interval = DefaultWaitOptions().Interval
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultWaitOptions().Timeout
	}
	ordered := make([]Object, 0, len(objs))
	for _, st := range stages(objs) {
		ordered = append(ordered, st...)
	}
	start := time.Now()
	// The timeout ends the wait between passes. The reads of a pass run
	// under the caller's context, so the deadline never cuts one short
	// (nor does the client's rate limiter refuse one for it): the report
	// is always the objects' state, never "context deadline exceeded".
	reads := ctx
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	var last string
	for {
		p := Progress{Total: len(ordered)}
		var failed []Status
		for _, o := range ordered {
			rctx, cancelRead := context.WithTimeout(reads, readTimeout)
			s := m.status(rctx, o.Object)
			cancelRead()
			switch s.Status {
			case status.CurrentStatus.String():
				p.Ready++
			case status.FailedStatus.String():
				failed = append(failed, s)
				p.NotReady = append(p.NotReady, s)
			default:
				p.NotReady = append(p.NotReady, s)
			}
		}
		p.Elapsed = time.Since(start)
		if key := fmt.Sprint(p.Ready, p.NotReady); key != last && opts.Progress != nil {
			opts.Progress(p)
			last = key
		}
		switch {
		case len(p.NotReady) == 0:
			return nil
		case len(failed) == len(p.NotReady):
			return fmt.Errorf("%d of %d objects failed: %s", len(failed), p.Total, joinStatus(failed))
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("timed out after %s waiting for %d of %d objects: %s", opts.Timeout, len(p.NotReady), p.Total, joinStatus(p.NotReady))
			}
			return ctx.Err()
		case <-time.After(opts.Interval):
		}
	}
}

// readTimeout bounds one status read during a wait, so an API server that
// stops answering cannot hold a wait past its timeout for long.
const readTimeout = 30 * time.Second

func joinStatus(ss []Status) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.String()
	}
	return strings.Join(parts, "; ")
}

// status reads one object and computes its readiness.
func (m *Manager) status(ctx context.Context, u *unstructured.Unstructured) Status {
	s := Status{Subject: Object{Object: u}.Subject()}
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(u.GroupVersionKind())
	if err := m.client.Get(ctx, client.ObjectKeyFromObject(u), live); err != nil {
		if apierrors.IsNotFound(err) {
			s.Status = status.NotFoundStatus.String()
		} else {
			s.Status, s.Message = status.UnknownStatus.String(), describe(rootCause(err))
		}
		return s
	}
	if isApplication(live) {
		s.Status, s.Message = applicationStatus(live)
		return s
	}
	if strings.HasSuffix(live.GroupVersionKind().Group, ".toolkit.fluxcd.io") {
		s.Status, s.Message = fluxStatus(live)
		return s
	}
	res, err := status.Compute(live)
	if err != nil {
		s.Status, s.Message = status.UnknownStatus.String(), err.Error()
		return s
	}
	s.Status, s.Message = res.Status.String(), res.Message
	if s.Status == status.CurrentStatus.String() {
		s.Message = ""
	}
	return s
}

// fluxStatus is kstatus for Flux objects, which kstatus would call Current
// before their controller ever saw them: they must have reconciled the
// current generation with Ready=True; Stalled=True means failed.
func fluxStatus(u *unstructured.Unstructured) (string, string) {
	var conds []metav1.Condition
	raw, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		c := metav1.Condition{}
		c.Type, _ = m["type"].(string)
		st, _ := m["status"].(string)
		c.Status = metav1.ConditionStatus(st)
		c.Message, _ = m["message"].(string)
		conds = append(conds, c)
	}
	find := func(t string) *metav1.Condition {
		for i := range conds {
			if conds[i].Type == t {
				return &conds[i]
			}
		}
		return nil
	}
	if c := find("Stalled"); c != nil && c.Status == metav1.ConditionTrue {
		return status.FailedStatus.String(), c.Message
	}
	og, found, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	if !found || og < u.GetGeneration() {
		return status.InProgressStatus.String(), fmt.Sprintf("waiting for the Flux controller to reconcile generation %d", u.GetGeneration())
	}
	switch c := find("Ready"); {
	case c == nil:
		return status.InProgressStatus.String(), "no Ready condition yet"
	case c.Status == metav1.ConditionTrue:
		return status.CurrentStatus.String(), ""
	default:
		return status.InProgressStatus.String(), c.Message
	}
}
