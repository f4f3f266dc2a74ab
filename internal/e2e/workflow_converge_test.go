package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/awsstub"
	"github.com/milvusgen/milvusgen/internal/awsstub/eksctlcli"
)

// TestWorkflowConvergeShape: the merge job runs only on a push, behind a
// protected environment, with an AWS role from GitHub's OIDC provider (no
// stored keys), actions pinned to release tags and eksctl to a version.
func TestWorkflowConvergeShape(t *testing.T) {
	wf, _ := readWorkflow(t)
	job := wf.Jobs["converge"]
	if job.If != "github.event_name == 'push'" || job.Environment == "" {
		t.Errorf("converge job: if %q, environment %q: want push only, behind a protected environment", job.If, job.Environment)
	}
	if job.Permissions["id-token"] != "write" || job.Permissions["contents"] != "read" || len(job.Permissions) != 2 {
		t.Errorf("converge permissions %v: want id-token: write and contents: read only", job.Permissions)
	}
	if !strings.HasPrefix(job.Env["EKSCTL_VERSION"], "v0.") {
		t.Errorf("EKSCTL_VERSION %q is not pinned", job.Env["EKSCTL_VERSION"])
	}
	for _, s := range job.Steps {
		if s.Uses != "" {
			if _, tag, _ := strings.Cut(s.Uses, "@"); !strings.HasPrefix(tag, "v") {
				t.Errorf("%s is not pinned to a release tag", s.Uses)
			}
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: an expression inside run:", s.title())
		}
		for _, bad := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "secrets."} {
			if strings.Contains(s.Run, bad) || strings.Contains(fmt.Sprint(s.With), bad) {
				t.Errorf("step %q uses %s", s.title(), bad)
			}
		}
	}
	if wf.Jobs["review"].If != "github.event_name == 'pull_request'" {
		t.Errorf("review job if %q", wf.Jobs["review"].If)
	}
}

