package fleet

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/milvusgen/milvusgen/internal/buildinfo"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

const examplesFleet = "../../examples/fleet.yaml"

// TestExamplesFleet: the repository's examples are one sound fleet, and
// out/ is what it renders (-update rewrites out/, as make render does).
func TestExamplesFleet(t *testing.T) {
	p := build(t, examplesFleet, 0)
	if !p.OK() {
		t.Fatalf("the examples fleet has problems:\n%s", report(p))
	}
	// As make render writes it.
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
		for _, c := range cs {
			t.Errorf("%s: %s %s (run make render, or go test ./internal/fleet -update)", p.Envs[i].Output, c.Action, c.Path)
		}
	}
}

// TestExamplesFleetMatchesList: examples/render.list, which other tests
// read, lists the same trees and specs as the fleet file.
func TestExamplesFleetMatchesList(t *testing.T) {
	exs, err := modeltest.Examples("../../examples/render.list")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Load(examplesFleet)
	if err != nil {
		t.Fatal(err)
	}
	fromList := map[string][]string{}
	for _, ex := range exs {
		fromList[filepath.Clean("../../"+ex.Out)] = ex.Specs
	}
	if len(fromList) != len(f.Environments) {
		t.Errorf("render.list has %d trees, the fleet %d environments", len(fromList), len(f.Environments))
	}
	for _, e := range f.Environments {
		var specs []string
		for _, s := range e.Files {
			rel, _ := filepath.Rel("../..", s)
			specs = append(specs, filepath.ToSlash(rel))
		}
		if want, ok := fromList[e.Output]; !ok || !slices.Equal(want, specs) {
			t.Errorf("environment %s: fleet %s %v, render.list %v", e.Name, e.Output, specs, want)
		}
	}
}
