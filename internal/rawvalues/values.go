package rawvalues

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/milvusgen/milvusgen/internal/versions"
)

// Problem is a refused raw key or value: where it is under the spec field
// that holds it (milvus.values or milvus.config), and why.
type Problem struct {
	Path []string
	Msg  string
}

// entry is one key that may pass, with the check of its value and why it
// is safe.
type entry struct {
	path  string
	check check
	why   string
}

// valuesAllowed is the one table of Helm values that milvus.values may
// set. "*" stands for each Milvus component the pinned chart deploys
// (versions.Chart.Blocks), and an entry that names a component applies
// only on charts that have it: the allowlist follows the chart the spec
// pins. Each path was checked against the values.yaml and templates of
// charts 4.2.37, 4.2.58 and 5.0.19 (and their etcd, Kafka, ZooKeeper and
// Pulsar subcharts); TestComponentKeysInCharts reads the archives.
var valuesAllowed = []entry{
	// Placement: where pods run, never how many or how spread.
	{"nodeSelector", selector, "places every Milvus pod on labelled nodes (a component's own selector replaces it)"},
	{"*.nodeSelector", selector, "places a component's pods on labelled nodes"},
	{"tolerations", tolerations, "lets every Milvus pod run on tainted nodes"},
	{"*.tolerations", tolerations, "lets a component's pods run on tainted nodes"},
	{"etcd.nodeSelector", selector, "places the etcd members"},
	{"etcd.tolerations", tolerations, "lets the etcd members run on tainted nodes"},
	{"kafka.nodeSelector", selector, "places the Kafka brokers"},
	{"kafka.tolerations", tolerations, "lets the Kafka brokers run on tainted nodes"},
	{"kafka.zookeeper.nodeSelector", selector, "places Kafka's ZooKeeper"},
	{"kafka.zookeeper.tolerations", tolerations, "lets Kafka's ZooKeeper run on tainted nodes"},
	{"pulsarv3.zookeeper.nodeSelector", selector, "places Pulsar's ZooKeeper"},
	{"pulsarv3.zookeeper.tolerations", tolerations, "lets Pulsar's ZooKeeper run on tainted nodes"},
	{"pulsarv3.bookkeeper.nodeSelector", selector, "places the bookies"},
	{"pulsarv3.bookkeeper.tolerations", tolerations, "lets the bookies run on tainted nodes"},
	{"pulsarv3.autorecovery.nodeSelector", selector, "places Pulsar's autorecovery"},
	{"pulsarv3.autorecovery.tolerations", tolerations, "lets Pulsar's autorecovery run on tainted nodes"},
	{"pulsarv3.broker.nodeSelector", selector, "places the brokers"},
	{"pulsarv3.broker.tolerations", tolerations, "lets the brokers run on tainted nodes"},
	{"pulsarv3.proxy.nodeSelector", selector, "places Pulsar's proxies"},
	{"pulsarv3.proxy.tolerations", tolerations, "lets Pulsar's proxies run on tainted nodes"},

	// Metadata: labels and annotations in the user's own domain.
	{"labels", labels, "labels every Milvus Deployment and pod (milvus.ud.labels); the chart's own labels and reserved domains are refused"},
	{"annotations", annotations, "annotates every Milvus Deployment and pod (milvus.ud.annotations)"},
	// Every component's template reads <component>.annotations except the
	// streaming node's (refused below).
	{"mixCoordinator.annotations", annotations, "annotates the mixcoord pods"},
	{"rootCoordinator.annotations", annotations, "annotates the rootcoord pods (charts 4.2.x)"},
	{"queryCoordinator.annotations", annotations, "annotates the querycoord pods (charts 4.2.x)"},
	{"dataCoordinator.annotations", annotations, "annotates the datacoord pods (charts 4.2.x)"},
	{"indexCoordinator.annotations", annotations, "annotates the indexcoord pods (charts 4.2.x)"},
	{"proxy.annotations", annotations, "annotates the proxy pods"},
	{"queryNode.annotations", annotations, "annotates the query node pods"},
	{"dataNode.annotations", annotations, "annotates the data node pods"},
	{"indexNode.annotations", annotations, "annotates the index node pods (charts 4.2.x)"},
	{"service.labels", labels, "labels the load-balanced Service"},
	{"service.annotations", annotations, "annotates the load-balanced Service, next to milvusgen's load balancer annotations (reserved domains, where those live, are refused)"},

	// Priority: only the subcharts take a priority class; no chart's
	// Milvus templates read one.
	{"etcd.priorityClassName", priorityClass, "keeps the metadata store ahead of batch pods under pressure"},
	{"kafka.priorityClassName", priorityClass, "keeps the Kafka brokers ahead of batch pods under pressure"},
	{"kafka.zookeeper.priorityClassName", priorityClass, "keeps Kafka's ZooKeeper ahead of batch pods under pressure"},

	// Logging.
	{"log.level", oneOf("debug", "info", "warn", "error"), "Milvus's log level (milvus.yaml log.level)"},
	{"log.format", oneOf("text", "json"), "Milvus's log format, for log pipelines (milvus.yaml log.format)"},

	// Image mirrors, which air-gapped clusters need. Tags and digests stay
	// the spec's, so the version moves only with milvus.version or
	// milvus.chartVersion, where the upgrade rules see it.
	{"image.all.repository", repository, "pulls Milvus from a mirror"},
	{"image.all.pullSecrets", secretNames, "names the Secrets that log in to the mirror"},
	{"etcd.image.registry", registry, "pulls etcd from a mirror"},
	{"etcd.image.pullSecrets", secretNames, "names the Secrets that log in to the mirror"},
	{"kafka.image.registry", registry, "pulls Kafka from a mirror"},
	{"kafka.image.pullSecrets", secretNames, "names the Secrets that log in to the mirror"},
	{"kafka.zookeeper.image.registry", registry, "pulls ZooKeeper from a mirror"},
	{"kafka.zookeeper.image.pullSecrets", secretNames, "names the Secrets that log in to the mirror"},
	{"pulsarv3.images.imagePullSecrets", secretNames, "names the Secrets that log in to the mirror"},
	{"pulsarv3.images.zookeeper.repository", repository, "pulls Pulsar's ZooKeeper from a mirror"},
	{"pulsarv3.images.bookie.repository", repository, "pulls the bookies from a mirror"},
	{"pulsarv3.images.autorecovery.repository", repository, "pulls Pulsar's autorecovery from a mirror"},
	{"pulsarv3.images.broker.repository", repository, "pulls the brokers from a mirror"},
	{"pulsarv3.images.proxy.repository", repository, "pulls Pulsar's proxies from a mirror"},

	// Environment: milvus.yaml keys of the sections milvus.config accepts
	// and the Go runtime's variables (extraEnv).
	{"*.extraEnv", extraEnv, "tunes a component through milvus.yaml keys milvus.config accepts, or the Go runtime"},
}

