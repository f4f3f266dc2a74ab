// Package adopt maps a running Milvus Helm release (its chart version and
// the values the user gave it) onto a milvusgen spec, and reports every
// value it could not map or had to change.
package adopt

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/rawvalues"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// Input is what import knows of the release, plus what the user told it.
type Input struct {
	Release, Namespace string
	// ChartVersion is the installed chart's version.
	ChartVersion string
	// Values are the user-supplied values (Helm's release.Config).
	Values map[string]any
	// Defaults are the chart's own values.yaml (release.Chart.Values):
	// they decide what a key the user left out means.
	Defaults map[string]any
	// AccountID and ClusterName come from flags; the release cannot say.
	AccountID, ClusterName string
}

// Kinds of notes.
const (
	NotMapped = "not mapped" // dropped: the spec has no field and raw values refuse it
	Changed   = "changed"    // mapped, but the spec renders it differently
	TODO      = "todo"       // the spec needs it and the release does not say
)

// Note is one reported value.
type Note struct {
	Kind   string
	Path   string // the values path (or spec field for TODO)
	Reason string
}

func (n Note) String() string { return fmt.Sprintf("%s: %s (%s)", n.Kind, n.Path, n.Reason) }

// Placeholders the validator refuses, so a spec with a TODO cannot render.
const (
	TODOAccountID = "TODO: the 12-digit AWS account ID"
	TODOCluster   = "TODO: the EKS cluster name"
	TODORegion    = "TODO: the AWS region"
	TODOBucket    = "TODO: the S3 bucket"
)

// Result is the spec and the report.
type Result struct {
	// Spec is the spec as a YAML-ready tree; the schema's defaults fill
	// what it leaves out.
	Spec  map[string]any
	Notes []Note
}

// Placeholders reports whether the spec still holds a TODO placeholder.
func (r *Result) Placeholders() bool {
	for _, n := range r.Notes {
		if n.Kind == TODO {
			return true
		}
	}
	return false
}

// state is one mapping run.
type state struct {
	user     map[string]any // what is left of the user's values
	defaults map[string]any
	spec     map[string]any
	notes    []Note
}

// Map maps the release onto a spec.
func Map(in Input) *Result {
	st := &state{user: clone(in.Values), defaults: in.Defaults, spec: map[string]any{}}
	if st.user == nil {
		st.user = map[string]any{}
	}
	st.set("name", in.Release)
	st.set("milvus.namespace", in.Namespace)
	st.set("milvus.chartVersion", in.ChartVersion)
	chart, known := versions.Lookup(in.ChartVersion)
	if !known {
		st.note(Changed, "chart", fmt.Sprintf("chart %s is not one milvusgen knows (%s); the spec will not validate until milvus.chartVersion names one", in.ChartVersion, strings.Join(versions.Known(), ", ")))
	}
	st.identity(in)
	st.image()
	st.mode()
	st.storage()
	st.coordinators(chart, known)
	for _, c := range []string{"proxy", "queryNode", "dataNode", "streamingNode", "indexNode"} {
		st.component(c, c)
	}
	st.messageQueue()
	st.service()
	st.serviceAccount()
	st.metrics()
	st.userConfig()
	st.rootPassword()
	st.tlsVolumes()
	st.owned()
	st.raw(chart, known)
	sort.SliceStable(st.notes, func(i, j int) bool {
		if st.notes[i].Kind != st.notes[j].Kind {
			return st.notes[i].Kind < st.notes[j].Kind
		}
		return st.notes[i].Path < st.notes[j].Path
	})
	return &Result{Spec: st.spec, Notes: st.notes}
}

func (st *state) note(kind, path, reason string) {
	st.notes = append(st.notes, Note{Kind: kind, Path: path, Reason: reason})
}

