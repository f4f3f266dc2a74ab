package fleet

import (
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/errors"
)

func TestParse(t *testing.T) {
	f, err := Parse("dir/fleet.cue", []byte(`environments: {
	prod: {files: ["base.cue", "overlays/prod.cue"], output: "clusters/prod"}
	dev: {files: ["/abs/base.cue"], output: "../out/dev"}
}
`))
	if err != nil {
		t.Fatal(errors.Details(err, nil))
	}
	if len(f.Environments) != 2 || f.Environments[0].Name != "dev" {
		t.Fatalf("environments not sorted by name: %+v", f.Environments)
	}
	dev, prod := f.Environments[0], f.Environments[1]
	if dev.Files[0] != "/abs/base.cue" || dev.Output != "out/dev" {
		t.Errorf("dev: %+v", dev)
	}
	if prod.Files[1] != filepath.Join("dir", "overlays", "prod.cue") || prod.Output != filepath.Join("dir", "clusters", "prod") {
		t.Errorf("prod: %+v", prod)
	}
	if got := prod.OutputPos.String(); got != "dir/fleet.cue:2:59" {
		t.Errorf("output position %s", got)
	}
}

func TestParseInvalid(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"f.yaml", "environments: {}\n", "f.yaml: the fleet has no environments"},
		{"f.yaml", "environments:\n  dev: {files: [a.cue], outptu: x}\n", "field not allowed"},
		{"f.yaml", "environments:\n  dev: {files: [], output: x}\n", "environment dev: files is empty; name its spec files, e.g. files: [base.cue, overlays/dev.cue]:\n    f.yaml:2:16"},
		{"f.yaml", "environments:\n  dev: {files: [a.cue], output: \"\"}\n", "environment dev: output is empty; name the directory it renders into:\n    f.yaml:2:33"},
		{"f.yaml", "environments:\n  dev: {files: [\"-\"], output: x}\n", `"-" (stdin) is not one:` + "\n    f.yaml:2:17"},
		{"f.yaml", "environments:\n  a b: {files: [a.cue], output: x}\n", `environment name "a b"`},
		{"f.yaml", "environments:\n  dev: {files: a.cue, output: x}\n", "dev.files"},
		{"f.json", "[1]", "f.json: a fleet file is a mapping"},
		{"f.toml", "", `unsupported fleet file format ".toml"`},
	} {
		_, err := Parse(c.name, []byte(c.text))
		if err == nil {
			t.Errorf("%q: no error", c.text)
			continue
		}
		if got := errors.Details(err, nil); !strings.Contains(got, c.want) {
			t.Errorf("%q: got\n%s\nwant %q", c.text, got, c.want)
		}
	}
}

// FuzzParse: no fleet file makes Parse panic, and an accepted one has
// environments with files and an output.
func FuzzParse(f *testing.F) {
	f.Add("environments:\n  dev: {files: [a.cue], output: out/dev}\n")
	f.Add("environments: {}\n")
	f.Add("environments:\n  dev: {files: [], output: \"\"}\n")
	// Found by this fuzzer (issue 19 item 9): CUE's YAML decoder panicked
	// on lone carriage returns.
	f.Add("\r\r0")
	f.Add("environments:\r  dev: {files: [a.cue], output: out/dev}\r")
	f.Fuzz(func(t *testing.T, text string) {
		fl, err := Parse("f.yaml", []byte(text))
		if err != nil {
			return
		}
		for _, e := range fl.Environments {
			if len(e.Files) == 0 || e.Output == "" {
				t.Errorf("accepted environment %+v", e)
			}
		}
	})
}
