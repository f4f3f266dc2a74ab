package verify

// verify's pod readiness step against the pods the real charts put on a
// cluster: the labels of every pod come from the Milvus 2.5 chart
// (4.2.58, with its etcd and pulsarv3 subcharts) and the 2.6 chart with
// Kafka, hydrated with the Helm SDK as `render --hydrate` does.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render"
)

// workload is a pod-owning object of a hydrated release.
type workload struct {
	kind, name string
	replicas   int
	// labels are the pod template's; job is the Job itself, for Jobs.
	labels map[string]string
	job    *batchv1.Job
}

// release is an example's spec, its verify target and the workloads its
// charts render.
type release struct {
	spec      *model.Spec
	target    *Target
	workloads []workload
}

var (
	releasesMu sync.Mutex
	releases   = map[string]*release{}
)

// hydrated renders and hydrates the example rendered from files (relative
// to the repository root), once per test binary.
func hydrated(t *testing.T, files ...string) *release {
	t.Helper()
	key := strings.Join(files, " ")
	releasesMu.Lock()
	defer releasesMu.Unlock()
	if r, ok := releases[key]; ok {
		return r
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, filepath.Join("..", "..", f))
	}
	srcs, err := spec.ReadFiles(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := spec.Load(srcs, spec.Options{Today: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := RenderedFS(res.Spec)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := ReadTarget(fsys)
	if err != nil {
		t.Fatal(err)
	}
	r := &release{spec: res.Spec, target: tg}
	rendered, err := render.Render(res.Spec)
	if err != nil {
		t.Fatal(err)
	}
	out, err := hydrate.Hydrate(rendered, chart.Caches{chart.NewCache(shared.MustPath(t, "charts")), chart.NewCache(shared.MustPath(t, "charts-previous"))},
		hydrate.Options{KeepChartLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range out {
		if f.Path != hydrate.Path(tg.Namespace, tg.Release) {
			continue
		}
		objs, err := apply.Decode(f.Path, f.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			u := o.Object.UnstructuredContent()
			switch o.Object.GetKind() {
			case "Deployment":
				var d appsv1.Deployment
				mustConvert(t, u, &d)
				r.workloads = append(r.workloads, workload{kind: "Deployment", name: d.Name, replicas: replicas(d.Spec.Replicas), labels: d.Spec.Template.Labels})
			case "StatefulSet":
				var s appsv1.StatefulSet
				mustConvert(t, u, &s)
				r.workloads = append(r.workloads, workload{kind: "StatefulSet", name: s.Name, replicas: replicas(s.Spec.Replicas), labels: s.Spec.Template.Labels})
			case "Job":
				j := &batchv1.Job{}
				mustConvert(t, u, j)
				r.workloads = append(r.workloads, workload{kind: "Job", name: j.Name, replicas: 1, job: j})
			case "DaemonSet", "ReplicaSet", "Pod", "CronJob":
				t.Fatalf("%s: a %s; the test creates no pods for it", f.Path, o.Object.GetKind())
			}
		}
	}
	if len(r.workloads) == 0 {
		t.Fatalf("no workloads hydrated for %s/%s", tg.Namespace, tg.Release)
	}
	releases[key] = r
	return r
}

func mustConvert(t *testing.T, u map[string]any, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u, into); err != nil {
		t.Fatal(err)
	}
}

func replicas(n *int32) int {
	if n == nil {
		return 1 // the API server's default
	}
	return int(*n)
}

// podState is what the kubelet reports for a pod.
type podState int

const (
	running podState = iota
	unready
	succeeded
	failed
)

func (s podState) status() corev1.PodStatus {
	switch s {
	case succeeded:
		return corev1.PodStatus{Phase: corev1.PodSucceeded}
	case failed:
		return corev1.PodStatus{Phase: corev1.PodFailed}
	}
	cond := corev1.ConditionTrue
	if s == unready {
		cond = corev1.ConditionFalse
	}
	return corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: cond}}}
}

// deploy creates, in c's namespace, what the release's controllers would:
// the Jobs themselves (the API server gives each its selector and pod
// labels, as for a real Job) and, for each workload, its pods with the
// labels of its template, in the state state returns for the pod's
// workload and ordinal.
func (c *cluster) deploy(r *release, state func(w workload, i int) []podState) {
	c.t.Helper()
	ctx := context.Background()
	for _, w := range r.workloads {
		labels := w.labels
		if w.job != nil {
			j := w.job.DeepCopy()
			j.Namespace = c.ns
			created, err := c.kube.Client.BatchV1().Jobs(c.ns).Create(ctx, j, metav1.CreateOptions{})
			if err != nil {
				c.t.Fatalf("creating Job %s: %v", j.Name, err)
			}
			labels = created.Spec.Template.Labels
		}
		for i := range w.replicas {
			for k, st := range state(w, i) {
				name := fmt.Sprintf("%s-%d", w.name, i)
				if w.job != nil {
					name = fmt.Sprintf("%s-%d", w.name, k) // each attempt a pod of its own
				}
				c.create(&corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "busybox"}}},
					Status:     st.status(),
				})
			}
		}
	}
}

// healthyPods: every long-running pod ready, every Job's pod Succeeded.
func healthyPods(w workload, _ int) []podState {
	if w.job != nil {
		return []podState{succeeded}
	}
	return []podState{running}
}

