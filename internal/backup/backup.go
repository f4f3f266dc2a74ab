package backup

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// Outcome is how a Job ended.
type Outcome string

// Outcomes of a Job.
const (
	Succeeded Outcome = "succeeded"
	Failed    Outcome = "failed"
	Running   Outcome = "running"
)

// Result is one backup Job and how it ended.
type Result struct {
	Job      string    `json:"job"`
	Outcome  Outcome   `json:"outcome"`
	Finished time.Time `json:"finished,omitzero"`
	Reason   string    `json:"reason,omitempty"`
}

// outcome reads a Job's conditions (the Job controller's Complete or
// Failed, also on Jobs it no longer tracks).
func outcome(j *batchv1.Job) Result {
	r := Result{Job: j.Name, Outcome: Running}
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			r.Outcome, r.Finished = Succeeded, c.LastTransitionTime.Time
			if j.Status.CompletionTime != nil {
				r.Finished = j.Status.CompletionTime.Time
			}
		case batchv1.JobFailed:
			r.Outcome, r.Finished, r.Reason = Failed, c.LastTransitionTime.Time, strings.TrimSpace(c.Reason+": "+c.Message)
		}
	}
	return r
}

// Now creates a Job from the CronJob ns/name as `kubectl create job
// --from=cronjob/NAME` does (the CronJob's job template, owned by it,
// annotated as a manual run) and waits, polling every poll, until it
// succeeds, fails or ctx ends. now names the Job.
func Now(ctx context.Context, c kubernetes.Interface, ns, name string, now time.Time, poll time.Duration) (Result, error) {
	cj, err := c.BatchV1().CronJobs(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Result{}, fmt.Errorf("CronJob %s/%s not found: add a backup section to the spec, render and apply it first", ns, name)
	}
	if err != nil {
		return Result{}, fmt.Errorf("CronJob %s/%s get failed: %w", ns, name, err)
	}
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Name:        jobName(name, now),
			Namespace:   ns,
			Labels:      cj.Spec.JobTemplate.Labels,
			Annotations: map[string]string{"cronjob.kubernetes.io/instantiate": "manual"},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "batch/v1", Kind: "CronJob", Name: cj.Name, UID: cj.UID, Controller: ptr(true),
			}},
		},
		Spec: cj.Spec.JobTemplate.Spec,
	}
	job, err = c.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{FieldManager: "milvusgen"})
	if err != nil {
		return Result{}, fmt.Errorf("Job %s/%s create failed: %w", ns, jobName(name, now), err)
	}
	var r Result
	err = wait.PollUntilContextCancel(ctx, poll, true, func(ctx context.Context) (bool, error) {
		j, err := c.BatchV1().Jobs(ns).Get(ctx, job.Name, metav1.GetOptions{})
		if err != nil {
			return false, fmt.Errorf("Job %s/%s get failed: %w", ns, job.Name, err)
		}
		r = outcome(j)
		return r.Outcome != Running, nil
	})
	if err != nil && r.Outcome == Running {
		return r, fmt.Errorf("Job %s/%s still running when the wait ended (%v); follow it with kubectl -n %s logs -f job/%s", ns, job.Name, err, ns, job.Name)
	}
	return r, err
}

// jobName is "<cronjob>-manual-<unix seconds>", cut to a DNS label.
func jobName(cronjob string, now time.Time) string {
	suffix := fmt.Sprintf("-manual-%d", now.Unix())
	if len(cronjob)+len(suffix) > 63 {
		cronjob = strings.TrimRight(cronjob[:63-len(suffix)], "-")
	}
	return cronjob + suffix
}

// Last returns the newest finished Job with the CronJob's job template
// labels in ns (scheduled and manual runs alike), or ok false when none
// has finished.
func Last(ctx context.Context, c kubernetes.Interface, ns, name string) (r Result, ok bool, err error) {
	cj, err := c.BatchV1().CronJobs(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return r, false, fmt.Errorf("CronJob %s/%s not found: add a backup section to the spec, render and apply it first", ns, name)
	}
	if err != nil {
		return r, false, fmt.Errorf("CronJob %s/%s get failed: %w", ns, name, err)
	}
	list, err := c.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(cj.Spec.JobTemplate.Labels).String()})
	if err != nil {
		return r, false, fmt.Errorf("Jobs of %s/%s list failed: %w", ns, name, err)
	}
	var done []Result
	for i := range list.Items {
		if res := outcome(&list.Items[i]); res.Outcome != Running {
			done = append(done, res)
		}
	}
	if len(done) == 0 {
		return r, false, nil
	}
	sort.Slice(done, func(i, j int) bool { return done[i].Finished.After(done[j].Finished) })
	return done[0], true, nil
}

// Fresh says whether the newest finished backup succeeded within maxAge
// of now; the error says what is wrong and what to run.
func Fresh(r Result, ok bool, now time.Time, maxAge time.Duration) error {
	switch {
	case !ok:
		return fmt.Errorf("no milvus-backup Job has finished yet; run milvusgen backup now")
	case r.Outcome == Failed:
		return fmt.Errorf("the newest backup Job %s failed at %s (%s); see kubectl logs job/%s, fix it, then run milvusgen backup now", r.Job, r.Finished.UTC().Format(time.RFC3339), r.Reason, r.Job)
	case now.Sub(r.Finished) > maxAge:
		return fmt.Errorf("the newest successful backup (Job %s) finished at %s, %s ago, more than %s; run milvusgen backup now", r.Job, r.Finished.UTC().Format(time.RFC3339), now.Sub(r.Finished).Round(time.Minute), maxAge)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
