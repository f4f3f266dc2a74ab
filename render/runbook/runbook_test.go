package runbook

import (
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"

	"github.com/milvusgen/milvusgen/internal/agreement"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/reproducible"
	"github.com/milvusgen/milvusgen/render/eksctl"
	"github.com/milvusgen/milvusgen/render/iam"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// cases are the golden cases: the runbook fixture (Flux over SSH), a spec
// without a Git repository in us-east-1 on Kubernetes 1.29 (direct apply,
// no LocationConstraint, gp2 demoted), and HTTPS repositories with and
// without credentials in a China region.
func cases() map[string]*model.Spec {
	direct := modeltest.Runbook()
	direct.AWS.Region = "us-east-1"
	direct.Cluster.KubernetesVersion = "1.29"
	direct.GitOps.Repository = model.Repository{Branch: "main", Path: "clusters/milvus-eks-cluster"}

	token := modeltest.Runbook()
	token.AWS.Region = "cn-north-1"
	token.Cluster.Name = "milvus-prod"
	token.Milvus.Namespace = "vectors"
	token.Milvus.Service.Scheme = "internet-facing"
	token.GitOps.Repository = model.Repository{
		URL: "https://git.example.com/acme/fleet.git", Branch: "prod", Path: "", SecretName: "fleet-token",
	}

	public := modeltest.Runbook()
	public.GitOps.Repository = model.Repository{
		URL: "https://github.com/acme/fleet.git", Branch: "main", Path: "clusters/milvus-eks-cluster",
	}
	// A customer KMS key adds the EBS CSI driver's policy to both scripts.
	public.Storage.StorageClass.KMSKeyID = "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

	return map[string]*model.Spec{
		"runbook":                   modeltest.Runbook(),
		"direct-us-east-1-k8s-1.29": direct,
		"https-token-cn-north-1":    token,
		"https-public-kms":          public,
	}
}

// render returns bootstrap.sh and teardown.sh; scripts returns all three
// scripts by path.
func render(t *testing.T, s *model.Spec) (bootstrap, teardown string) {
	t.Helper()
	all := scripts(t, s)
	return all[BootstrapFile], all[TeardownFile]
}

func scripts(t *testing.T, s *model.Spec) map[string]string {
	t.Helper()
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || files[0].Path != BootstrapFile || files[1].Path != ConvergeFile || files[2].Path != TeardownFile {
		t.Fatalf("Render returned %d files; want %s, %s and %s", len(files), BootstrapFile, ConvergeFile, TeardownFile)
	}
	out := map[string]string{}
	for _, f := range files {
		if f.Mode != 0o755 {
			t.Errorf("%s: mode %v, want 0755", f.Path, f.Mode)
		}
		out[f.Path] = string(f.Data)
	}
	return out
}

func TestRenderGolden(t *testing.T) {
	for name, s := range cases() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				golden.Assert(t, filepath.Join("testdata", name, filepath.FromSlash(f.Path)), f.Data)
			}
		})
	}
}

// TestReproducible: the files depend on the spec alone, not on map order,
// GOMAXPROCS, concurrent renders or an earlier render of the same spec.
func TestReproducible(t *testing.T) {
	for name := range cases() {
		t.Run(name, func(t *testing.T) {
			reproducible.CheckFiles(t, 20, func() *model.Spec { return cases()[name] }, Render)
		})
	}
}

func TestBashSyntax(t *testing.T) {
	bash := needBash(t)
	for name, s := range cases() {
		t.Run(name, func(t *testing.T) {
			for file, text := range scripts(t, s) {
				checkBashSyntax(t, bash, file, text)
			}
		})
	}
}

// checkBashSyntax reports a syntax error bash -n finds in text.
func checkBashSyntax(t *testing.T, bash, file, text string) {
	t.Helper()
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("bash -n %s: %v\n%s", file, err, out)
	}
}

func TestScriptHeader(t *testing.T) {
	for file, text := range scripts(t, modeltest.Runbook()) {
		for _, want := range []string{"#!/usr/bin/env bash\n", "\nset -euo pipefail\ncd \"$(dirname \"$0\")\"\n"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", file, want)
			}
		}
	}
}

