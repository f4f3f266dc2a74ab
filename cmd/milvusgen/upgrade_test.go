package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/upgrade"
)

var upgrade254 = []string{"-f", "../../examples/upgrade/base.cue", "-f", "../../examples/upgrade/2.5.4.cue"}

// TestUpgradePlanJSON: --format json is the same plan for CI, with the
// backup check reading the spec's CronJob.
func TestUpgradePlanJSON(t *testing.T) {
	code, stdout, stderr := milvusgen(t, append([]string{"upgrade", "plan", today, "--to", "2.6.15", "--format", "json", "--backup-max-age", "12h"}, upgrade254...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var p upgrade.Plan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Stages) != 2 || p.Stages[0].To.Milvus != "2.5.16" || p.Stages[1].To.Milvus != "2.6.15" || p.Stages[1].Ordered {
		t.Fatalf("plan %+v", p)
	}
	last := p.Stages[1].Checks[3]
	if last.Name != "backup" || !strings.Contains(last.Command, "milvusgen backup status -f ../../examples/upgrade/base.cue -f ../../examples/upgrade/2.5.4.cue --max-age 12h") {
		t.Errorf("backup check %+v", last)
	}
}

func TestUpgradePlanRefusals(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"upgrade", "plan", today, "--to", "2.4.0"}, exitFailure, "no chart milvusgen knows runs Milvus 2.4.0"},
		{[]string{"upgrade", "plan", today, "--to", "2.5.4"}, exitFailure, "the spec already runs Milvus 2.5.4"},
		{[]string{"upgrade", "plan", today}, exitUsage, "--to VERSION is required"},
		{[]string{"upgrade", "plan", today, "--to", "2.6.15", "--format", "yaml"}, exitUsage, "want text or json"},
		{[]string{"upgrade", "jump", today}, exitUsage, `unknown subcommand "jump"`},
		{[]string{"backup", "status", today, "-f", "../../examples/minimal/spec.yaml"}, exitFailure, "the spec has no backup section"},
	} {
		args := tc.args
		if tc.args[0] == "upgrade" && tc.args[1] == "plan" {
			args = append(args, upgrade254...)
		}
		code, _, stderr := milvusgen(t, args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
}
