package diff

import (
	"strings"
	"testing"
)

// A renamed root password Secret points to rotate-password.
func TestRootPasswordSecret(t *testing.T) {
	env := func(name, key string) []any {
		return []any{map[string]any{"name": "COMMON_SECURITY_DEFAULTROOTPASSWORD",
			"valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": name, "key": key}}}}
	}
	for _, tc := range []struct {
		name, newName, newKey string
		want                  string // "" no flag
	}{
		{"same", "milvus-root", "password", ""},
		{"renamed", "milvus-root-2026", "password", "root password Secret milvus-root → milvus-root-2026: Milvus keeps the password it has, and its pods do not start until milvus-root-2026 exists; before this reaches the cluster, run `milvusgen rotate-password --from-secret milvus-root`"},
		{"key", "milvus-root", "root", "root password key password → root in Secret milvus-root"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, new := base(), base()
			set(old["hr"], "spec.values.proxy.extraEnv", env("milvus-root", "password"))
			set(new["hr"], "spec.values.proxy.extraEnv", env(tc.newName, tc.newKey))
			var got []Flag
			for _, f := range Compare(tree(t, old), tree(t, new)).Flags() {
				got = append(got, f.Flag)
			}
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("flags %+v, want none", got)
			case tc.want != "" && (len(got) != 1 || got[0].Category != Availability || got[0].Field != "/spec/values/proxy/extraEnv" || !strings.Contains(got[0].Reason, tc.want)):
				t.Errorf("flags %+v, want one with %q", got, tc.want)
			}
		})
	}
}
