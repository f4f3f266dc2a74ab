package rawvalues

import (
	"maps"
	"slices"
	"strings"
)

// configAllowed are the milvus.yaml sections (Milvus 2.6, configs/milvus.yaml
// and pkg/util/paramtable) that milvus.config may set: they tune how
// Milvus behaves, never where data, metadata or messages go, nor who may
// connect and how. A section's keys listed in configRefused stay refused
// inside it.
var configAllowed = []struct{ path, why string }{
	{"queryNode", "segment loading, caching, search scheduling and the knowhere thread pools of the query nodes"},
	{"queryCoord", "balancing, load timeouts and task scheduling"},
	{"dataNode", "flushing, compaction and import on the data nodes"},
	{"dataCoord", "segment sealing, compaction and garbage collection"},
	{"rootCoord", "DDL limits: databases, partitions, channels"},
	{"proxy", "request limits and queues, access logs"},
	{"streamingNode", "the streaming nodes' WAL and flush tuning"},
	{"streaming", "WAL balancing and transaction timeouts"},
	{"quotaAndLimits", "rate limits and back-pressure"},
	{"knowhere", "default index build and search parameters"},
	{"gpu", "GPU memory pool sizes"},
	{"grpc", "gRPC client retries and message sizes between components"},
	{"log", "log level, format and file rotation"},
	{"common.gracefulTime", "the default bounded-staleness window"},
	{"common.gracefulStopTime", "how long a component drains before it stops"},
	{"common.DiskIndex", "DISKANN build and search parameters"},
	{"common.indexSliceSize", "index file slice size"},
	{"common.threadCoreCoefficient", "thread pools per CPU core"},
	{"common.buildIndexThreadPoolRatio", "index build thread pool"},
	{"common.simdType", "the SIMD instruction set knowhere uses"},
	{"common.bloomFilterSize", "bloom filter sizes of segments"},
	{"common.maxBloomFalsePositive", "bloom filter false positive rate"},
	{"common.traceLogMode", "request trace logging"},
	{"common.ttMsgEnabled", "time tick messages"},
}

// configRefused says what to use instead of a refused key. Entries under
// an allowed section carve keys out of it; the others only word the
// refusal. A key is compared the way Milvus reads it (Normalize), so
// common.security and COMMON_SECURITY are one key.
var configRefused = []struct{ path, msg string }{
	{"etcd", "not supported: Milvus keeps its metadata in the chart's etcd, which milvusgen configures"},
	{"metastore", "not supported: Milvus keeps its metadata in the chart's etcd, which milvusgen configures"},
	{"tikv", "not supported: Milvus keeps its metadata in the chart's etcd, which milvusgen configures"},
	{"mysql", "not supported: Milvus keeps its metadata in the chart's etcd, which milvusgen configures"},
	{"minio", "use storage.bucket, storage.rootPath and aws.region; Milvus reaches S3 through cluster.identity, never static keys"},
	{"localStorage", "not supported: milvusgen sets where Milvus keeps data (storage.bucket)"},
	{"mq", "use milvus.messageQueue; the spec alone chooses the message queue"},
	{"messageQueue", "use milvus.messageQueue; the spec alone chooses the message queue"},
	{"pulsar", "use milvus.messageQueue; the spec alone chooses the message queue, and milvusgen points Milvus at it"},
	{"kafka", "use milvus.messageQueue (kafka in the cluster, or externalKafka with milvus.externalKafka); the spec alone chooses the message queue, and milvusgen points Milvus at it"},
	{"rocksmq", "use milvus.messageQueue; the spec alone chooses the message queue"},
	{"natsmq", "use milvus.messageQueue; the spec alone chooses the message queue"},
	{"woodpecker", "use milvus.messageQueue; the spec alone chooses the message queue"},
	{"msgChannel", "not supported: the channel names decide where messages go"},
	{"tls", "use milvus.tls"},
	{"internaltls", "not supported: TLS between components is not rendered"},
	{"common.security", "use milvus.auth and milvus.tls"},
	{"credential", "not supported: credentials must not be written to the rendered tree"},
	{"function", "not supported: functions send data to external model providers"},
	{"trace", "not supported: a trace exporter sends request data to an endpoint outside the cluster"},
	{"proxy.port", "use milvus.service.port (the Service targets the proxies' 19530)"},
	{"proxy.internalPort", "not supported: the chart wires the components' ports"},
	{"proxy.ip", "not supported: Milvus finds each pod's address"},
	{"proxy.http.port", "not supported: only 19530 is on the load balancer"},
	{"proxy.grpc.ip", "not supported: Milvus finds each pod's address"},
	{"queryNode.port", "not supported: the chart wires the components' ports"},
	{"queryNode.ip", "not supported: Milvus finds each pod's address"},
	{"queryCoord.port", "not supported: the chart wires the components' ports"},
	{"queryCoord.ip", "not supported: Milvus finds each pod's address"},
	{"queryCoord.address", "not supported: the chart wires the components' addresses"},
	{"queryCoord.enableActiveStandby", "use milvus.highAvailability"},
	{"queryCoord.clusterLevelLoadReplicaNumber", "use milvus.inMemoryReplicas (milvus.dataset.replicas with a dataset), which sizing counts and verify loads with"},
	{"dataNode.port", "not supported: the chart wires the components' ports"},
	{"dataNode.ip", "not supported: Milvus finds each pod's address"},
	{"dataCoord.port", "not supported: the chart wires the components' ports"},
	{"dataCoord.ip", "not supported: Milvus finds each pod's address"},
	{"dataCoord.address", "not supported: the chart wires the components' addresses"},
	{"dataCoord.enableActiveStandby", "use milvus.highAvailability"},
	{"rootCoord.port", "not supported: the chart wires the components' ports"},
	{"rootCoord.ip", "not supported: Milvus finds each pod's address"},
	{"rootCoord.address", "not supported: the chart wires the components' addresses"},
	{"rootCoord.enableActiveStandby", "use milvus.highAvailability"},
	{"streamingNode.port", "not supported: the chart wires the components' ports"},
	{"streamingNode.ip", "not supported: Milvus finds each pod's address"},
	{"log.file.rootPath", "not supported: Milvus logs to stdout, where the cluster's log pipeline reads them"},
	{"common.entityExpiration", "not supported: a default time to live deletes every collection's entities once it passes; set a TTL per collection instead"},
}