// identity fills what the release cannot say: the account and cluster.
func (st *state) identity(in Input) {
	if in.AccountID != "" {
		st.set("aws.accountID", in.AccountID)
	} else {
		st.set("aws.accountID", TODOAccountID)
		st.note(TODO, "aws.accountID", "a release does not name its AWS account; pass --account-id")
	}
	if in.ClusterName != "" {
		st.set("cluster.name", in.ClusterName)
	} else {
		st.set("cluster.name", TODOCluster)
		st.note(TODO, "cluster.name", "a release does not name its EKS cluster; pass --cluster")
	}
	st.note(TODO, "gitops", "the spec uses the defaults (Flux, no repository URL); set gitops.repository.url and gitops.engine before the first render")
}

// take removes a user value and returns it.
func (st *state) take(path string) (any, bool) {
	return remove(st.user, strings.Split(path, "."))
}

// effective is the user's value, else the chart default (not removed).
func (st *state) effective(path string) (any, bool) {
	elems := strings.Split(path, ".")
	if v, ok := lookup(st.user, elems); ok {
		return v, true
	}
	return lookup(st.defaults, elems)
}

func (st *state) set(path string, v any) { put(st.spec, strings.Split(path, "."), v) }

// expect consumes a user value that must equal what milvusgen renders;
// another value is reported as changed.
func (st *state) expect(path string, want any, why string) {
	v, ok := st.take(path)
	if !ok || fmt.Sprint(v) == fmt.Sprint(want) {
		return
	}
	st.note(Changed, path, fmt.Sprintf("%v becomes %v: %s", v, want, why))
}

var tagRE = regexp.MustCompile(`^v?([0-9]+\.[0-9]+\.[0-9]+)$`)

func (st *state) image() {
	v, ok := st.take("image.all.tag")
	if !ok {
		return
	}
	m := tagRE.FindStringSubmatch(fmt.Sprint(v))
	if m == nil {
		st.note(NotMapped, "image.all.tag", fmt.Sprintf("%q is not a Milvus release tag vX.Y.Z; milvus.version takes one, and the chart's own version is used", v))
		return
	}
	st.set("milvus.version", m[1])
}

func (st *state) mode() {
	if v, ok := st.effective("cluster.enabled"); ok && v == false {
		st.note(Changed, "cluster.enabled", "the release runs Milvus standalone; the spec renders cluster mode, a new deployment rather than an upgrade")
	}
	st.take("cluster.enabled")
}

func (st *state) storage() {
	if v, _ := st.effective("minio.enabled"); v == true {
		st.note(Changed, "minio.enabled", "the release stores data in the chart's MinIO; milvusgen stores it in S3 only: migrate the data before switching")
	}
	st.take("minio.enabled")
	st.expect("externalS3.enabled", true, "milvusgen stores data in S3")
	if v, ok := st.take("externalS3.bucketName"); ok {
		st.set("storage.bucket", v)
	} else {
		st.set("storage.bucket", TODOBucket)
		st.note(TODO, "storage.bucket", "the release names no externalS3.bucketName")
	}
	region, ok := st.take("externalS3.region")
	if ok && region != "" {
		st.set("aws.region", region)
	} else {
		region = ""
		st.set("aws.region", TODORegion)
		st.note(TODO, "aws.region", "the release names no externalS3.region")
	}
	if v, ok := st.take("externalS3.rootPath"); ok && v != "" {
		st.set("storage.rootPath", v)
	}
	if v, ok := st.take("externalS3.host"); ok {
		if want := fmt.Sprintf("s3.%v.amazonaws.com", region); v != want {
			st.note(Changed, "externalS3.host", fmt.Sprintf("%v becomes the regional endpoint %s", v, want))
		}
	}
	st.expect("externalS3.port", 443, "milvusgen uses the regional HTTPS endpoint")
	st.expect("externalS3.useSSL", true, "milvusgen uses the regional HTTPS endpoint")
	st.expect("externalS3.useIAM", true, "milvusgen authenticates with the pods' IAM role, never keys")
	st.expect("externalS3.cloudProvider", "aws", "milvusgen runs on AWS")
	st.expect("externalS3.iamEndpoint", "", "the default STS endpoint")
	for _, k := range []string{"accessKey", "secretKey"} {
		if _, ok := st.take("externalS3." + k); ok {
			st.note(NotMapped, "externalS3."+k, "a credential; milvusgen grants the bucket to the pods' IAM role instead, and never writes keys (value not shown)")
		}
	}
	if v, ok := st.take("etcd.persistence.storageClass"); ok && v != "" {
		st.set("storage.storageClass.name", v)
	}
}

