package sizing

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestCheck: components sized by hand keep their values but are checked
// against the dataset's plan (357Gi of loading memory, 12 × 8 CPU/32Gi
// query nodes).
func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		edit func(m *model.Milvus)
		want []string // "path: message" substrings; "warning " prefix for warnings
	}{
		{"nothing by hand", func(m *model.Milvus) {}, nil},
		{"query node memory too small", func(m *model.Milvus) {
			m.QueryNode = model.Component{Replicas: ptr(4), Resources: resources("8", "16Gi")}
		}, []string{"milvus.queryNode.resources.limits.memory: 4 query nodes × 16Gi = 64Gi cannot load the dataset's 357Gi (100M × 768-d HNSW (M=30), 1 replica); run at least 23 replicas of 16Gi, or leave queryNode unset and milvusgen sizes it (12 × 8 CPU/32Gi)",
			"warning milvus.queryNode.resources: 4 × 8 CPU/16Gi is below the sizing tool's 12 × 8 CPU/32Gi"}},
		// The tool's pod written by hand with too few replicas: the count
		// is what is short.
		{"tool's pod, too few", func(m *model.Milvus) {
			m.QueryNode = model.Component{Replicas: ptr(4), Resources: resources("8", "32Gi")}
		}, []string{"milvus.queryNode.replicas: 4 query nodes × 32Gi = 128Gi cannot load"}},
		{"query node request only", func(m *model.Milvus) {
			m.QueryNode = model.Component{Replicas: ptr(2), Resources: &model.Resources{Requests: &model.ResourceList{Memory: "100Gi"}}}
		}, []string{"milvus.queryNode.resources.requests.memory: 2 query nodes × 100Gi = 200Gi cannot load"}},
		{"too few query node replicas", func(m *model.Milvus) {
			m.QueryNode = model.Component{Replicas: ptr(6)}
		}, []string{"milvus.queryNode.replicas: 6 query nodes × 32Gi = 192Gi cannot load the dataset's 357Gi"}},
		{"enough query node replicas", func(m *model.Milvus) {
			m.QueryNode = model.Component{Replicas: ptr(12), Resources: resources("16", "32Gi")}
		}, nil},
		{"query node memory, count derived", func(m *model.Milvus) {
			m.QueryNode = model.Component{Resources: resources("16", "64Gi")}
		}, nil},
		{"query node without memory", func(m *model.Milvus) {
			m.QueryNode = model.Component{Replicas: ptr(12), Resources: &model.Resources{Limits: &model.ResourceList{CPU: "8"}}}
		}, []string{"warning milvus.queryNode.resources: sets no memory limit or request, so milvusgen cannot check that the query nodes hold the dataset's 357Gi"}},
		{"small data nodes", func(m *model.Milvus) {
			m.DataNode = model.Component{Replicas: ptr(2), Resources: resources("4", "8Gi")}
		}, []string{"warning milvus.dataNode.resources: 2 × 4 CPU/8Gi is below the sizing tool's 8 × 8 CPU/16Gi for 357Gi of loading memory"}},
		{"small mixcoord per replica", func(m *model.Milvus) {
			m.MixCoordinator.Resources = resources("4", "16Gi")
		}, []string{"warning milvus.mixCoordinator.resources: 4 CPU/16Gi per replica is below the sizing tool's 1 × 8 CPU/32Gi"}},
		{"bigger by hand is fine", func(m *model.Milvus) {
			m.Proxy = model.Component{Replicas: ptr(4), Resources: resources("16", "64Gi")}
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := modeltest.Runbook()
			s.Milvus.Dataset = hundredM()
			tc.edit(&s.Milvus)
			var got []string
			for _, p := range Check(s) {
				str := p.String()
				if p.Warning {
					str = "warning " + str
				}
				got = append(got, str)
			}
			if len(got) != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if i < len(got) && !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %d:\n got %s\nwant %s…", i, got[i], w)
				}
			}
		})
	}
	if p := Check(modeltest.Runbook()); p != nil {
		t.Errorf("no dataset, nothing to compare: %v", p)
	}
}