const configListHint = "milvus.config accepts the sections that tune Milvus (queryNode, queryCoord, dataNode, dataCoord, rootCoord, proxy, streamingNode, streaming, quotaAndLimits, knowhere, gpu, grpc, log and some common keys); see docs/security.md"

// Normalize is Milvus's config key normalisation (pkg/config formatKey):
// lower case, '/', '_' and '.' removed, so default_root_password,
// DefaultRootPassword and DEFAULTROOTPASSWORD are one key.
func Normalize(key string) string {
	return strings.NewReplacer("/", "", "_", "", ".", "", "-", "").Replace(strings.ToLower(key))
}

// EnvPrefix is the prefix Milvus strips from an environment variable
// before reading it as a config key (pkg/config/env_source.go).
const EnvPrefix = "MILVUS_CONF_"

// configVerdict decides a milvus.yaml key given as its path elements (a
// YAML key may hold dots, which Milvus splits like nesting). allowed says
// the key is inside an allowed section; below says it is above one (a
// prefix such as "common"), so its children decide; msg is the refusal.
func configVerdict(elems []string) (allowed, below bool, msg string) {
	var segs []string
	for _, e := range elems {
		segs = append(segs, strings.Split(e, ".")...)
	}
	n := Normalize(strings.Join(segs, "."))
	// Refusals first, compared as Milvus compares keys: by their
	// normalised prefix, so no spelling slips past a carve-out.
	best := ""
	for _, r := range configRefused {
		if rn := Normalize(r.path); strings.HasPrefix(n, rn) && len(rn) > len(best) {
			best, msg = rn, r.msg
		}
	}
	if best != "" {
		return false, false, msg
	}
	for _, a := range configAllowed {
		as := strings.Split(a.path, ".")
		if len(segs) >= len(as) && sameSegments(segs[:len(as)], as) {
			return true, false, ""
		}
		if len(segs) < len(as) && sameSegments(segs, as[:len(segs)]) {
			below = true
		}
	}
	if below {
		return false, true, ""
	}
	return false, false, "not supported; " + configListHint
}

func sameSegments(a, b []string) bool {
	for i := range a {
		if Normalize(a[i]) != Normalize(b[i]) {
			return false
		}
	}
	return true
}

// Config checks milvus.config (milvus.yaml keys) against the allowlist.
// Paths in the problems are relative to milvus.config.
func Config(v map[string]any) []Problem {
	var out []Problem
	walkConfig(v, nil, &out)
	return out
}

func walkConfig(m map[string]any, path []string, out *[]Problem) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p := at(path, k)
		v := m[k]
		if w, ok := Credential(k); ok && holdsSecret(v) {
			*out = append(*out, problem(p, "%s", credentialMessage(k, w))...)
			continue
		}
		allowed, below, msg := configVerdict(p)
		sub, isMap := v.(map[string]any)
		switch {
		case allowed && isMap, below && isMap:
			walkConfig(sub, p, out) // carve-outs and credentials deeper down
		case allowed:
			if list, ok := v.([]any); ok {
				*out = append(*out, credentialsIn(p, list)...)
			}
		case below:
			*out = append(*out, refuse(p, v, "not supported; "+configListHint)...)
		default:
			*out = append(*out, refuse(p, v, msg)...)
		}
	}
}