// valuesRefused says, for keys off the table, what to use instead; the
// longest matching path speaks. Everything else is not supported. In a
// message, {chart} is the pinned chart's version, {component} the
// component of a "*" path and {field} its spec field (the separate
// coordinators take mixCoordinator's). A component the pinned chart lacks
// is refused whole (absent).
var valuesRefused = []struct{ path, msg string }{
	{"*.replicas", "use milvus.{field}.replicas"},
	{"*.resources", "use milvus.{field}.resources"},
	{"*.priorityClassName", "chart {chart} gives Milvus's own pods no priority class (only etcd, Kafka and ZooKeeper take one); not supported"},
	{"*.volumes", "not supported: a volume can mount over /milvus/configs (milvus.yaml) or the TLS certificates; milvusgen mounts what milvus.tls needs"},
	{"*.volumeMounts", "not supported: a volume can mount over /milvus/configs (milvus.yaml) or the TLS certificates; milvusgen mounts what milvus.tls needs"},
	{"volumes", "not supported: a volume can mount over /milvus/configs (milvus.yaml) or the TLS certificates; milvusgen mounts what milvus.tls needs"},
	{"volumeMounts", "not supported: a volume can mount over /milvus/configs (milvus.yaml) or the TLS certificates; milvusgen mounts what milvus.tls needs"},
	{"*.affinity", "not supported: milvus.highAvailability renders the spread the fit check placed; use nodeSelector to choose nodes"},
	{"*.topologySpreadConstraints", "not supported: milvus.highAvailability renders the spread the fit check placed; use nodeSelector to choose nodes"},
	{"affinity", "not supported: milvus.highAvailability renders the spread the fit check placed; use nodeSelector to choose nodes"},
	{"topologySpreadConstraints", "not supported: milvus.highAvailability renders the spread the fit check placed; use nodeSelector to choose nodes"},
	{"*.hpa", "not supported: use milvus.{field}.replicas (an autoscaler would undo the fit check)"},
	{"streamingNode.annotations", "chart {chart} does not read streamingNode.annotations; use the global annotations"},
	{"mixCoordinator.activeStandby", "use milvus.highAvailability"},
	{"rootCoordinator.activeStandby", "use milvus.highAvailability"},
	{"queryCoordinator.activeStandby", "use milvus.highAvailability"},
	{"dataCoordinator.activeStandby", "use milvus.highAvailability"},
	{"indexCoordinator.activeStandby", "use milvus.highAvailability"},
	{"image.all.tag", "use milvus.version (a Milvus patch within the chart's line; the upgrade rules apply to it) or milvus.chartVersion"},
	{"image", "not supported: only image.all.repository and image.all.pullSecrets may be set (the tag follows milvus.version and milvus.chartVersion)"},
	{"cluster", "not supported: milvusgen always runs Milvus in cluster mode; cluster.enabled: false would replace every component with one standalone pod"},
	{"standalone", "not supported: milvusgen always runs Milvus in cluster mode"},
	{"customConfigMap", "use milvus.config (its allowed sections), milvus.auth and milvus.tls; a custom ConfigMap replaces milvus.yaml and drops milvusgen's authentication and S3 settings"},
	{"extraConfigFiles", "use milvus.config (its allowed sections), milvus.auth and milvus.tls"},
	{"externalS3", "use storage.bucket, storage.rootPath and aws.region; Milvus reaches S3 through cluster.identity, never static keys"},
	{"externalGcs", "use storage.bucket; milvusgen stores in S3"},
	{"minio", "use storage.bucket; milvusgen stores in S3, not in an in-cluster MinIO"},
	{"etcd", "not supported: Milvus keeps its metadata in the chart's etcd, which milvusgen configures"},
	{"etcd.enabled", "not supported: Milvus keeps its metadata in the chart's etcd; an external etcd would move it"},
	{"etcd.replicaCount", "not supported: milvusgen runs the chart's 3 etcd members, a quorum that survives the loss of one"},
	{"externalEtcd", "not supported: Milvus keeps its metadata in the chart's etcd; an external etcd would move it"},
	{"messageQueue", "use milvus.messageQueue"},
	{"pulsar", "use milvus.messageQueue; the spec alone chooses the message queue (pulsar is the chart's Pulsar v2, which milvusgen never deploys)"},
	{"pulsarv3", "not supported: milvusgen configures the chart's Pulsar from milvus.messageQueue"},
	{"pulsarv3.enabled", "use milvus.messageQueue; the spec alone chooses the message queue"},
	{"kafka", "not supported: milvusgen configures the chart's Kafka from milvus.messageQueue and sizes it"},
	{"kafka.enabled", "use milvus.messageQueue; the spec alone chooses the message queue"},
	{"kafka.externalAccess", "not supported: milvusgen's load balancer (milvus.service) is the only way in"},
	{"woodpecker", "use milvus.messageQueue; the spec alone chooses the message queue"},
	{"externalPulsar", "use milvus.messageQueue; the spec alone chooses the message queue: woodpecker, pulsar or kafka in the cluster, or an external Kafka (externalKafka); an external Pulsar is not supported"},
	{"externalKafka", "use milvus.messageQueue: externalKafka with milvus.externalKafka (brokers, securityProtocol, sasl with the credentials' Secret, tls); raw values would put the SASL password in milvus.yaml"},
	{"streaming", "not supported: Milvus 2.6 writes through its streaming nodes; use milvus.messageQueue to choose the WAL"},
	{"service", "use milvus.service (scheme, sourceRanges, port, loadBalancerName); only service.labels and service.annotations may be added"},
	{"ingress", "not supported: milvusgen's load balancer (milvus.service) is the only way in; an Ingress would be a second door"},
	{"attu", "not supported: Attu would get its own Service or Ingress, a second door next to milvus.service; run Attu outside the release"},
	{"mixCoordinator.service", "not supported: the coordinators are reached inside the cluster only"},
	{"rootCoordinator.service", "not supported: the coordinators are reached inside the cluster only"},
	{"queryCoordinator.service", "not supported: the coordinators are reached inside the cluster only"},
	{"dataCoordinator.service", "not supported: the coordinators are reached inside the cluster only"},
	{"indexCoordinator.service", "not supported: the coordinators are reached inside the cluster only"},
	{"serviceAccount", "use milvus.serviceAccount; eksctl creates it with the IAM role"},
	{"metrics", "not supported: metrics.enabled would put port 9091 (metrics and the login-free WebUI) on the load balancer; Prometheus scrapes the pods' 9091 inside the cluster"},
	{"nameOverride", "not supported: the names the other artifacts refer to come from the chart's defaults"},
	{"fullnameOverride", "not supported: the names the other artifacts refer to come from the chart's defaults"},
	{"log", "not supported: only log.level and log.format may be set"},
}

