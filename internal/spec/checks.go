package spec

import (
	"fmt"
	"maps"
	"math"
	"net"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/owned"
	"github.com/milvusgen/milvusgen/internal/sizing"
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
	checkAvailability(r, s, ok)
	if all("milvus.service", "milvus.auth") {
		checkSecurity(r, s)
	}
	if all("milvus.chartVersion", "milvus.messageQueue") {
		checkCompatibility(r, s)
	}
	// The owned values derive from these sections; without them only the
	// checks that need no comparison (credentials, fixed keys) run.
	complete := all("aws", "storage", "cluster", "milvus.service", "milvus.serviceAccount", "milvus.mixCoordinator",
		"milvus.highAvailability", "milvus.messageQueue", "milvus.auth", "milvus.tls")
	if ok["milvus.values"] {
		checkRawValues(r, s, complete)
	}
	if ok["milvus.config"] {
		checkConfig(r, s, complete)
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
// load balancer needs explicit source ranges, opening it to the world needs
// allowPublic, and a public Milvus needs authentication.
func checkSecurity(r *report, s *model.Spec) {
	svc := s.Milvus.Service
	open := -1
	for i, cidr := range svc.SourceRanges {
		if _, n, err := net.ParseCIDR(cidr); err == nil {
			if ones, _ := n.Mask.Size(); ones == 0 {
				open = i
			}
		}
	}
	if svc.Scheme == "internet-facing" {
		switch {
		case !r.set("milvus.service.sourceRanges"):
			r.errorf("milvus.service.scheme", "an internet-facing load balancer needs explicit milvus.service.sourceRanges (your clients' CIDRs); the default, the VPC CIDR, is only right for an internal one")
		case open >= 0 && !svc.AllowPublic:
			r.errorf(fmt.Sprintf("milvus.service.sourceRanges.%d", open), "%s opens Milvus to the whole internet; list your clients' CIDRs, or set milvus.service.allowPublic: true to do it on purpose", svc.SourceRanges[open])
		case open >= 0:
			r.warnf(fmt.Sprintf("milvus.service.sourceRanges.%d", open), "Milvus is open to the whole internet (allowPublic); only its authentication protects it")
		}
	}
	if svc.AllowPublic && !s.Milvus.Auth.Enabled {
		r.errorf("milvus.auth.enabled", "a public load balancer (allowPublic) needs Milvus authentication; set milvus.auth.enabled: true")
	}
	if !s.Milvus.Auth.Enabled && !svc.AllowPublic {
		r.warnf("milvus.auth.enabled", "Milvus authentication is off: anyone who reaches the load balancer has full access")
	}
}

// checkConfig refuses raw milvus.yaml keys that contradict what milvusgen
// owns (owned.Config), compared as Milvus compares them: after its key
// normalisation, so AuthorizationEnabled and default_root_password are the
// keys milvusgen owns. complete says whether the spec sections the owned
// values derive from decoded, so a value can be compared with them.
func checkConfig(r *report, s *model.Spec, complete bool) {
	walkValues(s.Milvus.Config, "milvus.config", func(path, key string, v any) bool {
		rel := strings.TrimPrefix(path, "milvus.config.")
		if k, ok := owned.ConfigKey(rel); ok {
			if k.Want != nil && !k.Subtree && !complete {
				return false
			}
			if bad, msg := k.Contradicts(s, v); bad {
				r.errorf(path, "%s", msg)
			}
			return false
		}
		if isSecretKey(key) {
			r.errorf(path, "secrets must not be written to the rendered tree; keep them in Kubernetes Secrets")
			return false
		}
		return true
	})
}

// isSecretKey reports a key (any spelling) that names a credential.
func isSecretKey(key string) bool {
	n := owned.Normalize(key)
	for k := range secretKeys {
		if n == k || strings.HasSuffix(n, k) && k != "token" && k != "password" {
			return true
		}
	}
	return secretKeys[n]
}

// checkCompatibility checks the spec against what the chart version supports.
func checkCompatibility(r *report, s *model.Spec) {
	c, ok := compat().Charts[s.Milvus.ChartVersion]
	if !ok {
		return // reported by the field rule
	}
	if !slices.Contains(c.MessageQueues, s.Milvus.MessageQueue) {
		r.errorf("milvus.messageQueue", "chart %s (Milvus %s) supports %s; got %q", s.Milvus.ChartVersion, c.Milvus, strings.Join(c.MessageQueues, ", "), s.Milvus.MessageQueue)
	}
}

// inertKeys are chart 4.x value blocks that chart 5.x ignores silently.
var inertKeys = map[string]string{
	"rootCoordinator":  "mixCoordinator",
	"queryCoordinator": "mixCoordinator",
	"indexCoordinator": "mixCoordinator",
	"dataCoordinator":  "mixCoordinator",
	"indexNode":        "dataNode (index building moved there in Milvus 2.6)",
}

// secretKeys are value keys that would put a credential into Git.
var secretKeys = map[string]bool{
	"accesskey": true, "secretkey": true, "accesskeyid": true, "secretaccesskey": true,
	"password": true, "defaultrootpassword": true, "token": true,
}

// checkRawValues refuses raw Helm values that contradict what milvusgen
// owns (owned.Values), static credentials, chart 4.x blocks chart 5.x
// ignores, and extraEnv entries of any component that override an owned
// milvus.yaml key (Milvus reads every environment variable as config).
func checkRawValues(r *report, s *model.Spec, complete bool) {
	walkValues(s.Milvus.Values, "milvus.values", func(path, key string, v any) bool {
		rel := strings.TrimPrefix(path, "milvus.values.")
		if strings.Count(rel, ".") == 0 {
			if use, ok := inertKeys[key]; ok {
				r.errorf(path, "chart 5.x has no %s (Milvus 2.6 merged it); these values would be ignored; use milvus.%s", key, strings.Fields(use)[0])
				return false
			}
		}
		if k, ok := owned.ValuesKey(rel); ok {
			if k.Want != nil && !k.Subtree && !complete {
				return false
			}
			if bad, msg := k.Contradicts(s, v); bad {
				r.errorf(path, "%s", msg)
			}
			return false
		}
		// Replica counts in raw values reach the sizing fit check: the
		// same bound as the spec's own (a count near 2⁶³ once grew
		// memory without end).
		if (key == "replicas" || key == "replicaCount") && strings.Count(rel, ".") == 1 {
			if n, isNum := wholeNumber(v); !isNum || n < 0 || n > MaxReplicas {
				got := fmt.Sprint(v)
				if str, isStr := v.(string); isStr {
					got = fmt.Sprintf("the string %q", str)
				}
				r.errorf(path, "must be a whole number from 0 to %d; got %s", MaxReplicas, clip(got, 40))
			}
			return false
		}
		if key == "extraEnv" {
			if list, ok := v.([]any); ok {
				checkExtraEnv(r, s, path, list, complete)
			}
			return false
		}
		if isSecretKey(key) {
			if s, ok := v.(string); !ok || s != "" {
				r.errorf(path, "static credentials must not be written to the rendered tree; Milvus reaches S3 through IRSA, keep other secrets in Kubernetes Secrets")
			}
			return false
		}
		return true
	})
}

// wholeNumber is a decoded raw value as an int64, when it is one.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<62 {
			return int64(n), true
		}
	}
	return 0, false
}