// coordinators maps the coordinator layout, mixcoord's replicas and active
// standby.
func (st *state) coordinators(chart versions.Chart, known bool) {
	block := "mixCoordinator"
	mix, _ := st.effective("mixCoordinator.enabled")
	if mix == false {
		if known && len(chart.Coordinators) < 2 {
			st.note(Changed, "mixCoordinator.enabled", "false; this chart has only mixCoordinator")
		} else {
			st.set("milvus.coordinators", model.CoordinatorsSeparate)
			block = "rootCoordinator"
		}
	}
	st.take("mixCoordinator.enabled")
	standby, _ := st.effective(block + ".activeStandby.enabled")
	st.set("milvus.highAvailability", standby == true)
	if block == "rootCoordinator" {
		// The separate coordinators are sized alike (as rootCoordinator);
		// mixCoordinator's block is off and unused.
		for _, b := range []string{"queryCoordinator", "dataCoordinator", "indexCoordinator"} {
			st.take(b + ".enabled")
			for _, k := range []string{"replicas", "resources", "activeStandby"} {
				v, ok := st.take(b + "." + k)
				if root, _ := lookup(st.user, strings.Split(block+"."+k, ".")); ok && fmt.Sprint(v) != fmt.Sprint(root) {
					st.note(Changed, b+"."+k, "the spec sizes every separate coordinator as rootCoordinator (milvus.mixCoordinator)")
				}
			}
		}
		for _, k := range []string{"replicas", "resources", "activeStandby"} {
			st.take("mixCoordinator." + k)
		}
		st.take("rootCoordinator.enabled")
	} else {
		for _, b := range []string{"rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator"} {
			st.expect(b+".enabled", false, "mixCoordinator runs the coordinators")
		}
	}
	st.take(block + ".activeStandby.enabled")
	st.component(block, "mixCoordinator")
}

// component maps a block's replicas and cpu/memory resources to
// milvus.<field>.
func (st *state) component(block, field string) {
	if v, ok := st.take(block + ".replicas"); ok {
		if n, ok := toInt(v); ok {
			st.set("milvus."+field+".replicas", n)
		} else {
			st.note(NotMapped, block+".replicas", fmt.Sprintf("%v is not a number", v))
		}
	}
	res, ok := st.user[block].(map[string]any)
	if !ok {
		return
	}
	r, ok := res["resources"].(map[string]any)
	if !ok {
		return
	}
	for _, kind := range []string{"limits", "requests"} {
		l, ok := r[kind].(map[string]any)
		if !ok {
			continue
		}
		for _, q := range []string{"cpu", "memory"} {
			if v, ok := l[q]; ok {
				st.set(fmt.Sprintf("milvus.%s.resources.%s.%s", field, kind, q), fmt.Sprint(v))
				delete(l, q)
			}
		}
	}
	prune(st.user)
}

