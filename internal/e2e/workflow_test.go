package e2e

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/chart/charttest"
	mgrelease "github.com/milvusgen/milvusgen/internal/release"
	"github.com/milvusgen/milvusgen/internal/writer"
)

// The GitHub Actions workflow the README shows, run here step by step
// against local Git repositories: the `run:` scripts with their env, as a
// runner would, with the two things that need GitHub stubbed on PATH (curl
// serves a release built by the test, gh records the comment) and the
// `uses:` actions emulated (checkout is a clone, cache restores a chart
// directory pulled beforehand from a local Helm repository). milvusgen is
// the real binary, built from this module and packed as a release.

const workflowFile = repo + "/examples/github/milvusgen.yaml"

type ghWorkflow struct {
	Defaults struct {
		Run struct {
			Shell string `json:"shell"`
		} `json:"run"`
	} `json:"defaults"`
	Jobs map[string]ghJob `json:"jobs"`
}

type ghJob struct {
	If          string            `json:"if"`
	RunsOn      string            `json:"runs-on"`
	Environment string            `json:"environment"`
	Permissions map[string]string `json:"permissions"`
	Env         map[string]string `json:"env"`
	Steps       []ghStep          `json:"steps"`
}

type ghStep struct {
	Name  string            `json:"name"`
	Uses  string            `json:"uses"`
	If    string            `json:"if"`
	Shell string            `json:"shell"`
	Run   string            `json:"run"`
	Env   map[string]string `json:"env"`
	With  map[string]any    `json:"with"`
}

func (s ghStep) title() string {
	if s.Name != "" {
		return s.Name
	}
	if s.Uses != "" {
		return s.Uses
	}
	return strings.SplitN(s.Run, "\n", 2)[0]
}

func readWorkflow(t *testing.T) (ghWorkflow, ghJob) {
	t.Helper()
	data, err := os.ReadFile(workflowFile)
	if err != nil {
		t.Fatal(err)
	}
	var wf ghWorkflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("%s: %v", workflowFile, err)
	}
	if len(wf.Jobs) != 2 {
		t.Fatalf("%s: %d jobs, want review and converge", workflowFile, len(wf.Jobs))
	}
	j, ok := wf.Jobs["review"]
	if !ok {
		t.Fatalf("%s: no review job", workflowFile)
	}
	return wf, j
}

// TestWorkflowShape: what the workflow must never do again, and what it
// must keep (issue 12): no compiling milvusgen, no @latest, a pinned
// release, no expressions inside scripts (they are not quoted: script
// injection), a cached chart directory.
func TestWorkflowShape(t *testing.T) {
	data, err := os.ReadFile(workflowFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"go install", "@latest", "setup-go", "|| true"} {
		if bytes.Contains(data, []byte(bad)) {
			t.Errorf("%s holds %q", workflowFile, bad)
		}
	}
	wf, job := readWorkflow(t)
	if wf.Defaults.Run.Shell != "bash" {
		t.Errorf("defaults.run.shell %q, want bash (-eo pipefail)", wf.Defaults.Run.Shell)
	}
	if v := job.Env["MILVUSGEN_VERSION"]; mgrelease.CheckVersion(v) != nil || v == mgrelease.Dev {
		t.Errorf("MILVUSGEN_VERSION %q is not a pinned release", v)
	}
	var cached bool
	for _, s := range job.Steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: an expression inside run:; pass it through env:", s.title())
		}
		if strings.HasPrefix(s.Uses, "actions/cache@") {
			cached = true
		}
	}
	if !cached {
		t.Error("the chart directory is not cached")
	}
}

// exprs are the values of the expressions the workflow may use.
var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// runner runs the workflow's job in a workspace.
type runner struct {
	t          *testing.T
	work, temp string
	shell      string
	env        map[string]string // the runner's, then GITHUB_ENV's
	path       []string          // GITHUB_PATH's, first first
	sysPath    string            // stubs and the system tools
	chartSeed  string            // what actions/cache restores
	review     bool              // the pull-request job, not converge
}

