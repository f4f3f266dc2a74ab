package upgrade

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"

	k8syaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/milvusgen/milvusgen/internal/versions"
)

// releaseFile is where a rendered tree holds the Milvus HelmRelease (Flux)
// or Application (Argo CD).
const releaseFile = "kubernetes/apps/milvus/milvus.yaml"

// StateOfTree reads the Milvus version, coordinator layout and message
// queue a rendered tree installs, from its Milvus HelmRelease or Argo CD
// Application. ok is false when dir holds no such object (a first render).
func StateOfTree(dir string) (st versions.State, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(releaseFile)))
	if errors.Is(err, os.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, err
	}
	dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var obj struct {
			Kind string `json:"kind"`
			Spec struct {
				Chart struct {
					Spec struct {
						Chart, Version string
					} `json:"spec"`
				} `json:"chart"`
				Values map[string]any `json:"values"`
				Source struct {
					Chart          string `json:"chart"`
					TargetRevision string `json:"targetRevision"`
					Helm           struct {
						ValuesObject map[string]any `json:"valuesObject"`
					} `json:"helm"`
				} `json:"source"`
			} `json:"spec"`
		}
		if err := dec.Decode(&obj); err == io.EOF {
			return st, false, nil
		} else if err != nil {
			return st, false, err
		}
		switch {
		case obj.Kind == "HelmRelease" && obj.Spec.Chart.Spec.Chart == "milvus":
			st, ok = versions.StateOfValues(obj.Spec.Chart.Spec.Version, obj.Spec.Values)
			return st, ok, nil
		case obj.Kind == "Application" && obj.Spec.Source.Chart == "milvus":
			st, ok = versions.StateOfValues(obj.Spec.Source.TargetRevision, obj.Spec.Source.Helm.ValuesObject)
			return st, ok, nil
		}
	}
}
