package values

import (
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/kube"
)

// milvusDeployments are the pod labels of the five Deployments chart 5.x
// renders in cluster mode.
var milvusDeployments = []string{"mixcoord", "proxy", "querynode", "datanode", "streamingnode"}

// workload is one Deployment or StatefulSet the chart rendered, with its
// pod template.
type workload struct {
	source, name string
	replicas     int32
	pod          corev1.PodTemplateSpec
}

func (w workload) String() string { return w.name + " (" + w.source + ")" }

// workloads are every Deployment and StatefulSet of m.
func workloads(t *testing.T, m manifest) []workload {
	t.Helper()
	var out []workload
	for _, o := range m {
		switch o.Kind {
		case "Deployment":
			d := decode[appsv1.Deployment](t, o)
			out = append(out, workload{o.Source, d.Name, *d.Spec.Replicas, d.Spec.Template})
		case "StatefulSet":
			s := decode[appsv1.StatefulSet](t, o)
			out = append(out, workload{o.Source, s.Name, *s.Spec.Replicas, s.Spec.Template})
		}
	}
	return out
}

// selectsOnly checks that selector picks the pods of own and of no other
// workload in all.
func selectsOnly(t *testing.T, what string, selector *metav1.LabelSelector, own workload, all []workload) {
	t.Helper()
	sel, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil || selector == nil {
		t.Errorf("%s: selector %v: %v", what, selector, err)
		return
	}
	for _, w := range all {
		if got := sel.Matches(labels.Set(w.pod.Labels)); got != (w.source == own.source && w.name == own.name) {
			t.Errorf("%s: selector %s matches %s pods: %v", what, sel, w, got)
		}
	}
}

// TestMilvusChartHighAvailability renders the real chart and checks what
// highAvailability promises for the Milvus components: at least two
// replicas of every Deployment, each spread over hosts and zones by a
// selector that picks exactly that Deployment's pods, DoNotSchedule with
// spread "required" and ScheduleAnyway with "preferred", whatever the node
// count; and proxies that roll one at a time, never below their count.
func TestMilvusChartHighAvailability(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*model.Spec)
		when corev1.UnsatisfiableConstraintAction
	}{
		{"runbook", func(*model.Spec) {}, corev1.DoNotSchedule},
		// The template does not depend on the nodes: one node gets the
		// same constraints, and the fit check says it cannot hold them.
		{"oneNode", func(s *model.Spec) { s.Cluster.NodeGroups[0].DesiredCapacity = 1 }, corev1.DoNotSchedule},
		{"preferred", func(s *model.Spec) { s.Milvus.Spread = model.SpreadPreferred }, corev1.ScheduleAnyway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := modeltest.Runbook()
			tc.edit(s)
			m := renderMilvus(t, s)
			all := workloads(t, m)
			for _, name := range milvusDeployments {
				d := deployment(t, m, name)
				var own workload
				for _, w := range all {
					if w.name == d.Name {
						own = w
					}
				}
				if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
					t.Errorf("%s replicas = %v, want at least 2", name, d.Spec.Replicas)
				}
				tsc := d.Spec.Template.Spec.TopologySpreadConstraints
				keys := map[string]bool{}
				for _, c := range tsc {
					keys[c.TopologyKey] = true
					if c.WhenUnsatisfiable != tc.when || c.MaxSkew != 1 {
						t.Errorf("%s spread over %s: maxSkew %d, %s; want maxSkew 1, %s", name, c.TopologyKey, c.MaxSkew, c.WhenUnsatisfiable, tc.when)
					}
					// A dead or drained node is tainted; counting it as
					// an empty domain would keep replacements Pending.
					if c.NodeTaintsPolicy == nil || *c.NodeTaintsPolicy != corev1.NodeInclusionPolicyHonor {
						t.Errorf("%s spread over %s: nodeTaintsPolicy %v, want Honor", name, c.TopologyKey, c.NodeTaintsPolicy)
					}
					selectsOnly(t, name+" spread over "+c.TopologyKey, c.LabelSelector, own, all)
				}
				if len(tsc) != 2 || !keys[HostnameKey] || !keys[ZoneKey] {
					t.Errorf("%s topologySpreadConstraints = %+v, want hostname and zone", name, tsc)
				}
			}
			// The proxies: a new one first, an old one removed only once
			// it is Ready (with the readiness gate: healthy in the NLB).
			p := deployment(t, m, "proxy").Spec.Strategy
			if p.Type != appsv1.RollingUpdateDeploymentStrategyType || p.RollingUpdate == nil ||
				p.RollingUpdate.MaxUnavailable == nil || *p.RollingUpdate.MaxUnavailable != intstr.FromInt32(0) ||
				p.RollingUpdate.MaxSurge == nil || *p.RollingUpdate.MaxSurge != intstr.FromInt32(1) {
				t.Errorf("proxy strategy %+v, want RollingUpdate maxSurge 1, maxUnavailable 0", p)
			}
		})
	}
}

