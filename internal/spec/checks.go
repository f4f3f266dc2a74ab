package spec

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// maxNodesPerNodeGroup is the EKS quota of nodes in one managed node group.
const maxNodesPerNodeGroup = 450

// checkModel runs the rules that need defaults filled in or span fields.
// ok says which inputs (checkInputs) are sound; a rule runs only when all
// of its inputs are, so a problem is reported once, where it is, and every
// other rule still runs.
func checkModel(r *report, s *model.Spec, ok map[string]bool, opts Options) {
	all := func(paths ...string) bool {
		for _, p := range paths {
			if !ok[p] {
				return false
			}
		}
		return true
	}
	if ok["cluster.kubernetesVersion"] {
		checkKubernetesVersion(r, s, opts)
	}
	if !r.invalid["cluster.nodeGroups"] && !r.invalid["cluster"] {
		checkNodeGroups(r, s) // gated per field within
	}
	checkMilvus(r, s, ok)
	if all("name", "milvus.messageQueue") {
		checkReleaseName(r, s)
	}
	if ok["aws"] {
		checkTags(r, s)
	}
	if all("aws", "cluster.vpc", "cluster.existing", "cluster.vpcCIDR", "cluster.nodeGroups", "milvus.service") {
		checkNetwork(r, s)
	}
	if all("aws", "cluster.zones", "cluster.vpc", "cluster.nodeGroups") {
		checkZones(r, s)
		if ok["milvus.highAvailability"] && !hasErrorUnder(r, "cluster.zones", "cluster.vpc") {
			checkHAZones(r, s)
		}
	}
	checkAvailability(r, s, ok)
	if all("milvus.service", "milvus.auth") {
		checkSecurity(r, s)
	}
	if all("backup", "aws", "storage", "milvus.serviceAccount") {
		checkBackup(r, s)
	}
	if all("milvus.chartVersion", "milvus.messageQueue", "milvus.version", "milvus.coordinators") {
		checkCompatibility(r, s)
	}
	if ok["gitops"] {
		checkArgoCDHub(r, s)
	}
	if all("aws", "milvus.messageQueue", "milvus.externalKafka") {
		checkExternalKafka(r, s)
	}
	if ok["milvus.values"] {
		checkRawValues(r, s)
	}
	if ok["milvus.config"] {
		checkConfig(r, s)
	}
	if all("aws", "storage.storageClass", "milvus.namespace", "milvus.serviceAccount", "loadBalancerController") {
		checkAgreement(r, s)
	}
	if all("cluster.name", "cluster.nodeGroups", "milvus.namespace", "milvus.highAvailability", "milvus.messageQueue",
		"milvus.mixCoordinator", "milvus.proxy", "milvus.queryNode", "milvus.dataNode", "milvus.streamingNode", "milvus.dataset",
		"milvus.values") && !hasErrorUnder(r, "milvus.values") { // replicas set in raw values count too
		checkSizing(r, s)
	}
}

// checkKubernetesVersion checks the version against the support table.
// Without a date (opts.Today zero) only the table's membership is checked,
// and the advice is DefaultKubernetesVersion. With one, a version past
// extended support is refused (EKS cannot create it), one in extended
// support or within SupportWarningDays of leaving standard support is
// warned about, and the advice is always a version in standard support on
// that date, or none. opts.SupportWarnings makes the refusal a warning.
func checkKubernetesVersion(r *report, s *model.Spec, opts Options) {
	const path = "cluster.kubernetesVersion"
	v := s.Cluster.KubernetesVersion
	use := fmt.Sprintf("use %q", DefaultKubernetesVersion)
	if !opts.Today.IsZero() {
		use = advice(opts.Today)
	}
	e, ok := compat().Kubernetes[v]
	if !ok {
		if s.KubernetesMinor() >= 0 && s.KubernetesMinor() < 27 {
			r.errorf(path, "Kubernetes %s is no longer supported by EKS, so eksctl cannot create it; %s", v, use)
			return
		}
		r.errorf(path, "Kubernetes %s is not a version milvusgen knows (known: %s); %s", v, knownKubernetes(), use)
		return
	}
	if opts.Today.IsZero() {
		return
	}
	today := opts.Today.UTC().Truncate(24 * time.Hour)
	supported, extended := e.supportedOn(today)
	switch {
	case !supported:
		f := r.errorf
		if opts.SupportWarnings {
			f = r.warnf
		}
		f(path, "Kubernetes %s left EKS extended support on %s, so EKS can no longer create it and upgrades existing clusters automatically; %s", v, e.ExtendedEnd, use)
	case extended:
		r.warnf(path, "Kubernetes %s is in EKS extended support (standard support ended %s, extended ends %s), billed at six times the standard control plane price; %s", v, e.StandardEnd, e.ExtendedEnd, use)
	default:
		end := day(e.StandardEnd)
		if days := int(end.Sub(today).Hours() / 24); days <= SupportWarningDays {
			next := "no newer version this milvusgen knows is in standard support then; upgrade milvusgen"
			if n := suggestVersion(end); n != "" && n != v {
				next = fmt.Sprintf("plan the upgrade to %q", n)
			}
			r.warnf(path, "Kubernetes %s leaves EKS standard support on %s (in %s); extended support then bills six times the standard control plane price; %s", v, e.StandardEnd, plural(days, "day"), next)
		}
	}
}

