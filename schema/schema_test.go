package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"

	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/schema"
)

// TestCueVet does what `cue vet -c -d '#Spec' ./schema SPEC` does: it loads
// the schema as the CUE package users import through cue.mod/ (not the
// embedded copy) and checks every example spec against #Spec, concretely.
// A broken module file or package would fail here before users see it.
func TestCueVet(t *testing.T) {
	ctx := cuecontext.New()
	insts := load.Instances([]string{"./schema"}, &load.Config{Dir: ".."})
	if err := insts[0].Err; err != nil {
		t.Fatalf("loading the schema package through cue.mod: %v", err)
	}
	pkg := ctx.BuildInstance(insts[0])
	if err := pkg.Err(); err != nil {
		t.Fatal(err)
	}
	def := pkg.LookupPath(cue.ParsePath("#Spec"))
	exs, err := modeltest.Examples("../examples/render.list")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		t.Run(ex.Name, func(t *testing.T) {
			v := def
			for _, f := range ex.Specs {
				v = v.Unify(value(t, ctx, filepath.Join("..", f)))
			}
			if err := v.Validate(cue.Concrete(true)); err != nil {
				t.Errorf("cue vet would reject %v: %v", ex.Specs, err)
			}
		})
	}
	bad := ctx.CompileString(`name: "x", aws: {region: "us-east-2", accountID: "123456789012"}, cluster: name: "c", storage: bucket: "Bad_Bucket"`)
	if err := def.Unify(bad).Validate(cue.Concrete(true)); err == nil || !strings.Contains(err.Error(), "storage.bucket") {
		t.Errorf("a bad bucket passes the package schema: %v", err)
	}
}

// TestEmbeddedIsThePackage: the binary embeds the same file users vet with.
func TestEmbeddedIsThePackage(t *testing.T) {
	data, err := os.ReadFile("spec.cue")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(schema.Source) {
		t.Error("schema.Source differs from schema/spec.cue")
	}
}

func value(t *testing.T, ctx *cue.Context, path string) cue.Value {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(path) {
	case ".yaml", ".yml":
		f, err := cueyaml.Extract(path, data)
		if err != nil {
			t.Fatal(err)
		}
		return ctx.BuildFile(f)
	case ".json":
		x, err := cuejson.Extract(path, data)
		if err != nil {
			t.Fatal(err)
		}
		return ctx.BuildExpr(x)
	}
	return ctx.CompileBytes(data, cue.Filename(path))
}