// TestMilvusChartQuorumApart renders the real chart with each message
// queue and checks every quorum system under highAvailability: its
// members carry a required anti-affinity on the hostname that selects its
// own pods and no other's, a zone spread DoNotSchedule where the chart
// has the key (etcd, Kafka, Kafka's ZooKeeper; the Pulsar chart has
// none), and a PodDisruptionBudget that selects exactly its pods. Pulsar's
// proxies and autorecovery, replicas of one service each, are held to the
// same with at least two replicas (autorecovery has no PDB in the chart).
func TestMilvusChartQuorumApart(t *testing.T) {
	t.Parallel()
	type member struct {
		source string // the StatefulSet's template
		pdb    string // the PDB's template; "" where the chart has none
		zones  bool
	}
	etcd := member{"milvus/charts/etcd/templates/statefulset.yaml", "milvus/charts/etcd/templates/pdb.yaml", true}
	for _, tc := range []struct {
		fixture string
		members []member
	}{
		{"runbook", []member{etcd}},
		{"kafka", []member{etcd,
			{"milvus/charts/kafka/templates/statefulset.yaml", "milvus/charts/kafka/templates/poddisruptionbudget.yaml", true},
			{"milvus/charts/kafka/charts/zookeeper/templates/statefulset.yaml", "milvus/charts/kafka/charts/zookeeper/templates/pdb.yaml", true}}},
		{"pulsar", []member{etcd,
			{"milvus/charts/pulsarv3/templates/zookeeper-statefulset.yaml", "milvus/charts/pulsarv3/templates/zookeeper-pdb.yaml", false},
			{"milvus/charts/pulsarv3/templates/bookkeeper-statefulset.yaml", "milvus/charts/pulsarv3/templates/bookkeeper-pdb.yaml", false},
			{"milvus/charts/pulsarv3/templates/broker-statefulset.yaml", "milvus/charts/pulsarv3/templates/broker-pdb.yaml", false},
			{"milvus/charts/pulsarv3/templates/proxy-statefulset.yaml", "milvus/charts/pulsarv3/templates/proxy-pdb.yaml", false},
			{"milvus/charts/pulsarv3/templates/autorecovery-statefulset.yaml", "", false}}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			m := renderMilvus(t, fixtures[tc.fixture]())
			all := workloads(t, m)
			for _, mb := range tc.members {
				var own *workload
				for i, w := range all {
					if w.source == mb.source {
						own = &all[i]
					}
				}
				if own == nil {
					t.Errorf("no StatefulSet from %s", mb.source)
					continue
				}
				if own.replicas < 2 {
					t.Errorf("%s: %d replicas, want at least 2", own, own.replicas)
				}
				spec := own.pod.Spec
				var hard []corev1.PodAffinityTerm
				if spec.Affinity != nil && spec.Affinity.PodAntiAffinity != nil {
					hard = spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
				}
				if len(hard) != 1 || hard[0].TopologyKey != HostnameKey {
					t.Errorf("%s: required anti-affinity %+v, want one term on %s", own, hard, HostnameKey)
				} else {
					selectsOnly(t, own.String()+" anti-affinity", hard[0].LabelSelector, *own, all)
				}
				var zone []corev1.TopologySpreadConstraint
				for _, c := range spec.TopologySpreadConstraints {
					if c.TopologyKey == ZoneKey {
						zone = append(zone, c)
					}
				}
				switch {
				case !mb.zones && len(zone) > 0:
					t.Errorf("%s: zone spread %+v from a chart without the key", own, zone)
				case mb.zones && (len(zone) != 1 || zone[0].WhenUnsatisfiable != corev1.DoNotSchedule || zone[0].MaxSkew != 1):
					t.Errorf("%s: zone spread %+v, want maxSkew 1, DoNotSchedule", own, zone)
				case mb.zones:
					selectsOnly(t, own.String()+" zone spread", zone[0].LabelSelector, *own, all)
				}
				if mb.pdb == "" {
					continue
				}
				pdbs := m.Filter("PodDisruptionBudget", mb.pdb)
				if len(pdbs) != 1 {
					t.Errorf("%s: want one PodDisruptionBudget from %s, got %v", own, mb.pdb, pdbs)
					continue
				}
				pdb := decode[policyv1.PodDisruptionBudget](t, pdbs[0])
				selectsOnly(t, own.String()+" PDB", pdb.Spec.Selector, *own, all)
				// One member at a time: at most 1 unavailable, or a
				// majority (etcd's 51%) available.
				switch {
				case pdb.Spec.MaxUnavailable != nil && pdb.Spec.MaxUnavailable.IntValue() == 1:
				case pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.String() == "51%":
				default:
					t.Errorf("%s PDB %+v, want maxUnavailable 1 or minAvailable 51%%", own, pdb.Spec)
				}
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

// TestMilvusChartLoadReplicas: milvus.yaml, as the pods read it, loads
// collections with the spec's in-memory replicas when a load names none.
func TestMilvusChartLoadReplicas(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		spec func() *model.Spec
		want float64 // numbers as sigs.k8s.io/yaml decodes them
	}{
		"highAvailability": {modeltest.Runbook, 2},
		"noHA":             {fixtures["noHA"], 1},
		"dataset replicas": {func() *model.Spec {
			s := modeltest.Runbook()
			s.Milvus.Dataset = &model.Dataset{Vectors: 1_000_000, Dimension: 128, Index: model.Index{Type: "HNSW", M: 30}, SegmentSizeMB: 1024, Replicas: 3}
			s.Milvus.InMemoryReplicas = 3
			return s
		}, 3},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantConfig(t, config(t, renderMilvus(t, tc.spec())), map[string]any{LoadReplicasKey: tc.want})
		})
	}
}

// TestLBControllerChartAvailability renders the LB controller chart and
// the Milvus chart and checks, between the real objects, that rollouts
// keep port 19530 serving under highAvailability:
//
//   - the controller's pod webhook selects the Milvus namespace as
//     render/kube writes it, so the proxies get the target-health
//     readiness gate;
//   - it fails closed (Fail) and only for the Milvus proxies: its
//     objectSelector picks the proxy pods and no other Milvus or etcd pod;
//   - the controller has a PodDisruptionBudget selecting its pods, one
//     unavailable at a time.
func TestLBControllerChartAvailability(t *testing.T) {
	t.Parallel()
	s := modeltest.Runbook()
	lbc := render(t, "aws-load-balancer-controller", s.LoadBalancerController.ChartVersion, s, model.LBControllerRelease, model.LBControllerNamespace, LBController(s))
	milvus := renderMilvus(t, s)

	files, err := kube.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	var ns *corev1.Namespace
	for _, f := range files {
		if strings.HasSuffix(f.Path, "namespace.yaml") {
			ns = &corev1.Namespace{}
			if err := yaml.UnmarshalStrict(f.Data, ns); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ns == nil {
		t.Fatal("render/kube wrote no Namespace")
	}

	var hooks []admissionregistrationv1.MutatingWebhook
	for _, o := range lbc.Filter("MutatingWebhookConfiguration", "") {
		hooks = append(hooks, decode[admissionregistrationv1.MutatingWebhookConfiguration](t, o).Webhooks...)
	}
	var mpod *admissionregistrationv1.MutatingWebhook
	for i := range hooks {
		if hooks[i].Name == "mpod.elbv2.k8s.aws" {
			mpod = &hooks[i]
		}
	}
	if mpod == nil {
		t.Fatalf("no mpod.elbv2.k8s.aws webhook in %v", hooks)
	}
	nsSel, err := metav1.LabelSelectorAsSelector(mpod.NamespaceSelector)
	if err != nil || !nsSel.Matches(labels.Set(ns.Labels)) {
		t.Errorf("pod webhook namespaceSelector %v does not select the Milvus namespace %v (%v)", mpod.NamespaceSelector, ns.Labels, err)
	}
	if mpod.FailurePolicy == nil || *mpod.FailurePolicy != admissionregistrationv1.Fail {
		t.Errorf("pod webhook failurePolicy %v, want Fail", mpod.FailurePolicy)
	}
	proxy := deployment(t, milvus, "proxy")
	for _, w := range workloads(t, milvus) {
		sel, err := metav1.LabelSelectorAsSelector(mpod.ObjectSelector)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := sel.Matches(labels.Set(w.pod.Labels)), w.name == proxy.Name; got != want {
			t.Errorf("pod webhook objectSelector %s matches %s pods: %v, want %v", sel, w, got, want)
		}
	}

	pdbs := lbc.Filter("PodDisruptionBudget", "")
	deps := lbc.Filter("Deployment", "")
	if len(pdbs) != 1 || len(deps) != 1 {
		t.Fatalf("want one PDB and one Deployment, got %v and %v", pdbs, deps)
	}
	pdb := decode[policyv1.PodDisruptionBudget](t, pdbs[0])
	d := decode[appsv1.Deployment](t, deps[0])
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("controller PDB selector %v does not select its pods %v (%v)", pdb.Spec.Selector, d.Spec.Template.Labels, err)
	}
	if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Errorf("controller PDB %+v, want maxUnavailable 1", pdb.Spec)
	}
	// Its replicas on two nodes and two zones: one zone's loss leaves the
	// webhook answering.
	keys := map[string]bool{}
	for _, c := range d.Spec.Template.Spec.TopologySpreadConstraints {
		keys[c.TopologyKey] = true
		if c.WhenUnsatisfiable != corev1.DoNotSchedule || c.MaxSkew != 1 {
			t.Errorf("controller spread over %s: %+v, want maxSkew 1, DoNotSchedule", c.TopologyKey, c)
		}
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			t.Errorf("controller spread selector %v does not select its pods %v (%v)", c.LabelSelector, d.Spec.Template.Labels, err)
		}
	}
	if !keys[HostnameKey] || !keys[ZoneKey] {
		t.Errorf("controller topologySpreadConstraints %+v, want hostname and zone", d.Spec.Template.Spec.TopologySpreadConstraints)
	}

	// Without highAvailability the chart's defaults stand.
	s.Milvus.HighAvailability = false
	lbc = render(t, "aws-load-balancer-controller", s.LoadBalancerController.ChartVersion, s, model.LBControllerRelease, model.LBControllerNamespace, LBController(s))
	if pdbs := lbc.Filter("PodDisruptionBudget", ""); len(pdbs) > 0 {
		t.Errorf("controller PDB without highAvailability: %v", pdbs)
	}
}
