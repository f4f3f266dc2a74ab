package adopt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/rawvalues"
)

// Masked replaces, in the installed manifest, every credential found in
// the release's values (the chart copies them into milvus.yaml).
const Masked = "<masked by milvusgen import>"

// Compare compares the objects Helm installed (the release's manifest)
// with the hydrated release the spec renders, object by object. Both are
// normalized alike: Secret data replaced by hydrate's placeholder, null
// fields and empty label maps dropped (the API server stores neither).
// The credentials in the release's values are masked in the installed
// manifest before it is parsed, so none is compared or printed.
func Compare(installed string, rendered manifest.File, credentials []string) (*diff.Report, error) {
	for _, c := range credentials {
		installed = strings.ReplaceAll(installed, c, Masked)
	}
	data, err := normalize(installed)
	if err != nil {
		return nil, fmt.Errorf("the release's manifest: %w", err)
	}
	ours, err := normalize(string(rendered.Data))
	if err != nil {
		return nil, fmt.Errorf("the rendered release: %w", err)
	}
	old := manifest.File{Path: rendered.Path, Data: data, Mode: rendered.Mode}
	cur := manifest.File{Path: rendered.Path, Data: ours, Mode: rendered.Mode}
	return diff.Compare([]manifest.File{old}, []manifest.File{cur}), nil
}

// Credentials are the string values under credential-named keys in the
// release's values (rawvalues.Credential's rule), including those in
// extraConfigFiles' YAML.
func Credentials(values map[string]any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if s, ok := e.(string); ok {
					if _, cred := rawvalues.Credential(k); cred && len(s) >= 4 {
						out = append(out, s)
						continue
					}
					if strings.Contains(s, ":") && strings.Contains(s, "\n") {
						var doc map[string]any
						if yaml.Unmarshal([]byte(s), &doc) == nil {
							walk(doc)
						}
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(values)
	// Longest first, so a secret holding another is masked whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
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
		pruneEmpty(obj)
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

// pruneEmpty drops null values everywhere and empty metadata label and
// annotation maps.
func pruneEmpty(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			pruneEmpty(e)
			if m, ok := e.(map[string]any); ok && len(m) == 0 && (k == "labels" || k == "annotations") {
				delete(v, k)
			}
		}
	case []any:
		for _, e := range v {
			pruneEmpty(e)
		}
	}
}
