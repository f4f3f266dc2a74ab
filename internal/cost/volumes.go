package cost

import (
	"fmt"
	"slices"
)

// claim is one PersistentVolumeClaim template of a stateful subchart, with
// the values keys that switch it on, count its pods and size it, and the
// chart's defaults for each. The defaults are the Milvus chart's (its
// values.yaml, which overrides the subcharts'), or the subchart's own where
// the parent leaves a key unset; TestVolumesMatchChart hydrates the real
// charts and checks that these claims are exactly the StatefulSets'
// volumeClaimTemplates times their replicas.
type claim struct {
	component string
	// enabled are the switches that must all hold, each a path and its
	// default.
	enabled []flag
	// replicas is the path of the pod count and its default.
	replicas    string
	defReplicas int
	// size is the path of the claim's size and its default.
	size, defSize string
}

type flag struct {
	path string
	def  bool
}

// claims hold for charts 4.2.37, 4.2.58 and 5.0.19, whose stateful
// subcharts and defaults agree on these keys.
var claims = []claim{
	{component: "etcd", enabled: []flag{{"etcd.enabled", true}, {"etcd.persistence.enabled", true}},
		replicas: "etcd.replicaCount", defReplicas: 3, size: "etcd.persistence.size", defSize: "10Gi"},
	{component: "kafka", enabled: []flag{{"kafka.enabled", false}, {"kafka.persistence.enabled", true}},
		replicas: "kafka.replicaCount", defReplicas: 3, size: "kafka.persistence.size", defSize: "300Gi"},
	{component: "kafka zookeeper", enabled: []flag{{"kafka.enabled", false}, {"kafka.zookeeper.enabled", true}, {"kafka.zookeeper.persistence.enabled", true}},
		replicas: "kafka.zookeeper.replicaCount", defReplicas: 3, size: "kafka.zookeeper.persistence.size", defSize: "8Gi"},
	{component: "pulsar bookkeeper journal", enabled: []flag{{"pulsarv3.enabled", true}, {"pulsarv3.volumes.persistence", true}},
		replicas: "pulsarv3.bookkeeper.replicaCount", defReplicas: 3, size: "pulsarv3.bookkeeper.volumes.journal.size", defSize: "100Gi"},
	{component: "pulsar bookkeeper ledgers", enabled: []flag{{"pulsarv3.enabled", true}, {"pulsarv3.volumes.persistence", true}},
		replicas: "pulsarv3.bookkeeper.replicaCount", defReplicas: 3, size: "pulsarv3.bookkeeper.volumes.ledgers.size", defSize: "200Gi"},
	{component: "pulsar zookeeper", enabled: []flag{{"pulsarv3.enabled", true}, {"pulsarv3.volumes.persistence", true}},
		replicas: "pulsarv3.zookeeper.replicaCount", defReplicas: 3, size: "pulsarv3.zookeeper.volumes.data.size", defSize: "20Gi"},
}

// volumeCharts are the chart versions whose defaults claims states.
var volumeCharts = []string{"4.2.37", "4.2.58", "5.0.19"}

// volumes lists the stateful claims a Milvus release's values create.
func volumes(chartVersion string, values map[string]any) ([]Volume, error) {
	if !slices.Contains(volumeCharts, chartVersion) {
		return nil, fmt.Errorf("cost does not know the volume defaults of Milvus chart %s (it knows %v)", chartVersion, volumeCharts)
	}
	var out []Volume
	for _, c := range claims {
		on := true
		for _, f := range c.enabled {
			b, ok := lookup(values, f.path).(bool)
			if !ok {
				b = f.def
			}
			on = on && b
		}
		if !on {
			continue
		}
		n := c.defReplicas
		if v, ok := number(lookup(values, c.replicas)); ok {
			n = v
		}
		size := c.defSize
		if s, ok := lookup(values, c.size).(string); ok && s != "" {
			size = s
		}
		g, err := gib(size)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.size, err)
		}
		if n > 0 {
			out = append(out, Volume{Component: c.component, Count: n, GiB: g})
		}
	}
	return out, nil
}

// number reads a replica count decoded from JSON or YAML.
func number(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), true
	case int:
		return n, true
	case int64:
		return int(n), true
	}
	return 0, false
}
