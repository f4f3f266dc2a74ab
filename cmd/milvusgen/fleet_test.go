package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// fleetSpec is a minimal spec of one cluster; extra is appended YAML.
func fleetSpec(cluster, extra string) string {
	return fmt.Sprintf("name: milvus\naws: {region: us-east-2, accountID: \"123456789012\"}\ncluster: {name: %s}\nstorage:\n  bucket: acme-%s\n%s", cluster, cluster, extra)
}

// writeFleetDir writes specs/NAME.yaml for each environment and fleet.yaml
// rendering them into out/NAME; it returns the fleet file.
func writeFleetDir(t *testing.T, dir string, specs map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("environments:\n")
	for _, name := range sortedKeys(specs) {
		writeFile(t, filepath.Join(dir, "specs", name+".yaml"), specs[name])
		fmt.Fprintf(&b, "  %s: {files: [specs/%s.yaml], output: out/%s}\n", name, name, name)
	}
	writeFile(t, filepath.Join(dir, "fleet.yaml"), b.String())
	return filepath.Join(dir, "fleet.yaml")
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

func writeFile(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRenderFleetExamples: the repository's examples are a fleet and out/
// is what it renders (make check runs the same command).
func TestRenderFleetExamples(t *testing.T) {
	code, stdout, stderr := milvusgen(t, "render", today, "--fleet", "../../examples/fleet.yaml", "--check")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "runbook: ../../out/runbook is up to date") {
		t.Errorf("stdout: %s", stdout)
	}
	code, stdout, _ = milvusgen(t, "render", today, "--fleet", "../../examples/fleet.yaml", "--list", "--env", "kafka")
	if code != exitOK || !strings.Contains(stdout, "kafka        210987654321  eu-central-1  milvus-kafka  5.0.19") || strings.Contains(stdout, "runbook") {
		t.Errorf("--list --env kafka: exit %d\n%s", code, stdout)
	}
	code, _, stderr = milvusgen(t, "render", "--fleet", "../../examples/fleet.yaml", "--env", "nope")
	if code != exitUsage || !strings.Contains(stderr, "has no environment nope (it has: argocd, dev, kafka, minimal, msk, prod, runbook, sizing, v2516, v254, v2615)") {
		t.Errorf("unknown env: exit %d: %s", code, stderr)
	}
}

func TestFleetUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"render", "--fleet", "f.yaml", "-f", "s.cue"}, "--fleet and -f exclude each other"},
		{[]string{"render", "--fleet", "f.yaml", "-o", "x"}, "with --fleet each environment's output comes from the fleet file"},
		{[]string{"render", "-f", "s.cue", "-o", "x", "--env", "dev"}, "--env needs --fleet"},
		{[]string{"render", "-f", "s.cue", "-o", "x", "--list"}, "--list needs --fleet"},
		{[]string{"diff", "--fleet", "f.yaml", "--against-dir", "x"}, "--against-dir names one tree"},
		{[]string{"validate", "--fleet", "f.yaml", "--rendered", "x"}, "--rendered names one tree"},
	} {
		code, _, stderr := milvusgen(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestRenderFleetCollision: two environments with one pinned NLB name are
// refused, naming both and their files, and nothing is written.
func TestRenderFleetCollision(t *testing.T) {
	dir := t.TempDir()
	lb := "milvus: {service: {loadBalancerName: milvus-service}}\n"
	f := writeFleetDir(t, dir, map[string]string{"dev": fleetSpec("milvus-dev", lb), "prod": fleetSpec("milvus-prod", lb)})
	code, _, stderr := milvusgen(t, "render", today, "--fleet", f)
	if code != exitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{`load balancer name "milvus-service" is used by environments dev and prod`, "specs/dev.yaml:6:38 (milvus.service.loadBalancerName)", "specs/prod.yaml:6:38", "nothing was written"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("something was written")
	}
	if code, _, _ := milvusgen(t, "validate", today, "--fleet", f); code != exitFailure {
		t.Errorf("validate --fleet: exit %d", code)
	}
}

// TestRenderFleetJobs: --jobs 1 and --jobs 8 write byte-identical trees,
// and --check then passes.
func TestRenderFleetJobs(t *testing.T) {
	specs := map[string]string{}
	for i := range 6 {
		specs[fmt.Sprintf("e%d", i)] = fleetSpec(fmt.Sprintf("milvus-%d", i), "")
	}
	var trees []string
	for _, jobs := range []string{"1", "8"} {
		dir := t.TempDir()
		f := writeFleetDir(t, dir, specs)
		if code, _, stderr := milvusgen(t, "render", today, "-q", "--fleet", f, "--jobs", jobs); code != exitOK {
			t.Fatalf("--jobs %s: exit %d: %s", jobs, code, stderr)
		}
		trees = append(trees, tree(t, filepath.Join(dir, "out")))
		if code, _, stderr := milvusgen(t, "render", today, "--fleet", f, "--check"); code != exitOK {
			t.Errorf("--check after render: exit %d: %s", code, stderr)
		}
		writeFile(t, filepath.Join(dir, "specs", "e3.yaml"), fleetSpec("milvus-3", "milvus: {highAvailability: false}\n"))
		code, _, stderr := milvusgen(t, "render", today, "--fleet", f, "--check")
		if code != exitFailure || !strings.Contains(stderr, "e3: "+filepath.Join(dir, "out", "e3")+" is out of date") || strings.Contains(stderr, "e2: ") {
			t.Errorf("--check of a stale environment: exit %d: %s", code, stderr)
		}
	}
	if trees[0] != trees[1] {
		t.Error("--jobs 1 and --jobs 8 wrote different trees")
	}
}

// TestDiffFleet: three environments, one changed (its pinned old names
// dropped): one report, b's flags on top, exit 1.
func TestDiffFleet(t *testing.T) {
	dir := t.TempDir()
	pinned := "  policyName: MilvusS3ReadWrite\nmilvus: {service: {loadBalancerName: milvus-service}}\n"
	specs := map[string]string{"a": fleetSpec("milvus-a", ""), "b": fleetSpec("milvus-b", pinned), "c": fleetSpec("milvus-c", "")}
	f := writeFleetDir(t, dir, specs)
	if code, _, stderr := milvusgen(t, "render", today, "-q", "--fleet", f); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := milvusgen(t, "diff", today, "--fleet", f, "--against-outputs"); code != exitOK {
		t.Fatalf("unchanged fleet: exit %d: %s", code, stderr)
	}
	specs["b"] = fleetSpec("milvus-b", "")
	writeFleetDir(t, dir, specs)
	code, stdout, stderr := milvusgen(t, "diff", today, "--fleet", f, "--against-outputs")
	if code != exitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"1 of 3 environments changed", "IAM policy name MilvusS3ReadWrite → milvusgen-milvus-b-us-east-2-s3", "== environment c"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout)
		}
	}
	code, stdout, _ = milvusgen(t, "diff", today, "--fleet", f, "--against-outputs", "--format", "markdown")
	if code != exitFailure || !strings.Contains(stdout, "### milvusgen diff (fleet)") || !strings.Contains(stdout, "| b | **network** |") {
		t.Errorf("markdown: exit %d\n%s", code, stdout)
	}
}