func checkNodeGroups(r *report, s *model.Spec) {
	if len(s.Cluster.NodeGroups) == 0 {
		r.errorf("cluster.nodeGroups", "needs at least one node group for the Milvus pods")
		return
	}
	seen := map[string]int{}
	for i, ng := range s.Cluster.NodeGroups {
		p := fmt.Sprintf("cluster.nodeGroups.%d", i)
		if !r.sound(p + ".name") {
			continue
		}
		if j, dup := seen[ng.Name]; dup {
			r.errorf(p+".name", "node group name %q is already used by cluster.nodeGroups[%d]; names must be unique", ng.Name, j)
		}
		seen[ng.Name] = i
		if !r.sound(p+".desiredCapacity", p+".minSize", p+".maxSize") {
			continue
		}
		lo, hi := ng.NodeGroupMinSize(), ng.NodeGroupMaxSize()
		switch {
		case ng.DesiredCapacity < 1:
			r.errorf(p+".desiredCapacity", "must be at least 1 so the node group can run pods; got %d", ng.DesiredCapacity)
		case ng.DesiredCapacity < lo:
			r.errorf(p+".desiredCapacity", "must be at least minSize (%d); got %d", lo, ng.DesiredCapacity)
		case ng.DesiredCapacity > hi:
			r.errorf(p+".desiredCapacity", "must be at most maxSize (%d); got %d", hi, ng.DesiredCapacity)
		}
		if hi > maxNodesPerNodeGroup {
			r.errorf(p+".maxSize", "EKS allows at most %d nodes in a managed node group; got %d", maxNodesPerNodeGroup, hi)
		}
		if ng.MinSize != nil && lo > hi { // a defaulted minSize follows desiredCapacity, whose own message says it
			r.errorf(p+".minSize", "must not exceed maxSize (%d); got %d", hi, lo)
		}
	}
}

func checkMilvus(r *report, s *model.Spec, ok map[string]bool) {
	m := s.Milvus
	replicas := s.MixCoordinatorReplicas()
	switch {
	case !ok["milvus.mixCoordinator"] || !ok["milvus.highAvailability"]:
		// an input is unknown or invalid: its own message stands alone
	case replicas < 1:
		r.errorf("milvus.mixCoordinator.replicas", "must be at least 1: mixcoord runs the root, query, data and index coordinators; got %d", replicas)
	case m.HighAvailability && replicas < 2:
		r.errorf("milvus.mixCoordinator.replicas", "highAvailability needs at least 2 mixCoordinator replicas (one active, one standby); set replicas: 2 or highAvailability: false")
	case !m.HighAvailability && replicas > 1:
		r.errorf("milvus.mixCoordinator.replicas", "more than one mixCoordinator replica needs active standby; set milvus.highAvailability: true or replicas: 1")
	}
	if p := m.Proxy.Replicas; ok["milvus.proxy"] && p != nil && *p < 1 {
		r.errorf("milvus.proxy.replicas", "must be at least 1: the proxies serve every client request; got %d", *p)
	}
	comps := []struct {
		name string
		c    model.Component
	}{{"mixCoordinator", m.MixCoordinator}, {"proxy", m.Proxy}, {"queryNode", m.QueryNode}, {"dataNode", m.DataNode}, {"streamingNode", m.StreamingNode}}
	for _, c := range comps {
		if !ok["milvus."+c.name] {
			continue
		}
		checkResources(r, "milvus."+c.name+".resources", c.c.Resources)
		if n := c.c.Replicas; ok["milvus.highAvailability"] && m.HighAvailability && c.name != "mixCoordinator" && n != nil && *n >= 0 && *n < sizing.HAReplicas {
			r.errorf("milvus."+c.name+".replicas", "highAvailability needs at least %d %s replicas, so losing one pod or node keeps it serving; set replicas: %d (or leave it unset), or highAvailability: false", sizing.HAReplicas, c.name, sizing.HAReplicas)
		}
	}
}