// messageQueue decides the WAL from the effective queue flags.
func (st *state) messageQueue() {
	on := func(p string) bool { v, _ := st.effective(p); return v == true }
	// The chart's config.tpl picks mq.type in this order: woodpecker,
	// then pulsarv3; Kafka is appended after.
	queues := 0
	for _, q := range []string{"woodpecker.enabled", "pulsarv3.enabled", "externalKafka.enabled", "kafka.enabled"} {
		if on(q) {
			queues++
		}
	}
	if queues > 1 {
		defer func() {
			mq, _ := lookup(st.spec, []string{"milvus", "messageQueue"})
			st.note(Changed, "messageQueue", fmt.Sprintf("more than one queue is enabled (with the chart's defaults); the spec keeps %v, the one Milvus uses, and turns the others off", mq))
		}()
	}
	switch {
	case on("woodpecker.enabled"):
		st.set("milvus.messageQueue", model.Woodpecker)
	case on("pulsarv3.enabled"):
		st.set("milvus.messageQueue", model.Pulsar)
	case on("externalKafka.enabled"): // config.tpl takes it before kafka
		st.externalKafka()
	case on("kafka.enabled"):
		st.set("milvus.messageQueue", model.Kafka)
	case on("pulsar.enabled"):
		st.note(NotMapped, "pulsar.enabled", "Pulsar v2 is not supported; milvus.messageQueue: pulsar deploys Pulsar v3, a new WAL (migrate before switching)")
		st.set("milvus.messageQueue", model.Pulsar)
	default:
		if on("externalPulsar.enabled") {
			st.note(NotMapped, "externalPulsar.enabled", "an external Pulsar is not supported; milvusgen's queues are woodpecker, pulsar and kafka in the cluster, or an external Kafka")
		}
	}
	for _, p := range []string{"woodpecker.enabled", "pulsarv3.enabled", "kafka.enabled", "externalKafka.enabled", "pulsar.enabled", "streaming.enabled", "streaming.woodpecker.embedded"} {
		st.take(p)
	}
	for _, p := range []string{"kafka.persistence.storageClass", "kafka.zookeeper.persistence.storageClass",
		"pulsarv3.zookeeper.volumes.data.storageClassName", "pulsarv3.bookkeeper.volumes.journal.storageClassName", "pulsarv3.bookkeeper.volumes.ledgers.storageClassName"} {
		if v, ok := st.take(p); ok {
			if sc, _ := lookup(st.spec, []string{"storage", "storageClass", "name"}); sc != nil && sc != v {
				st.note(Changed, p, fmt.Sprintf("%v becomes %v: every volume uses storage.storageClass", v, sc))
			}
		}
	}
}

const lbPrefix = "service.beta.kubernetes.io/aws-load-balancer-"

func (st *state) service() {
	st.expect("service.type", "LoadBalancer", "milvusgen publishes Milvus through an AWS network load balancer")
	if v, ok := st.take("service.port"); ok {
		if n, ok := toInt(v); ok {
			st.set("milvus.service.port", n)
		}
	}
	if v, ok := st.take("service.loadBalancerSourceRanges"); ok {
		if l, ok := v.([]any); ok && len(l) > 0 {
			st.set("milvus.service.sourceRanges", l)
			st.note(Changed, "service.loadBalancerSourceRanges", "mapped to milvus.service.sourceRanges; ranges outside private space need milvus.service.allowPublic: true, which import never sets for you")
		}
	}
	ann, _ := st.user["service"].(map[string]any)
	a, _ := ann["annotations"].(map[string]any)
	for k, v := range a {
		switch k {
		case lbPrefix + "scheme":
			st.set("milvus.service.scheme", v)
		case lbPrefix + "name":
			st.set("milvus.service.loadBalancerName", v)
		case lbPrefix + "type", lbPrefix + "nlb-target-type":
			want := map[string]string{lbPrefix + "type": "external", lbPrefix + "nlb-target-type": "ip"}[k]
			if v != want {
				st.note(Changed, "service.annotations."+k, fmt.Sprintf("%v becomes %s", v, want))
			}
		default:
			continue
		}
		delete(a, k)
	}
	prune(st.user)
}

func (st *state) serviceAccount() {
	if v, ok := st.take("serviceAccount.name"); ok && v != "" {
		st.set("milvus.serviceAccount", v)
	}
	st.expect("serviceAccount.create", false, "eksctl creates the service account with its IAM role")
}

