package fleet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render"
)

// benchFleet writes a fleet of n environments shaped like the examples
// (two overlays on a shared base, one account, three regions) and returns
// the fleet file.
func benchFleet(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	base := `name: "milvus"
aws: accountID: "123456789012"
milvus: service: sourceRanges: ["10.0.0.0/8"]
gitops: repository: url: "ssh://git@github.com/acme/fleet.git"
`
	if err := os.WriteFile(filepath.Join(dir, "base.cue"), []byte(base), 0o644); err != nil {
		b.Fatal(err)
	}
	regions := []string{"us-east-2", "us-west-2", "eu-west-1"}
	var f strings.Builder
	f.WriteString("environments:\n")
	for i := range n {
		name := fmt.Sprintf("env%03d", i)
		overlay := fmt.Sprintf(`aws: region: %q
cluster: {name: "milvus-%s", nodeGroups: [{name: "ng", instanceType: "m6i.4xlarge", desiredCapacity: %d}]}
storage: bucket: "acme-milvus-%s"
`, regions[i%len(regions)], name, 3+i%3, name)
		if err := os.WriteFile(filepath.Join(dir, name+".cue"), []byte(overlay), 0o644); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&f, "  %s: {files: [base.cue, %s.cue], output: out/%s}\n", name, name, name)
	}
	p := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(p, []byte(f.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// processRender is the median wall time of five `milvusgen render` runs
// of one spec, each a new process: the unit the fleet's
// time is judged in.
func processRender(b *testing.B) time.Duration {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "milvusgen")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/milvusgen").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var ds []time.Duration
	for i := range 5 {
		out := filepath.Join(b.TempDir(), strconv.Itoa(i))
		start := time.Now()
		if o, err := exec.Command(bin, "render", "--today", "2026-11-26", "-q", "-f", "../../examples/minimal/spec.yaml", "-o", out).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, o)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// peakRSS is the process's peak resident set (VmHWM), in MB.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkFleet renders 1, 10 and 100 environments in one process, the
// way render --fleet does: load the fleet file, load and render every
// environment (GOMAXPROCS at once), check them against each other, write
// every tree into an empty directory. It reports the time per run as a
// multiple of one single-spec render process measured in the same run
// (x-process), and the process's peak RSS so far.
func BenchmarkFleet(b *testing.B) {
	unit := processRender(b)
	b.Logf("one single-spec render process: %v", unit)
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("envs=%d", n), func(b *testing.B) {
			fleetFile := benchFleet(b, n)
			out := filepath.Join(filepath.Dir(fleetFile), "out")
			var total time.Duration
			runs := 0
			for b.Loop() {
				b.StopTimer()
				if err := os.RemoveAll(out); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				f, err := Load(fleetFile)
				if err != nil {
					b.Fatal(err)
				}
				p := Build(f.Environments, Options{Today: today})
				if _, err := p.Write(); err != nil {
					b.Fatalf("%v\n%s", err, report(p))
				}
				total += time.Since(start)
				runs++
			}
			b.ReportMetric(float64(total)/float64(runs)/float64(unit), "x-process")
			b.ReportMetric(peakRSS(), "peak-RSS-MB")
		})
	}
}

// BenchmarkFleetPhases splits a 100-environment run into its phases, each
// on one goroutine so the times add up: CUE evaluation (spec.Load:
// unification with the schema, validation, decoding), rendering (model to
// files), and writing (the writer's plan, files and renames).
func BenchmarkFleetPhases(b *testing.B) {
	const n = 100
	fleetFile := benchFleet(b, n)
	f, err := Load(fleetFile)
	if err != nil {
		b.Fatal(err)
	}
	srcs := make([][]spec.Source, n)
	for i, e := range f.Environments {
		if srcs[i], err = spec.ReadFiles(e.Files, nil); err != nil {
			b.Fatal(err)
		}
	}
	specs := make([]*model.Spec, n)
	b.Run("cue-eval", func(b *testing.B) {
		for b.Loop() {
			for i := range srcs {
				res, err := spec.Load(srcs[i], spec.Options{Today: today})
				if err != nil {
					b.Fatal(err)
				}
				specs[i] = res.Spec
			}
		}
	})
	trees := make([][]manifest.File, n)
	b.Run("render", func(b *testing.B) {
		for b.Loop() {
			for i, s := range specs {
				if trees[i], err = render.Render(s); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("write", func(b *testing.B) {
		out := b.TempDir()
		for b.Loop() {
			b.StopTimer()
			if err := os.RemoveAll(out); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for i, t := range trees {
				if _, err := writer.Write(filepath.Join(out, strconv.Itoa(i)), t); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
