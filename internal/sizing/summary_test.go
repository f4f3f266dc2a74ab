package sizing

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestSummaryJSONUnits: `size --format json` states every size in bytes
// (keys ending in Bytes, integers) and CPU in cores; no value is a
// quantity string in a unit of its own ("32Gi", "128Mi").
func TestSummaryJSONUnits(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Dataset = &model.Dataset{Vectors: 100_000_000, Dimension: 768, Index: model.Index{Type: DiskANN, MaxDegree: 56}, SegmentSizeMB: 1024, Replicas: 1}
	if _, err := Apply(s); err != nil {
		t.Fatal(err)
	}
	sum, err := Summarize(s)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	sizes := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			for _, e := range x {
				walk(path+"[]", e)
			}
		case string:
			if path != ".dataset.description" && !strings.HasPrefix(path, ".problems") && !strings.HasSuffix(path, "name") &&
				!strings.HasSuffix(path, "source") && !strings.HasSuffix(path, "nodeGroup") && !strings.HasSuffix(path, "instanceType") {
				t.Errorf("%s = %q: a string where a number in one unit belongs", path, x)
			}
		case float64:
			key := path[strings.LastIndex(path, ".")+1:]
			if strings.Contains(strings.ToLower(key), "memory") || strings.Contains(strings.ToLower(key), "disk") {
				if !strings.HasSuffix(key, "Bytes") || x != float64(int64(x)) {
					t.Errorf("%s = %v: want a whole number of bytes under a …Bytes key", path, x)
				}
				sizes++
			}
		}
	}
	walk("", v)
	if sizes == 0 || !strings.Contains(string(data), `"localDiskBytes"`) {
		t.Errorf("no sizes found in %s", data)
	}
}
