package consumer

import (
	"strings"
	"testing"
)

// TestCRDValidatorCatches proves the validator is not vacuous: each case
// breaks a valid rendered object in one way the API server rejects.
func TestCRDValidatorCatches(t *testing.T) {
	crds, err := FluxCRDs()
	if err != nil {
		t.Fatal(err)
	}
	validHR := func() map[string]any {
		return map[string]any{
			"apiVersion": "helm.toolkit.fluxcd.io/v2",
			"kind":       "HelmRelease",
			"metadata":   map[string]any{"name": "milvus-demo", "namespace": "milvus"},
			"spec": map[string]any{
				"interval": "10m0s",
				"chart": map[string]any{"spec": map[string]any{
					"chart":     "milvus",
					"version":   "5.0.19",
					"sourceRef": map[string]any{"kind": "HelmRepository", "name": "milvus"},
				}},
			},
		}
	}
	spec := func(o map[string]any) map[string]any { return o["spec"].(map[string]any) }
	tests := map[string]struct {
		modify func(map[string]any)
		want   string
	}{
		"valid": {modify: func(map[string]any) {}},
		"unknown field": {
			modify: func(o map[string]any) { spec(o)["valuez"] = map[string]any{} },
			want:   "spec.valuez: Invalid value",
		},
		"bad interval pattern": {
			modify: func(o map[string]any) { spec(o)["interval"] = "10 minutes" },
			want:   "spec.interval",
		},
		"missing required interval": {
			modify: func(o map[string]any) { delete(spec(o), "interval") },
			want:   "spec.interval: Required value",
		},
		"CEL: chart and chartRef": {
			modify: func(o map[string]any) {
				spec(o)["chartRef"] = map[string]any{"kind": "OCIRepository", "name": "milvus"}
			},
			want: "either chart or chartRef must be set",
		},
		"enum: sourceRef kind": {
			modify: func(o map[string]any) {
				spec(o)["chart"].(map[string]any)["spec"].(map[string]any)["sourceRef"].(map[string]any)["kind"] = "OCIRepository"
			},
			want: "spec.chart.spec.sourceRef.kind: Unsupported value",
		},
		"metadata: name": {
			modify: func(o map[string]any) { o["metadata"].(map[string]any)["name"] = "Milvus_Demo" },
			want:   "metadata.name: Invalid value",
		},
		"metadata: namespace required": {
			modify: func(o map[string]any) { delete(o["metadata"].(map[string]any), "namespace") },
			want:   "metadata.namespace: Required value",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			o := validHR()
			tt.modify(o)
			errs := crds.Validate(o)
			if tt.want == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs.ToAggregate())
				}
				return
			}
			if errs == nil || !strings.Contains(errs.ToAggregate().Error(), tt.want) {
				t.Errorf("errors = %v, want one containing %q", errs.ToAggregate(), tt.want)
			}
		})
	}
}
