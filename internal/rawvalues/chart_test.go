package rawvalues

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// loadChart reads a chart of the version table from the shared archives
// (charts, then charts-previous) with the Helm SDK's loader.
func loadChart(t *testing.T, version string) *helmchart.Chart {
	t.Helper()
	for _, dir := range []string{"charts", "charts-previous"} {
		if c, err := loader.Load(shared.MustPath(t, dir, "milvus-"+version+".tgz")); err == nil {
			return c
		}
	}
	t.Fatalf("chart milvus %s is in neither ../shared/charts nor ../shared/charts-previous", version)
	return nil
}

// TestComponentKeysInCharts: every per-component key the allowlist lets
// through on a chart is a key of that component's block in the chart's
// own values.yaml and is read by one of its templates
// (.Values.<component>.<key>), so a passed key always reaches the pods.
// Every component the chart has is a block of its values.
func TestComponentKeysInCharts(t *testing.T) {
	for _, vc := range versions.Charts() {
		t.Run(vc.Version, func(t *testing.T) {
			c := loadChart(t, vc.Version)
			var templates strings.Builder
			for _, f := range c.Templates {
				templates.Write(f.Data)
			}
			a := allowlistOf(vc)
			n := 0
			for key := range a.allowed {
				p := strings.Split(key, "\x00")
				if len(p) != 2 || !slices.Contains(knownComponents(), p[0]) {
					continue
				}
				n++
				block, ok := c.Values[p[0]].(map[string]any)
				if !ok {
					t.Errorf("chart %s values.yaml has no %s block", vc.Version, p[0])
					continue
				}
				if _, ok := block[p[1]]; !ok {
					t.Errorf("chart %s values.yaml has no %s.%s, which the allowlist lets through", vc.Version, p[0], p[1])
				}
				read := regexp.MustCompile(`\.Values\.` + regexp.QuoteMeta(p[0]+"."+p[1]) + `\b`)
				if !read.MatchString(templates.String()) {
					t.Errorf("no template of chart %s reads .Values.%s.%s", vc.Version, p[0], p[1])
				}
			}
			want := 4 * len(vc.Blocks())
			if vc.Streaming() {
				want--
			}
			if n != want {
				t.Errorf("chart %s: %d per-component keys allowed, want %d (nodeSelector, tolerations, extraEnv on each component, annotations on all but streamingNode)", vc.Version, n, want)
			}
			for _, b := range vc.Blocks() {
				if _, ok := c.Values[b].(map[string]any); !ok {
					t.Errorf("chart %s deploys %s, but its values.yaml has no such block", vc.Version, b)
				}
			}
		})
	}
}
