package fleet

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/diff"
)

// TestFleetDiff: a three-environment fleet in which only b changes (its
// pinned old names are dropped, so the policy and the NLB are renamed)
// gives one report, grouped by environment, with b's flags at the top.
func TestFleetDiff(t *testing.T) {
	dir := t.TempDir()
	pinned := "  policyName: MilvusS3ReadWrite\nmilvus: {service: {loadBalancerName: milvus-service}}\n"
	b := withExtra(env("b", "milvus-b"), pinned)
	f := writeFleet(t, dir, env("a", "milvus-a"), b, env("c", "milvus-c"))
	if _, err := build(t, f, 0).Write(); err != nil {
		t.Fatal(err)
	}
	b.extra = ""
	if err := os.WriteFile(filepath.Join(dir, "specs", "b.yaml"), []byte(b.yaml()), 0o644); err != nil {
		t.Fatal(err)
	}
	p := build(t, f, 0)
	if !p.OK() {
		t.Fatal(report(p))
	}
	var fr diff.FleetReport
	for _, e := range p.Envs {
		old, err := diff.ReadDir(e.Output)
		if err != nil {
			t.Fatal(err)
		}
		fr = append(fr, diff.EnvReport{Env: e.Name, Report: diff.Compare(old, e.Files)})
	}
	if fr.Equal() || !fr[0].Report.Equal() || fr[1].Report.Equal() || !fr[2].Report.Equal() {
		t.Fatalf("want only b changed: %s", fr.Summary())
	}

	var text bytes.Buffer
	if err := diff.WriteFleetText(&text, fr, diff.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	got := text.String()
	flags := strings.Index(got, "Changes that need attention:")
	envB := strings.Index(got, "== environment b")
	for _, w := range []string{
		"milvusgen diff --fleet: 1 of 3 environments changed",
		"IAM policy name MilvusS3ReadWrite → milvusgen-milvus-b-us-east-2-s3",
		`load balancer replaced (name "milvus-service" → "milvus-milvus-b")`,
		"== environment a\nmilvusgen diff: no changes",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("text report lacks %q:\n%s", w, got)
		}
	}
	if flags < 0 || envB < 0 || flags > envB {
		t.Errorf("the fleet's flags are not at the top:\n%s", got)
	}

	var md bytes.Buffer
	if err := diff.WriteFleetMarkdown(&md, fr); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"| b | **infrastructure** |", "| b | **network** |", "#### b\n", "| a | no changes"} {
		if !strings.Contains(md.String(), w) {
			t.Errorf("markdown lacks %q:\n%s", w, md.String())
		}
	}
	if strings.Contains(md.String(), "#### a\n") {
		t.Error("markdown has a section for an unchanged environment")
	}

	var js bytes.Buffer
	if err := diff.WriteFleetJSON(&js, fr); err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Equal bool `json:"equal"`
		Flags []struct {
			Env string `json:"environment"`
		} `json:"flags"`
		Environments []struct {
			Env   string `json:"environment"`
			Equal bool   `json:"equal"`
		} `json:"environments"`
	}
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.Equal || len(parsed.Environments) != 3 || parsed.Environments[1].Env != "b" || parsed.Environments[1].Equal || len(parsed.Flags) < 2 || parsed.Flags[0].Env != "b" {
		t.Errorf("json: %s", js.String())
	}
}

// TestFleetMarkdownIsBounded: many changed environments still fit one
// GitHub comment, and every environment keeps its summary.
func TestFleetMarkdownIsBounded(t *testing.T) {
	var fr diff.FleetReport
	long := strings.Repeat("x", 2000)
	for i := range 80 {
		r := &diff.Report{}
		for j := range 5 {
			r.Changes = append(r.Changes, diff.Change{Path: "f" + string(rune('a'+j)), Op: diff.Changed, Lines: []string{"-" + long, "+" + long}})
		}
		fr = append(fr, diff.EnvReport{Env: "env" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Report: r})
	}
	var md bytes.Buffer
	if err := diff.WriteFleetMarkdown(&md, fr); err != nil {
		t.Fatal(err)
	}
	if md.Len() > diff.MarkdownLimit {
		t.Errorf("markdown is %d characters, over %d", md.Len(), diff.MarkdownLimit)
	}
	if !strings.Contains(md.String(), "| envZc |") || !strings.Contains(md.String(), "left out to fit a comment") {
		t.Error("markdown lost an environment's summary or the note")
	}
}