func (st *state) metrics() {
	if v, _ := st.effective("metrics.enabled"); v == true {
		st.note(Changed, "metrics.enabled", "true becomes false: milvusgen keeps port 9091 (metrics and the WebUI) off the load balancer; Prometheus scrapes the pods")
	}
	st.take("metrics.enabled")
}

// userConfig maps extraConfigFiles' user.yaml: auth and TLS to their
// fields, the rest to milvus.config where the allowlist passes it.
func (st *state) userConfig() {
	v, ok := st.take("extraConfigFiles.user.yaml")
	// The key holds a dot: take splits it, so look it up directly too.
	if !ok {
		if e, ok2 := st.user["extraConfigFiles"].(map[string]any); ok2 {
			v, ok = e["user.yaml"]
			delete(e, "user.yaml")
			prune(st.user)
		}
	}
	auth := false
	if ok {
		var cfg map[string]any
		if err := yaml.Unmarshal([]byte(fmt.Sprint(v)), &cfg); err != nil {
			st.note(NotMapped, "extraConfigFiles.user.yaml", "not YAML: "+err.Error())
		} else if cfg != nil {
			sec := []string{"common", "security"}
			if a, ok := remove(cfg, append(sec, "authorizationEnabled")); ok {
				auth = a == true
			}
			if m, ok := remove(cfg, append(sec, "tlsMode")); ok {
				if n, ok := toInt(m); ok && n > 0 {
					st.set("milvus.tls.mode", n)
				}
			}
			if _, ok := remove(cfg, append(sec, "defaultRootPassword")); ok {
				st.note(NotMapped, "extraConfigFiles.user.yaml: common.security.defaultRootPassword", "a credential in values; put it in a Secret and name it in milvus.auth.rootPasswordSecret (value not shown)")
			}
			for _, k := range []string{"serverPemPath", "serverKeyPath", "caPemPath"} {
				remove(cfg, []string{"tls", k})
			}
			// The in-memory replicas of a load are milvus.inMemoryReplicas.
			if r, ok := remove(cfg, []string{"queryCoord", "clusterLevelLoadReplicaNumber"}); ok {
				if n, ok := toInt(r); ok && n > 0 {
					st.set("milvus.inMemoryReplicas", n)
				}
			}
			prune(cfg)
			var refused []rawvalues.Problem
			if len(cfg) > 0 {
				refused = rawvalues.Config(cfg)
			}
			for _, p := range dedupe(refused) {
				remove(cfg, p.Path)
				st.note(NotMapped, "extraConfigFiles.user.yaml: "+strings.Join(p.Path, "."), p.Msg)
			}
			prune(cfg)
			if len(cfg) > 0 {
				st.set("milvus.config", cfg)
			}
		}
	}
	st.set("milvus.auth.enabled", auth)
	if !auth {
		st.note(Changed, "milvus.auth.enabled", "false as in the release; milvusgen recommends authentication (milvus.auth)")
	}
}

// rootPassword maps the root password's variable in extraEnv to
// milvus.auth.rootPasswordSecret.
func (st *state) rootPassword() {
	blocks := []string{"mixCoordinator", "proxy", "rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator"}
	isRoot := func(name any) bool { return name == model.RootPasswordEnv }
	st.takeEnv(blocks, isRoot, func(block string, _ any, m map[string]any) {
		if ref, ok := lookup(m, []string{"valueFrom", "secretKeyRef"}); ok {
			r, _ := ref.(map[string]any)
			st.set("milvus.auth.rootPasswordSecret.name", r["name"])
			st.set("milvus.auth.rootPasswordSecret.key", r["key"])
		} else {
			st.note(NotMapped, block+".extraEnv."+model.RootPasswordEnv, "a password in values; put it in a Secret and name it in milvus.auth.rootPasswordSecret (value not shown)")
		}
	})
}

