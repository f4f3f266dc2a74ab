package versions_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// load reads a chart of the table from the shared archives (charts, then
// charts-previous) with the Helm SDK's loader.
func load(t *testing.T, version string) *chart.Chart {
	t.Helper()
	for _, dir := range []string{"charts", "charts-previous"} {
		p := shared.MustPath(t, dir, "milvus-"+version+".tgz")
		if c, err := loader.Load(p); err == nil {
			return c
		}
	}
	t.Fatalf("chart milvus %s is in neither ../shared/charts nor ../shared/charts-previous", version)
	return nil
}

func get(v map[string]any, path ...string) (any, bool) {
	var cur any = v
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func template(c *chart.Chart, name string) bool {
	for _, f := range c.Templates {
		if f.Name == "templates/"+name {
			return true
		}
	}
	return false
}

// TestTableMatchesArchives checks every fact of the table against the
// chart it describes: appVersion and image tag, the coordinator layouts
// and components its values enable, the message queues its config
// template writes, and the etcd subchart's version and PDB API.
func TestTableMatchesArchives(t *testing.T) {
	if got := versions.Known(); !slices.Equal(got, []string{"4.2.37", "4.2.58", "5.0.19"}) {
		t.Errorf("known charts %v", got)
	}
	for _, tc := range versions.Charts() {
		t.Run(tc.Version, func(t *testing.T) {
			c := load(t, tc.Version)
			v := c.Values
			if c.Metadata.AppVersion != tc.Milvus {
				t.Errorf("appVersion %s, table says %s", c.Metadata.AppVersion, tc.Milvus)
			}
			if tag, _ := get(v, "image", "all", "tag"); tag != "v"+tc.Milvus {
				t.Errorf("image.all.tag %v, want v%s", tag, tc.Milvus)
			}
			if repo, _ := get(v, "image", "all", "repository"); repo != versions.ImageRepository {
				t.Errorf("image.all.repository %v", repo)
			}
			// Separate coordinators: the chart gates each on its own
			// enabled flag (5.0.19 still does), but Milvus 2.6 merged them
			// into mixCoord (the upgrade docs), so the table offers them
			// on 2.5 only.
			for _, co := range []string{"rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator"} {
				on, has := get(v, co, "enabled")
				if !has || on != false {
					t.Errorf("%s.enabled is %v, want false by default", co, on)
				}
			}
			if slices.Contains(tc.Coordinators, "separate") != (tc.Minor() == "2.5") {
				t.Errorf("separate coordinators offered on Milvus %s", tc.Milvus)
			}
			if mix, _ := get(v, "mixCoordinator", "enabled"); tc.Coordinators[0] == "mixCoordinator" && len(tc.Coordinators) > 1 && mix != true {
				t.Errorf("mixCoordinator.enabled %v by default", mix)
			}
			// indexNode: on by default where the table has it, off (the
			// Deployment gone in 2.6) where not.
			idx, _ := get(v, "indexNode", "enabled")
			if tc.Has("indexNode") != (idx == true) {
				t.Errorf("indexNode.enabled %v, table says %v", idx, tc.Has("indexNode"))
			}
			// Streaming nodes: 2.6's default, 2.5's experimental flag off.
			st, _ := get(v, "streaming", "enabled")
			if tc.Streaming() != (st == true) {
				t.Errorf("streaming.enabled %v, table says %v", st, tc.Streaming())
			}
			if !template(c, "streamingnode-deployment.yaml") || !template(c, "mixcoord-deployment.yaml") {
				t.Error("chart lacks the mixcoord or streamingnode template")
			}
			for _, mq := range tc.MessageQueues {
				key := map[string]string{"woodpecker": "woodpecker", "pulsar": "pulsarv3", "kafka": "kafka"}[mq]
				if _, ok := get(v, key, "enabled"); !ok {
					t.Errorf("message queue %s: no %s.enabled in values", mq, key)
				}
			}
			// Woodpecker: 2.6 only. Chart 4.2.58 carries the key, but
			// Milvus 2.5's mq.type knows only pulsar, kafka, rocksmq and
			// natsmq, so the table does not offer it there.
			if slices.Contains(tc.MessageQueues, "woodpecker") != (tc.Minor() == "2.6") {
				t.Errorf("woodpecker offered on Milvus %s", tc.Milvus)
			}
			var etcd *chart.Chart
			for _, d := range c.Dependencies() {
				if d.Name() == "etcd" {
					etcd = d
				}
			}
			if etcd == nil {
				t.Fatal("no etcd subchart")
			}
			if etcd.Metadata.Version != tc.Etcd.Chart {
				t.Errorf("etcd subchart %s, table says %s", etcd.Metadata.Version, tc.Etcd.Chart)
			}
			pdb := ""
			for _, f := range etcd.Templates {
				if f.Name == "templates/pdb.yaml" {
					pdb = string(f.Data)
				}
			}
			want := fmt.Sprintf("apiVersion: %s\n", tc.Etcd.PDBAPI)
			if tc.Etcd.PDBAPI == "policy/v1" {
				want = "policy/v1" // through the common.capabilities helper
			}
			if !strings.Contains(pdb, want) && !strings.Contains(pdb, "capabilities.policy.apiVersion") {
				t.Errorf("etcd pdb template does not write %s:\n%s", tc.Etcd.PDBAPI, pdb)
			}
			if tc.Etcd.PDBAPI == "policy/v1beta1" && !strings.Contains(pdb, want) {
				t.Errorf("etcd pdb template is not the policy/v1beta1 the table says")
			}
		})
	}
}