type stepResult struct {
	title string
	code  int
	out   string
}

func (r *runner) eval(s string) string {
	return exprRE.ReplaceAllStringFunc(s, func(m string) string {
		e := exprRE.FindStringSubmatch(m)[1]
		switch {
		case e == "github.token":
			return "test-token"
		case e == "github.event.number":
			return "42"
		case e == "github.repository":
			return "acme/fleet"
		case e == "runner.temp":
			return r.temp
		case e == "runner.os":
			return r.env["RUNNER_OS"]
		case e == "vars.MILVUSGEN_AWS_ROLE_ARN":
			return "arn:aws:iam::123456789012:role/milvusgen-converge"
		case e == "vars.MILVUSGEN_AWS_REGION":
			return "us-east-2"
		case strings.HasPrefix(e, "hashFiles("):
			return "0123abcd"
		case strings.HasPrefix(e, "secrets."):
			// Repository secrets: none unless a test sets SECRET_<name>.
			return r.env["SECRET_"+strings.TrimPrefix(e, "secrets.")]
		}
		r.t.Fatalf("the workflow uses ${{ %s }}, which this test does not know", e)
		return ""
	})
}

// run runs the job's steps in order, with env overriding the job's env,
// until one fails, as a runner does.
func (r *runner) run(wf ghWorkflow, job ghJob, env map[string]string) []stepResult {
	t := r.t
	jobEnv := maps.Clone(job.Env)
	maps.Copy(jobEnv, env)
	var results []stepResult
	for i, s := range job.Steps {
		if s.If != "" {
			t.Fatalf("step %q: if: is not emulated", s.title())
		}
		if s.Uses != "" {
			r.uses(s)
			results = append(results, stepResult{title: s.title()})
			continue
		}
		shell := s.Shell
		if shell == "" {
			shell = wf.Defaults.Run.Shell
		}
		if shell != "bash" {
			t.Fatalf("step %q: shell %q is not emulated", s.title(), shell)
		}
		script := filepath.Join(r.temp, "step.sh")
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"GITHUB_ENV", "GITHUB_PATH"} {
			if err := os.WriteFile(r.env[f], nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		vars := maps.Clone(r.env)
		for k, v := range jobEnv {
			vars[k] = r.eval(v)
		}
		for k, v := range s.Env {
			vars[k] = r.eval(v)
		}
		vars["PATH"] = strings.Join(append(slices.Clone(r.path), r.sysPath), string(os.PathListSeparator))
		// GitHub's bash: bash --noprofile --norc -eo pipefail {0}.
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = r.work
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			cmd.Env = append(cmd.Env, k+"="+vars[k])
		}
		out, err := cmd.CombinedOutput()
		res := stepResult{title: s.title(), out: string(out)}
		if ee, ok := err.(*exec.ExitError); ok {
			res.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		t.Logf("step %d %q: exit %d\n%s", i, res.title, res.code, out)
		results = append(results, res)
		if res.code != 0 {
			return results
		}
		r.readFiles()
	}
	return results
}

// readFiles takes what a step wrote to GITHUB_ENV and GITHUB_PATH.
func (r *runner) readFiles() {
	data, err := os.ReadFile(r.env["GITHUB_ENV"])
	if err != nil {
		r.t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			r.env[k] = v
		} else if l != "" {
			r.t.Fatalf("GITHUB_ENV line %q is not KEY=VALUE", l)
		}
	}
	data, err = os.ReadFile(r.env["GITHUB_PATH"])
	if err != nil {
		r.t.Fatal(err)
	}
	for _, l := range strings.Fields(string(data)) {
		r.path = append([]string{l}, r.path...)
	}
}