// takeEnv takes the variables owns claims out of each block's extraEnv,
// handing each to take, keeps the others, and prunes what is left empty:
// variables milvusgen renders from spec fields must not also stay in raw
// values.
func (st *state) takeEnv(blocks []string, owns func(name any) bool, take func(block string, name any, m map[string]any)) {
	for _, block := range blocks {
		b, _ := st.user[block].(map[string]any)
		env, _ := b["extraEnv"].([]any)
		var keep []any
		for _, e := range env {
			m, _ := e.(map[string]any)
			if !owns(m["name"]) {
				keep = append(keep, e)
				continue
			}
			take(block, m["name"], m)
		}
		if len(env) > 0 {
			if len(keep) == 0 {
				delete(b, "extraEnv")
			} else {
				b["extraEnv"] = keep
			}
		}
	}
	prune(st.user)
}

// tlsVolumes maps the TLS Secret volume milvusgen mounts.
func (st *state) tlsVolumes() {
	vols, _ := st.user["volumes"].([]any)
	var keep []any
	for _, v := range vols {
		m, _ := v.(map[string]any)
		if m["name"] == "milvus-tls" {
			if s, ok := lookup(m, []string{"secret", "secretName"}); ok {
				st.set("milvus.tls.secretName", s)
				continue
			}
		}
		keep = append(keep, v)
	}
	if vols != nil {
		st.user["volumes"] = keep
	}
	mounts, _ := st.user["volumeMounts"].([]any)
	var keepM []any
	for _, v := range mounts {
		if m, _ := v.(map[string]any); m["name"] == "milvus-tls" {
			continue
		}
		keepM = append(keepM, v)
	}
	if mounts != nil {
		st.user["volumeMounts"] = keepM
	}
	prune(st.user)
}

// ownedPaths are values milvusgen derives from the spec (sizing budgets,
// the availability rules): the release's are replaced, and the comparison
// shows whether the result differs.
var ownedPaths = map[string]string{
	"etcd.resources":              "sized from the spec by milvusgen's sizing budgets",
	"etcd.pdb.create":             "milvusgen sets the etcd disruption budget from its availability rules",
	"kafka.resources":             "sized from the spec by milvusgen's sizing budgets",
	"kafka.zookeeper.resources":   "sized from the spec by milvusgen's sizing budgets",
	"*.topologySpreadConstraints": "milvusgen spreads the replicas over nodes and zones itself",
	"*.strategy":                  "milvusgen rolls the proxies so 19530 keeps serving (highAvailability)",
	// Quorum systems: kept apart by the availability rules (the HA issue).
	"etcd.podAntiAffinityPreset":                "milvusgen keeps etcd members apart",
	"etcd.topologySpreadConstraints":            "milvusgen keeps etcd members apart",
	"kafka.pdb":                                 "milvusgen sets the Kafka disruption budget",
	"kafka.podAntiAffinityPreset":               "milvusgen keeps Kafka brokers apart",
	"kafka.topologySpreadConstraints":           "milvusgen keeps Kafka brokers apart",
	"kafka.zookeeper.pdb":                       "milvusgen sets the ZooKeeper disruption budget",
	"kafka.zookeeper.podAntiAffinityPreset":     "milvusgen keeps ZooKeeper members apart",
	"kafka.zookeeper.topologySpreadConstraints": "milvusgen keeps ZooKeeper members apart",
	"pulsarv3.bookkeeper.affinity":              "milvusgen keeps BookKeeper members apart",
	"pulsarv3.bookkeeper.pdb":                   "milvusgen sets the BookKeeper disruption budget",
	"pulsarv3.broker.affinity":                  "milvusgen keeps Pulsar brokers apart",
	"pulsarv3.broker.pdb":                       "milvusgen sets the Pulsar broker disruption budget",
	"pulsarv3.zookeeper.affinity":               "milvusgen keeps ZooKeeper members apart",
	"pulsarv3.zookeeper.pdb":                    "milvusgen sets the ZooKeeper disruption budget",
	// Pulsar's proxies and autorecovery: kept apart too (render/values
	// pulsarApart).
	"pulsarv3.proxy.affinity":            "milvusgen keeps the Pulsar proxies apart",
	"pulsarv3.proxy.pdb":                 "milvusgen sets the Pulsar proxy disruption budget",
	"pulsarv3.autorecovery.affinity":     "milvusgen keeps Pulsar's autorecovery pods apart",
	"pulsarv3.autorecovery.replicaCount": "milvusgen runs Pulsar's autorecovery from its availability rules",
}

