package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/golden"
)

// TestSizeCost is the sizing example's bill (us-east-1, the region the
// pinned table prices), golden; internal/cost checks the arithmetic.
func TestSizeCost(t *testing.T) {
	code, stdout, stderr := milvusgen(t, "size", today, "--cost", "-f", sizingExample)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, cost, ok := strings.Cut(stdout, "\nMonthly cost of ")
	if !ok {
		t.Fatalf("no cost section:\n%s", stdout)
	}
	golden.Assert(t, "testdata/size/sizing-cost.txt", []byte("Monthly cost of "+cost))

	code, stdout, _ = milvusgen(t, "size", today, "--cost", "--format", "json", "-f", sizingExample)
	var got struct {
		Fits bool `json:"fits"`
		Cost struct {
			Region string  `json:"region"`
			Total  float64 `json:"total"`
			Lines  []any   `json:"lines"`
		} `json:"cost"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); code != exitOK || err != nil {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	if !got.Fits || got.Cost.Region != "us-east-1" || got.Cost.Total < 10000 || len(got.Cost.Lines) != 7 {
		t.Errorf("json: %+v", got)
	}
}

// TestSizeCostNoPrices: a region the table lacks is named with the table's
// date, never priced from another region.
func TestSizeCostNoPrices(t *testing.T) {
	code, stdout, stderr := milvusgen(t, "size", today, "--cost", "-f", runbookSpec)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "Monthly cost of milvus-eks-cluster: no prices for us-east-2 in the table dated 2026-07-20"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
}

// TestDiffCost is the scaling PR priced: the sizing example's node group
// from 6 to 8 nodes adds 2 × m7i.12xlarge and their root volumes, and the
// cost leads the PR comment, above the risk flags.
func TestDiffCost(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", sizingExample, "-o", old); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	src, err := os.ReadFile(sizingExample)
	if err != nil {
		t.Fatal(err)
	}
	scaled := filepath.Join(t.TempDir(), "spec.cue")
	if err := os.WriteFile(scaled, []byte(strings.Replace(string(src), "desiredCapacity: 6", "desiredCapacity: 8", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := milvusgen(t, "diff", today, "-f", scaled, "--against-dir", old, "--cost", "--format", "markdown")
	if code != 1 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	// 2 × 2.4192 × 730 = 3,532.03; 2 × 80 GiB × 0.08 = 12.80.
	for _, want := range []string{
		"**Monthly cost: $10,838.55 → $14,383.38 (+$3,544.83)**",
		"| nodes | milvus-m7i | $10,596.10 | $14,128.13 | +$3,532.03 |",
		"| EBS gp3 | root volumes milvus-m7i | $38.40 | $51.20 | +$12.80 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "Monthly cost") > strings.Index(out, "changed, ") {
		t.Errorf("the cost is not at the top:\n%s", out)
	}
	code, out, _ = milvusgen(t, "diff", today, "-f", scaled, "--against-dir", old, "--cost", "--format", "json")
	var rep struct {
		Cost struct {
			Delta float64 `json:"delta"`
		} `json:"cost"`
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 1 || err != nil || int(rep.Cost.Delta*100+0.5) != 354483 {
		t.Errorf("json: exit %d, %v, %+v", code, err, rep)
	}
	// Without --cost nothing is priced.
	if _, out, _ = milvusgen(t, "diff", today, "-f", scaled, "--against-dir", old); strings.Contains(out, "monthly cost") {
		t.Errorf("cost without --cost:\n%s", out)
	}
}

// TestDiffFleetCost sums the fleet's priced environments and names those
// whose region has no prices.
func TestDiffFleetCost(t *testing.T) {
	code, out, stderr := milvusgen(t, "diff", today, "--fleet", "../../examples/fleet.yaml", "--against-outputs", "--cost")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	if want := "monthly cost of 1 priced environment(s): $10,838.55 → $10,838.55 (±$0.00); not priced (no prices for their region): argocd, dev, kafka, minimal, msk, prod, runbook"; !strings.Contains(out, want) {
		t.Errorf("fleet report lacks %q:\n%s", want, out)
	}
}
