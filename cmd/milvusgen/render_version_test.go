package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/writer"
)

// setTreeVersion records version in the manifest of the tree in dir, as
// the release of that version writes it.
func setTreeVersion(t *testing.T, dir, version string) {
	t.Helper()
	p := filepath.Join(dir, writer.ManifestName)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = version
	if data, err = json.MarshalIndent(m, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckNamesVersion: when render --check finds differences and another
// milvusgen release rendered the tree, it names the version as the likely
// cause; the same differences under the same version, or a tree that
// records none, get no such note.
func TestCheckNamesVersion(t *testing.T) {
	defer func(v func() string) { thisVersion = v }(thisVersion)
	thisVersion = func() string { return "v0.4.0" }
	spec := writeSpec(t, minimal)
	for _, tc := range []struct {
		name, recorded string
		note           bool
	}{
		{"older release", "v0.3.0", true},
		{"dev build", "dev", true},
		{"same release", "v0.4.0", false},
		{"none recorded", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "prod")
			if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", spec, "-o", out); code != exitOK {
				t.Fatalf("render: exit %d: %s", code, stderr)
			}
			if tc.recorded != "" {
				setTreeVersion(t, out, tc.recorded)
			}
			// A file the release rendered otherwise.
			script := filepath.Join(out, "aws", "teardown.sh")
			data, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(script, append(data, "# older\n"...), 0o755); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := milvusgen(t, "render", today, "-f", spec, "-o", out, "--check")
			if code != exitFailure || !strings.Contains(stderr, "aws/teardown.sh") {
				t.Fatalf("--check: exit %d, want %d listing aws/teardown.sh:\n%s", code, exitFailure, stderr)
			}
			want := out + " was rendered by milvusgen " + tc.recorded + ", this is v0.4.0: the differences may come from the new version"
			if got := strings.Contains(stderr, want); got != tc.note {
				t.Errorf("note %v, want %v (%q):\n%s", got, tc.note, want, stderr)
			}
			if !tc.note && strings.Contains(stderr, "rendered by milvusgen") {
				t.Errorf("a version note where the versions agree:\n%s", stderr)
			}
		})
	}
}