// owned replaces the values milvusgen derives itself, with a note each.
func (st *state) owned() {
	for p, why := range ownedPaths {
		blocks := []string{""}
		if strings.HasPrefix(p, "*.") {
			blocks = []string{"mixCoordinator", "rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator", "proxy", "queryNode", "dataNode", "streamingNode", "indexNode"}
			p = strings.TrimPrefix(p, "*.")
		}
		for _, b := range blocks {
			full := p
			if b != "" {
				full = b + "." + p
			}
			if _, ok := st.take(full); ok {
				st.note(Changed, full, "replaced: "+why+"; the comparison shows any difference")
			}
		}
	}
	prune(st.user)
}

// raw keeps what is left under milvus.values where the allowlist passes
// it; the rest is reported.
func (st *state) raw(chart versions.Chart, known bool) {
	prune(st.user)
	if len(st.user) == 0 {
		return
	}
	if !known {
		for _, k := range slices.Sorted(maps.Keys(st.user)) {
			st.note(NotMapped, k, "the raw-values allowlist is per chart, and this chart is not one milvusgen knows")
		}
		return
	}
	for _, p := range dedupe(rawvalues.Values(st.user, chart)) {
		removeRaw(st.user, p.Path)
		st.note(NotMapped, strings.Join(p.Path, "."), p.Msg)
	}
	prune(st.user)
	if len(st.user) > 0 {
		st.set("milvus.values", st.user)
	}
}

// dedupe keeps one problem per path, outermost first.
func dedupe(ps []rawvalues.Problem) []rawvalues.Problem {
	seen := map[string]bool{}
	var out []rawvalues.Problem
	for _, p := range ps {
		k := strings.Join(p.Path, "\x00")
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

func lookup(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// remove deletes path from m and returns what it held.
func remove(m map[string]any, path []string) (any, bool) {
	if len(path) == 0 {
		return nil, false
	}
	parent, ok := lookup(m, path[:len(path)-1])
	if !ok {
		return nil, false
	}
	pm, ok := parent.(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := pm[path[len(path)-1]]
	delete(pm, path[len(path)-1])
	return v, ok
}

func put(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// prune removes empty maps and lists left behind by take.
func prune(m map[string]any) {
	for _, k := range slices.Collect(maps.Keys(m)) {
		switch v := m[k].(type) {
		case map[string]any:
			prune(v)
			if len(v) == 0 {
				delete(m, k)
			}
		case []any:
			if len(v) == 0 {
				delete(m, k)
			}
		case nil:
			delete(m, k)
		}
	}
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		if n == float64(int(n)) {
			return int(n), true
		}
	}
	return 0, false
}

func clone(v map[string]any) map[string]any {
	if v == nil {
		return nil
	}
	data, err := yaml.Marshal(v)
	if err != nil {
		return map[string]any{}
	}
	var out map[string]any
	_ = yaml.Unmarshal(data, &out)
	return out
}

// removeRaw removes a refused raw value; a path into a list (extraEnv.0.name)
// removes the whole list element.
func removeRaw(m map[string]any, path []string) {
	var cur any = m
	for i, k := range path {
		switch c := cur.(type) {
		case map[string]any:
			if i == len(path)-1 {
				delete(c, k)
				return
			}
			next, ok := c[k]
			if !ok {
				return
			}
			if l, ok := next.([]any); ok && i+1 < len(path) {
				if n, err := strconv.Atoi(path[i+1]); err == nil && n >= 0 && n < len(l) {
					c[k] = append(l[:n:n], l[n+1:]...)
					return
				}
			}
			cur = next
		default:
			return
		}
	}
}
