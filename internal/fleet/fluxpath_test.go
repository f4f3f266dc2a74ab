package fleet_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/internal/writer"
)

func TestFluxPathWarnings(t *testing.T) {
	touch := func(t *testing.T, p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
	}{
		{"one tree", []string{writer.ManifestName, "kubernetes/apps/milvus/kustomization.yaml"}, nil},
		{"nested tree", []string{writer.ManifestName, "staging/" + writer.ManifestName}, []string{"is a parent of another milvusgen tree", "/staging"}},
		{"deeply nested tree", []string{writer.ManifestName, "a/b/" + writer.ManifestName}, []string{"/a/b:"}},
		{"flux bootstrap", []string{writer.ManifestName, "flux-system/kustomization.yaml"}, []string{"flux-system/", "would prune itself"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				touch(t, filepath.Join(dir, f))
			}
			ws, err := fleet.FluxPathWarnings(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if len(ws) != 0 {
					t.Fatalf("warnings = %q, want none", ws)
				}
				return
			}
			if len(ws) != 1 {
				t.Fatalf("warnings = %q, want one", ws)
			}
			for _, w := range tc.want {
				if !strings.Contains(ws[0], w) {
					t.Errorf("warning %q does not say %q", ws[0], w)
				}
			}
		})
	}
	if ws, err := fleet.FluxPathWarnings(filepath.Join(t.TempDir(), "missing")); err != nil || ws != nil {
		t.Errorf("missing dir: %q, %v", ws, err)
	}
}
