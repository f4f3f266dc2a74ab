package rawvalues

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/versions"
)

// FuzzCheck: any decoded values or config is checked without a panic, and
// every problem points inside the input.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"externalPulsar: {enabled: true, authParams: 'token:x'}",
		"queryNode: {extraEnv: [{name: ADMIN_PASSWORD, value: x}, 3, {name: 4}]}",
		"labels: {component: x, 'a/b/c': 1}",
		"tolerations: [{tolerationSeconds: -1}, null]",
		"common: {security: {x: [1, {password: y}]}}",
		"'': {'.': {'..': x}}",
		"indexNode: {nodeSelector: {a: b}}\nrootCoordinator: {tolerations: [{operator: Exists}]}\nstreamingNode: {extraEnv: []}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var m map[string]any
		if yaml.Unmarshal([]byte(s), &m) != nil {
			return
		}
		probs := Config(m)
		for _, c := range append(versions.Charts(), versions.Chart{}) {
			probs = append(probs, Values(m, c)...)
		}
		for _, p := range probs {
			if len(p.Path) == 0 || p.Msg == "" {
				t.Fatalf("%q: problem without a path or message: %+v", s, p)
			}
			if _, ok := m[p.Path[0]]; !ok {
				t.Fatalf("%q: problem at %s, outside the input", s, strings.Join(p.Path, "."))
			}
		}
		Credential(s)
	})
}
