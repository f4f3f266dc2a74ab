package spec

import (
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/render"
)

// releaseNameSpec is the base spec with a release name and message queue
// (Pulsar on chart 4.2.58, the newest with it).
func releaseNameSpec(name, mq string) string {
	text := strings.Replace(base, "name: milvus-demo", "name: "+name, 1) + "milvus:\n  messageQueue: " + mq + "\n"
	if mq == "pulsar" {
		text += "  chartVersion: 4.2.58\n  version: 2.5.16\n"
	}
	return text
}

func TestReleaseName(t *testing.T) {
	for _, tc := range []struct{ name, mq, want string }{
		{"milvus-etcd", "woodpecker", `release name "milvus-etcd" contains both "milvus" and "etcd"`},
		{"milvus-kafka", "kafka", `contains both "milvus" and "kafka": both charts then name their objects "milvus-kafka"`},
		{"etcd-kafka", "kafka", `contains both "etcd" and "kafka"`},
		{"kafka-zookeeper", "kafka", `contains both "kafka" and "zookeeper"`},
		{"milvus-kafka", "woodpecker", ""},
		{"kafka-zookeeper", "pulsar", ""},
		{"milvus-pulsarv3", "pulsar", ""},
		{"milvus", "kafka", ""},
	} {
		t.Run(tc.name+"/"+tc.mq, func(t *testing.T) {
			_, err := load(t, "spec.yaml", releaseNameSpec(tc.name, tc.mq))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %s", details(err))
			case tc.want != "" && err == nil:
				t.Fatalf("accepted; want %q", tc.want)
			case tc.want != "" && (!strings.Contains(details(err), tc.want) || !strings.Contains(details(err), "spec.yaml:1:7")):
				t.Fatalf("got %s\nwant %q at spec.yaml:1:7", details(err), tc.want)
			}
		})
	}
}

// TestReleaseNameAgreesWithCharts renders the real charts (Helm SDK) for
// release names made of the charts' names, under every message queue, and
// checks the rule both ways: a name is refused exactly when two rendered
// objects of one kind share a name.
func TestReleaseNameAgreesWithCharts(t *testing.T) {
	if testing.Short() {
		t.Skip("renders the Milvus chart 45 times")
	}
	charts := chart.Caches{chart.NewCache(shared.MustPath(t, "charts")), chart.NewCache(shared.MustPath(t, "charts-previous"))}
	names := []string{"milvus", "demo", "milvus-etcd", "etcd", "milvus-kafka", "kafka", "kafka-zookeeper", "milvus-zookeeper", "zookeeper",
		"milvus-pulsar", "milvus-pulsarv3", "pulsarv3", "etcd-kafka", "etcd-pulsarv3", "etcd-zookeeper"}
	for _, mq := range []string{"woodpecker", "kafka", "pulsar"} {
		for _, name := range names {
			t.Run(mq+"/"+name, func(t *testing.T) {
				text := releaseNameSpec(name, mq)
				_, refused := load(t, "spec.yaml", text)
				// Render what the rule refuses too: load the spec with the
				// rule's input changed back, then rename the release.
				res, err := load(t, "spec.yaml", releaseNameSpec("demo", mq))
				if err != nil {
					t.Fatal(details(err))
				}
				res.Spec.Name = name
				dups := collisions(t, charts, res)
				if (refused != nil) != (len(dups) > 0) {
					t.Errorf("rule refuses: %v; the charts render colliding objects: %v", refused != nil, dups)
				}
			})
		}
	}
}

// collisions hydrates the spec's tree and lists kind/namespace/name
// triples rendered more than once.
func collisions(t *testing.T, charts chart.Caches, res *Result) []string {
	t.Helper()
	files, err := render.Render(res.Spec)
	if err != nil {
		t.Fatal(err)
	}
	files, err = hydrate.Hydrate(files, charts, hydrate.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range files {
		if !hydrate.IsHydrated(f.Path) {
			continue
		}
		for _, d := range strings.Split(string(f.Data), "\n---\n") {
			var o struct {
				Kind     string
				Metadata struct{ Name, Namespace string }
			}
			if err := yaml.Unmarshal([]byte(d), &o); err == nil && o.Kind != "" {
				seen[fmt.Sprintf("%s/%s/%s", o.Kind, o.Metadata.Namespace, o.Metadata.Name)]++
			}
		}
	}
	var dups []string
	for k, n := range seen {
		if n > 1 {
			dups = append(dups, k)
		}
	}
	return dups
}

// TestQueueValuesOfAnotherQueue: raw values for a message queue the spec
// does not deploy are kept (they are harmless) but warned about, at their
// position; the queue's own values are not.
func TestQueueValuesOfAnotherQueue(t *testing.T) {
	for _, tc := range []struct{ mq, values, want string }{
		{"woodpecker", "{kafka: {nodeSelector: {role: milvus}}}", `milvus.values.kafka: milvus.messageQueue is "woodpecker", so the chart deploys no in-cluster Kafka`},
		{"kafka", "{pulsarv3: {broker: {nodeSelector: {role: milvus}}}}", `milvus.values.pulsarv3: milvus.messageQueue is "kafka", so the chart deploys no Pulsar`},
		{"kafka", "{kafka: {nodeSelector: {role: milvus}}}", ""},
	} {
		t.Run(tc.mq+tc.values, func(t *testing.T) {
			res, err := load(t, "spec.yaml", base+"milvus: {messageQueue: "+tc.mq+", values: "+tc.values+"}\n")
			if err != nil {
				t.Fatal(details(err))
			}
			var got []string
			for _, w := range res.Warnings {
				got = append(got, w.Error())
			}
			if tc.want == "" && len(got) > 0 || tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)) {
				t.Errorf("warnings = %q, want %q", got, tc.want)
			}
		})
	}
}
