package spec

import (
	"strings"
	"testing"
)

// FuzzLoad: whatever the bytes, Load returns a spec or an error, never
// panics, and never returns both or neither.
func FuzzLoad(f *testing.F) {
	f.Add("spec.yaml", []byte(base))
	f.Add("spec.yaml", []byte("name: [\n"))
	f.Add("spec.cue", []byte(`name: "x", milvus: values: {a: b: c: 1}`))
	f.Add("spec.json", []byte(`{"name": 1, "cluster": {"nodeGroups": [{}, {"name": "a"}]}}`))
	f.Add("spec.yaml", []byte(base+"milvus: {mixCoordinator: {replicas: -1}, values: {externalS3: {accessKey: x}}}\n"))
	f.Add("spec.cue", []byte("cluster: nodeGroups: [for x in [1,2] {name: \"n\\(x)\"}]\n"))
	// Issue 10 item 3: numbers and quantities at and past their bounds.
	for _, extra := range []string{
		"milvus: {queryNode: {replicas: 9223372036854775789}}\n",
		"milvus: {queryNode: {replicas: 9223372036854775788}}\n",
		"loadBalancerController: {replicas: 9223372036854775807}\n",
		"milvus: {queryNode: {replicas: 99999999999999999999999999}}\n",
		"milvus: {queryNode: {resources: {limits: {cpu: \"1e19\"}}}}\n",
		"milvus: {queryNode: {resources: {limits: {cpu: \"18446744073709551616m\"}}}}\n",
		"milvus: {queryNode: {resources: {limits: {memory: \"1e30\"}}}}\n",
		"milvus: {queryNode: {resources: {limits: {cpu: 1e400}}}}\n",
		"milvus: {dataset: {vectors: 9223372036854775807, dimension: 32768, replicas: 100}}\n",
		"cluster: {nodeGroups: [{desiredCapacity: 9223372036854775807, maxSize: -9223372036854775808}]}\n",
		"gitops: {repository: {url: \"https://bot:ghp_x@github.com/a/b.git\", branch: \"-x/../HEAD\"}}\n",
		"storage: {rootPath: \"a\\u0085b\"}\n",
		"cluster: {nodeGroups: [{labels: {\"bad key!!\": \"v a l\\nue\"}}]}\n",
		"milvus: {config: {common: {security: {AuthorizationEnabled: false, default_root_password: x}}}}\n",
		"milvus: {values: {mixCoordinator: {extraEnv: [{name: COMMON_SECURITY_DEFAULTROOTPASSWORD, value: x}]}}}\n",
		"---\n",
		// Invalid lists: the schema's are open, so decoding the sound parts
		// must stop at the user's length.
		"milvus: {service: {sourceRanges: [1]}}\n",
		"cluster: {nodeGroups: [1, {name: 2}]}\n",
		"milvus: {service: {sourceRanges: []}}\n",
		"milvus: {values: {queryNode: {replicas: 9223372036854775789}, etcd: {replicaCount: 9223372036854775807}}}\n",
	} {
		f.Add("spec.yaml", []byte(base+extra))
	}
	f.Add("spec.yaml", []byte("name: a\naws:\n  region: [us-east-2,\n"))
	f.Add("spec.yaml", []byte("name: a\n\taws: {}\n"))
	f.Add("spec.cue", []byte("a00: 1\na01: [a00, a00]\na02: [a01, a01]\na03: [a02, a02]\nmilvus: values: x: a03\n"))
	// Issue 19 item 9: CUE's YAML decoder panicked on lone carriage
	// returns (FuzzParse found "\r\r0"); stdin ("-") detects its format.
	f.Add("spec.yaml", []byte("\r\r0"))
	f.Add("-", []byte("\r\r0"))
	f.Add("spec.yaml", []byte(strings.ReplaceAll(base, "\n", "\r\n")))
	f.Add("spec.yaml", []byte(strings.ReplaceAll(base, "\n", "\r")))
	f.Add("spec.cue", []byte("milvus: proxy: replicas: <=2\nmilvus: messageQueue: *\"kafka\" | _\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		switch name {
		case "spec.yaml", "spec.cue", "spec.json", "-":
		default:
			name = "spec.yaml"
		}
		// Alone, over a base and under one: layering (issue 19 item 1)
		// sees every input as an overlay and as a base too.
		for _, srcs := range [][]Source{
			{{Name: name, Data: data}},
			{{Name: "base.yaml", Data: []byte(base)}, {Name: name, Data: data}},
			{{Name: name, Data: data}, {Name: "env.yaml", Data: []byte("milvus: {proxy: {replicas: 3}}\n")}},
		} {
			res, err := Load(srcs, Options{Today: today})
			if (res == nil) == (err == nil) {
				t.Fatalf("Load returned result %v and error %v", res, err)
			}
			if err != nil {
				_ = details(err) // printing must not panic either
			}
		}
	})
}
