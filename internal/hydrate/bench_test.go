package hydrate

import (
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
)

// BenchmarkHelmTemplateBaseline is what `helm template` costs for the
// seed's two releases with the same values: the Helm SDK's client-only
// install of each chart, loaded from its archive. BenchmarkHydrate is
// measured against it (issue 7: at most 1.3 times its time).
func BenchmarkHelmTemplateBaseline(b *testing.B) {
	files := renderSpec(b, load(b, "../../examples/runbook/spec.cue"))
	rels, err := Releases(files)
	if err != nil {
		b.Fatal(err)
	}
	c := charts(b)
	kv, err := chartutil.ParseKubeVersion("v" + clusterVersion(files) + ".0")
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime()
	for b.Loop() {
		for _, r := range rels {
			ch, err := c.Load(r.Chart)
			if err != nil {
				b.Fatal(err)
			}
			install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
			install.DryRun, install.ClientOnly, install.Replace, install.IncludeCRDs = true, true, true, true
			install.ReleaseName = r.HelmRelease.GetReleaseName()
			install.Namespace = r.HelmRelease.GetReleaseNamespace()
			install.KubeVersion = kv
			if _, err := install.Run(ch, r.HelmRelease.GetValues()); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, cpu)
}

// reportCPU adds the CPU time per operation (user+sys, all threads), which
// a shared, busy machine disturbs far less than wall time.
func reportCPU(b *testing.B, start int64) {
	if start > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkHydrate hydrates the seed's two releases without a result
// cache: every run templates both charts.
func BenchmarkHydrate(b *testing.B) {
	files := renderSpec(b, load(b, "../../examples/runbook/spec.cue"))
	c := charts(b)
	cpu := cpuTime()
	for b.Loop() {
		if _, err := Hydrate(files, c, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkHydrateCached hydrates the seed again with both releases in the
// on-disk result cache, as a second `render --hydrate` of an unchanged spec
// does (a new process: a new Cache on the same directory every run).
func BenchmarkHydrateCached(b *testing.B) {
	files := renderSpec(b, load(b, "../../examples/runbook/spec.cue"))
	c := charts(b)
	dir := b.TempDir()
	if _, err := Hydrate(files, c, Options{Cache: NewCache(dir, "bench")}); err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime()
	for b.Loop() {
		if _, err := Hydrate(files, c, Options{Cache: NewCache(dir, "bench")}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}
