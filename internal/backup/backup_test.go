package backup_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/milvusgen/milvusgen/internal/backup"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/testenv"
	renderbackup "github.com/milvusgen/milvusgen/render/backup"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// load is the upgrade example at 2.6.15 with its backup section, in its
// own namespace of the shared API server.
func load(t *testing.T, ns string) *spec.Result {
	t.Helper()
	var srcs []spec.Source
	for _, f := range []string{"../../examples/upgrade/base.cue", "../../examples/upgrade/2.6.15.cue"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, spec.Source{Name: f, Data: data})
	}
	srcs = append(srcs, spec.Source{Name: "ns.cue", Data: []byte(`milvus: namespace: "` + ns + `"` + "\n")})
	res, err := spec.Load(srcs, spec.Options{Today: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// applyRendered creates the rendered backup objects: a server-side dry
// run first (the API server's validation of every field), then for real.
func applyRendered(t *testing.T, cfg *testenv.Env, res *spec.Result) {
	t.Helper()
	files, err := renderbackup.Render(res.Spec)
	if err != nil || len(files) != 1 {
		t.Fatalf("render: %v, %d files", err, len(files))
	}
	c := kubernetes.NewForConfigOrDie(cfg.Config)
	if _, err := c.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: res.Spec.Milvus.Namespace}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(cfg.Config)
	dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(files[0].Data), 4096)
	kinds := map[string]string{"ConfigMap": "configmaps", "CronJob": "cronjobs"}
	n := 0
	for {
		var u unstructured.Unstructured
		if err := dec.Decode(&u.Object); err != nil {
			break
		}
		gvr := u.GroupVersionKind().GroupVersion().WithResource(kinds[u.GetKind()])
		r := dyn.Resource(gvr).Namespace(u.GetNamespace())
		if _, err := r.Create(context.Background(), &u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"}); err != nil {
			t.Fatalf("%s dry run: %v", u.GetKind(), err)
		}
		if _, err := r.Create(context.Background(), &u, metav1.CreateOptions{FieldValidation: "Strict"}); err != nil {
			t.Fatalf("%s create: %v", u.GetKind(), err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("applied %d objects, want the ConfigMap and the CronJob", n)
	}
}

// finish plays the Job controller, which the test API server does not
// run: it marks the Job as the controller would.
func finish(t *testing.T, c kubernetes.Interface, ns string, ok bool, at time.Time) {
	t.Helper()
	var job *batchv1.Job
	for deadline := time.Now().Add(30 * time.Second); job == nil; {
		list, err := c.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		for i := range list.Items {
			if len(list.Items[i].Status.Conditions) == 0 {
				job = &list.Items[i]
			}
		}
		if job == nil && time.Now().After(deadline) {
			t.Error("no Job was created")
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts := metav1.NewTime(at)
	start := metav1.NewTime(at.Add(-time.Minute))
	job.Status.StartTime = &start
	if ok {
		job.Status.Succeeded = 1
		job.Status.CompletionTime = &ts
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: ts},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: ts},
		}
	} else {
		job.Status.Failed = 1
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, LastTransitionTime: ts, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: ts, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"},
		}
	}
	if _, err := c.BatchV1().Jobs(ns).UpdateStatus(context.Background(), job, metav1.UpdateOptions{}); err != nil {
		t.Errorf("Job status update: %v", err)
	}
}

// TestNowAndLast renders the backup objects, has the API server accept
// them, starts a backup from the CronJob, and reads the outcome the way
// the upgrade plan's check does: a success, then a failure that makes the
// check fail however recent.
func TestNowAndLast(t *testing.T) {
	env := testenv.Shared(t)
	res := load(t, "backup-now")
	applyRendered(t, env, res)
	c := kubernetes.NewForConfigOrDie(env.Config)
	ns, name := res.Spec.Milvus.Namespace, res.Spec.BackupName()

	if _, ok, err := backup.Last(context.Background(), c, ns, name); err != nil || ok {
		t.Fatalf("before any run: ok %v, err %v", ok, err)
	}
	t0 := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	go finish(t, c, ns, true, t0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := backup.Now(ctx, c, ns, name, t0, 20*time.Millisecond)
	if err != nil || r.Outcome != backup.Succeeded {
		t.Fatalf("now: %+v, %v", r, err)
	}
	j, err := c.BatchV1().Jobs(ns).Get(context.Background(), r.Job, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := j.Spec.Template.Spec.Containers[0].Image; got != "milvusdb/milvus-backup:v0.5.16" {
		t.Errorf("Job image %s", got)
	}
	if len(j.OwnerReferences) != 1 || j.OwnerReferences[0].Kind != "CronJob" || j.OwnerReferences[0].Name != name {
		t.Errorf("Job owners %+v", j.OwnerReferences)
	}
	last, ok, err := backup.Last(context.Background(), c, ns, name)
	if err != nil || !ok || last.Job != r.Job {
		t.Fatalf("last: %+v %v %v", last, ok, err)
	}
	if err := backup.Fresh(last, ok, t0.Add(2*time.Hour), 26*time.Hour); err != nil {
		t.Errorf("a 2h old success: %v", err)
	}
	if err := backup.Fresh(last, ok, t0.Add(27*time.Hour), 26*time.Hour); err == nil || !strings.Contains(err.Error(), "more than 26h0m0s") {
		t.Errorf("a 27h old success: %v", err)
	}

	t1 := t0.Add(time.Hour)
	go finish(t, c, ns, false, t1)
	r, err = backup.Now(ctx, c, ns, name, t1, 20*time.Millisecond)
	if err != nil || r.Outcome != backup.Failed {
		t.Fatalf("now (failing): %+v, %v", r, err)
	}
	last, ok, err = backup.Last(context.Background(), c, ns, name)
	if err != nil || !ok || last.Job != r.Job {
		t.Fatalf("last after the failure: %+v %v %v", last, ok, err)
	}
	if err := backup.Fresh(last, ok, t1.Add(time.Minute), 26*time.Hour); err == nil || !strings.Contains(err.Error(), "failed") {
		t.Errorf("a fresh failure passes the check: %v", err)
	}
}

func TestNowWithoutCronJob(t *testing.T) {
	env := testenv.Shared(t)
	c := kubernetes.NewForConfigOrDie(env.Config)
	_, err := backup.Now(context.Background(), c, "nowhere", "milvus-demo-backup", time.Now(), time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "add a backup section") {
		t.Errorf("err %v", err)
	}
}
