package simcluster_test

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/simcluster"
)

// TestOrderedStages proves the ordering harness that upgrade stages use:
// with readiness held, a change that rolls mixcoord and the proxies is
// applied, and the test lets mixcoord come up first; the record shows it.
// The same record with the order reversed shows the violation, so a wrong
// order cannot pass.
func TestOrderedStages(t *testing.T) {
	s := load(t, readSpecs(t, "examples/runbook/spec.cue"))
	ns := s.Milvus.Namespace
	c := simcluster.Start(t, simcluster.Options{HoldReadiness: true})
	c.Boot(simcluster.Render(t, s))
	c.Apply(simcluster.Render(t, s), "milvusgen-inventory")
	all := func(*corev1.Pod) bool { return true }
	up := func() bool {
		for _, p := range c.Snapshot().Pods {
			if !p.Ready && !p.Completed {
				return false
			}
		}
		return true
	}
	if !c.ReleaseUntil("", all, up, 2*time.Minute) {
		t.Fatal("stage 1 did not come up")
	}

	stage := func(mixcoordFirst bool) []simcluster.ReadyEvent {
		t.Helper()
		changed := *s
		mem := "3Gi"
		if !mixcoordFirst {
			mem = "3100Mi"
		}
		changed.Milvus.MixCoordinator.Resources = &model.Resources{Limits: &model.ResourceList{CPU: "1", Memory: model.Quantity(mem)}}
		changed.Milvus.Proxy.Resources = &model.Resources{Limits: &model.ResourceList{CPU: "1", Memory: model.Quantity(mem)}}
		rec := c.Record(ns)
		start := time.Now()
		c.Apply(simcluster.Render(t, &changed), "milvusgen-inventory")
		mix, proxy := deploymentOf(t, c, ns, "mixcoord"), deploymentOf(t, c, ns, "proxy")
		first, second := "mixcoord", "proxy"
		firstName, secondName := mix, proxy
		if !mixcoordFirst {
			first, second, firstName, secondName = second, first, secondName, firstName
		}
		is := func(comp string) func(*corev1.Pod) bool {
			return func(p *corev1.Pod) bool { return simcluster.Component(p) == comp }
		}
		if !c.ReleaseUntil(ns, is(first), func() bool { return c.Rolled("Deployment", ns, firstName) }, time.Minute) {
			t.Fatalf("%s did not roll", first)
		}
		if !c.ReleaseUntil(ns, is(second), func() bool { return c.Rolled("Deployment", ns, secondName) }, time.Minute) {
			t.Fatalf("%s did not roll", second)
		}
		time.Sleep(500 * time.Millisecond)
		ev := rec.Stop()
		t.Logf("stage (mixcoord first: %v): %d pods became ready in %s", mixcoordFirst, len(ev), time.Since(start).Round(time.Second))
		return ev
	}

	t0 := time.Now()
	if v := simcluster.Before(stage(true), simcluster.CreatedAfter(t0), "mixcoord", "proxy"); v != "" {
		t.Errorf("ordered stage: %s", v)
	}
	t1 := time.Now()
	if v := simcluster.Before(stage(false), simcluster.CreatedAfter(t1), "mixcoord", "proxy"); v == "" {
		t.Error("the harness did not notice proxies coming up before mixcoord")
	} else {
		t.Logf("reversed order caught: %s", v)
	}
}

// deploymentOf is the name of the Deployment of a chart component.
func deploymentOf(t *testing.T, c *simcluster.Cluster, ns, component string) string {
	t.Helper()
	list, err := c.Client.AppsV1().Deployments(ns).List(t.Context(), metav1ListComponent(component))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 {
		t.Fatalf("want one %s Deployment in %s, got %d", component, ns, len(list.Items))
	}
	return list.Items[0].Name
}