func TestLocationConstraint(t *testing.T) {
	for region, want := range map[string]bool{"us-east-1": false, "us-east-2": true, "eu-west-1": true, "cn-north-1": true} {
		t.Run(region, func(t *testing.T) {
			s := modeltest.Runbook()
			s.AWS.Region = region
			converge := scripts(t, s)[ConvergeFile]
			if got := strings.Contains(converge, `--create-bucket-configuration LocationConstraint="$REGION"`); got != want {
				t.Errorf("LocationConstraint present = %v, want %v", got, want)
			}
			if !strings.Contains(converge, "\nREGION='"+region+"'\n") {
				t.Errorf("REGION is not %s", region)
			}
		})
	}
}

// TestDemoteGP2 checks the gp2 patch appears exactly when the model says
// EKS still marks gp2 default.
func TestDemoteGP2(t *testing.T) {
	for version, want := range map[string]bool{"1.29": true, "1.30": false, "1.34": false} {
		s := modeltest.Runbook()
		s.Cluster.KubernetesVersion = version
		boot, _ := render(t, s)
		if got := strings.Contains(boot, "kubectl patch storageclass gp2"); got != want {
			t.Errorf("%s: gp2 patch present = %v, want %v", version, got, want)
		}
	}
}

// TestNoStaticCredentials: the scripts use the CLI's credential chain and
// the Git key is passed in, never written.
func TestNoStaticCredentials(t *testing.T) {
	forbidden := regexp.MustCompile(`(?i)AWS_ACCESS_KEY|AWS_SECRET|AWS_SESSION_TOKEN|aws_access_key_id|secret-access-key|BEGIN [A-Z ]*PRIVATE KEY|> *"?\$\{?FLUX_GIT`)
	for name, s := range cases() {
		for file, text := range scripts(t, s) {
			if m := forbidden.FindString(text); m != "" {
				t.Errorf("%s/%s references %q", name, file, m)
			}
		}
	}
}

// TestNeverDeletesObjects: teardown deletes the bucket only through
// delete-bucket, which S3 refuses while objects remain.
func TestNeverDeletesObjects(t *testing.T) {
	forbidden := regexp.MustCompile(`s3 rm|s3 rb|--recursive|--force|delete-objects|delete-object |s3api delete-object`)
	for name, s := range cases() {
		for file, text := range scripts(t, s) {
			if m := forbidden.FindString(text); m != "" {
				t.Errorf("%s/%s contains %q", name, file, m)
			}
		}
	}
}

// creates matches commands that create something; checks, the commands
// that find out whether it exists.
var (
	creates = regexp.MustCompile(`\b(create-bucket|create-policy|create-policy-version|create cluster|create secret)\b`)
	checks  = regexp.MustCompile(`\b(head-bucket|get-policy|get cluster|get secret)\b`)
)

// TestEveryCreateIsChecked: every create command sits inside an if whose
// condition asks whether the thing exists.
func TestEveryCreateIsChecked(t *testing.T) {
	for name, s := range cases() {
		for file, text := range scripts(t, s) {
			for _, p := range uncheckedCreates(text) {
				t.Errorf("%s/%s: %s", name, file, p)
			}
		}
	}
}

// uncheckedCreates tracks the if/fi nesting line by line and returns the
// create commands with no checking condition around them.
func uncheckedCreates(text string) []string {
	var conds []string
	var problems []string
	for i, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(l, "#") || strings.HasPrefix(l, "echo ") || strings.HasPrefix(l, "step "):
			continue
		case strings.HasPrefix(l, "if "):
			conds = append(conds, l)
			continue
		case l == "fi":
			conds = conds[:len(conds)-1]
			continue
		}
		if !creates.MatchString(l) {
			continue
		}
		ok := false
		for _, c := range conds {
			ok = ok || checks.MatchString(c)
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("line %d creates without a check: %s", i+1, l))
		}
	}
	return problems
}

func TestUncheckedCreatesCatchesBareCreate(t *testing.T) {
	bad := "set -e\naws s3api create-bucket --bucket x\nif eksctl get cluster; then\n  :\nelse\n  eksctl create cluster -f c.yaml\nfi\n"
	got := uncheckedCreates(bad)
	if len(got) != 1 || !strings.Contains(got[0], "create-bucket") {
		t.Errorf("uncheckedCreates = %q, want exactly the bare create-bucket", got)
	}
}

// envVars the scripts read from the operator's environment.
var envVars = map[string]bool{
	"FLUX_GIT_PRIVATE_KEY_FILE": true, "FLUX_GIT_USERNAME": true, "FLUX_GIT_PASSWORD": true,
	"MILVUS_ROOT_PASSWORD": true,
	confirmEnv:             true,
	"BASH":                 true, // bash's own path: bootstrap.sh runs converge.sh with it
	deleteDataEnv:          true,
}

