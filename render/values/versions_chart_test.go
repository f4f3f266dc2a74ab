package values

import (
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/spec"
)

// TestChartsOfTheUpgradePath renders the upgrade examples (Milvus 2.5.4 on
// chart 4.2.37, 2.5.16 on 4.2.58, 2.6.15 on 5.0.19) with their real
// charts: each installs the Deployments its line has, every Milvus
// container on the spec's version, the message queue the spec names, and
// an etcd PodDisruptionBudget only where the subchart writes policy/v1.
func TestChartsOfTheUpgradePath(t *testing.T) {
	for _, tc := range []struct {
		file, version string
		deployments   []string
		etcdPDB       bool
	}{
		{"2.5.4.cue", "v2.5.4", []string{"datanode", "indexnode", "mixcoord", "proxy", "querynode"}, false},
		{"2.5.16.cue", "v2.5.16", []string{"datanode", "indexnode", "mixcoord", "proxy", "querynode"}, false},
		{"2.6.15.cue", "v2.6.15", []string{"datanode", "mixcoord", "proxy", "querynode", "streamingnode"}, true},
		{"2.6.16.cue", "v2.6.16", []string{"datanode", "mixcoord", "proxy", "querynode", "streamingnode"}, true},
		{"separate", "v2.5.4", []string{"datacoord", "datanode", "indexcoord", "indexnode", "proxy", "querycoord", "querynode", "rootcoord"}, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			files := []string{"../../examples/upgrade/base.cue", "../../examples/upgrade/" + tc.file}
			switch tc.file {
			case "2.6.16.cue": // a patch before its chart: milvus.version
				files[1] = "../../examples/upgrade/2.6.15.cue"
				files = append(files, "testdata/version-2.6.16.cue")
			case "separate": // 2.5's separate coordinators
				files[1] = "../../examples/upgrade/2.5.4.cue"
				files = append(files, "testdata/separate.cue")
			}
			var srcs []spec.Source
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				srcs = append(srcs, spec.Source{Name: f, Data: data})
			}
			res, err := spec.Load(srcs, spec.Options{Today: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			s := res.Spec
			m := renderMilvus(t, s)
			var deps []string
			for _, o := range m.Filter("Deployment", "milvus/templates/") {
				d, err := consumer.As[appsv1.Deployment](o)
				if err != nil {
					t.Fatal(err)
				}
				deps = append(deps, d.Spec.Template.Labels["component"])
				// highAvailability: every Deployment two replicas or more,
				// spread over hosts and zones.
				if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 || len(d.Spec.Template.Spec.TopologySpreadConstraints) != 2 {
					t.Errorf("%s: replicas %v, %d spread constraints", d.Name, d.Spec.Replicas, len(d.Spec.Template.Spec.TopologySpreadConstraints))
				}
				for _, c := range d.Spec.Template.Spec.Containers {
					if c.Image != "milvusdb/milvus:"+tc.version {
						t.Errorf("%s container %s runs %s, want %s", d.Name, c.Name, c.Image, tc.version)
					}
				}
			}
			sort.Strings(deps)
			if !slices.Equal(deps, tc.deployments) {
				t.Errorf("Deployments %v, want %v", deps, tc.deployments)
			}
			cfg, err := m.MilvusConfig()
			if err != nil {
				t.Fatal(err)
			}
			if mq := consumer.Lookup(cfg, "mq.type"); mq != "pulsar" {
				t.Errorf("mq.type %v, want pulsar", mq)
			}
			if got := len(m.Filter("PodDisruptionBudget", "milvus/charts/etcd/")) > 0; got != tc.etcdPDB {
				t.Errorf("etcd PDB rendered %v, want %v", got, tc.etcdPDB)
			}
		})
	}
}
