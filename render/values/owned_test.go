package values

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestMilvusRawExtraEnvAppends: a raw mixCoordinator.extraEnv adds to the
// list that carries the root password; it does not replace it (issue 10
// item 2).
func TestMilvusRawExtraEnvAppends(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Values = map[string]any{"mixCoordinator": map[string]any{
		"extraEnv": []any{map[string]any{"name": "GODEBUG", "value": "madvdontneed=1"}},
	}}
	env, _ := Milvus(s)["mixCoordinator"].(map[string]any)["extraEnv"].([]any)
	var names []string
	for _, e := range env {
		names = append(names, e.(map[string]any)["name"].(string))
	}
	if len(names) != 2 || names[0] != model.RootPasswordEnv || names[1] != "GODEBUG" {
		t.Errorf("mixCoordinator.extraEnv names = %v, want [%s GODEBUG]", names, model.RootPasswordEnv)
	}
}
