package adopt

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Compare compares the objects Helm installed (the release's manifest)
// with the hydrated release the spec renders, object by object. The
// installed Secrets' data is replaced by hydrate's placeholder first, as
// the hydrated file's is, so no secret is compared or printed.
func Compare(installed string, rendered manifest.File) (*diff.Report, error) {
	data, err := normalize(installed)
	if err != nil {
		return nil, fmt.Errorf("the release's manifest: %w", err)
	}
	old := manifest.File{Path: rendered.Path, Data: data, Mode: rendered.Mode}
	return diff.Compare([]manifest.File{old}, []manifest.File{rendered}), nil
}

func normalize(m string) ([]byte, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(m)), 4096)
	var b bytes.Buffer
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if obj == nil {
			continue
		}
		if obj["kind"] == "Secret" {
			for _, k := range []string{"data", "stringData"} {
				if d, ok := obj[k].(map[string]any); ok {
					for key := range d {
						d[key] = hydrate.Placeholder
					}
				}
			}
		}
		data, err := manifest.Marshal(obj)
		if err != nil {
			return nil, err
		}
		b.WriteString("---\n")
		b.Write(data)
	}
	return b.Bytes(), nil
}