// maxQuantity bounds a container's resources above the largest EC2
// instances (1,920 vCPUs, 32 TiB) and far below what overflows the int64
// millicores and bytes the sizing fit check sums over MaxReplicas pods.
var maxQuantity = map[string]resource.Quantity{
	"cpu":    resource.MustParse("4096"),
	"memory": resource.MustParse("64Ti"),
}

func checkResources(r *report, path string, res *model.Resources) {
	if res == nil {
		return
	}
	lists := []struct {
		name string
		l    *model.ResourceList
	}{{"limits", res.Limits}, {"requests", res.Requests}}
	parsed := map[string]resource.Quantity{}
	for _, l := range lists {
		if l.l == nil {
			continue
		}
		for _, q := range []struct {
			name string
			v    model.Quantity
		}{{"cpu", l.l.CPU}, {"memory", l.l.Memory}} {
			if q.v == "" {
				continue
			}
			p := path + "." + l.name + "." + q.name
			v, err := resource.ParseQuantity(string(q.v))
			if err != nil {
				r.errorf(p, "must be a Kubernetes quantity such as \"500m\", 2 or \"4Gi\"; got %q", q.v)
				continue
			}
			if v.Sign() <= 0 {
				r.errorf(p, "must be greater than zero; got %q", q.v)
				continue
			}
			// Compared exactly (Quantity.Cmp), before any int64 arithmetic
			// can wrap: the sizing fit check sums these per node.
			if limit := maxQuantity[q.name]; v.Cmp(limit) > 0 {
				r.errorf(p, "%s %s is more than any EC2 instance has; the most milvusgen accepts is %s", q.name, clip(string(q.v), 40), limit.String())
				continue
			}
			parsed[l.name+"."+q.name] = v
		}
	}
	for _, k := range []string{"cpu", "memory"} {
		lim, okL := parsed["limits."+k]
		req, okR := parsed["requests."+k]
		if okL && okR && req.Cmp(lim) > 0 {
			r.errorf(path+".requests."+k, "request %s exceeds the limit %s; Kubernetes rejects such pods", req.String(), lim.String())
		}
	}
}

// checkAgreement catches names that must agree across artifacts but come
// from different fields.
func checkAgreement(r *report, s *model.Spec) {
	if s.Milvus.Namespace == model.LBControllerNamespace && s.Milvus.ServiceAccount == s.LoadBalancerController.ServiceAccount {
		r.errorf("milvus.serviceAccount", "%s/%s is the load balancer controller's service account; give Milvus its own", model.LBControllerNamespace, s.Milvus.ServiceAccount)
	}
	if k := s.Storage.StorageClass.KMSKeyID; k != "" && !s.Storage.StorageClass.Encrypted {
		r.errorf("storage.storageClass.kmsKeyID", "a KMS key only applies to encrypted volumes; set storage.storageClass.encrypted: true or drop the key")
	}
	if k := s.Storage.StorageClass.KMSKeyID; k != "" {
		if m := reKMSKey.FindStringSubmatch(k); m != nil {
			if m[1] != s.Partition() || m[2] != s.AWS.Region {
				r.errorf("storage.storageClass.kmsKeyID", "the KMS key must be in the cluster's partition and region (%s, %s); got %s, %s", s.Partition(), s.AWS.Region, m[1], m[2])
			}
		}
	}
}