// uses emulates the actions the workflow uses.
func (r *runner) uses(s ghStep) {
	t := r.t
	action, _, _ := strings.Cut(s.Uses, "@")
	switch action {
	case "actions/checkout":
		// The workspace is a full clone with the PR branch checked out.
		if d, ok := s.With["fetch-depth"].(float64); r.review && (!ok || d != 0) {
			t.Errorf("checkout fetch-depth %v: diff and the base step need the base branch", s.With["fetch-depth"])
		}
	case "aws-actions/configure-aws-credentials":
		// GitHub's OIDC token for the role; here the stand-in aws takes
		// any credentials.
		role, _ := s.With["role-to-assume"].(string)
		region, _ := s.With["aws-region"].(string)
		if !strings.HasPrefix(r.eval(role), "arn:aws:iam::") || r.eval(region) == "" {
			t.Errorf("configure-aws-credentials without a role or region: %v", s.With)
		}
		r.env["AWS_REGION"] = r.eval(region)
	case "actions/cache":
		p, _ := s.With["path"].(string)
		key, _ := s.With["key"].(string)
		if p == "" || key == "" {
			t.Fatalf("cache step without path or key: %v", s.With)
		}
		// A hit: the directory a previous run saved.
		if out, err := exec.Command("cp", "-R", r.chartSeed, r.eval(p)).CombinedOutput(); err != nil {
			t.Fatalf("restoring the cache: %v\n%s", err, out)
		}
	default:
		t.Fatalf("step uses %s, which this test does not emulate", s.Uses)
	}
}

// Stubs of the commands that would reach GitHub.
const (
	curlStub = `#!/bin/sh
# curl: serves GitHub release downloads from $RELEASES; anything else fails.
out= url=
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=$2; shift ;;
    --retry) shift ;;
    -*) ;;
    *) url=$1 ;;
  esac
  shift
done
echo "$url" >> "$CURL_LOG"
prefix=https://github.com/milvusgen/milvusgen/releases/download/
eksctl=https://github.com/eksctl-io/eksctl/releases/download/
case $url in
  "$prefix"*) file=$RELEASES/${url#"$prefix"} ;;
  "$eksctl"*) file=$RELEASES/eksctl/${url#"$eksctl"} ;;
  *) echo "curl: (6) Could not resolve host (test stub): $url" >&2; exit 6 ;;
esac
[ -f "$file" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$file" "${out:?curl stub wants -o}"
`
	ghStub = `#!/bin/sh
# gh: records the command line and the comment body.
printf '%s\n' "$*" >> "$GH_LOG"
[ -n "$GH_TOKEN" ] || { echo "gh: no GH_TOKEN" >&2; exit 4; }
while [ $# -gt 0 ]; do
  [ "$1" = --body-file ] && cp "$2" "$GH_BODY"
  shift
done
exit 0
`
)

