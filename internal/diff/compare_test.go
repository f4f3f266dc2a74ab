package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

func file(t *testing.T, path string, objs ...any) manifest.File {
	t.Helper()
	f, err := manifest.YAML(path, objs...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFieldPaths(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new any
		want     []Field
	}{
		{"scalar", map[string]any{"a": map[string]any{"b": 1.0}}, map[string]any{"a": map[string]any{"b": 2.0}},
			[]Field{{Path: "/a/b", Op: Changed, Old: 1.0, New: 2.0}}},
		{"added and removed keys", map[string]any{"x": "1"}, map[string]any{"y": "2"},
			[]Field{{Path: "/x", Op: Removed, Old: "1"}, {Path: "/y", Op: Added, New: "2"}}},
		{"annotation keys are quoted", map[string]any{"annotations": map[string]any{"a.io/b": "x"}}, map[string]any{"annotations": map[string]any{"a.io/b": "y"}},
			[]Field{{Path: `/annotations["a.io/b"]`, Op: Changed, Old: "x", New: "y"}}},
		{"named list elements", map[string]any{"containers": []any{map[string]any{"name": "a", "image": "a:1"}, map[string]any{"name": "b", "image": "b:1"}}},
			map[string]any{"containers": []any{map[string]any{"name": "b", "image": "b:2"}, map[string]any{"name": "c", "image": "c:1"}}},
			[]Field{
				{Path: "/containers[name=a]", Op: Removed, Old: map[string]any{"name": "a", "image": "a:1"}},
				{Path: "/containers[name=b]/image", Op: Changed, Old: "b:1", New: "b:2"},
				{Path: "/containers[name=c]", Op: Added, New: map[string]any{"name": "c", "image": "c:1"}},
			}},
		{"lists of values compare whole", map[string]any{"r": []any{"10.0.0.0/8"}}, map[string]any{"r": []any{"0.0.0.0/0"}},
			[]Field{{Path: "/r", Op: Changed, Old: []any{"10.0.0.0/8"}, New: []any{"0.0.0.0/0"}}}},
		{"unnamed maps by index", map[string]any{"l": []any{map[string]any{"k": 1.0}}}, map[string]any{"l": []any{map[string]any{"k": 2.0}}},
			[]Field{{Path: "/l[0]/k", Op: Changed, Old: 1.0, New: 2.0}}},
		{"YAML in a string", map[string]any{"data": map[string]any{"user.yaml": "a:\n  b: 1\n"}}, map[string]any{"data": map[string]any{"user.yaml": "a:\n  b: 2\n"}},
			[]Field{{Path: "/data/user.yaml/a/b", Op: Changed, Old: 1.0, New: 2.0}}},
		{"text in a string", map[string]any{"s": "line 1\nline 2\nline 3\n"}, map[string]any{"s": "line 1\nline two\nline 3\n"},
			[]Field{{Path: "/s", Op: Changed, Lines: []string{"-line 2", "+line two"}}}},
		{"type change", map[string]any{"v": "1"}, map[string]any{"v": 1.0},
			[]Field{{Path: "/v", Op: Changed, Old: "1", New: 1.0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []Field
			diffValues("", tc.old, tc.new, &got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLineDiff(t *testing.T) {
	got := lineDiff("a\nb\nc\nd\n", "a\nc\nd\ne\n")
	want := []string{"-b", "+e"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got = lineDiff("x\ny\n", "y\nz\n")
	if diff := cmp.Diff([]string{"-x", "+z"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := lineDiff("a\nb", "a\nb\n"); len(got) != 0 {
		t.Errorf("final newline only: %q, want no lines", got)
	}
	// Large values (a dashboard, a CRD in a ConfigMap): one changed line in
	// 20000 is one change, found without an n×m table.
	var a, b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&a, "line %d\n", i)
		if i == 12345 {
			b.WriteString("changed\n")
		} else {
			fmt.Fprintf(&b, "line %d\n", i)
		}
	}
	if diff := cmp.Diff([]string{"-line 12345", "+changed"}, lineDiff(a.String(), b.String())); diff != "" {
		t.Errorf("large (-want +got):\n%s", diff)
	}
}

func cm(name, ns string, data map[string]any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name, "namespace": ns}, "data": data}
}

func TestCompareIdentities(t *testing.T) {
	kust := map[string]any{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": []any{"a.yaml"}}
	old := []manifest.File{
		file(t, "a.yaml", cm("one", "ns", map[string]any{"k": "v"}), cm("two", "ns", map[string]any{"k": "v"})),
		file(t, "kustomization.yaml", kust),
		file(t, "sub/kustomization.yaml", kust),
		{Path: "policy.json", Data: []byte(`{"Statement":[{"Effect":"Allow","Resource":"arn:aws:s3:::a/*"}]}`)},
		{Path: "run.sh", Data: []byte("#!/bin/sh\necho a\necho b\n")},
		{Path: ManifestName, Data: []byte(`{"files":[1]}`)},
	}
	new := []manifest.File{
		// two moved to its own file unchanged; one changed; three added.
		file(t, "a.yaml", cm("one", "ns", map[string]any{"k": "w"}), cm("three", "ns", nil)),
		file(t, "b.yaml", cm("two", "ns", map[string]any{"k": "v"})),
		file(t, "kustomization.yaml", kust),
		{Path: "policy.json", Data: []byte(`{"Statement":[{"Effect":"Allow","Resource":"arn:aws:s3:::b/*"}]}`)},
		{Path: "run.sh", Data: []byte("#!/bin/sh\necho a\necho c\n")},
		{Path: ManifestName, Data: []byte(`{"files":[2]}`)},
	}
	r := Compare(old, new)
	type row struct {
		Title, Path, OldPath string
		Op                   Op
		Fields               []string
		Lines                []string
	}
	var got []row
	for _, c := range r.Changes {
		rw := row{Title: c.Title(), Path: c.Path, OldPath: c.OldPath, Op: c.Op, Lines: c.Lines}
		for _, f := range c.Fields {
			rw.Fields = append(rw.Fields, f.Path+" "+string(f.Op)+" "+show(f.Old)+" "+show(f.New))
		}
		got = append(got, rw)
	}
	want := []row{
		{Title: "ConfigMap ns/one", Path: "a.yaml", Op: Changed, Fields: []string{`/data/k changed "v" "w"`}},
		{Title: "ConfigMap ns/three", Path: "a.yaml", Op: Added},
		{Title: "ConfigMap ns/two", Path: "b.yaml", OldPath: "a.yaml", Op: Changed},
		{Title: "policy.json", Path: "policy.json", Op: Changed, Fields: []string{`/Statement[0]/Resource changed "arn:aws:s3:::a/*" "arn:aws:s3:::b/*"`}},
		{Title: "run.sh", Path: "run.sh", Op: Changed, Lines: []string{"-echo b", "+echo c"}},
		{Title: "Kustomization", Path: "sub/kustomization.yaml", Op: Removed},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if r.Unchanged != 1 {
		t.Errorf("unchanged = %d, want 1 (the root kustomization)", r.Unchanged)
	}
	if r.Equal() {
		t.Error("Equal() on different trees")
	}
	if r := Compare(new, new); !r.Equal() || r.Unchanged != 6 {
		t.Errorf("a tree against itself: %d changes, %d unchanged", len(r.Changes), r.Unchanged)
	}
}

func TestMarkdownIsBounded(t *testing.T) {
	var old, new []manifest.File
	for i := range 400 {
		name := strings.Repeat("x", 10) + string(rune('a'+i%26)) + strings.Repeat("y", i%7)
		old = append(old, file(t, "f"+string(rune('a'+i%26))+strings.Repeat("z", i)+".yaml", cm(name, "ns", map[string]any{"k": strings.Repeat("old ", 40)})))
		new = append(new, file(t, "f"+string(rune('a'+i%26))+strings.Repeat("z", i)+".yaml", cm(name, "ns", map[string]any{"k": strings.Repeat("new ", 40)})))
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, Compare(old, new)); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 65536 || !strings.Contains(b.String(), "more changes left out") {
		t.Errorf("markdown is %d bytes; want it cut below GitHub's limit with a note", b.Len())
	}
}