// absentHint says where a key of a component the pinned chart lacks
// belongs instead.
var absentHint = map[string]string{
	"rootCoordinator":  "Milvus 2.6 runs every coordinator in mixCoordinator: set it on mixCoordinator",
	"queryCoordinator": "Milvus 2.6 runs every coordinator in mixCoordinator: set it on mixCoordinator",
	"dataCoordinator":  "Milvus 2.6 runs every coordinator in mixCoordinator: set it on mixCoordinator",
	"indexCoordinator": "Milvus 2.6 runs every coordinator in mixCoordinator: set it on mixCoordinator",
	"indexNode":        "Milvus 2.6 builds indexes in the data nodes: set it on dataNode",
	"streamingNode":    "streaming nodes come with Milvus 2.6 (charts 5.x)",
}

const valuesListHint = "milvus.values accepts node selectors, tolerations, labels, annotations, log.level and log.format, image mirrors and pull secrets, priority classes of etcd and Kafka, and extraEnv; see docs/security.md"

// allowlist is the values table of one chart: the allowed paths and their
// prefixes, and the refusal messages, each keyed by join.
type allowlist struct {
	allowed map[string]entry
	prefix  map[string]bool
	refused map[string]string
}

// allowlists are the tables of the charts milvusgen knows, built once.
var allowlists = sync.OnceValue(func() map[string]*allowlist {
	out := map[string]*allowlist{}
	for _, c := range versions.Charts() {
		out[c.Version] = build(c)
	}
	return out
})