func releaseCluster(t *testing.T, r *release) (*cluster, *Target) {
	c, _ := newCluster(t)
	// A release is dozens of pods: client-go's default rate limit (5/s)
	// would make creating them the test's run time.
	cfg := rest.CopyConfig(c.kube.Config)
	cfg.QPS, cfg.Burst = 1000, 1000
	c.kube = &Kube{Config: cfg, Client: kubernetes.NewForConfigOrDie(cfg), Context: c.kube.Context}
	tg := *r.target
	tg.Namespace = c.ns
	return c, &tg
}

func podsStep(t *testing.T, c *cluster, tg *Target) Step {
	t.Helper()
	return stepOf(Run(context.Background(), kubeOptions(c, tg)), "pods ready")
}

// Every pod the 2.5 release deploys is counted, under its component:
// Milvus's, etcd's and each of Pulsar's, whose pods carry release=<release>
// rather than app.kubernetes.io/instance, and Pulsar's Jobs, whose
// Succeeded pods are done, not unready.
func TestPodsOfEverySubchart(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
	}{{
		name:  "pulsarv3",
		files: []string{"examples/upgrade/base.cue", "examples/upgrade/2.5.16.cue"},
		want: []string{"etcd 3/3", "proxy 2/2", "pulsarv3-bookie 3/3", "pulsarv3-broker 2/2", "pulsarv3-proxy 2/2",
			"pulsarv3-recovery 2/2", "pulsarv3-zookeeper 3/3", "pulsarv3-bookie-init completed", "pulsarv3-pulsar-init completed"},
	}, {
		name:  "kafka",
		files: []string{"examples/kafka/spec.json"},
		want:  []string{"etcd 3/3", "kafka 3/3", "zookeeper 3/3", "streamingnode"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := hydrated(t, tc.files...)
			c, tg := releaseCluster(t, r)
			c.deploy(r, healthyPods)
			s := podsStep(t, c, tg)
			if s.Verdict != Pass {
				t.Fatalf("pods ready: %+v", s)
			}
			for _, w := range tc.want {
				if !strings.Contains(s.Detail, w) {
					t.Errorf("pods ready says %q, want it to contain %q", s.Detail, w)
				}
			}
			// Every workload's pods are counted: the components add up
			// to the pods created.
			total := 0
			for _, w := range r.workloads {
				total += w.replicas
			}
			counted := 0
			for _, part := range strings.Split(s.Detail, ", ") {
				var name string
				var ready, of int
				if _, err := fmt.Sscanf(part, "%s %d/%d", &name, &ready, &of); err == nil {
					counted += of
				} else if strings.HasSuffix(part, " completed") {
					counted++
				}
			}
			if counted != total {
				t.Errorf("pods ready counts %d pods (%s), the charts deploy %d", counted, s.Detail, total)
			}
		})
	}
}

// What a down Pulsar, or a failed init Job, makes of the step.
func TestPulsarDown(t *testing.T) {
	r := hydrated(t, "examples/upgrade/base.cue", "examples/upgrade/2.5.16.cue")
	for _, tc := range []struct {
		name    string
		state   func(w workload, i int) []podState
		verdict string
		want    []string
	}{{
		name: "every bookie not ready",
		state: func(w workload, i int) []podState {
			if strings.HasSuffix(w.name, "-pulsarv3-bookie") {
				return []podState{unready}
			}
			return healthyPods(w, i)
		},
		verdict: Fail,
		want:    []string{"no ready pod for pulsarv3-bookie (", "pulsarv3-bookie 0/3", "not ready: milvus-demo-pulsarv3-bookie-0, milvus-demo-pulsarv3-bookie-1, milvus-demo-pulsarv3-bookie-2"},
	}, {
		name: "one broker not ready",
		state: func(w workload, i int) []podState {
			if strings.HasSuffix(w.name, "-pulsarv3-broker") && i == 0 {
				return []podState{unready}
			}
			return healthyPods(w, i)
		},
		verdict: Pass,
		want:    []string{"pulsarv3-broker 1/2", "not ready: milvus-demo-pulsarv3-broker-0"},
	}, {
		name: "pulsar-init failed",
		state: func(w workload, i int) []podState {
			if strings.HasSuffix(w.name, "-pulsar-init") {
				return []podState{failed, failed}
			}
			return healthyPods(w, i)
		},
		verdict: Fail,
		want:    []string{"no ready pod for pulsarv3-pulsar-init (", "pulsarv3-pulsar-init 0/0 (2 failed)", "failed: milvus-demo-pulsarv3-pulsar-init-0, milvus-demo-pulsarv3-pulsar-init-1"},
	}, {
		name: "bookie-init failed once, then succeeded",
		state: func(w workload, i int) []podState {
			if strings.HasSuffix(w.name, "-bookie-init") {
				return []podState{failed, succeeded}
			}
			return healthyPods(w, i)
		},
		verdict: Pass,
		want:    []string{"pulsarv3-bookie-init completed (1 failed)", "failed: milvus-demo-pulsarv3-bookie-init-0"},
	}, {
		name: "init Jobs still running",
		state: func(w workload, i int) []podState {
			if w.job != nil {
				return []podState{unready}
			}
			return healthyPods(w, i)
		},
		verdict: Fail,
		want:    []string{"no ready pod for pulsarv3-bookie-init, pulsarv3-pulsar-init"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c, tg := releaseCluster(t, r)
			c.deploy(r, tc.state)
			s := podsStep(t, c, tg)
			if s.Verdict != tc.verdict {
				t.Fatalf("pods ready: %s, want %s: %+v", s.Verdict, tc.verdict, s)
			}
			got := s.Detail + s.Error
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("pods ready says\n%s\nwant it to contain\n%s", got, w)
				}
			}
		})
	}
}