// shellName is an upper-case variable name; $0, $@ and the like are not.
var shellName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// shellImplicit are variables the shell itself reads: assigning them is a
// use.
var shellImplicit = map[string]bool{"IFS": true, "LC_ALL": true}

// parseScript parses text with the shell parser agreement.ScriptAssignments
// uses to read the scripts back, so a script it cannot read fails here.
func parseScript(t *testing.T, name, text string) *syntax.File {
	t.Helper()
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// TestVariables: every variable the scripts set is used, and every
// upper-case variable they use is set or is a documented input. Both are
// read from the shell parser's syntax tree, not by pattern.
func TestVariables(t *testing.T) {
	for name, s := range cases() {
		for file, text := range scripts(t, s) {
			checkVariables(t, name+"/"+file, text, envVars)
		}
	}
}

// checkVariables reports the variables text sets and never uses, and the
// upper-case ones it uses without setting them or reading them from the
// environment (inputs).
func checkVariables(t *testing.T, file, text string, inputs map[string]bool) {
	t.Helper()
	set, uses := map[string]bool{}, map[string]bool{}
	syntax.Walk(parseScript(t, file, text), func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Assign:
			if n.Name != nil {
				set[n.Name.Value] = true
			}
		case *syntax.ParamExp:
			if n.Param != nil {
				uses[n.Param.Value] = true
			}
		}
		return true
	})
	for v := range set {
		if !uses[v] && !shellImplicit[v] {
			t.Errorf("%s sets %s but never uses it", file, v)
		}
	}
	for v := range uses {
		if shellName.MatchString(v) && !set[v] && !inputs[v] {
			t.Errorf("%s uses %s, which it does not set", file, v)
		}
	}
}

// TestScriptsReadBack: every script parses, and every spec name it assigns
// is a static value agreement can compare (validate --rendered).
func TestScriptsReadBack(t *testing.T) {
	for name, s := range cases() {
		for file, text := range scripts(t, s) {
			vars, err := agreement.ScriptAssignments(strings.NewReader(text), file)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if got := vars["CLUSTER"]; len(got) != 1 || got[0] != s.Cluster.Name {
				t.Errorf("%s/%s: CLUSTER = %q, want [%q]", name, file, got, s.Cluster.Name)
			}
		}
	}
}

func TestQuote(t *testing.T) {
	bash := needBash(t)
	for _, v := range []string{"", "plain", "it's", "a b", `$(touch /tmp/pwned)`, "`id`", `"double"`, "line\nbreak", `back\slash`, "'''"} {
		want := "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
		if got := quote(v); got != want {
			t.Errorf("quote(%q) = %s, want %s", v, got, want)
		}
		out, err := exec.Command(bash, "-c", "printf %s "+quote(v)).Output()
		if err != nil || string(out) != v {
			t.Errorf("bash read back %q (err %v) from quote(%q)", out, err, v)
		}
	}
}

// TestScriptPathsExist: every file or kustomization directory the scripts
// name is one the renderers write, at that path relative to aws/.
func TestScriptPathsExist(t *testing.T) {
	assigned := regexp.MustCompile(`(?m)^([A-Z_]+(?:_CONFIG|_DOCUMENT|_DIR))='([^']*)'$`)
	for name, s := range cases() {
		t.Run(name, func(t *testing.T) {
			rendered := map[string]bool{}
			for _, r := range []func(*model.Spec) ([]manifest.File, error){eksctl.Render, iam.Render, kustomize.Render} {
				files, err := r(s)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range files {
					rendered[f.Path] = true
				}
			}
			all := scripts(t, s)
			n := 0
			for _, m := range assigned.FindAllStringSubmatch(all[BootstrapFile]+all[ConvergeFile]+all[TeardownFile], -1) {
				n++
				p := path.Join(Dir, m[2])
				if strings.HasSuffix(m[1], "_DIR") {
					p = path.Join(p, kustomize.KustomizationFile)
				}
				if !rendered[p] {
					t.Errorf("%s=%s: %s is not rendered", m[1], m[2], p)
				}
			}
			if n < 3 {
				t.Errorf("found only %d path variables", n)
			}
		})
	}
}

func needBash(t *testing.T) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	return bash
}
