package simcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// Ordering stages (issue 21 item 3). A cluster started with HoldReadiness
// keeps every pod Pending and unready until the test releases it, so a
// test applies one commit's tree after another (Cluster.Apply) and decides
// itself which new pods come up when, as a slow or failing component would
// in a real upgrade. A Recorder notes when each pod became ready and with
// which images, and Before checks an order on that record.

// Release lets the pods of namespace ns (every namespace when "") that
// match keep become ready (kwok marks them running and ready after
// ReadyDelay). It returns the names released.
func (c *Cluster) Release(ns string, keep func(*corev1.Pod) bool) []string {
	c.t.Helper()
	ctx := c.ctx()
	pods, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]any{ReleaseAnnotation: "true"}}})
	var out []string
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.Annotations[ReleaseAnnotation] == "true" || p.DeletionTimestamp != nil || (keep != nil && !keep(p)) {
			continue
		}
		_, err := c.Client.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.MergePatchType, patch, metav1.PatchOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			c.t.Fatalf("releasing pod %s/%s: %v", p.Namespace, p.Name, err)
		}
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

// ReleaseUntil releases the pods of ns that match keep as they appear,
// until done returns true or the timeout passes; it reports whether done
// did. A Deployment rolling with a surge creates its new pods one by one,
// each waiting for the last to be ready: this lets one component roll
// while the others stay held.
func (c *Cluster) ReleaseUntil(ns string, keep func(*corev1.Pod) bool, done func() bool, timeout time.Duration) bool {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		c.Release(ns, keep)
		time.Sleep(200 * time.Millisecond)
	}
	return true
}

// Rolled reports whether the Deployment or StatefulSet ns/name finished
// rolling out: its controller saw the latest spec, and every replica is
// updated and ready (available, for a Deployment), none left over.
func (c *Cluster) Rolled(kind, ns, name string) bool {
	c.t.Helper()
	ctx := c.ctx()
	switch kind {
	case "Deployment":
		d, err := c.Client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			c.t.Fatal(err)
		}
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		st := d.Status
		return st.ObservedGeneration >= d.Generation && st.UpdatedReplicas == want && st.AvailableReplicas == want && st.Replicas == want
	case "StatefulSet":
		s, err := c.Client.AppsV1().StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			c.t.Fatal(err)
		}
		want := int32(1)
		if s.Spec.Replicas != nil {
			want = *s.Spec.Replicas
		}
		st := s.Status
		return st.ObservedGeneration >= s.Generation && st.UpdatedReplicas == want && st.ReadyReplicas == want && st.CurrentRevision == st.UpdateRevision
	}
	c.t.Fatalf("Rolled: unsupported kind %s", kind)
	return false
}

// Component is the chart's name for a pod's component: its component
// label (Milvus), else app.kubernetes.io/component, else
// app.kubernetes.io/name (etcd and the queues' subcharts).
func Component(p *corev1.Pod) string {
	for _, k := range []string{"component", "app.kubernetes.io/component", "app.kubernetes.io/name"} {
		if v := p.Labels[k]; v != "" {
			return v
		}
	}
	return ""
}

// ReadyEvent is a pod becoming ready.
type ReadyEvent struct {
	// At is when the Recorder saw it ready; Created the pod's creation.
	At, Created    time.Time
	Pod, Component string
	Images         []string
}

// NewImage matches the events of pods running an image whose reference
// contains s (a tag: ":v2.6.15").
func NewImage(s string) func(ReadyEvent) bool {
	return func(e ReadyEvent) bool {
		for _, i := range e.Images {
			if strings.Contains(i, s) {
				return true
			}
		}
		return false
	}
}

// CreatedAfter matches the events of pods created after t (with the API
// server's one-second resolution: at or after t truncated to seconds).
func CreatedAfter(t time.Time) func(ReadyEvent) bool {
	t = t.Truncate(time.Second)
	return func(e ReadyEvent) bool { return !e.Created.Before(t) }
}

// Recorder records the moments pods of one namespace become ready.
type Recorder struct {
	mu     sync.Mutex
	events []ReadyEvent
	seen   map[string]bool
	w      watch.Interface
	done   chan struct{}
}

// Record starts recording the pods of ns that become ready from now on;
// Stop ends it.
func (c *Cluster) Record(ns string) *Recorder {
	c.t.Helper()
	// Pods ready before the recording are not events of it.
	list, err := c.Client.CoreV1().Pods(ns).List(c.ctx(), metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range list.Items {
		if podReady(&list.Items[i]) {
			seen[string(list.Items[i].UID)] = true
		}
	}
	w, err := c.Client.CoreV1().Pods(ns).Watch(context.Background(), metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		c.t.Fatal(err)
	}
	r := &Recorder{w: w, seen: seen, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for ev := range w.ResultChan() {
			p, ok := ev.Object.(*corev1.Pod)
			if !ok || ev.Type == watch.Deleted || !podReady(p) {
				continue
			}
			r.mu.Lock()
			if !r.seen[string(p.UID)] {
				r.seen[string(p.UID)] = true
				var images []string
				for _, c := range p.Spec.Containers {
					images = append(images, c.Image)
				}
				r.events = append(r.events, ReadyEvent{At: time.Now(), Created: p.CreationTimestamp.Time, Pod: p.Name, Component: Component(p), Images: images})
			}
			r.mu.Unlock()
		}
	}()
	return r
}

// Stop ends the recording and returns the events in order.
func (r *Recorder) Stop() []ReadyEvent {
	r.w.Stop()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ReadyEvent(nil), r.events...)
}

// Events returns the events so far, in order.
func (r *Recorder) Events() []ReadyEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ReadyEvent(nil), r.events...)
}

// Before checks, among the events isNew matches (pods of the new
// version), that a pod of component first became ready before any pod of
// the components in then, and that one did. It returns a description of
// the first violation, or "".
func Before(events []ReadyEvent, isNew func(ReadyEvent) bool, first string, then ...string) string {
	var firstAt time.Time
	for _, e := range events {
		if !isNew(e) {
			continue
		}
		if e.Component == first {
			if firstAt.IsZero() {
				firstAt = e.At
			}
			continue
		}
		for _, t := range then {
			if e.Component == t && firstAt.IsZero() {
				return fmt.Sprintf("new %s %s became ready before any new %s", t, e.Pod, first)
			}
		}
	}
	if firstAt.IsZero() {
		return fmt.Sprintf("no new %s became ready", first)
	}
	return ""
}
