package upgrade_test

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/upgrade"
)

func spec(chart, version, co, mq string) *model.Spec {
	s := modeltest.Runbook()
	s.Milvus.ChartVersion, s.Milvus.Version, s.Milvus.Coordinators, s.Milvus.MessageQueue = chart, version, co, mq
	return s
}

func TestNewPlan(t *testing.T) {
	type stage struct{ changes, restarts string }
	for name, tc := range map[string]struct {
		s      *model.Spec
		to     string
		stages []stage
		err    string
	}{
		"2.5.4 to 2.6.15 through the stone": {spec("4.2.37", "", "mixCoordinator", "pulsar"), "2.6.15", []stage{
			{"milvus.chartVersion 4.2.37→4.2.58", "mixCoordinator queryNode dataNode indexNode proxy"},
			{"milvus.chartVersion 4.2.58→5.0.19", "mixCoordinator streamingNode queryNode dataNode proxy"},
		}, ""},
		"separate coordinators first": {spec("4.2.37", "", "separate", "kafka"), "2.6.16", []stage{
			{"milvus.coordinators separate→mixCoordinator", "mixCoordinator queryNode dataNode indexNode proxy"},
			{"milvus.chartVersion 4.2.37→4.2.58", "mixCoordinator queryNode dataNode indexNode proxy"},
			{"milvus.chartVersion 4.2.58→5.0.19 milvus.version →2.6.16", "mixCoordinator streamingNode queryNode dataNode proxy"},
		}, ""},
		"from the stone": {spec("4.2.58", "", "mixCoordinator", "pulsar"), "2.6.15", []stage{
			{"milvus.chartVersion 4.2.58→5.0.19", "mixCoordinator streamingNode queryNode dataNode proxy"},
		}, ""},
		"a patch": {spec("5.0.19", "", "mixCoordinator", "woodpecker"), "2.6.16", []stage{
			{"milvus.version →2.6.16", "mixCoordinator streamingNode queryNode dataNode proxy"},
		}, ""},
		"later 2.5 patch on the old chart": {spec("4.2.37", "2.5.10", "mixCoordinator", "pulsar"), "2.5.16", []stage{
			{"milvus.chartVersion 4.2.37→4.2.58 milvus.version 2.5.10→", "mixCoordinator queryNode dataNode indexNode proxy"},
		}, ""},
		"downgrade":      {spec("5.0.19", "", "mixCoordinator", "pulsar"), "2.5.16", nil, "is a downgrade"},
		"same version":   {spec("5.0.19", "", "mixCoordinator", "pulsar"), "2.6.15", nil, "already runs Milvus 2.6.15"},
		"unknown target": {spec("5.0.19", "", "mixCoordinator", "pulsar"), "2.7.0", nil, "no chart milvusgen knows runs Milvus 2.7.0"},
		"not a version":  {spec("5.0.19", "", "mixCoordinator", "pulsar"), "latest", nil, "is not a Milvus version"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := upgrade.NewPlan(tc.s, tc.to, upgrade.Options{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Stages) != len(tc.stages) {
				t.Fatalf("%d stages, want %d: %+v", len(p.Stages), len(tc.stages), p.Stages)
			}
			for i, w := range tc.stages {
				var ch []string
				for _, c := range p.Stages[i].Changes {
					ch = append(ch, c.Path+" "+c.From+"→"+c.To)
				}
				if got := strings.Join(ch, " "); got != w.changes {
					t.Errorf("stage %d changes %q, want %q", i+1, got, w.changes)
				}
				if got := strings.Join(p.Stages[i].Restarts, " "); got != w.restarts {
					t.Errorf("stage %d restarts %q, want %q", i+1, got, w.restarts)
				}
				if len(p.Stages[i].Checks) != 4 {
					t.Errorf("stage %d has %d checks", i+1, len(p.Stages[i].Checks))
				}
			}
			last := p.Stages[len(p.Stages)-1]
			if !strings.Contains(last.Checks[1].Expect, "v"+tc.to) {
				t.Errorf("verify check %q does not expect v%s", last.Checks[1].Expect, tc.to)
			}
		})
	}
}