// fixture is what every scenario shares: the binary, its release, the
// stubs and a chart directory to restore.
type fixture struct {
	bin       string // milvusgen, stamped with the workflow's version
	version   string
	releases  string // served by the curl stub
	stubs     string
	sysPath   string
	chartSeed string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	_, job := readWorkflow(t)
	dir := t.TempDir()
	f := &fixture{version: job.Env["MILVUSGEN_VERSION"], releases: filepath.Join(dir, "releases"), stubs: filepath.Join(dir, "stubs")}
	f.bin = filepath.Join(dir, "bin", "milvusgen")
	build := exec.Command("go", "build", "-ldflags", "-X "+mgrelease.VersionVar+"="+f.version, "-o", f.bin, "./cmd/milvusgen")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The release, as make release packs it, for this machine only.
	bin, err := os.ReadFile(f.bin)
	if err != nil {
		t.Fatal(err)
	}
	p := mgrelease.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}
	rel := filepath.Join(f.releases, f.version)
	if err := os.MkdirAll(rel, 0o755); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if err := mgrelease.WriteArchive(&archive, mgrelease.Name(f.version, p), []mgrelease.File{{Name: "milvusgen", Data: bin, Mode: 0o755}}, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rel, mgrelease.ArchiveName(f.version, p)), archive.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := mgrelease.WriteSums(rel, []string{mgrelease.ArchiveName(f.version, p)}); err != nil {
		t.Fatal(err)
	}

	if err := os.MkdirAll(f.stubs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"curl": curlStub, "gh": ghStub} {
		if err := os.WriteFile(filepath.Join(f.stubs, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The tools the steps run, from the system; milvusgen is not among
	// them: it comes from the release.
	dirs := []string{f.stubs}
	for _, tool := range []string{"bash", "git", "tar", "gzip", "awk", "cp", "mkdir", "cat", "sha256sum", "dirname"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			if tool == "sha256sum" {
				if p, err = exec.LookPath("shasum"); err == nil {
					dirs = append(dirs, filepath.Dir(p))
					continue
				}
			}
			t.Skipf("no %s: %v", tool, err)
		}
		if d := filepath.Dir(p); !slices.Contains(dirs, d) {
			if _, err := os.Stat(filepath.Join(d, "milvusgen")); err == nil {
				t.Skipf("%s holds a milvusgen binary, which would hide the release's", d)
			}
			dirs = append(dirs, d)
		}
	}
	f.sysPath = strings.Join(dirs, string(os.PathListSeparator))

	// A chart directory as a previous run left it: pulled, through a
	// mirror on 127.0.0.1, and locked with the upstream repositories.
	f.chartSeed = filepath.Join(dir, "chart-seed")
	srv := charttest.Serve(t)
	spec := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(spec, []byte(baseSpec+"cluster: {name: seed}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(f.bin, "chart", "pull", "-q", wfToday, "-f", spec, "--chart-dir", f.chartSeed, "--mirror", srv.URL).CombinedOutput(); err != nil {
		t.Fatalf("seeding the chart directory: %v\n%s", err, out)
	}
	return f
}

const wfToday = "--today=2026-11-26"

// The spec of the scenarios: a YAML base and a CUE overlay.
const (
	baseSpec = `name: milvus-demo
aws: {region: us-east-2, accountID: "123456789012"}
storage: {bucket: milvus-bucket-workflow-test-0001}
`
	prodOverlay = `cluster: name: "milvus-prod"
milvus: proxy: replicas: 2
`
)

// repoFiles are a branch's files; a nil value removes the file.
type repoFiles map[string]*string

func text(s string) *string { return &s }

// gitRepo is a bare origin with a base branch (main) and a PR branch
// (pr), each a commit on top of the other, and a workspace cloned from it
// with pr checked out, as actions/checkout with fetch-depth 0 leaves it.
// render lists the milvusgen arguments that render each branch's tree,
// run in that branch before committing (nil: none).
//
// edits, when given, change the PR branch's files after its render.
func (f *fixture) gitRepo(t *testing.T, base, pr repoFiles, renderBase, renderPR []string, edits ...func(seed string)) (work string) {
	t.Helper()
	dir := t.TempDir()
	origin, seed := filepath.Join(dir, "origin.git"), filepath.Join(dir, "seed")
	git := func(d string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=ci", "-c", "user.email=ci@example.com", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = d
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git(dir, "init", "-q", "--bare", origin)
	git(dir, "clone", "-q", origin, seed)
	commit := func(files repoFiles, renderArgs []string, msg string, edits ...func(string)) {
		for p, data := range files {
			full := filepath.Join(seed, p)
			if data == nil {
				if err := os.RemoveAll(full); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(*data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if renderArgs != nil {
			cmd := exec.Command(f.bin, append([]string{"render", "-q", wfToday}, renderArgs...)...)
			cmd.Dir = seed
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("render %v: %v\n%s", renderArgs, err, out)
			}
		}
		for _, edit := range edits {
			edit(seed)
		}
		git(seed, "add", "-A")
		git(seed, "commit", "-q", "--allow-empty", "-m", msg)
	}
	commit(base, renderBase, "base")
	git(seed, "push", "-q", "origin", "main")
	git(seed, "checkout", "-q", "-b", "pr")
	commit(pr, renderPR, "pull request", edits...)
	git(seed, "push", "-q", "origin", "pr")
	work = filepath.Join(dir, "work")
	git(dir, "clone", "-q", origin, work)
	git(work, "checkout", "-q", "pr")
	return work
}

func (f *fixture) runner(t *testing.T, work string) *runner {
	t.Helper()
	temp := t.TempDir()
	home := t.TempDir()
	r := &runner{t: t, work: work, temp: temp, sysPath: f.sysPath, chartSeed: f.chartSeed, review: true}
	osName, arch := map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS], map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if osName == "" || arch == "" {
		t.Skipf("no GitHub runner is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	r.env = map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "HOME": home, "GIT_CONFIG_NOSYSTEM": "1",
		"GITHUB_WORKSPACE": work, "GITHUB_EVENT_NAME": "pull_request",
		"GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "pr", "GITHUB_REPOSITORY": "acme/fleet",
		"GITHUB_ENV": filepath.Join(temp, "github_env"), "GITHUB_PATH": filepath.Join(temp, "github_path"),
		"GITHUB_STEP_SUMMARY": filepath.Join(temp, "step_summary.md"),
		"RUNNER_TEMP":         temp, "RUNNER_OS": osName, "RUNNER_ARCH": arch,
		// Anything that tries the network fails at once.
		"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
		// The stubs' records and the release they serve.
		"RELEASES": f.releases, "CURL_LOG": filepath.Join(temp, "curl.log"),
		"GH_LOG": filepath.Join(temp, "gh.log"), "GH_BODY": filepath.Join(temp, "gh-body.md"),
	}
	if err := os.WriteFile(r.env["GITHUB_STEP_SUMMARY"], nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *runner) file(name string) string {
	data, err := os.ReadFile(r.env[name])
	if err != nil && !os.IsNotExist(err) {
		r.t.Fatal(err)
	}
	return string(data)
}

// check asserts that the job ran through step last (a title prefix) and
// that it failed or passed as wanted, returning the results by title.
func check(t *testing.T, res []stepResult, last string, fail bool) map[string]stepResult {
	t.Helper()
	by := map[string]stepResult{}
	for _, r := range res {
		by[r.title] = r
	}
	end := res[len(res)-1]
	if !strings.HasPrefix(end.title, last) || (end.code != 0) != fail {
		t.Fatalf("the job ended at %q (exit %d); want it to end at %q, failing: %v\n%s", end.title, end.code, last, fail, end.out)
	}
	return by
}

func TestWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds milvusgen and runs the workflow's steps")
	}
	wf, job := readWorkflow(t)
	f := newFixture(t)
	overlays := map[string]string{
		"SPEC_ARGS": "-f specs/base.yaml -f specs/prod.cue " + wfToday,
		"TREE_ARGS": "-o clusters/prod",
	}
	renderArgs := []string{"-f", "specs/base.yaml", "-f", "specs/prod.cue", "-o", "clusters/prod"}
	spec := repoFiles{"specs/base.yaml": text(baseSpec), "specs/prod.cue": text(prodOverlay)}
	scaled := repoFiles{"specs/prod.cue": text(prodOverlay + "milvus: queryNode: replicas: 3\n")}

	t.Run("overlays", func(t *testing.T) {
		work := f.gitRepo(t, spec, scaled, renderArgs, renderArgs)
		r := f.runner(t, work)
		res := check(t, r.run(wf, job, overlays), "Comment on the pull request", false)

		install := res["Install milvusgen"].out
		if !strings.Contains(install, ": OK") || !strings.Contains(install, "milvusgen "+f.version) {
			t.Errorf("install did not check the archive or run the binary:\n%s", install)
		}
		platform := runtime.GOOS + "-" + runtime.GOARCH
		wantURLs := "https://github.com/milvusgen/milvusgen/releases/download/" + f.version + "/milvusgen-" + f.version + "-" + platform + ".tar.gz\n" +
			"https://github.com/milvusgen/milvusgen/releases/download/" + f.version + "/SHA256SUMS\n"
		if got := r.file("CURL_LOG"); got != wantURLs {
			t.Errorf("downloads:\n%s\nwant:\n%s", got, wantURLs)
		}
		// The base branch's charts were pulled, from the cache.
		if out := res["Pull the charts the base branch pins"].out; strings.Count(out, "cached") != 2 {
			t.Errorf("the base step did not pull both charts:\n%s", out)
		}
		if out := res["Diff against the live cluster"].out; !strings.Contains(out, "no MILVUSGEN_LIVE_KUBECONFIG secret: live diff skipped") {
			t.Errorf("the live diff without its secret:\n%s", out)
		}
		summary := r.file("GITHUB_STEP_SUMMARY")
		if !strings.Contains(summary, "### milvusgen diff") || !strings.Contains(summary, "queryNode") {
			t.Errorf("step summary lacks the diff of queryNode:\n%s", summary)
		}
		// diff --cost leads the comment with the monthly cost, or says why
		// the region has none.
		if !strings.Contains(summary, "**Monthly cost: ") {
			t.Errorf("step summary lacks the monthly cost:\n%s", summary)
		}
		if got, want := r.file("GH_LOG"), "pr comment 42 --body-file "+r.temp+"/diff.md --edit-last --create-if-none\n"; got != want {
			t.Errorf("gh ran as:\n%s\nwant:\n%s", got, want)
		}
		if body := r.file("GH_BODY"); body == "" || !strings.Contains(summary, body) {
			t.Errorf("the comment is not the diff:\n%s", body)
		}
		out, err := exec.Command("git", "-C", work, "worktree", "list").CombinedOutput()
		if err != nil || strings.Count(string(out), "\n") != 1 {
			t.Errorf("the base worktree was left behind: %v\n%s", err, out)
		}
	})

	t.Run("spec absent at base", func(t *testing.T) {
		work := f.gitRepo(t, repoFiles{"README.md": text("fleet\n")}, spec, nil, renderArgs)
		r := f.runner(t, work)
		res := check(t, r.run(wf, job, overlays), "Comment on the pull request", false)
		if out := res["Pull the charts the base branch pins"].out; !strings.Contains(out, "origin/main has no specs/base.yaml specs/prod.cue: the spec is new") {
			t.Errorf("the base step does not say why it pulled nothing:\n%s", out)
		}
		if !strings.Contains(r.file("GH_BODY"), "added") {
			t.Errorf("the comment does not list the new tree:\n%s", r.file("GH_BODY"))
		}
	})

	t.Run("base spec fails", func(t *testing.T) {
		// main holds a spec milvusgen refuses; the PR fixes it. The base
		// step must fail with milvusgen's message, not skip.
		broken := repoFiles{"specs/base.yaml": text(strings.Replace(baseSpec, "milvus-bucket-workflow-test-0001", "Milvus_Bucket", 1)), "specs/prod.cue": text(prodOverlay)}
		work := f.gitRepo(t, broken, spec, nil, renderArgs)
		r := f.runner(t, work)
		res := check(t, r.run(wf, job, overlays), "Pull the charts the base branch pins", true)
		if out := res["Pull the charts the base branch pins"].out; !strings.Contains(out, "storage.bucket") || !strings.Contains(out, "specs/base.yaml") {
			t.Errorf("the base step failed without milvusgen's message:\n%s", out)
		}
	})

	t.Run("stale tree", func(t *testing.T) {
		work := f.gitRepo(t, spec, scaled, renderArgs, nil)
		r := f.runner(t, work)
		res := check(t, r.run(wf, job, overlays), "The committed tree is what the spec renders", true)
		if out := res["The committed tree is what the spec renders"].out; !strings.Contains(out, "clusters/prod is out of date") {
			t.Errorf("--check:\n%s", out)
		}
	})

	t.Run("tree of another release", func(t *testing.T) {
		// The PR's tree as an older release rendered it: its manifest
		// records that release, and one file has other bytes.
		older := func(seed string) {
			tree := filepath.Join(seed, "clusters", "prod")
			p := filepath.Join(tree, writer.ManifestName)
			m, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			m = bytes.Replace(m, []byte(`"version": "`+f.version+`"`), []byte(`"version": "v0.0.9"`), 1)
			if err := os.WriteFile(p, m, 0o644); err != nil {
				t.Fatal(err)
			}
			script := filepath.Join(tree, "aws", "teardown.sh")
			data, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(script, append(data, "# v0.0.9\n"...), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		work := f.gitRepo(t, spec, scaled, renderArgs, renderArgs, older)
		r := f.runner(t, work)
		res := check(t, r.run(wf, job, overlays), "The committed tree is what the spec renders", true)
		want := "clusters/prod was rendered by milvusgen v0.0.9, this is " + f.version + ": the differences may come from the new version"
		if out := res["The committed tree is what the spec renders"].out; !strings.Contains(out, want) || !strings.Contains(out, "aws/teardown.sh") {
			t.Errorf("--check does not name the release:\n%s", out)
		}
	})

	t.Run("tampered archive", func(t *testing.T) {
		work := f.gitRepo(t, spec, spec, renderArgs, nil)
		r := f.runner(t, work)
		// A release whose archive is not the one SHA256SUMS lists.
		tampered := t.TempDir()
		if out, err := exec.Command("cp", "-R", f.releases+"/.", tampered).CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		archives, _ := filepath.Glob(filepath.Join(tampered, f.version, "*.tar.gz"))
		for _, a := range archives {
			fh, err := os.OpenFile(a, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			fh.WriteString("x")
			fh.Close()
		}
		r.env["RELEASES"] = tampered
		res := check(t, r.run(wf, job, overlays), "Install milvusgen", true)
		if out := res["Install milvusgen"].out; !strings.Contains(out, "FAILED") {
			t.Errorf("install:\n%s", out)
		}
	})

	t.Run("fleet", func(t *testing.T) {
		for _, args := range [][]string{{"chart", "pull"}, {"render"}, {"diff"}} {
			out, _ := exec.Command(f.bin, append(args, "--help")...).CombinedOutput()
			if !strings.Contains(string(out), "--fleet") {
				t.Skipf("milvusgen %s has no --fleet yet", strings.Join(args, " "))
			}
		}
		fleet := text("environments:\n  prod: {files: [specs/base.yaml, specs/prod.cue], output: clusters/prod}\n")
		base, pr := maps.Clone(spec), maps.Clone(scaled)
		base["fleet.yaml"], pr["fleet.yaml"] = fleet, fleet
		fleetArgs := []string{"--fleet", "fleet.yaml"}
		work := f.gitRepo(t, base, pr, fleetArgs, fleetArgs)
		r := f.runner(t, work)
		res := check(t, r.run(wf, job, map[string]string{"SPEC_ARGS": "--fleet fleet.yaml " + wfToday, "TREE_ARGS": ""}), "Comment on the pull request", false)
		if out := res["Pull the charts the base branch pins"].out; !strings.Contains(out, "cached") {
			t.Errorf("the base step did not pull the fleet's charts:\n%s", out)
		}
		if !strings.Contains(r.file("GH_BODY"), "queryNode") {
			t.Errorf("the comment lacks the change:\n%s", r.file("GH_BODY"))
		}
	})
}
