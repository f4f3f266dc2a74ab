package appset

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
)

// TestNormalize: Argo CD's SanitizeName cases (applicationset/utils).
func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Milvus-Prod":            "milvus-prod",
		"milvus_dev":             "milvus-dev",
		"-edge.":                 "edge",
		"a.b":                    "a.b",
		strings.Repeat("a", 300): strings.Repeat("a", 253),
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func set(gens ...v1alpha1.ApplicationSetGenerator) *v1alpha1.ApplicationSet {
	return &v1alpha1.ApplicationSet{
		ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "argocd"},
		Spec: v1alpha1.ApplicationSetSpec{
			GoTemplate: true, GoTemplateOptions: []string{"missingkey=error"}, Generators: gens,
			Template: v1alpha1.ApplicationSetTemplate{
				ApplicationSetTemplateMeta: v1alpha1.ApplicationSetTemplateMeta{Name: "{{.nameNormalized}}-{{.values.x}}"},
				Spec:                       v1alpha1.ApplicationSpec{Project: "p", Destination: v1alpha1.ApplicationDestination{Name: "{{.name}}"}},
			},
		},
	}
}

// TestExpandRefuses: what the rules do not cover is an error, not a guess.
func TestExpandRefuses(t *testing.T) {
	c := Cluster{Name: "A", Labels: map[string]string{"k": "v"}}
	gen := v1alpha1.ApplicationSetGenerator{Clusters: &v1alpha1.ClusterGenerator{
		Selector: metav1.LabelSelector{MatchLabels: map[string]string{"k": "v"}}, Values: map[string]string{"x": "y"}}}
	apps, err := Rules{}.Expand(set(gen), []Cluster{c})
	if err != nil || len(apps) != 1 || apps[0].Name != "a-y" || apps[0].Spec.Destination.Name != "A" ||
		len(apps[0].Finalizers) != 1 {
		t.Fatalf("apps %+v, err %v", apps, err)
	}
	for name, tc := range map[string]struct {
		s    *v1alpha1.ApplicationSet
		want string
	}{
		"list generator": {set(v1alpha1.ApplicationSetGenerator{List: &v1alpha1.ListGenerator{}}), "not a cluster generator"},
		"twice":          {set(gen, gen), "generates Application a-y twice"},
		"fasttemplate":   {func() *v1alpha1.ApplicationSet { s := set(gen); s.Spec.GoTemplate = false; return s }(), "only goTemplate"},
	} {
		if _, err := (Rules{}).Expand(tc.s, []Cluster{c}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}