// knownComponents are the component blocks of every known chart: a key
// naming one applies only where the pinned chart has it.
var knownComponents = sync.OnceValue(func() []string {
	var out []string
	for _, c := range versions.Charts() {
		for _, b := range c.Blocks() {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	return out
})

func allowlistOf(c versions.Chart) *allowlist {
	if a, ok := allowlists()[c.Version]; ok {
		return a
	}
	return build(c) // a chart off the table (the zero Chart): no component passes
}

// build expands the tables for chart c: "*" into each of its components,
// entries of components it lacks dropped, and a refusal for each of those.
// The key joins the path elements with NUL, which no key holds after the
// control character check, so a key spelled with dots is never a path.
func build(c versions.Chart) *allowlist {
	comps := c.Blocks()
	lacks := func(elem string) bool {
		return slices.Contains(knownComponents(), elem) && !slices.Contains(comps, elem)
	}
	a := &allowlist{allowed: map[string]entry{}, refused: map[string]string{}}
	for _, e := range valuesAllowed {
		for _, p := range expand(e.path, comps) {
			if !lacks(p[0]) {
				a.allowed[join(p)] = e
			}
		}
	}
	a.prefix = prefixes(a.allowed)
	for _, r := range valuesRefused {
		star := strings.HasPrefix(r.path, "*.")
		for _, p := range expand(r.path, comps) {
			if lacks(p[0]) {
				continue
			}
			comp := ""
			if star {
				comp = p[0]
			}
			a.refused[join(p)] = fill(r.msg, c, comp)
		}
	}
	for _, comp := range knownComponents() {
		if lacks(comp) {
			a.refused[comp] = absent(c, comp)
		}
	}
	return a
}

// expand splits a table path into elements, once for each component when
// it starts with "*".
func expand(path string, comps []string) [][]string {
	rest, ok := strings.CutPrefix(path, "*.")
	if !ok {
		return [][]string{strings.Split(path, ".")}
	}
	var out [][]string
	for _, c := range comps {
		out = append(out, append([]string{c}, strings.Split(rest, ".")...))
	}
	return out
}

func fill(msg string, c versions.Chart, comp string) string {
	field := comp
	if slices.Contains(versions.SeparateCoordinators, comp) {
		field = "mixCoordinator" // the separate coordinators take mixCoordinator's figures
	}
	return strings.NewReplacer("{chart}", c.Version, "{component}", comp, "{field}", field).Replace(msg)
}

// absent is the refusal of a component the pinned chart does not deploy.
func absent(c versions.Chart, comp string) string {
	if c.Version == "" {
		return fmt.Sprintf("milvus.chartVersion names no chart milvusgen knows (known: %s), so %s cannot be checked against its components; fix milvus.chartVersion", strings.Join(versions.Known(), ", "), comp)
	}
	msg := fmt.Sprintf("chart %s has no %s; its Milvus components are %s", c.Version, comp, strings.Join(c.Blocks(), ", "))
	if h := absentHint[comp]; h != "" {
		msg += "; " + h
	}
	return msg
}

func prefixes(m map[string]entry) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		elems := strings.Split(k, "\x00")
		for i := 1; i < len(elems); i++ {
			out[join(elems[:i])] = true
		}
	}
	return out
}

