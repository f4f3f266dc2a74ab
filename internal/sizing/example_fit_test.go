package sizing_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/milvusgen/milvusgen/internal/spec"
)

// TestExampleNodeCounts holds the README's sizing claims against
// examples/sizing/spec.cue: six nodes hold the deployment; three with
// maxSize 3 are refused with the node count that would do; three with the
// example's maxSize 9 only warn, since the pods fit once an autoscaler
// grows the group.
func TestExampleNodeCounts(t *testing.T) {
	const file = "../../examples/sizing/spec.cue"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const group = "desiredCapacity: 6, maxSize: 9"
	if !strings.Contains(string(data), group) {
		t.Fatalf("%s no longer says %q; update this test and the README's sizing section", file, group)
	}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		group         string
		wantErr, warn string
	}{
		{group: group},
		{group: "desiredCapacity: 3, maxSize: 3", wantErr: "set desiredCapacity (and maxSize) of milvus-m7i to at least 6"},
		{group: "desiredCapacity: 3, maxSize: 9", warn: "they fit at maxSize, but only once an autoscaler adds nodes"},
	} {
		t.Run(tc.group, func(t *testing.T) {
			text := strings.Replace(string(data), group, tc.group, 1)
			res, err := spec.Load([]spec.Source{{Name: "examples/sizing/spec.cue", Data: []byte(text)}}, spec.Options{Today: today})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %s", errors.Details(err, nil))
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			case tc.wantErr != "":
				t.Log(errors.Details(err, nil))
				return
			}
			var warns []string
			for _, w := range res.Warnings {
				warns = append(warns, w.Error())
			}
			if got := strings.Join(warns, "\n"); (tc.warn == "") != (got == "") || !strings.Contains(got, tc.warn) {
				t.Errorf("warnings %q, want %q", got, tc.warn)
			}
		})
	}
}
