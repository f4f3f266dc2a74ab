package spec

import (
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
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		switch name {
		case "spec.yaml", "spec.cue", "spec.json":
		default:
			name = "spec.yaml"
		}
		res, err := Load([]Source{{Name: name, Data: data}}, Options{Today: today})
		if (res == nil) == (err == nil) {
			t.Fatalf("Load returned result %v and error %v", res, err)
		}
		if err != nil {
			_ = details(err) // printing must not panic either
		}
	})
}