// TestGitPathRule: render -o inside a Git work tree derives the path;
// a spec setting another is refused; validate --rendered catches a tree
// moved elsewhere in the repository; apply --repo --path refuses a spec
// whose path differs.
func TestGitPathRule(t *testing.T) {
	repo := t.TempDir()
	if _, err := git.PlainInit(repo, false); err != nil {
		t.Fatal(err)
	}
	url := "gitops: {repository: {url: \"ssh://git@github.com/acme/fleet.git\"%s}}\n"
	writeFile(t, filepath.Join(repo, "prod.yaml"), fleetSpec("milvus-prod", fmt.Sprintf(url, "")))
	out := filepath.Join(repo, "envs", "prod")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", filepath.Join(repo, "prod.yaml"), "-o", out); code != exitOK {
		t.Fatal(stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "aws", "bootstrap.sh"))
	if err != nil || !strings.Contains(string(data), "GIT_PATH='./envs/prod'") {
		t.Errorf("bootstrap.sh does not sync ./envs/prod: %v", err)
	}
	if code, stdout, stderr := milvusgen(t, "validate", "--rendered", out); code != exitOK {
		t.Errorf("validate --rendered: exit %d: %s%s", code, stdout, stderr)
	}

	moved := filepath.Join(repo, "clusters", "prod")
	if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(out, moved); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := milvusgen(t, "validate", "--rendered", moved)
	if code != exitFailure || !strings.Contains(stderr, `rendered for the repository path "./envs/prod" but lies at "clusters/prod"`) {
		t.Errorf("validate --rendered of a moved tree: exit %d: %s", code, stderr)
	}

	writeFile(t, filepath.Join(repo, "pinned.yaml"), fleetSpec("milvus-prod", fmt.Sprintf(url, ", path: clusters/milvus-prod")))
	code, _, stderr = milvusgen(t, "render", today, "-f", filepath.Join(repo, "pinned.yaml"), "-o", filepath.Join(repo, "envs", "other"))
	if code != exitFailure || !strings.Contains(stderr, `gitops.repository.path is "clusters/milvus-prod", but`) || !strings.Contains(stderr, `is "envs/other" in the Git work tree`) {
		t.Errorf("render with a differing path: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(repo, "envs", "other")); err == nil {
		t.Error("the refused render wrote its tree")
	}
	code, _, stderr = milvusgen(t, "apply", today, "-f", filepath.Join(repo, "pinned.yaml"), "--repo", repo, "--path", "clusters/other", "--dry-run")
	if code != exitFailure || !strings.Contains(stderr, `the tree goes to "clusters/other" in the repository`) {
		t.Errorf("apply --path with a differing path: exit %d: %s", code, stderr)
	}
}

// TestDiffFleetGit: diff --fleet compares each environment with its tree
// committed at HEAD, at the output's place in the repository.
func TestDiffFleetGit(t *testing.T) {
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]string{"a": fleetSpec("milvus-a", ""), "b": fleetSpec("milvus-b", ""), "c": fleetSpec("milvus-c", "")}
	f := writeFleetDir(t, dir, specs)
	if code, _, stderr := milvusgen(t, "render", today, "-q", "--fleet", f); code != exitOK {
		t.Fatal(stderr)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(0, 0)}
	if _, err := wt.Commit("render", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := milvusgen(t, "diff", today, "--fleet", f, "--repo", dir); code != exitOK {
		t.Fatalf("committed fleet: exit %d: %s%s", code, stdout, stderr)
	}
	specs["c"] = fleetSpec("milvus-c", "milvus: {service: {scheme: internet-facing, allowPublic: true, sourceRanges: [\"0.0.0.0/0\"]}}\n")
	writeFleetDir(t, dir, specs)
	code, stdout, stderr := milvusgen(t, "diff", today, "--fleet", f, "--repo", dir, "--format", "json")
	if code != exitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"summary": "1 of 3 environments changed`) || !strings.Contains(stdout, `"environment": "c"`) {
		t.Errorf("json:\n%s", stdout)
	}
}
