package hydrate

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/watchdog"
)

// TestWatchdogEndsChartLoop: values that make a chart loop without bound
// (the kafka.zookeeper.replicaCount: 10000000, 154 s and 5.2 GB
// before) cannot be cancelled inside Helm's engine; the command's watchdog
// ends the hydrate stage on its heap budget, with status 1 and a message
// naming the stage. The spec's own bound on replica numbers stops these
// values earlier; this is the stage's own bound, for values it misses.
func TestWatchdogEndsChartLoop(t *testing.T) {
	if os.Getenv("HYDRATE_BOMB_CHILD") == "1" {
		watchdog.Start(context.Background(), watchdog.Limits{What: "hydrating the charts of spec.cue", HeapBytes: 384 << 20})
		in := Input{
			Origin:      "HelmRelease milvus/milvus",
			Chart:       chart.Ref{Repository: "https://zilliztech.github.io/milvus-helm", Name: "milvus", Version: "5.0.19"},
			ReleaseName: "milvus", Namespace: "milvus",
			Values: map[string]any{"kafka": map[string]any{"enabled": true, "zookeeper": map[string]any{"replicaCount": 10000000}},
				"pulsarv3": map[string]any{"enabled": false}, "woodpecker": map[string]any{"enabled": false}, "streaming": map[string]any{"enabled": true}},
		}
		_, err := Render([]Input{in}, charts(t), Options{KubeVersion: "1.34"})
		fmt.Println("hydrate finished:", err)
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("runs a child process that allocates 384 MiB")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchdogEndsChartLoop$")
	cmd.Env = append(os.Environ(), "HYDRATE_BOMB_CHILD=1", "GOMAXPROCS=1")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("child ended with %v, want exit status 1; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "milvusgen: hydrating the charts of spec.cue used more than 384 MiB of memory") {
		t.Errorf("output lacks the watchdog's message:\n%s", out)
	}
}
