package simcluster

import (
	"bytes"
	"embed"
	"fmt"

	"sigs.k8s.io/yaml"
)

// kwok's own stage files (sigs.k8s.io/kwok v0.8.0 kustomize/stage, copied
// unchanged into kwok/ with the project's license): nodes initialise at
// once and renew their lease; pods become ready, Job pods complete, and
// deleted pods go.
//
//go:embed kwok/*.yaml
var stageFiles embed.FS

var stageNames = []string{
	"node-initialize", "node-heartbeat-with-lease",
	"pod-ready", "pod-complete", "pod-delete",
}

// ManagedLabel marks the nodes kwok keeps alive. A node that loses it
// stops renewing its lease, as a node whose instance died: the controller
// manager marks it NotReady after NodeGracePeriod.
const ManagedLabel = "sim.milvusgen.io/managed"

// ReleaseAnnotation set to "true" on a pod lets it become ready when the
// cluster holds readiness (Options.HoldReadiness).
const ReleaseAnnotation = "sim.milvusgen.io/release"

// kwokStages returns kwok's --config: the stages above, with pod-ready
// delayed by opts.ReadyDelay and, under HoldReadiness, limited to pods
// carrying ReleaseAnnotation.
func kwokStages(opts Options) ([]byte, error) {
	var out bytes.Buffer
	for _, n := range stageNames {
		data, err := stageFiles.ReadFile("kwok/" + n + ".yaml")
		if err != nil {
			return nil, err
		}
		if n == "pod-ready" {
			if data, err = adjustPodReady(data, opts); err != nil {
				return nil, fmt.Errorf("kwok/%s.yaml: %w", n, err)
			}
		}
		out.WriteString("---\n")
		out.Write(data)
	}
	return out.Bytes(), nil
}

func adjustPodReady(data []byte, opts Options) ([]byte, error) {
	var st map[string]any
	if err := yaml.Unmarshal(data, &st); err != nil {
		return nil, err
	}
	spec, _ := st["spec"].(map[string]any)
	sel, _ := spec["selector"].(map[string]any)
	exprs, _ := sel["matchExpressions"].([]any)
	if spec == nil || exprs == nil {
		return nil, fmt.Errorf("no spec.selector.matchExpressions")
	}
	if opts.ReadyDelay > 0 {
		spec["delay"] = map[string]any{"durationMilliseconds": opts.ReadyDelay.Milliseconds()}
	}
	if opts.HoldReadiness {
		exprs = append(exprs, map[string]any{
			"key":      fmt.Sprintf(".metadata.annotations[%q]", ReleaseAnnotation),
			"operator": "In",
			"values":   []any{"true"},
		})
		sel["matchExpressions"] = exprs
	}
	return yaml.Marshal(st)
}
