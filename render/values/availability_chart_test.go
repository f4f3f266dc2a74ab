package values

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// milvusDeployments are the pod labels of the five Deployments chart 5.x
// renders in cluster mode.
var milvusDeployments = []string{"mixcoord", "proxy", "querynode", "datanode", "streamingnode"}

// TestMilvusChartHighAvailability renders the real chart and checks what
// highAvailability promises: at least two replicas of every Deployment,
// each spread over hosts and zones by a selector that picks exactly that
// Deployment's pods, and the etcd PodDisruptionBudget selecting the etcd
// pods.
func TestMilvusChartHighAvailability(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		nodes int
		// host is the hostname constraint's whenUnsatisfiable.
		host corev1.UnsatisfiableConstraintAction
	}{
		{"runbook", 3, corev1.DoNotSchedule},
		// One node cannot hold two replicas apart; spreading is then
		// best effort instead of leaving the second replica Pending.
		{"oneNode", 1, corev1.ScheduleAnyway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := modeltest.Runbook()
			s.Cluster.NodeGroups[0].DesiredCapacity = tc.nodes
			m := renderMilvus(t, s)
			deps := map[string]*appsv1.Deployment{}
			for _, name := range milvusDeployments {
				deps[name] = deployment(t, m, name)
			}
			for _, name := range milvusDeployments {
				d := deps[name]
				if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
					t.Errorf("%s replicas = %v, want at least 2", name, d.Spec.Replicas)
				}
				tsc := d.Spec.Template.Spec.TopologySpreadConstraints
				want := map[string]corev1.UnsatisfiableConstraintAction{HostnameKey: tc.host, ZoneKey: corev1.ScheduleAnyway}
				if len(tsc) != len(want) {
					t.Errorf("%s topologySpreadConstraints = %+v, want hostname and zone", name, tsc)
					continue
				}
				for _, c := range tsc {
					if w, ok := want[c.TopologyKey]; !ok || c.WhenUnsatisfiable != w || c.MaxSkew != 1 {
						t.Errorf("%s spread over %s: maxSkew %d, %s; want maxSkew 1, %s", name, c.TopologyKey, c.MaxSkew, c.WhenUnsatisfiable, w)
					}
					sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
					if err != nil || c.LabelSelector == nil {
						t.Fatalf("%s spread selector %v: %v", name, c.LabelSelector, err)
					}
					// The selector counts this Deployment's pods and no
					// other component's.
					for other, od := range deps {
						if got := sel.Matches(labels.Set(od.Spec.Template.Labels)); got != (other == name) {
							t.Errorf("%s spread selector %s matches %s pods: %v", name, sel, other, got)
						}
					}
				}
			}

			pdbs := m.Filter("PodDisruptionBudget", "milvus/charts/etcd/")
			if len(pdbs) != 1 {
				t.Fatalf("want the etcd PodDisruptionBudget, got %v", pdbs)
			}
			pdb := decode[policyv1.PodDisruptionBudget](t, pdbs[0])
			sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
			if err != nil {
				t.Fatal(err)
			}
			sts := m.Filter("StatefulSet", "milvus/charts/etcd/")
			if len(sts) != 1 {
				t.Fatalf("want the etcd StatefulSet, got %v", sts)
			}
			etcd := decode[appsv1.StatefulSet](t, sts[0])
			if !sel.Matches(labels.Set(etcd.Spec.Template.Labels)) {
				t.Errorf("etcd PDB selector %s does not select the etcd pods %v", sel, etcd.Spec.Template.Labels)
			}
			if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.String() != "51%" {
				t.Errorf("etcd PDB minAvailable = %v, want 51%% (2 of 3: quorum)", pdb.Spec.MinAvailable)
			}
		})
	}
}

// TestMilvusChartWithoutHighAvailability: without HA the chart's defaults
// stand, no spreading and no etcd PDB.
func TestMilvusChartWithoutHighAvailability(t *testing.T) {
	t.Parallel()
	s := fixtures["noHA"]()
	m := renderMilvus(t, s)
	for _, name := range milvusDeployments {
		d := deployment(t, m, name)
		if tsc := d.Spec.Template.Spec.TopologySpreadConstraints; len(tsc) > 0 {
			t.Errorf("%s topologySpreadConstraints = %+v without HA, want none", name, tsc)
		}
	}
	if pdbs := m.Filter("PodDisruptionBudget", "milvus/charts/etcd/"); len(pdbs) > 0 {
		t.Errorf("etcd PDB rendered without HA: %v", pdbs)
	}
	if d := deployment(t, m, "querynode"); d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("querynode replicas = %v without HA, want the chart's 1", d.Spec.Replicas)
	}
}

// TestMilvusChartServicePorts: only the Milvus port is on the load
// balancer; 9091 (metrics and the WebUI) stays on the pods.
func TestMilvusChartServicePorts(t *testing.T) {
	t.Parallel()
	s := modeltest.Runbook()
	m := renderMilvus(t, s)
	for _, o := range m.Filter("Service", "milvus/templates/") {
		svc := decode[corev1.Service](t, o)
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			continue
		}
		if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != int32(s.Milvus.Service.Port) {
			t.Errorf("load-balanced %s ports = %+v, want only %d", o, svc.Spec.Ports, s.Milvus.Service.Port)
		}
	}
	p := deployment(t, m, "proxy").Spec.Template.Spec.Containers[0]
	found := false
	for _, port := range p.Ports {
		found = found || (port.Name == "metrics" && port.ContainerPort == 9091)
	}
	if !found {
		t.Errorf("proxy container ports = %+v, want metrics 9091 kept in the pod", p.Ports)
	}
}
