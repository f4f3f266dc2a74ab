package simcluster_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/simcluster"
)

// checkRollout changes the proxies' resources in the spec, applies the
// new tree and watches the EndpointSlices of the Milvus Service (port
// 19530) until the proxies rolled: at every moment at least one ready
// proxy stays behind it.
func checkRollout(t *testing.T, ctx context.Context, c *simcluster.Cluster, s *model.Spec) {
	t.Helper()
	start := time.Now()
	ns := s.Milvus.Namespace
	svc := proxyService(t, ctx, c, ns)
	if svc == "" {
		t.Errorf("rollout: no Service selecting the proxies in %s", ns)
		return
	}
	deploy := proxyDeployment(t, ctx, c, ns)

	w, err := c.Client.DiscoveryV1().EndpointSlices(ns).Watch(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + svc})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ready := map[string]int{} // slice name: ready endpoints
	lowest, events := -1, 0
	var low []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			es, ok := ev.Object.(*discoveryv1.EndpointSlice)
			if !ok {
				continue
			}
			mu.Lock()
			if ev.Type == watch.Deleted {
				delete(ready, es.Name)
			} else {
				n := 0
				for _, e := range es.Endpoints {
					if e.Conditions.Ready != nil && *e.Conditions.Ready {
						n++
					}
				}
				ready[es.Name] = n
			}
			total := 0
			for _, n := range ready {
				total += n
			}
			events++
			if lowest < 0 || total < lowest {
				lowest = total
			}
			if total == 0 {
				low = append(low, time.Now().Format("15:04:05.000"))
			}
			mu.Unlock()
		}
	}()

	before := deploymentTemplateHash(t, ctx, c, ns, deploy)
	changed := *s
	changed.Milvus.Proxy.Resources = &model.Resources{Limits: &model.ResourceList{CPU: "1", Memory: "2100Mi"}}
	if r := s.Milvus.Proxy.Resources; r != nil && r.Limits != nil && r.Limits.Memory == "2100Mi" {
		changed.Milvus.Proxy.Resources.Limits.Memory = "2200Mi"
	}
	c.Apply(simcluster.Render(t, &changed), "milvusgen-inventory")

	// Rolled: the Deployment's new template is fully available and no old
	// pod is left. A rollout that stalls (no room for the surge pod) is an
	// error, but the proxies stay served, so the checks go on.
	deadline := time.Now().Add(time.Minute)
	for !c.Rolled("Deployment", ns, deploy) {
		if time.Now().After(deadline) {
			w.Stop()
			<-done
			pending := c.Snapshot().Pending(func(p simcluster.Pod) bool { return p.Namespace == ns })
			t.Errorf("rollout of %s not done after a minute; Pending: %s", deploy, strings.Join(pending, "; "))
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	if after := deploymentTemplateHash(t, ctx, c, ns, deploy); after == before {
		t.Fatalf("rollout: the spec change did not change the proxies' pod template (%s)", after)
	}
	time.Sleep(time.Second) // the endpoints of the last step
	w.Stop()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if lowest < 1 {
		t.Errorf("rollout: Service %s/%s had no ready proxy at %s (%d EndpointSlice events)", ns, svc, strings.Join(low, ", "), events)
	} else {
		t.Logf("rollout of %s: at least %d ready prox(ies) behind %s throughout (%d EndpointSlice events, %s)", deploy, lowest, svc, events, time.Since(start).Round(time.Second))
	}
}

// proxyService is the Service whose selector picks the proxies
// (component: proxy), preferring the load balancer one.
func proxyService(t *testing.T, ctx context.Context, c *simcluster.Cluster, ns string) string {
	t.Helper()
	list, err := c.Client.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	name := ""
	for _, s := range list.Items {
		if s.Spec.Selector["component"] != "proxy" {
			continue
		}
		if name == "" || s.Spec.Type == corev1.ServiceTypeLoadBalancer {
			name = s.Name
		}
	}
	return name
}

func proxyDeployment(t *testing.T, ctx context.Context, c *simcluster.Cluster, ns string) string {
	t.Helper()
	list, err := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{LabelSelector: "component=proxy"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 {
		t.Fatalf("want one proxy Deployment in %s, got %d", ns, len(list.Items))
	}
	return list.Items[0].Name
}

// deploymentTemplateHash is the pod-template-hash of the Deployment's
// newest ReplicaSet.
func deploymentTemplateHash(t *testing.T, ctx context.Context, c *simcluster.Cluster, ns, name string) string {
	t.Helper()
	d, err := c.Client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rss, err := c.Client.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: metav1.FormatLabelSelector(d.Spec.Selector)})
	if err != nil {
		t.Fatal(err)
	}
	best, rev := "", ""
	for _, rs := range rss.Items {
		r := rs.Annotations["deployment.kubernetes.io/revision"]
		if len(r) > len(rev) || (len(r) == len(rev) && r > rev) {
			best, rev = rs.Labels["pod-template-hash"], r
		}
	}
	return best
}

func metav1ListComponent(component string) metav1.ListOptions {
	return metav1.ListOptions{LabelSelector: "component=" + component}
}
