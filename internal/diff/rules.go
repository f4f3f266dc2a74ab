package diff

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// rule inspects one change; old and new are the parsed documents (nil
// when the object was added or removed, or is not a YAML/JSON object).
type rule func(c *Change, old, new map[string]any) []Flag

// rules run on every change, in this order.
var rules = []rule{
	milvusStorage,
	milvusVersion,
	messageQueue,
	persistence,
	immutableWorkloadFields,
	storageClass,
	namespacePruned,
	gitopsPath,
	podTemplate,
	pulsarRestart,
	replicas,
	activeStandby,
	releaseRemoved,
	disruptionBudgetRemoved,
	loadBalancer,
	sourceRanges,
	cluster,
	rootPasswordSecret,
}

func flag(c *Change, old, new map[string]any) []Flag {
	var out []Flag
	seen := map[Flag]bool{}
	for _, r := range rules {
		for _, f := range r(c, old, new) {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// get reads a nested map value.
func get(v any, path ...string) (any, bool) {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func str(v any, path ...string) string {
	s, _ := get(v, path...)
	x, _ := s.(string)
	return x
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func truthy(v any, path ...string) bool {
	x, _ := get(v, path...)
	b, _ := x.(bool)
	return b
}

func is(c *Change, group, kind string) bool { return c.ID.Group == group && c.ID.Kind == kind }

func isHelmRelease(c *Change) bool { return is(c, "helm.toolkit.fluxcd.io", "HelmRelease") }

// milvusValues reports whether a HelmRelease installs Milvus: its chart is
// milvus, or its values configure Milvus's external S3.
func milvusValues(obj map[string]any) bool {
	if obj == nil {
		return false
	}
	if str(obj, "spec", "chart", "spec", "chart") == "milvus" {
		return true
	}
	_, ok := get(obj, "spec", "values", "externalS3")
	return ok
}

func changedValue(old, new map[string]any, path ...string) (a, b any, changed bool) {
	a, _ = get(old, path...)
	b, _ = get(new, path...)
	return a, b, !reflect.DeepEqual(a, b)
}

func pointer(path ...string) string { return "/" + strings.Join(path, "/") }

// milvusStorage: Milvus pointed at another bucket, prefix or region finds
// none of its data there.
func milvusStorage(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed || !isHelmRelease(c) || !milvusValues(old) || !milvusValues(new) {
		return nil
	}
	var out []Flag
	for _, k := range []struct{ key, what string }{
		{"bucketName", "bucket"}, {"rootPath", "root path"}, {"region", "region"},
	} {
		p := []string{"spec", "values", "externalS3", k.key}
		if a, b, ch := changedValue(old, new, p...); ch {
			out = append(out, Flag{Data, pointer(p...), fmt.Sprintf(
				"Milvus would start on empty storage: its data stays under the old %s (%s → %s)", k.what, show(a), show(b))})
		}
	}
	return out
}

// mqOf is the message queue the Milvus chart configures in cluster mode
// (templates/config.tpl): Kafka when enabled, else external Pulsar, Pulsar
// v2, Woodpecker, or Pulsar v3, the chart's default.
func mqOf(obj map[string]any) string {
	v, _ := get(obj, "spec", "values")
	switch {
	case truthy(v, "externalKafka", "enabled"):
		return "external Kafka"
	case truthy(v, "kafka", "enabled"):
		return "Kafka"
	case truthy(v, "externalPulsar", "enabled"):
		return "external Pulsar"
	case truthy(v, "pulsar", "enabled"):
		return "Pulsar v2"
	case truthy(v, "woodpecker", "enabled"):
		return "Woodpecker"
	}
	if e, ok := get(v, "pulsarv3", "enabled"); !ok || e == true {
		return "Pulsar"
	}
	return "none"
}

func messageQueue(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed || !isHelmRelease(c) || !milvusValues(old) || !milvusValues(new) {
		return nil
	}
	a, b := mqOf(old), mqOf(new)
	if a == b {
		return externalKafkaBrokers(old, new, a)
	}
	return []Flag{{Data, "/spec/values", fmt.Sprintf(
		"message queue switch %s → %s: the write-ahead log in %s is not carried over, so writes not yet flushed to S3 are lost; switch with Milvus's own procedure, not a values change", a, b, a)}}
}

// externalKafkaBrokers flags a change of an external Kafka's brokers: the
// same cluster's bootstrap list may change freely, but brokers of another
// cluster are a queue switch diff cannot tell apart.
func externalKafkaBrokers(old, new map[string]any, mq string) []Flag {
	p := []string{"spec", "values", "externalKafka", "brokerList"}
	a, b, ch := changedValue(old, new, p...)
	if mq != "external Kafka" || !ch {
		return nil
	}
	return []Flag{{Data, pointer(p...), fmt.Sprintf(
		"external Kafka brokers %s → %s: if they are another Kafka cluster, the write-ahead log's writes not yet flushed to S3 stay in the old one and are lost; brokers of the same cluster are safe", show(a), show(b))}}
}

// persistence: volume size and class of a chart's StatefulSets end up in
// volumeClaimTemplates, which Kubernetes refuses to update.
func persistence(c *Change, _, _ map[string]any) []Flag {
	if !isHelmRelease(c) || c.Op != Changed {
		return nil
	}
	var out []Flag
	for _, f := range c.Fields {
		if !strings.HasPrefix(f.Path, "/spec/values/") {
			continue
		}
		before, field, ok := cutLast(f.Path, "/persistence/")
		if !ok || !oneOf(strings.SplitN(field, "/", 2)[0], "size", "storageClass", "storageClassName", "accessModes", "enabled") {
			continue
		}
		component := before[strings.LastIndex(before, "/")+1:]
		out = append(out, Flag{Data, f.Path, fmt.Sprintf(
			"%s persistence %s %s → %s: volumeClaimTemplates are immutable, so the StatefulSet update is rejected and the Helm upgrade fails; existing volumes keep their size and class",
			component, field, show(f.Old), show(f.New))})
	}
	return out
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

func isWorkload(c *Change) bool {
	return c.ID.Group == "apps" && oneOf(c.ID.Kind, "Deployment", "StatefulSet", "DaemonSet")
}

// immutableWorkloadFields: StatefulSet volumeClaimTemplates (and the few
// other fields Kubernetes never updates) and workload selectors.
func immutableWorkloadFields(c *Change, _, _ map[string]any) []Flag {
	if c.Op != Changed || !isWorkload(c) {
		return nil
	}
	var out []Flag
	for _, f := range c.Fields {
		switch {
		case c.ID.Kind == "StatefulSet" && strings.HasPrefix(f.Path, "/spec/volumeClaimTemplates"):
			out = append(out, Flag{Data, "/spec/volumeClaimTemplates",
				"StatefulSet volumeClaimTemplates are immutable: the update is rejected until the StatefulSet is deleted and recreated, and existing volumes are not resized or moved to the new class"})
		case c.ID.Kind == "StatefulSet" && (f.Path == "/spec/serviceName" || f.Path == "/spec/podManagementPolicy"):
			out = append(out, Flag{Data, f.Path, "immutable StatefulSet field: the update is rejected until the StatefulSet is deleted and recreated"})
		case strings.HasPrefix(f.Path, "/spec/selector"):
			out = append(out, Flag{Availability, "/spec/selector", "the selector is immutable: the update is rejected until the object is deleted and recreated, which stops its pods"})
		}
	}
	return out
}

// Flux's per-object annotations (render/kube writes them).
const (
	annFluxPrune = "kustomize.toolkit.fluxcd.io/prune"
	annFluxForce = "kustomize.toolkit.fluxcd.io/force"
)

// storageClass: a StorageClass's provisioning fields are immutable, and a
// new class never touches the volumes the old one provisioned.
func storageClass(c *Change, _, new map[string]any) []Flag {
	if c.Op != Changed || !is(c, "storage.k8s.io", "StorageClass") {
		return nil
	}
	apply := "Flux's apply of the infrastructure Kustomization fails until the class is deleted by hand, and the apps Kustomization waits on it (dependsOn)"
	if strings.EqualFold(str(new, "metadata", "annotations", annFluxForce), "enabled") {
		apply = "Flux deletes and recreates the class (force: enabled)"
	}
	var out []Flag
	seen := map[string]bool{}
	for _, f := range c.Fields {
		for _, p := range []string{"/parameters", "/provisioner", "/reclaimPolicy", "/volumeBindingMode"} {
			if !strings.HasPrefix(f.Path, p) || seen[p] {
				continue
			}
			seen[p] = true
			var reason string
			switch p {
			case "/reclaimPolicy":
				reason = fmt.Sprintf("StorageClass reclaimPolicy %s → %s is immutable: %s. Volumes already provisioned (etcd's) keep %s; change each with kubectl patch pv NAME -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":%s}}'",
					show(f.Old), show(f.New), apply, show(f.Old), show(f.New))
			case "/parameters":
				reason = fmt.Sprintf("StorageClass parameters are immutable: %s. Only volumes created from now on get the new type, encryption or KMS key; existing volumes (etcd's) keep theirs, and moving them takes a backup and restore (milvus-backup) or an EBS snapshot copy", apply)
			default:
				reason = fmt.Sprintf("StorageClass %s is immutable: %s; volumes already provisioned keep the old setting", p[1:], apply)
			}
			out = append(out, Flag{Data, p, reason})
		}
	}
	return out
}

func namespacePruned(c *Change, old, _ map[string]any) []Flag {
	if c.Op != Removed || !is(c, "", "Namespace") {
		return nil
	}
	if strings.EqualFold(str(old, "metadata", "annotations", annFluxPrune), "disabled") {
		return []Flag{{Data, "", fmt.Sprintf("Namespace %s leaves the tree: Flux keeps it (prune: disabled) with everything in it, etcd's volume claims included, but nothing manages it any more; delete it by hand once its data is no longer needed", c.ID.Name)}}
	}
	if strings.Contains(str(old, "metadata", "annotations", "argocd.argoproj.io/sync-options"), "Prune=false") {
		return []Flag{{Data, "", fmt.Sprintf("Namespace %s leaves the tree: Argo CD keeps it (Prune=false) with everything in it, etcd's volume claims included, but nothing manages it any more; delete it by hand once its data is no longer needed", c.ID.Name)}}
	}
	return []Flag{{Data, "", fmt.Sprintf("Flux prunes Namespace %s: everything in it is deleted, persistent volume claims (etcd's data) included", c.ID.Name)}}
}

// gitopsPath: the repository path a Flux Kustomization (or an Argo CD
// Application) reads moves.
func gitopsPath(c *Change, old, new map[string]any) []Flag {
	var p []string
	switch {
	case is(c, "kustomize.toolkit.fluxcd.io", "Kustomization"):
		p = []string{"spec", "path"}
	case is(c, "argoproj.io", "Application"):
		p = []string{"spec", "source", "path"}
	default:
		return nil
	}
	if c.Op != Changed {
		return nil
	}
	a, b, ch := changedValue(old, new, p...)
	if !ch {
		return nil
	}
	return []Flag{{Data, pointer(p...), fmt.Sprintf(
		"GitOps path %s → %s: until the cluster's %s points at the new path, the old path must stay in the repository; if the old path disappears first, the engine reconciles an empty tree and prunes what it applied (the Milvus release and, without prune: disabled, its Namespace with etcd's volumes). Commit the tree at the new path, apply the new flux/ objects, then remove the old path",
		show(a), show(b), c.ID.Kind)}}
}

// clusterReplaced is what a new ClusterConfig identity means.
const clusterReplaced = "eksctl creates a new EKS cluster from scratch; the old cluster keeps running, orphaned with its EBS volumes (etcd's metadata) and its load balancer; clients must move to the new load balancer's address; run the old tree's teardown.sh to delete the old cluster once its data is migrated"

// flagRenames flags what only shows across changes: a ClusterConfig or
// the Milvus Namespace removed under one name and added under another.
func flagRenames(r *Report) {
	removed := map[string]*Change{}
	for i := range r.Changes {
		c := &r.Changes[i]
		if c.Op == Removed && (isClusterConfig(c) || is(c, "", "Namespace")) {
			removed[c.ID.Kind] = c
		}
	}
	for i := range r.Changes {
		c := &r.Changes[i]
		if c.Op != Added {
			continue
		}
		old, ok := removed[c.ID.Kind]
		if !ok {
			continue
		}
		switch {
		case isClusterConfig(c):
			c.Flags = append(c.Flags, Flag{Infrastructure, "/metadata/name", fmt.Sprintf("cluster renamed %q → %q: %s", old.ID.Name, c.ID.Name, clusterReplaced)})
		case is(c, "", "Namespace"):
			c.Flags = append(c.Flags, Flag{Data, "/metadata/name", fmt.Sprintf(
				"Milvus namespace renamed %q → %q: Milvus is installed afresh in %s with an empty etcd, so the collections whose data is in S3 are not visible there; the old release is uninstalled and etcd's volumes stay behind in %s. Migrate with milvus-backup instead of renaming",
				old.ID.Name, c.ID.Name, c.ID.Name, old.ID.Name)})
		}
	}
}

func releaseRemoved(c *Change, _, _ map[string]any) []Flag {
	if c.Op != Removed || !isHelmRelease(c) {
		return nil
	}
	return []Flag{{Availability, "", fmt.Sprintf("Flux uninstalls Helm release %s: its workloads and services are deleted", c.ID.Name)}}
}

// disruptionBudgetRemoved: without its PodDisruptionBudget a node drain
// may evict several replicas at once (etcd: below quorum).
func disruptionBudgetRemoved(c *Change, _, _ map[string]any) []Flag {
	if c.Op != Removed || !is(c, "policy", "PodDisruptionBudget") {
		return nil
	}
	return []Flag{{Availability, "", fmt.Sprintf("PodDisruptionBudget %s removed: a node drain or upgrade may evict several of its pods at once (for etcd, below quorum, which stops Milvus)", c.ID.Name)}}
}

// restartReasons are the Milvus components whose restart is felt.
var restartReasons = map[string]string{
	"querynode":     "rolling restart of the query nodes: each reloads its segments, so searches slow down (or fail without in-memory replicas) until all are back",
	"datanode":      "rolling restart of the data nodes: flushes and compactions in progress are interrupted and retried",
	"streamingnode": "rolling restart of the streaming nodes: their WAL channels move to other nodes and writes pause while they do",
	"mixcoord":      "restart of the coordinators: with active standby the standby takes over, without it Milvus is unavailable until mixcoord is back",
}

func component(obj map[string]any) string {
	for _, p := range [][]string{
		{"metadata", "labels", "component"},
		{"spec", "template", "metadata", "labels", "component"},
		{"metadata", "labels", "app.kubernetes.io/component"},
	} {
		if s := str(obj, p...); s != "" {
			return s
		}
	}
	return ""
}

// podTemplate: any change to a Milvus node's pod template rolls its pods.
func podTemplate(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed || !isWorkload(c) {
		return nil
	}
	reason, ok := restartReasons[component(new)]
	if !ok {
		return nil
	}
	for _, f := range c.Fields {
		if strings.HasPrefix(f.Path, "/spec/template/") {
			return []Flag{{Availability, f.Path, reason}}
		}
	}
	return nil
}

// replicas: a replica count going from more than one to one or none.
func replicas(c *Change, _, _ map[string]any) []Flag {
	if c.Op != Changed {
		return nil
	}
	var out []Flag
	for _, f := range c.Fields {
		if f.Op != Changed || !(strings.HasSuffix(f.Path, "/replicas") || strings.HasSuffix(f.Path, "/replicaCount")) {
			continue
		}
		a, okA := num(f.Old)
		b, okB := num(f.New)
		if !okA || !okB || a <= 1 || b > 1 {
			continue
		}
		reason := fmt.Sprintf("replicas %v → %v: no redundancy left; a node failure, a rollout or an eviction is downtime", a, b)
		if b == 0 {
			reason = fmt.Sprintf("replicas %v → 0: scaled to zero, nothing serves", a)
		}
		out = append(out, Flag{Availability, f.Path, reason})
	}
	return out
}

// activeStandby: a Milvus coordinator's active standby turned off.
func activeStandby(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed || !isHelmRelease(c) || !milvusValues(old) {
		return nil
	}
	ov, _ := get(old, "spec", "values")
	om, _ := ov.(map[string]any)
	var out []Flag
	for _, k := range sortedKeys(om) {
		if truthy(om, k, "activeStandby", "enabled") && !truthy(new, "spec", "values", k, "activeStandby", "enabled") {
			out = append(out, Flag{Availability, pointer("spec", "values", k, "activeStandby", "enabled"),
				k + " active standby turned off: there is no standby coordinator, so a restart or node loss of the coordinator is an outage"})
		}
	}
	return out
}

// LB controller annotations on a Service.
const (
	annScheme       = "service.beta.kubernetes.io/aws-load-balancer-scheme"
	annName         = "service.beta.kubernetes.io/aws-load-balancer-name"
	annType         = "service.beta.kubernetes.io/aws-load-balancer-type"
	annSourceRanges = "service.beta.kubernetes.io/load-balancer-source-ranges"
)

// serviceParts locates the annotations, type and source ranges of a
// load-balanced Service: the Service object itself, or the service block
// of a Milvus HelmRelease's values.
func serviceParts(c *Change) (ann, typ, ranges []string, ok bool) {
	switch {
	case is(c, "", "Service"):
		return []string{"metadata", "annotations"}, []string{"spec", "type"}, []string{"spec", "loadBalancerSourceRanges"}, true
	case isHelmRelease(c):
		return []string{"spec", "values", "service", "annotations"}, []string{"spec", "values", "service", "type"}, []string{"spec", "values", "service", "loadBalancerSourceRanges"}, true
	}
	return nil, nil, nil, false
}

// loadBalancer: the LB controller replaces the load balancer when its
// scheme, name or type changes.
func loadBalancer(c *Change, old, new map[string]any) []Flag {
	annP, typP, _, ok := serviceParts(c)
	if !ok || c.Op != Changed {
		return nil
	}
	var out []Flag
	for _, a := range []struct{ key, what string }{{annScheme, "scheme"}, {annName, "name"}, {annType, "type annotation"}} {
		p := append(append([]string(nil), annP...), a.key)
		x, y, ch := changedValue(old, new, p...)
		if !ch {
			continue
		}
		reason := fmt.Sprintf("load balancer replaced (%s %s → %s): the AWS Load Balancer Controller deletes it and creates a new one with a new DNS name; clients must move to the new address", a.what, show(x), show(y))
		if a.key == annScheme && y == "internet-facing" {
			reason += "; it becomes reachable from the internet"
		}
		out = append(out, Flag{Network, pointer(annP...) + keySegment(a.key), reason})
	}
	x, y, ch := changedValue(old, new, typP...)
	if ch && (x == "LoadBalancer" || y == "LoadBalancer") {
		what := "created"
		if x == "LoadBalancer" {
			what = "deleted"
		}
		out = append(out, Flag{Network, pointer(typP...), fmt.Sprintf("service type %s → %s: the load balancer is %s", show(x), show(y), what)})
	}
	return out
}

func isOpen(cidr string) bool {
	cidr = strings.TrimSpace(cidr)
	return cidr == "0.0.0.0/0" || cidr == "::/0"
}

func rangesOf(obj map[string]any, rangesP, annP []string) (cidrs []string, set bool) {
	if v, ok := get(obj, rangesP...); ok {
		if l, ok := v.([]any); ok {
			for _, e := range l {
				if s, ok := e.(string); ok {
					cidrs = append(cidrs, s)
				}
			}
			set = len(l) > 0
		}
	}
	if s := str(obj, append(append([]string(nil), annP...), annSourceRanges)...); s != "" {
		cidrs = append(cidrs, strings.Split(s, ",")...)
		set = true
	}
	return cidrs, set
}

// sourceRanges: a load balancer opened to any address.
func sourceRanges(c *Change, old, new map[string]any) []Flag {
	annP, typP, rangesP, ok := serviceParts(c)
	if !ok || new == nil {
		return nil
	}
	if isHelmRelease(c) && !milvusValues(new) {
		return nil
	}
	lb := str(new, typP...) == "LoadBalancer"
	nr, nset := rangesOf(new, rangesP, annP)
	or, oset := rangesOf(old, rangesP, annP)
	open := func(l []string) bool {
		for _, r := range l {
			if isOpen(r) {
				return true
			}
		}
		return false
	}
	switch {
	case open(nr) && !open(or):
		return []Flag{{Network, pointer(rangesP...), fmt.Sprintf("source ranges opened to %s: any address may connect to the load balancer", strings.Join(nr, ", "))}}
	case lb && oset && !nset && old != nil:
		return []Flag{{Network, pointer(rangesP...), "source ranges removed: the load balancer accepts connections from any address"}}
	}
	return nil
}

func isClusterConfig(c *Change) bool { return is(c, "eksctl.io", "ClusterConfig") }

// Node group fields eksctl cannot change in place.
var replacedBy = []string{"instanceType", "instanceTypes", "amiFamily", "ami", "volumeSize", "volumeType", "volumeEncrypted", "volumeKmsKeyID", "privateNetworking", "spot", "availabilityZones", "subnets"}

func groups(obj map[string]any, list string) map[string]map[string]any {
	out := map[string]map[string]any{}
	v, _ := get(obj, list)
	l, _ := v.([]any)
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			if n, ok := m["name"].(string); ok {
				out[n] = m
			}
		}
	}
	return out
}

// cluster: the cluster name, region or account of the ClusterConfig (the
// Kubernetes version is a step of infra.go).
func cluster(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed || !isClusterConfig(c) {
		return nil
	}
	var out []Flag
	for _, k := range []string{"name", "region"} {
		if a, b := str(old, "metadata", k), str(new, "metadata", k); a != b {
			out = append(out, Flag{Infrastructure, "/metadata/" + k, fmt.Sprintf("cluster %s %q → %q: %s", k, a, b, clusterReplaced)})
		}
	}
	if a, b := accounts(old), accounts(new); len(a) > 0 && len(b) > 0 && a != b {
		out = append(out, Flag{Infrastructure, "", fmt.Sprintf("AWS account %s → %s: %s", a, b, clusterReplaced)})
	}
	return out
}

// reAccount finds the account of customer IAM ARNs (not aws-managed ones).
var reAccount = regexp.MustCompile(`arn:aws[a-z-]*:iam::([0-9]{12}):`)

// accounts lists the AWS accounts a document's IAM ARNs name.
func accounts(obj map[string]any) string {
	data, _ := json.Marshal(obj)
	seen := map[string]bool{}
	var out []string
	for _, m := range reAccount.FindAllSubmatch(data, -1) {
		if a := string(m[1]); !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sortStrings(out)
	return strings.Join(out, ", ")
}

func minor(v string) int {
	major, m, ok := strings.Cut(v, ".")
	if !ok || major != "1" {
		return -1
	}
	n, err := strconv.Atoi(m)
	if err != nil {
		return -1
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