// TestWorkflowConverge: the scaling PR, merged. AWS holds the base
// tree's state (its converge.sh ran); the job installs the pinned eksctl
// (checked against its checksums), prints the plan, scales the node group,
// and a second run changes nothing. aws and eksctl are the stateful
// stand-ins of internal/awsstub, and every eksctl call is parsed with
// eksctl v0.230.0's own commands.
func TestWorkflowConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds milvusgen and runs the workflow's steps")
	}
	wf, _ := readWorkflow(t)
	job := wf.Jobs["converge"]
	f := newFixture(t)
	stub := awsstub.Build(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	wrapper := func(tool string) []byte {
		return []byte("#!" + bash + "\nMILVUSGEN_STUB_TOOL=" + tool + " exec '" + stub + "' \"$@\"\n")
	}
	// aws as the runner has it; eksctl as its release, for the install step.
	if err := os.WriteFile(filepath.Join(f.stubs, "aws"), wrapper("aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	platform := map[string]string{"linux/amd64": "Linux_amd64", "linux/arm64": "Linux_arm64", "darwin/amd64": "Darwin_amd64", "darwin/arm64": "Darwin_arm64"}[runtime.GOOS+"/"+runtime.GOARCH]
	eksctlRel := filepath.Join(f.releases, "eksctl", job.Env["EKSCTL_VERSION"])
	if err := os.MkdirAll(eksctlRel, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := tarGz(t, "eksctl", wrapper("eksctl"))
	name := "eksctl_" + platform + ".tar.gz"
	if err := os.WriteFile(filepath.Join(eksctlRel, name), archive, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(archive)
	if err := os.WriteFile(filepath.Join(eksctlRel, "eksctl_checksums.txt"), []byte(fmt.Sprintf("%x  %s\n", sum, name)), 0o644); err != nil {
		t.Fatal(err)
	}

	const group = "cluster: nodeGroups: [{name: \"milvus-ng\", instanceType: \"m6i.4xlarge\", desiredCapacity: %d, minSize: %d, maxSize: 8}]\n"
	renderArgs := []string{"-f", "specs/base.yaml", "-f", "specs/prod.cue", "-o", "clusters/prod"}
	base := repoFiles{"specs/base.yaml": text(baseSpec), "specs/prod.cue": text(prodOverlay + fmt.Sprintf(group, 4, 3))}
	merged := repoFiles{"specs/prod.cue": text(prodOverlay + fmt.Sprintf(group, 6, 6))}
	work := f.gitRepo(t, base, merged, renderArgs, renderArgs)
	r := f.runner(t, work)
	r.review = false
	state := t.TempDir()
	r.env["STUB_STATE"], r.env["STUB_LOG"], r.env["STUB_ACCOUNT"] = state, filepath.Join(r.temp, "stub.log"), "123456789012"
	r.env["GITHUB_EVENT_NAME"], r.env["GITHUB_REF"] = "push", "refs/heads/main"
	delete(r.env, "GITHUB_BASE_REF")
	delete(r.env, "GITHUB_HEAD_REF")

	// AWS as the base tree left it: its converge.sh ran.
	baseTree := filepath.Join(t.TempDir(), "base")
	cmd := exec.Command("git", "-C", work, "worktree", "add", "--detach", baseTree, "origin/main")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	conv := exec.Command(bash, filepath.Join(baseTree, "clusters/prod/aws/converge.sh"), "--yes")
	conv.Env = []string{"PATH=" + f.stubs + string(os.PathListSeparator) + f.sysPath, "STUB_STATE=" + state, "STUB_LOG=" + r.env["STUB_LOG"], "STUB_ACCOUNT=123456789012", "HOME=" + r.env["HOME"]}
	if err := os.WriteFile(filepath.Join(f.stubs, "eksctl"), wrapper("eksctl"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := conv.CombinedOutput(); err != nil {
		t.Fatalf("the base tree's converge.sh: %v\n%s", err, out)
	}
	// From here on eksctl comes from the job's install step only.
	if err := os.Remove(filepath.Join(f.stubs, "eksctl")); err != nil {
		t.Fatal(err)
	}

	for run, want := range []string{"+ eksctl scale nodegroup -f eksctl-cluster.yaml --name milvus-ng", "AWS matches the tree (0 change(s) made)"} {
		if err := os.WriteFile(r.env["STUB_LOG"], nil, 0o644); err != nil {
			t.Fatal(err)
		}
		r.path = nil
		res := check(t, r.run(wf, job, nil), "Converge AWS to the merged tree", false)
		if run == 0 {
			if out := res["Install eksctl"].out; !strings.Contains(out, ": OK") {
				t.Errorf("eksctl was not checked against its checksums:\n%s", out)
			}
			if out := res["Plan"].out; !strings.Contains(out, "plan: eksctl scale nodegroup -f eksctl-cluster.yaml --name milvus-ng") || !strings.Contains(out, "1 change(s) to make") {
				t.Errorf("the plan does not name the scaling:\n%s", out)
			}
		}
		if out := res["Converge AWS to the merged tree"].out; !strings.Contains(out, want) {
			t.Errorf("run %d: no %q in:\n%s", run+1, want, out)
		}
		log, err := os.ReadFile(r.env["STUB_LOG"])
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range strings.Split(strings.TrimSpace(string(log)), "\n") {
			if rest, ok := strings.CutPrefix(c, "eksctl "); ok {
				if err := eksctlcli.Parse(strings.Fields(rest)); err != nil {
					t.Errorf("eksctl rejects: %v", err)
				}
			}
		}
	}
	if st, err := os.ReadFile(filepath.Join(state, "cluster")); err != nil || !bytes.Contains(st, []byte(`"desired": 6`)) {
		t.Errorf("the node group was not scaled: %v\n%s", err, st)
	}
}

// tarGz packs one executable file.
func tarGz(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