func join(elems []string) string { return strings.Join(elems, "\x00") }

// Values checks raw Helm values against the allowlist of chart c, the
// chart the spec pins (versions.Of). Paths in the problems are relative
// to milvus.values.
func Values(v map[string]any, c versions.Chart) []Problem {
	var out []Problem
	allowlistOf(c).walk(v, nil, &out)
	return out
}

func (a *allowlist) walk(m map[string]any, path []string, out *[]Problem) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p := at(path, k)
		v := m[k]
		if w, ok := Credential(k); ok && holdsSecret(v) {
			*out = append(*out, problem(p, "%s", credentialMessage(k, w))...)
			continue
		}
		key := join(p)
		if e, ok := a.allowed[key]; ok {
			*out = append(*out, e.check(p, v)...)
			continue
		}
		if sub, ok := v.(map[string]any); ok && a.prefix[key] {
			a.walk(sub, p, out)
			continue
		}
		*out = append(*out, refuse(p, v, a.refusal(p))...)
	}
}

// refusal is the message for a key off the table: the longest refusal
// entry at or above it, else "not supported".
func (a *allowlist) refusal(p []string) string {
	for i := len(p); i > 0; i-- {
		if msg, ok := a.refused[join(p[:i])]; ok {
			return msg
		}
	}
	return "not supported; " + valuesListHint
}

// refuse reports a refused key, or the credentials under it when there
// are any: those are the more urgent problem, and their positions say
// where.
func refuse(p []string, v any, msg string) []Problem {
	if creds := credentialsIn(p, v); len(creds) > 0 {
		return creds
	}
	return problem(p, "%s", msg)
}

// credentialsIn finds the keys under v that name a credential and hold a
// value.
func credentialsIn(path []string, v any) []Problem {
	var out []Problem
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			p := at(path, k)
			if w, ok := Credential(k); ok && holdsSecret(x[k]) {
				out = append(out, problem(p, "%s", credentialMessage(k, w))...)
				continue
			}
			out = append(out, credentialsIn(p, x[k])...)
		}
	case []any:
		for i, e := range x {
			out = append(out, credentialsIn(at(path, fmt.Sprint(i)), e)...)
		}
	}
	return out
}

// holdsSecret reports a value that can be a credential: a non-empty
// string or a number. A map under a credential word is a section (etcd's
// auth.token: {enabled: false}), searched further; a boolean switches
// something, and null or "" is a default switched off.
func holdsSecret(v any) bool {
	switch x := v.(type) {
	case string:
		return x != ""
	case int, int64, float64:
		return true
	}
	return false
}
