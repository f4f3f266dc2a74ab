package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/writer"
)

// TestCheckNamesVersion: the manifest records the release that rendered a
// tree; render --check decides staleness by the files' bytes alone, and
// when it finds differences in a tree another release rendered, it names
// the version as the likely cause.
func TestCheckNamesVersion(t *testing.T) {
	defer func(v func() string) { thisVersion = v }(thisVersion)
	spec := writeSpec(t, minimal)
	for _, tc := range []struct {
		name     string
		recorded string // the release that renders the tree
		edit     bool   // a file then differs from what v0.4.0 renders
		code     int
		note     bool
	}{
		{"older release", "v0.3.0", true, exitFailure, true},
		{"dev build", "dev", true, exitFailure, true},
		{"same release", "v0.4.0", true, exitFailure, false},
		{"none recorded", "", true, exitFailure, false},
		{"same bytes, older release", "v0.3.0", false, exitOK, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "prod")
			thisVersion = func() string { return tc.recorded }
			if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", spec, "-o", out); code != exitOK {
				t.Fatalf("render: exit %d: %s", code, stderr)
			}
			m, err := writer.ReadManifest(out)
			if err != nil || m.Version != tc.recorded {
				t.Fatalf("the manifest records version %q (%v), want %q", m.Version, err, tc.recorded)
			}
			if tc.edit {
				script := filepath.Join(out, "aws", "teardown.sh")
				data, err := os.ReadFile(script)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(script, append(data, "# older\n"...), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			thisVersion = func() string { return "v0.4.0" }
			code, _, stderr := milvusgen(t, "render", today, "-f", spec, "-o", out, "--check")
			if code != tc.code || tc.edit != strings.Contains(stderr, "aws/teardown.sh") {
				t.Fatalf("--check: exit %d, want %d (listing aws/teardown.sh: %v):\n%s", code, tc.code, tc.edit, stderr)
			}
			want := out + " was rendered by milvusgen " + tc.recorded + ", this is v0.4.0: the differences may come from the new version"
			if got := strings.Contains(stderr, want); got != tc.note {
				t.Errorf("note %v, want %v (%q):\n%s", got, tc.note, want, stderr)
			}
			if !tc.note && strings.Contains(stderr, "rendered by milvusgen") {
				t.Errorf("a version note where it does not belong:\n%s", stderr)
			}
		})
	}
}

// TestFleetCheckNamesVersion: render --fleet --check names the release per
// environment, only for the environment that differs.
func TestFleetCheckNamesVersion(t *testing.T) {
	defer func(v func() string) { thisVersion = v }(thisVersion)
	dir := t.TempDir()
	f := writeFleetDir(t, dir, map[string]string{"a": fleetSpec("milvus-a", ""), "b": fleetSpec("milvus-b", "")})
	thisVersion = func() string { return "v0.3.0" }
	if code, _, stderr := milvusgen(t, "render", today, "-q", "--fleet", f); code != exitOK {
		t.Fatalf("render --fleet: exit %d: %s", code, stderr)
	}
	writeFile(t, filepath.Join(dir, "specs", "b.yaml"), fleetSpec("milvus-b", "milvus: {highAvailability: false}\n"))
	thisVersion = func() string { return "v0.4.0" }
	code, _, stderr := milvusgen(t, "render", today, "--fleet", f, "--check")
	b := filepath.Join(dir, "out", "b")
	if code != exitFailure || !strings.Contains(stderr, "note: "+b+" was rendered by milvusgen v0.3.0, this is v0.4.0") {
		t.Errorf("--fleet --check: exit %d, want %d and a note naming v0.3.0 for %s:\n%s", code, exitFailure, b, stderr)
	}
	if strings.Contains(stderr, filepath.Join(dir, "out", "a")+" was rendered") {
		t.Errorf("a note for the environment that is up to date:\n%s", stderr)
	}
}
