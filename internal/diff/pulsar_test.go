package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/values"
)

// pulsarFlags compares base's HelmRelease with its values replaced by old
// and new, and returns the flags raised, one line each.
func pulsarFlags(t *testing.T, old, new map[string]any) []string {
	t.Helper()
	a, b := base(), base()
	a["hr"]["spec"].(map[string]any)["values"] = old
	b["hr"]["spec"].(map[string]any)["values"] = new
	r := Compare(tree(t, a), tree(t, b))
	var got []string
	for _, f := range r.Flags() {
		got = append(got, fmt.Sprintf("%s | %s | %s | %s", f.Category, f.Change.Title(), f.Field, f.Reason))
	}
	return got
}

// The values milvusgen renders for Milvus on Pulsar, with high
// availability (anti-affinity for Pulsar's proxies and autorecovery, 2
// autorecovery replicas) or without.
func pulsarValues(t *testing.T, ha bool) map[string]any {
	t.Helper()
	s := modeltest.Runbook()
	s.Milvus.MessageQueue = model.Pulsar
	s.Milvus.HighAvailability = ha
	v := values.Milvus(s)
	if mqOf(map[string]any{"spec": map[string]any{"values": v}}) != "Pulsar" {
		t.Fatal("the rendered values do not run Milvus on Pulsar v3")
	}
	return v
}

// Turning high availability on changes the pod templates of Pulsar's
// proxies and autorecovery (anti-affinity): both roll, and diff says so.
func TestPulsarRestartOfRenderedValues(t *testing.T) {
	old, new := pulsarValues(t, false), pulsarValues(t, true)
	for _, key := range []string{"proxy", "autorecovery"} {
		if _, ok := get(new, "pulsarv3", key, "affinity"); !ok {
			t.Fatalf("high availability renders no pulsarv3.%s.affinity any more; update this test", key)
		}
	}
	got := strings.Join(pulsarFlags(t, old, new), "\n")
	for _, want := range []string{
		"availability | HelmRelease milvus/milvus-demo | /spec/values/pulsarv3/proxy/affinity | rolling restart of Pulsar's proxies",
		"availability | HelmRelease milvus/milvus-demo | /spec/values/pulsarv3/autorecovery/affinity | rolling restart of Pulsar's autorecovery",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("flags:\n%s\nwant one starting\n%s", got, want)
		}
	}
}

func TestPulsarRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(v map[string]any)
		want string // the flag's field and reason, "" for none
	}{
		{"proxy resources", func(v map[string]any) { set(v, "pulsarv3.proxy.resources.requests.cpu", "2") },
			"/spec/values/pulsarv3/proxy/resources | rolling restart of Pulsar's proxies"},
		{"autorecovery tolerations", func(v map[string]any) {
			set(v, "pulsarv3.autorecovery.tolerations", []any{map[string]any{"key": "k", "operator": "Exists"}})
		}, "/spec/values/pulsarv3/autorecovery/tolerations | rolling restart of Pulsar's autorecovery"},
		{"autorecovery scaled", func(v map[string]any) { set(v, "pulsarv3.autorecovery.replicaCount", 3) }, ""},
		{"proxy disruption budget", func(v map[string]any) { set(v, "pulsarv3.proxy.pdb.usePolicy", false) }, ""},
		{"proxy config, not watched", func(v map[string]any) { set(v, "pulsarv3.proxy.configData.numIOThreads", "8") }, ""},
		{"proxy config, watched", func(v map[string]any) {
			set(v, "pulsarv3.proxy.restartPodsOnConfigMapChange", true)
		}, "/spec/values/pulsarv3/proxy/restartPodsOnConfigMapChange | rolling restart of Pulsar's proxies"},
		{"broker resources", func(v map[string]any) { set(v, "pulsarv3.broker.resources.requests.cpu", "2") }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := pulsarValues(t, true)
			new := pulsarValues(t, true)
			tc.set(new)
			var got []string
			for _, f := range pulsarFlags(t, old, new) {
				if strings.Contains(f, "Pulsar's") {
					got = append(got, f)
				}
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("flags %q, want none", got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], "| "+tc.want)):
				t.Errorf("flags %q, want one with %q", got, tc.want)
			}
		})
	}
	// On another queue the pulsarv3 values configure nothing.
	s := modeltest.Runbook()
	s.Milvus.MessageQueue = model.Woodpecker
	old := values.Milvus(s)
	new := values.Milvus(s)
	set(new, "pulsarv3.proxy.resources.requests.cpu", "2")
	if got := pulsarFlags(t, old, new); len(got) > 0 {
		t.Errorf("Woodpecker: flags %q, want none", got)
	}
}

// The hydrated StatefulSets: a pod template change of Pulsar's proxy
// (labelled component: proxy like Milvus's) or recovery rolls them.
func TestPulsarRestartOfHydratedStatefulSets(t *testing.T) {
	sts := func(component, cpu string) map[string]any {
		return map[string]any{"apiVersion": "apps/v1", "kind": "StatefulSet",
			"metadata": map[string]any{"name": "milvus-demo-pulsarv3-" + component, "namespace": "milvus"},
			"spec": map[string]any{"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "pulsarv3", "component": component, "release": "milvus-demo"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "apachepulsar/pulsar:3.0.7",
					"resources": map[string]any{"requests": map[string]any{"cpu": cpu}}}}}}}}
	}
	for component, want := range map[string]string{"proxy": "Pulsar's proxies", "recovery": "Pulsar's autorecovery"} {
		a, b := base(), base()
		a["sts"], b["sts"] = sts(component, "1"), sts(component, "2")
		r := Compare(tree(t, a), tree(t, b))
		var got []string
		for _, f := range r.Flags() {
			got = append(got, f.Field+" | "+f.Reason)
		}
		if len(got) != 1 || !strings.HasPrefix(got[0], "/spec/template/spec/containers") || !strings.Contains(got[0], want) {
			t.Errorf("%s: flags %q, want one rolling restart of %s", component, got, want)
		}
	}
}