// checkExtraEnv checks a component's raw environment variables: one that
// Milvus maps onto an owned config key must not contradict it, and no
// credential may be written as a literal value (valueFrom a Secret is
// fine for keys milvusgen does not own).
func checkExtraEnv(r *report, s *model.Spec, path string, list []any, complete bool) {
	for i, e := range list {
		entry, ok := e.(map[string]any)
		if !ok {
			continue
		}
		name, _ := entry["name"].(string)
		p := fmt.Sprintf("%s.%d.name", path, i)
		value, literal := entry["value"]
		if k, ok := owned.ConfigKey(name); ok {
			if k.Want != nil && !k.Subtree && !complete {
				continue
			}
			if !literal {
				value = nil // valueFrom: its value is unknown here
			}
			if bad, msg := k.Contradicts(s, value); bad || !literal {
				if !bad {
					msg = fmt.Sprintf("milvusgen sets %s from %s; change that field instead", k.Path, k.Field)
				}
				r.errorf(p, "%s overrides milvus.yaml's %s: %s", name, k.Path, msg)
			}
			continue
		}
		if literal && isSecretKey(name) {
			r.errorf(p, "%s would write a credential into the rendered tree; take it from a Kubernetes Secret with valueFrom.secretKeyRef", name)
		}
	}
}

// walkValues visits every key of nested maps in sorted order; fn returns
// false to skip a subtree.
func walkValues(m map[string]any, prefix string, fn func(path, key string, v any) bool) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p := prefix + "." + k
		if !fn(p, k, m[k]) {
			continue
		}
		switch x := m[k].(type) {
		case map[string]any:
			walkValues(x, p, fn)
		case []any:
			for i, e := range x {
				if em, ok := e.(map[string]any); ok {
					walkValues(em, fmt.Sprintf("%s.%d", p, i), fn)
				}
			}
		}
	}
}
