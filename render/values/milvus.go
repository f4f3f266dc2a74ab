package values

import (
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/rawvalues"
	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// Milvus returns the values of the Milvus release (chart 5.x): cluster
// mode, external S3 over IRSA, mixCoordinator HA, the message queue, the
// NLB service; spec.milvus.values merged last.
//
// The chart's rootCoordinator, queryCoordinator, indexCoordinator and
// dataCoordinator blocks are never emitted: in 5.x those Deployments are
// disabled and mixCoordinator runs all four, so setting them only flips
// enableActiveStandby in milvus.yaml while mixcoord stays single.
func Milvus(s *model.Spec) map[string]any {
	v := map[string]any{
		"cluster": map[string]any{"enabled": true},
		// The Milvus version is the spec's (milvus.version, or the
		// chart's own), always written so diff sees every version change.
		"image": map[string]any{"all": map[string]any{"tag": versions.ImageTag(s)}},
		"service": map[string]any{
			"type":        "LoadBalancer",
			"port":        s.Milvus.Service.Port,
			"annotations": stringMap(s.LBAnnotations()),
			// Replaces the chart's [0.0.0.0/0]; the controller turns it into
			// the NLB security group rules. An internal NLB also admits
			// its own VPC (model.Spec.LBSourceRanges).
			"loadBalancerSourceRanges": anyList(s.LBSourceRanges()),
		},
		// The chart adds port 9091 (metrics and, since Milvus 2.5, the
		// WebUI, which skips Milvus login) to the load-balanced Service
		// whenever metrics.enabled is on (templates/service.yaml), and no
		// other key keeps it off the NLB. Off, only 19530 is published;
		// every pod still serves 9091 on its container port "metrics" (the
		// probes use it), so Prometheus scrapes the pods inside the
		// cluster. What is lost are the chart's per-component metrics
		// Services and its ServiceMonitor.
		"metrics": map[string]any{"enabled": false},
		// eksctl creates the IRSA service account; the chart must not.
		"serviceAccount": map[string]any{
			"create": false,
			"name":   s.Milvus.ServiceAccount,
		},
		"minio":          map[string]any{"enabled": false},
		"externalS3":     externalS3(s),
		"mixCoordinator": mixCoordinator(s),
		"etcd": map[string]any{
			"persistence": map[string]any{"storageClass": s.Storage.StorageClass.Name},
			// The chart requests nothing; the sizing tool's figures make
			// the scheduler reserve what the fit check counted.
			"resources": etcdResources(s),
		},
	}
	chart := versions.Of(s)
	for key, c := range map[string]model.Component{
		"proxy":         s.Milvus.Proxy,
		"queryNode":     s.Milvus.QueryNode,
		"dataNode":      s.Milvus.DataNode,
		"streamingNode": s.Milvus.StreamingNode,
		"indexNode":     s.Milvus.IndexNode,
	} {
		if !chart.Has(key) {
			continue
		}
		if b := component(c); b != nil {
			v[key] = b
		}
	}
	merge(v, coordinators(s, chart))
	merge(v, availability(s))
	merge(v, messageQueue(s))
	merge(v, security(s))
	// Raw values may add to the lists milvusgen owns (extraEnv, volumes),
	// never replace them: the root password's variable stays.
	return merge(v, rawvalues.MergeLists(v, s.Milvus.Values))
}

// security turns on authentication and TLS through extraConfigFiles
// (merged into milvus.yaml with the highest priority). The root password
// never appears in values: mixcoord, which creates the root user on first
// start, and the proxies read it from the user's Secret as an environment
// variable.
func security(s *model.Spec) map[string]any {
	user := map[string]any{}
	merge(user, s.Milvus.Config)
	merge(user, loadReplicas(s))
	v := map[string]any{}
	env := map[string][]any{} // by value block, in the order written
	if a := s.Milvus.Auth; a.Enabled {
		merge(user, map[string]any{"common": map[string]any{"security": map[string]any{"authorizationEnabled": true}}})
		root := map[string]any{
			"name": model.RootPasswordEnv,
			"valueFrom": map[string]any{"secretKeyRef": map[string]any{
				"name": a.RootPasswordSecret.Name,
				"key":  a.RootPasswordSecret.Key,
			}},
		}
		blocks := []string{"mixCoordinator", "proxy"}
		if s.Milvus.Coordinators == model.CoordinatorsSeparate {
			// Milvus 2.5's rootcoord creates the root user; without the
			// variable it would create it with Milvus's default password.
			blocks = append(blocks, coordinatorBlocks...)
		}
		for _, b := range blocks {
			env[b] = append(env[b], clone(root))
		}
	}
	if kenv := kafkaEnv(s); kenv != nil {
		for _, b := range milvusBlocks(s) {
			env[b] = append(env[b], clone(kenv).([]any)...)
		}
	}
	for b, e := range env {
		v[b] = map[string]any{"extraEnv": e}
	}
	if t := s.Milvus.TLS; t.Mode > 0 {
		merge(user, map[string]any{
			"common": map[string]any{"security": map[string]any{"tlsMode": t.Mode}},
			"tls": map[string]any{
				"serverPemPath": model.TLSMountPath + "/tls.crt",
				"serverKeyPath": model.TLSMountPath + "/tls.key",
				"caPemPath":     model.TLSMountPath + "/ca.crt",
			},
		})
		v["volumes"] = []any{map[string]any{"name": "milvus-tls", "secret": map[string]any{"secretName": t.SecretName}}}
		v["volumeMounts"] = []any{map[string]any{"name": "milvus-tls", "mountPath": model.TLSMountPath, "readOnly": true}}
	}
	if ca, vol, mount := kafkaCA(s); ca != nil {
		merge(user, ca)
		vols, _ := v["volumes"].([]any)
		mounts, _ := v["volumeMounts"].([]any)
		v["volumes"] = append(vols, vol)
		v["volumeMounts"] = append(mounts, mount)
	}
	if len(user) > 0 {
		data, err := yaml.Marshal(user)
		if err != nil {
			panic("milvusgen: user.yaml of plain maps failed to marshal: " + err.Error())
		}
		v["extraConfigFiles"] = map[string]any{"user.yaml": string(data)}
	}
	return v
}

// etcdResources requests sizing.Etcd for each etcd pod. No limit: etcd
// compacts in bursts, and an OOM kill would take the metadata store down.
func etcdResources(s *model.Spec) map[string]any {
	e := sizing.Etcd(s)
	return map[string]any{"requests": map[string]any{
		"cpu":    sizing.FormatCPUQuantity(e.MilliCPU),
		"memory": sizing.FormatMemoryQuantity(e.Memory),
	}}
}

// dependencyRequests requests sizing's budget for a dependency's pods, as
// etcdResources does: no limit, so a burst is never an OOM kill.
func dependencyRequests(s *model.Spec, name string) map[string]any {
	d, ok := sizing.Dependency(s, name)
	if !ok {
		panic("milvusgen: sizing budgets no " + name) // a renamed dependency; TestMilvusChartVariants catches it
	}
	return map[string]any{"requests": map[string]any{
		"cpu":    sizing.FormatCPUQuantity(d.Pod.MilliCPU),
		"memory": sizing.FormatMemoryQuantity(d.Pod.Memory),
	}}
}

// externalS3 points Milvus at the spec's bucket through the regional
// endpoint, authenticating with the pod's IRSA role (useIAM) instead of
// keys.
func externalS3(s *model.Spec) map[string]any {
	v := map[string]any{
		"enabled":       true,
		"host":          s.S3Host(),
		"port":          "443",
		"useSSL":        true,
		"bucketName":    s.Storage.Bucket,
		"useIAM":        true,
		"cloudProvider": "aws",
		"iamEndpoint":   "",
		"region":        s.AWS.Region,
	}
	if s.Storage.RootPath != "" {
		v["rootPath"] = s.Storage.RootPath
	}
	return v
}

// mixCoordinator sizes the one coordinator Deployment of Milvus 2.6. The
// chart forces strategy Recreate unless activeStandby is on, and more than
// one replica is only safe in active standby.
func mixCoordinator(s *model.Spec) map[string]any {
	v := map[string]any{
		"replicas":      s.MixCoordinatorReplicas(),
		"activeStandby": map[string]any{"enabled": s.ActiveStandby()},
	}
	if r := resources(s.Milvus.MixCoordinator.Resources); r != nil {
		v["resources"] = r
	}
	return v
}

// messageQueue states the WAL explicitly. Chart 5.0.19 deploys Pulsar v3
// by default and its config picks mq.type by precedence (woodpecker before
// pulsarv3, then kafka appended), so every queue flag is written: an
// unwanted Pulsar cluster is never deployed and milvus.yaml never gets two
// mq blocks.
func messageQueue(s *model.Spec) map[string]any {
	sc := s.Storage.StorageClass.Name
	// Charts 4.2.x run Milvus 2.5, whose streaming node is experimental
	// and off (streaming.enabled: false): Pulsar or Kafka is the WAL.
	streaming := versions.Of(s).Streaming()
	switch s.Milvus.MessageQueue {
	case model.ExternalKafka:
		return externalKafka(s, streaming)
	case model.Kafka:
		return map[string]any{
			"kafka": map[string]any{
				"enabled":     true,
				"persistence": map[string]any{"storageClass": sc},
				// The charts request nothing for the brokers and
				// ZooKeeper; sizing's budgets make the scheduler reserve
				// what the fit check counted.
				"resources": dependencyRequests(s, "kafka"),
				"zookeeper": map[string]any{
					"persistence": map[string]any{"storageClass": sc},
					"resources":   dependencyRequests(s, "kafka-zookeeper"),
				},
			},
			"pulsarv3":   map[string]any{"enabled": false},
			"woodpecker": map[string]any{"enabled": false},
			"streaming":  map[string]any{"enabled": streaming},
		}
	case model.Pulsar:
		vol := func() map[string]any { return map[string]any{"storageClassName": sc} }
		return map[string]any{
			"pulsarv3": map[string]any{
				"enabled": true,
				"zookeeper": map[string]any{
					"volumes": map[string]any{"data": vol()},
				},
				"bookkeeper": map[string]any{
					"volumes": map[string]any{"journal": vol(), "ledgers": vol()},
				},
			},
			"kafka":      map[string]any{"enabled": false},
			"woodpecker": map[string]any{"enabled": false},
			"streaming":  map[string]any{"enabled": streaming},
		}
	default: // model.Woodpecker, on charts 5.x only (spec checks)
		// Embedded: the WAL runs inside the streaming nodes on the S3
		// bucket, so there is no woodpecker StatefulSet and no volume.
		return map[string]any{
			"woodpecker": map[string]any{"enabled": true},
			"streaming": map[string]any{
				"enabled":    true,
				"woodpecker": map[string]any{"embedded": true},
			},
			"pulsarv3": map[string]any{"enabled": false},
			"kafka":    map[string]any{"enabled": false},
		}
	}
}

// coordinatorBlocks are the chart's separate coordinator value blocks.
var coordinatorBlocks = []string{"rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator"}

// coordinators states the coordinator layout on charts that offer more
// than one (4.2.x): mixCoordinator on, or the four separate coordinators
// with mixCoordinator's replicas, standby and resources each. Charts 5.x
// have only mixCoordinator and get nothing here.
func coordinators(s *model.Spec, chart versions.Chart) map[string]any {
	if len(chart.Coordinators) < 2 {
		return nil
	}
	if s.Milvus.Coordinators != model.CoordinatorsSeparate {
		return map[string]any{"mixCoordinator": map[string]any{"enabled": true}}
	}
	v := map[string]any{"mixCoordinator": map[string]any{"enabled": false}}
	for _, b := range coordinatorBlocks {
		block := mixCoordinator(s)
		block["enabled"] = true
		v[b] = block
	}
	return v
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func anyList(l []string) []any {
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
