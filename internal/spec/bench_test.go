package spec

import (
	"testing"
)

// BenchmarkLoad measures load + validate of the runbook example: schema
// compile, unification, Go rules and decoding.
func BenchmarkLoad(b *testing.B) {
	srcs, err := ReadFiles([]string{"../../examples/runbook/spec.cue"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(srcs, Options{Today: today}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadLayered measures a base and an environment layered (the
// examples' prod: base.cue, overlays/prod.cue), against BenchmarkLoad's
// one file.
func BenchmarkLoadLayered(b *testing.B) {
	srcs, err := ReadFiles([]string{"../../examples/fleet/base.cue", "../../overlays/prod.cue"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(srcs, Options{Today: today}); err != nil {
			b.Fatal(err)
		}
	}
}