func TestApply(t *testing.T) {
	guaranteed := func(cpu, mem string) *model.Resources {
		l := model.ResourceList{CPU: model.Quantity(cpu), Memory: model.Quantity(mem)}
		r := l
		return &model.Resources{Limits: &l, Requests: &r}
	}
	s := modeltest.Runbook()
	s.Milvus.Dataset = hundredM()
	s.Milvus.DataNode = model.Component{Replicas: ptr(10), Resources: resources("16", "32Gi")} // by hand
	s.Milvus.StreamingNode = model.Component{Replicas: ptr(3)}                                 // count by hand
	p, err := Apply(s)
	if err != nil || p == nil {
		t.Fatalf("Apply = %v, %v", p, err)
	}
	want := modeltest.Runbook().Milvus
	want.Dataset = hundredM()
	// The HA pair stays, each replica sized by the tool.
	want.MixCoordinator = model.Component{Replicas: ptr(2), Resources: guaranteed("8", "32Gi")}
	// The proxies' default resources (1 CPU/2Gi) count as unset.
	want.Proxy = model.Component{Replicas: ptr(2), Resources: guaranteed("8", "32Gi")}
	want.QueryNode = model.Component{Replicas: ptr(12), Resources: guaranteed("8", "32Gi")}
	want.DataNode = model.Component{Replicas: ptr(10), Resources: resources("16", "32Gi")}
	want.StreamingNode = model.Component{Replicas: ptr(3), Resources: guaranteed("8", "32Gi")}
	if d := cmp.Diff(want, s.Milvus); d != "" {
		t.Errorf("Apply (-want +got):\n%s", d)
	}
	again := *s
	again.Milvus.QueryNode.Replicas = ptr(*s.Milvus.QueryNode.Replicas)
	if _, err := Apply(&again); err != nil || !cmp.Equal(s, &again) {
		t.Errorf("Apply is not idempotent: %v\n%s", err, cmp.Diff(s, &again))
	}

	// Hand-sized query nodes without a count get as many as the data needs:
	// ceil(357Gi / 64Gi) = 6.
	s = modeltest.Runbook()
	s.Milvus.Dataset = hundredM()
	s.Milvus.QueryNode = model.Component{Resources: resources("16", "64Gi")}
	if _, err := Apply(s); err != nil {
		t.Fatal(err)
	}
	if q := s.Milvus.QueryNode; *q.Replicas != 6 || !cmp.Equal(q.Resources, resources("16", "64Gi")) {
		t.Errorf("query nodes: %d × %+v", *q.Replicas, q.Resources.Limits)
	}

	// Without a dataset nothing changes.
	s = modeltest.Runbook()
	if p, err := Apply(s); p != nil || err != nil || !cmp.Equal(s, modeltest.Runbook()) {
		t.Errorf("Apply without a dataset changed the spec: %v %v\n%s", p, err, cmp.Diff(modeltest.Runbook(), s))
	}
}

func TestFormat(t *testing.T) {
	cpu := map[int64]string{8000: "8", 15735: "15.7", 60: "0.06", 500: "0.5", 120: "0.12", 211900: "211.9"}
	for m, want := range cpu {
		if got := FormatCPU(m); got != want {
			t.Errorf("FormatCPU(%d) = %q, want %q", m, got, want)
		}
	}
	bytes := map[int64]string{0: "0", 32 * GiB: "32Gi", 128 * MiB: "128Mi", 30 * MiB: "30Mi", GiB + GiB/2: "1.5Gi"}
	for b, want := range bytes {
		if got := FormatBytes(b); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", b, got, want)
		}
	}
	q := map[int64]string{32 * GiB: "32Gi", 128 * MiB: "128Mi", 1000: "1000"}
	for b, want := range q {
		if got := FormatMemoryQuantity(b); got != want {
			t.Errorf("FormatMemoryQuantity(%d) = %q, want %q", b, got, want)
		}
	}
	if got := FormatCPUQuantity(500); got != "500m" {
		t.Errorf("FormatCPUQuantity(500) = %q", got)
	}
}
