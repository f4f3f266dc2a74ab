package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render"
)

// TestCommittedTreesInTwoYears is `make check` with the clock two years
// ahead: loaded the way `render --check` loads (spec.Options.SupportWarnings)
// on 2028-12-01, when every Kubernetes version milvusgen knows is past EKS
// support, each example still loads and renders to the bytes committed in
// out/. The support findings are warnings there; without the option the
// same date is an error, which is what `validate` and `render` report.
func TestCommittedTreesInTwoYears(t *testing.T) {
	later := time.Date(2028, 12, 1, 0, 0, 0, 0, time.UTC)
	exs, err := modeltest.Examples(*list)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		t.Run(ex.Name, func(t *testing.T) {
			var files []string
			for _, f := range ex.Specs {
				files = append(files, fromRepo(f))
			}
			srcs, err := spec.ReadFiles(files, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := spec.Load(srcs, spec.Options{Today: later}); err == nil || !strings.Contains(err.Error(), "left EKS extended support") {
				t.Errorf("validating on %s: err %v, want the version past EKS support refused", later.Format(time.DateOnly), err)
			}
			res, err := spec.Load(srcs, spec.Options{Today: later, SupportWarnings: true})
			if err != nil {
				t.Fatalf("check mode on %s: %v", later.Format(time.DateOnly), err)
			}
			warned := false
			for _, w := range res.Warnings {
				warned = warned || strings.Contains(w.Error(), "left EKS extended support")
			}
			if !warned {
				t.Errorf("check mode on %s: no support warning in %v", later.Format(time.DateOnly), res.Warnings)
			}
			// As render -o does: the tree's Git path is its place in the
			// work tree (fleet.ResolveGitPath).
			if err := fleet.ResolveGitPath(res, fromRepo(ex.Out)); err != nil {
				t.Fatal(err)
			}
			out, err := render.Render(res.Spec)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := writer.Check(fromRepo(ex.Out), out)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range writer.Changed(cs) {
				t.Errorf("%s on %s: %s %s", ex.Out, later.Format(time.DateOnly), c.Action, c.Path)
			}
		})
	}
}
