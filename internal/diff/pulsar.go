package diff

import (
	"fmt"
	"reflect"
	"strings"
)

// pulsarRestarts are the Pulsar components (of the Milvus chart's pulsarv3
// subchart, Pulsar chart 3.3.0) whose rolling restart a values change can
// start without any Milvus rule noticing, by their key under
// spec.values.pulsarv3 and their pods' component label.
var pulsarRestarts = []struct{ key, component, reason string }{
	{"proxy", "proxy", "rolling restart of Pulsar's proxies: Milvus reaches Pulsar through them (the chart's pulsar.address is the <release>-pulsarv3-proxy Service), so its producers and consumers reconnect, and writes and log consumption pause while each proxy restarts"},
	{"autorecovery", "recovery", "rolling restart of Pulsar's autorecovery: re-replication of a lost bookie's entries pauses until its pods are back; clients are not affected"},
}

// pulsarOutsidePods are the keys of pulsarv3.proxy and
// pulsarv3.autorecovery that do not reach the StatefulSet's pod template
// (templates/proxy-statefulset.yaml, autorecovery-statefulset.yaml):
// scaling, the Service, ingress, disruption budget, monitoring and service
// account objects. configData reaches it only with
// restartPodsOnConfigMapChange. Any other key, known or not, is taken to
// restart the pods.
var pulsarOutsidePods = map[string]bool{
	"replicaCount": true, "autoscaling": true, "service": true, "ingress": true,
	"pdb": true, "podMonitor": true, "service_account": true,
}

// pulsarRestart: a change of the Pulsar proxies' or autorecovery's values
// (a HelmRelease of Milvus on Pulsar v3 before and after), or of their
// hydrated StatefulSets' pod template, rolls their pods.
func pulsarRestart(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed {
		return nil
	}
	if isWorkload(c) {
		if str(new, "spec", "template", "metadata", "labels", "app") != "pulsarv3" {
			return nil
		}
		comp := component(new)
		for _, p := range pulsarRestarts {
			if p.component != comp {
				continue
			}
			for _, f := range c.Fields {
				if strings.HasPrefix(f.Path, "/spec/template/") {
					return []Flag{{Availability, f.Path, p.reason}}
				}
			}
		}
		return nil
	}
	if !isHelmRelease(c) || !milvusValues(old) || !milvusValues(new) || mqOf(old) != "Pulsar" || mqOf(new) != "Pulsar" {
		return nil
	}
	var out []Flag
	for _, p := range pulsarRestarts {
		path := []string{"spec", "values", "pulsarv3", p.key}
		a, _ := get(old, path...)
		b, _ := get(new, path...)
		am, _ := a.(map[string]any)
		bm, _ := b.(map[string]any)
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			if pulsarOutsidePods[k] || reflect.DeepEqual(am[k], bm[k]) {
				continue
			}
			if k == "configData" && !truthy(bm, "restartPodsOnConfigMapChange") {
				continue
			}
			out = append(out, Flag{Availability, pointer(append(path, k)...), fmt.Sprintf("%s (%s changed)", p.reason, k)})
			break
		}
	}
	return out
}
