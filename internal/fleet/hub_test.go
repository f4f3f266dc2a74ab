package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/buildinfo"
	"github.com/milvusgen/milvusgen/internal/golden"
)

const hubFleet = "../../examples/fleet-hub.yaml"

// TestExamplesHubFleet: the hub example is a sound fleet whose hub tree
// and environment trees in out/ are what it renders (-update rewrites
// them, as make render does).
func TestExamplesHubFleet(t *testing.T) {
	p := build(t, hubFleet, 0)
	if !p.OK() {
		t.Fatalf("the hub fleet has problems:\n%s", report(p))
	}
	if p.Hub == nil || len(p.Hub.Files) != 6 {
		t.Fatalf("hub tree %+v, want 6 files", p.Hub)
	}
	p.Writer.Version = buildinfo.Read().Version
	if golden.Update() {
		if _, err := p.Write(); err != nil {
			t.Fatal(err)
		}
		return
	}
	stale, err := p.Stale()
	if err != nil {
		t.Fatal(err)
	}
	for i, cs := range stale {
		_, out, _ := p.Tree(i)
		for _, c := range cs {
			t.Errorf("%s: %s %s (run make render, or go test ./internal/fleet -update)", out, c.Action, c.Path)
		}
	}
}

// hubFleetDir copies the hub example's specs into a temporary directory,
// with edit applied to the production spec, and returns its fleet file.
func hubFleetDir(t *testing.T, fleet string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"base.cue", "staging.cue", "production.cue"} {
		data, err := os.ReadFile(filepath.Join("../../examples/hub", f))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if f == "production.cue" {
			text = edit(text)
		}
		if err := os.MkdirAll(filepath.Join(dir, "hub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "hub", f), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(p, []byte(fleet), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const hubFleetFile = `environments:
  staging:    {files: [hub/base.cue, hub/staging.cue], output: out/staging}
  production: {files: [hub/base.cue, hub/production.cue], output: out/production}
hub: {output: out/hub}
`

// TestHubProblems: the environments of one hub agree on it, and the names
// they register under differ once normalized; a hub fleet needs a hub
// section; a subset of the fleet renders no hub tree.
func TestHubProblems(t *testing.T) {
	for _, tc := range []struct {
		name, fleet string
		edit        func(string) string
		want        string
	}{
		{"another hub", hubFleetFile, func(s string) string {
			return s + "gitops: argocd: hub: context: \"other-hub\"\n"
		}, "gitops.argocd.hub.context differs between environments production and staging"},
		{"manual sync", hubFleetFile, func(s string) string {
			return s + "gitops: argocd: automated: false\n"
		}, "gitops.argocd.automated differs between environments"},
		{"same normalized name", hubFleetFile, func(s string) string {
			return strings.Replace(s, `cluster: name: "milvus-hub-production"`, `cluster: name: "Milvus-Hub-Staging"`, 1)
		}, `registered cluster name "milvus-hub-staging" is used by environments production and staging`},
		{"hub inside an environment", strings.Replace(hubFleetFile, "hub: {output: out/hub}", "hub: {output: out/staging/hub}", 1), func(s string) string { return s },
			"out/staging/hub and environment staging's output"},
		{"no hub section", strings.Replace(hubFleetFile, "hub: {output: out/hub}\n", "", 1), func(s string) string { return s },
			"the fleet file has no hub section"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := build(t, hubFleetDir(t, tc.fleet, tc.edit), 0)
			if p.OK() || !strings.Contains(report(p), tc.want) {
				t.Errorf("report:\n%s\nwant %q", report(p), tc.want)
			}
		})
	}
	f, err := Load(hubFleetDir(t, hubFleetFile, func(s string) string { return s }))
	if err != nil {
		t.Fatal(err)
	}
	envs, _ := f.Select([]string{"staging"})
	if p := Build(envs, Options{Today: today, Hub: f.Hub, Whole: false}); !p.OK() || p.Hub != nil {
		t.Errorf("a subset: OK %v, hub tree %v; want no hub tree", p.OK(), p.Hub != nil)
	}
}