// checkSecurity enforces the secure defaults' opt-outs: an internet-facing
// load balancer needs explicit source ranges, a range that reaches public
// addresses needs allowPublic, and a publicly reachable Milvus needs
// authentication, whatever allowPublic says.
func checkSecurity(r *report, s *model.Spec) {
	svc := s.Milvus.Service
	public := false
	if svc.Scheme == "internet-facing" {
		reach := sourceReach(svc.SourceRanges, s.Cluster.VPCCIDR)
		public = len(reach.public) > 0
		what := "public addresses"
		if reach.everywhere {
			what = "the whole internet"
		}
		switch {
		case !r.set("milvus.service.sourceRanges"):
			r.errorf("milvus.service.scheme", "an internet-facing load balancer needs explicit milvus.service.sourceRanges (your clients' CIDRs); the default, the VPC CIDR, is only right for an internal one")
		case public && !s.Milvus.Auth.Enabled:
			r.errorf("milvus.auth.enabled", "Milvus would be reachable from %s (milvus.service.sourceRanges) with authentication off; set milvus.auth.enabled: true, or list only private ranges", what)
		case public && !svc.AllowPublic:
			i := reach.public[0]
			r.errorf(fmt.Sprintf("milvus.service.sourceRanges.%d", i), "%s reaches addresses outside private (RFC 1918), shared (RFC 6598), link-local space and the VPC CIDR, so Milvus would be public (the ranges together reach %s); list your clients' private CIDRs, or set milvus.service.allowPublic: true to do it on purpose", svc.SourceRanges[i], what)
		case public:
			r.warnf(fmt.Sprintf("milvus.service.sourceRanges.%d", reach.public[0]), "Milvus is reachable from %s (allowPublic); only its authentication protects it", what)
		}
	}
	if svc.AllowPublic && !s.Milvus.Auth.Enabled && !public {
		r.errorf("milvus.auth.enabled", "a public load balancer (allowPublic) needs Milvus authentication; set milvus.auth.enabled: true")
	}
	if !s.Milvus.Auth.Enabled && !svc.AllowPublic && !public {
		r.warnf("milvus.auth.enabled", "Milvus authentication is off: anyone who reaches the load balancer has full access")
	}
}

// checkCompatibility checks the spec against what the pinned chart
// deploys (internal/versions): the message queue, the Milvus version, the
// coordinator layout and components the chart does not have.
func checkCompatibility(r *report, s *model.Spec) {
	c, ok := versions.Lookup(s.Milvus.ChartVersion)
	if !ok {
		return // reported by the field rule
	}
	// An external Kafka is Kafka to Milvus: the charts that support Kafka
	// point Milvus at one (externalKafka in the chart's config.tpl).
	if q := s.Milvus.MessageQueue; !slices.Contains(c.MessageQueues, q) && (q != model.ExternalKafka || !slices.Contains(c.MessageQueues, model.Kafka)) {
		r.errorf("milvus.messageQueue", "chart %s (Milvus %s) supports %s; got %q", s.Milvus.ChartVersion, c.Milvus, strings.Join(c.MessageQueues, ", "), s.Milvus.MessageQueue)
	}
	if v := s.Milvus.Version; v != "" {
		if why := c.Supports(v); why != "" {
			r.errorf("milvus.version", "%s", why)
		}
	}
	if co := s.Milvus.Coordinators; co != "" && !slices.Contains(c.Coordinators, co) {
		r.errorf("milvus.coordinators", "chart %s (Milvus %s) has only %s; got %q", c.Version, c.Milvus, strings.Join(c.Coordinators, ", "), co)
	}
	for name, comp := range map[string]model.Component{"streamingNode": s.Milvus.StreamingNode, "indexNode": s.Milvus.IndexNode} {
		if !c.Has(name) && (comp.Replicas != nil || comp.Resources != nil) {
			r.errorf("milvus."+name, "chart %s (Milvus %s) deploys no %s; these settings would be ignored; remove them", c.Version, c.Milvus, name)
		}
	}
}
