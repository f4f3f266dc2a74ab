package fleet

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// envSpec is one environment's spec in a test fleet.
type envSpec struct {
	name    string
	account string
	region  string
	cluster string
	bucket  string
	extra   string // more YAML, appended
}

func (e envSpec) yaml() string {
	return fmt.Sprintf(`name: milvus
aws:
  region: %s
  accountID: "%s"
cluster:
  name: %s
storage:
  bucket: %s
%s`, e.region, e.account, e.cluster, e.bucket, e.extra)
}

func env(name, cluster string) envSpec {
	return envSpec{name: name, account: "123456789012", region: "us-east-2", cluster: cluster, bucket: "acme-" + cluster}
}

// writeFleet writes each environment's spec to specs/NAME.yaml and a
// fleet.yaml rendering it into out/NAME, and returns the fleet file.
func writeFleet(t *testing.T, dir string, envs ...envSpec) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("environments:\n")
	for _, e := range envs {
		p := filepath.Join(dir, "specs", e.name+".yaml")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(e.yaml()), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  %s: {files: [specs/%s.yaml], output: out/%s}\n", e.name, e.name, e.name)
	}
	f := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func build(t *testing.T, fleetFile string, jobs int) *Plan {
	t.Helper()
	f, err := Load(fleetFile)
	if err != nil {
		t.Fatal(err)
	}
	return Build(f.Environments, Options{Today: today, Jobs: jobs, Hub: f.Hub, Whole: true})
}

func report(p *Plan) string {
	var b bytes.Buffer
	p.Print(&b, "")
	return b.String()
}

// TestDerivedNamesDiffer is the regression test of issue 9: two specs that
// differ only in cluster and bucket used to share the IAM policy
// MilvusS3ReadWrite and the NLB milvus-service.
func TestDerivedNamesDiffer(t *testing.T) {
	p := build(t, writeFleet(t, t.TempDir(), env("a", "milvus-a"), env("b", "milvus-b")), 0)
	if !p.OK() {
		t.Fatalf("fleet has problems:\n%s", report(p))
	}
	a, b := p.Envs[0].Result.Spec, p.Envs[1].Result.Spec
	if a.Storage.PolicyName == b.Storage.PolicyName {
		t.Errorf("both environments use the IAM policy %q", a.Storage.PolicyName)
	}
	if a.Milvus.Service.LoadBalancerName == b.Milvus.Service.LoadBalancerName {
		t.Errorf("both environments use the NLB %q", a.Milvus.Service.LoadBalancerName)
	}
	for _, s := range []string{a.Storage.PolicyName, a.Milvus.Service.LoadBalancerName} {
		if s == "MilvusS3ReadWrite" || s == "milvus-service" {
			t.Errorf("derived name is the old fixed default %q", s)
		}
	}
	// The names reach the rendered files.
	var found bool
	for _, f := range p.Envs[0].Files {
		if bytes.Contains(f.Data, []byte("policy/"+a.Storage.PolicyName)) {
			found = true
		}
	}
	if !found {
		t.Errorf("no rendered file names the policy ARN of %q", a.Storage.PolicyName)
	}
}

func TestCollisions(t *testing.T) {
	kms := func(region string) string {
		return "  storageClass: {kmsKeyID: \"arn:aws:kms:" + region + ":123456789012:key/4f3c2b1a-1111-2222-3333-444455556666\"}\n"
	}
	cases := []struct {
		name string
		a, b envSpec
		// want are substrings of the report; positions are file:line:col.
		want []string
	}{{
		name: "explicit IAM policy name, case-insensitive",
		a:    withExtra(env("a", "milvus-a"), "  policyName: MilvusS3\n"),
		b:    withExtra(env("b", "milvus-b"), "  policyName: milvuss3\n"),
		want: []string{`IAM policy name "milvuss3" is used by environments a and b`, "specs/a.yaml:9:15 (storage.policyName)", "specs/b.yaml:9:15 (storage.policyName)"},
	}, {
		name: "derived KMS policy of one cluster name in one account",
		a:    withExtra(env("a", "milvus"), kms("us-east-2")),
		b:    withExtra(withRegion(withBucket(env("b", "milvus"), "acme-other"), "us-west-2"), kms("us-west-2")),
		want: []string{`IAM policy name "milvusgen-milvus-ebs-kms"`, "specs/a.yaml:6:9 (EBS KMS policy derived from cluster.name)"},
	}, {
		name: "EKS cluster name per account and region",
		a:    env("a", "milvus"),
		b:    withBucket(env("b", "milvus"), "acme-other"),
		want: []string{`EKS cluster name "milvus" is used by environments a and b`, "specs/a.yaml:6:9 (cluster.name)", "specs/b.yaml:6:9 (cluster.name)"},
	}, {
		name: "NLB name per account and region",
		a:    withExtra(env("a", "milvus-a"), "milvus: {service: {loadBalancerName: milvus-service}}\n"),
		b:    withExtra(env("b", "milvus-b"), "milvus: {service: {loadBalancerName: milvus-service}}\n"),
		want: []string{`load balancer name "milvus-service" is used by environments a and b`, "specs/a.yaml:9:38 (milvus.service.loadBalancerName)"},
	}, {
		name: "bucket per partition",
		a:    env("a", "milvus-a"),
		b:    withBucket(withRegion(env("b", "milvus-b"), "eu-west-1"), "acme-milvus-a"),
		want: []string{`S3 bucket "acme-milvus-a" is used by environments a and b`, "specs/a.yaml:8:11 (storage.bucket)", "specs/b.yaml:8:11 (storage.bucket)"},
	}, {
		name: "shared bucket with nesting root paths",
		a:    withExtra(env("a", "milvus-a"), "  rootPath: tenants\n"),
		b:    withExtra(withBucket(env("b", "milvus-b"), "acme-milvus-a"), "  rootPath: tenants/b\n"),
		want: []string{`S3 bucket "acme-milvus-a" is used by environments a and b`},
	}, {
		name: "Git repository, branch and path",
		a:    withExtra(env("a", "milvus-a"), "gitops: {repository: {url: \"ssh://git@github.com/acme/fleet.git\", path: clusters}}\n"),
		b:    withExtra(env("b", "milvus-b"), "gitops: {repository: {url: \"ssh://git@GitHub.com/acme/fleet\", path: clusters/b}}\n"),
		want: []string{`Git repository path`, "environments a and b", "specs/a.yaml:9:73 (gitops.repository.path)", "specs/b.yaml:9:69 (gitops.repository.path)"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			f := writeFleet(t, dir, c.a, c.b)
			p := build(t, f, 0)
			if p.OK() {
				t.Fatal("fleet passed its checks")
			}
			got := strings.ReplaceAll(report(p), dir+string(filepath.Separator), "")
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("report lacks %q:\n%s", w, got)
				}
			}
			if _, err := p.Write(); err == nil {
				t.Error("Write succeeded on a fleet with problems")
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Error("something was written")
			}
		})
	}
}

func withExtra(e envSpec, extra string) envSpec { e.extra += extra; return e }
func withBucket(e envSpec, b string) envSpec    { e.bucket = b; return e }
func withRegion(e envSpec, r string) envSpec    { e.region = r; return e }

func TestSharedBucketWithDistinctPrefixes(t *testing.T) {
	a := withExtra(env("a", "milvus-a"), "  rootPath: tenants/a\n")
	b := withExtra(withBucket(env("b", "milvus-b"), "acme-milvus-a"), "  rootPath: tenants/ab\n")
	p := build(t, writeFleet(t, t.TempDir(), a, b), 0)
	if !p.OK() {
		t.Fatalf("distinct, non-nesting prefixes of one bucket were refused:\n%s", report(p))
	}
	// Each policy reaches only its own prefix.
	for i, prefix := range []string{"tenants/a/*", "tenants/ab/*"} {
		if got := p.Envs[i].Result.Spec.ObjectARN(); got != "arn:aws:s3:::acme-milvus-a/"+prefix {
			t.Errorf("%s: object ARN %s", p.Envs[i].Name, got)
		}
	}
}

func TestOutputsMustNotNest(t *testing.T) {
	dir := t.TempDir()
	writeFleet(t, dir, env("a", "milvus-a"), env("b", "milvus-b"))
	f := filepath.Join(dir, "fleet.yaml")
	text := "environments:\n  a: {files: [specs/a.yaml], output: out}\n  b: {files: [specs/b.yaml], output: out/b}\n"
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	p := build(t, f, 0)
	got := report(p)
	for _, w := range []string{`output directory`, "environments a and b", "fleet.yaml:2:38 (output)", "fleet.yaml:3:38 (output)"} {
		if !strings.Contains(got, w) {
			t.Errorf("report lacks %q:\n%s", w, got)
		}
	}
}

// TestInvalidEnvironmentWritesNothing: one bad spec stops every write, and
// its error names the environment and the position.
func TestInvalidEnvironmentWritesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := withExtra(env("b", "milvus-b"), "milvus: {messageQueue: rabbit}\n")
	p := build(t, writeFleet(t, dir, env("a", "milvus-a"), bad), 0)
	if p.OK() {
		t.Fatal("an invalid environment passed")
	}
	got := report(p)
	if !strings.Contains(got, "environment b: ") || !strings.Contains(got, filepath.Join(dir, "specs/b.yaml")+":9:") {
		t.Errorf("error lacks the environment or position:\n%s", got)
	}
	if _, err := p.Write(); err == nil {
		t.Error("Write succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("something was written")
	}
}

// TestWriterPrecheckWritesNothing: a tree the writer refuses (foreign
// files) stops the other environments' writes too.
func TestWriterPrecheckWritesNothing(t *testing.T) {
	dir := t.TempDir()
	p := build(t, writeFleet(t, dir, env("a", "milvus-a"), env("b", "milvus-b")), 0)
	if err := os.MkdirAll(filepath.Join(dir, "out", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "out", "b", "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Write(); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("Write: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "a")); err == nil {
		t.Error("environment a was written although b failed the pre-check")
	}
}

// TestJobsDoNotChangeOutput renders a fleet of 12 environments with 1 and
// with 8 jobs into two directories and compares them byte for byte.
func TestJobsDoNotChangeOutput(t *testing.T) {
	var envs []envSpec
	for i := range 12 {
		envs = append(envs, env(fmt.Sprintf("e%02d", i), fmt.Sprintf("milvus-%02d", i)))
	}
	var trees []string
	for _, jobs := range []int{1, 8} {
		dir := t.TempDir()
		p := build(t, writeFleet(t, dir, envs...), jobs)
		if _, err := p.Write(); err != nil {
			t.Fatalf("jobs %d: %v\n%s", jobs, err, report(p))
		}
		trees = append(trees, readTree(t, filepath.Join(dir, "out")))
	}
	if trees[0] != trees[1] {
		t.Error("--jobs 1 and --jobs 8 wrote different trees")
	}
	if !strings.Contains(trees[0], "e11/aws/eksctl-cluster.yaml") {
		t.Error("the tree lacks an environment")
	}
}

func readTree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(&b, "== %s\n%s", filepath.ToSlash(rel), data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestStale(t *testing.T) {
	dir := t.TempDir()
	f := writeFleet(t, dir, env("a", "milvus-a"), env("b", "milvus-b"))
	if _, err := build(t, f, 0).Write(); err != nil {
		t.Fatal(err)
	}
	st, err := build(t, f, 0).Stale()
	if err != nil || len(st[0])+len(st[1]) != 0 {
		t.Fatalf("fresh fleet is stale: %v %v", st, err)
	}
	// Change b's spec: only b is stale.
	b := withExtra(env("b", "milvus-b"), "milvus: {highAvailability: false}\n")
	if err := os.WriteFile(filepath.Join(dir, "specs", "b.yaml"), []byte(b.yaml()), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = build(t, f, 0).Stale()
	if err != nil {
		t.Fatal(err)
	}
	if len(st[0]) != 0 || len(st[1]) == 0 {
		t.Errorf("want only b stale, got a %v, b %v", st[0], st[1])
	}
}

func TestSelect(t *testing.T) {
	f := &Fleet{Path: "fleet.yaml", Environments: []Environment{{Name: "a"}, {Name: "b"}, {Name: "c"}}}
	got, err := f.Select([]string{"c", "a"})
	if err != nil || len(got) != 2 || got[0].Name != "a" || got[1].Name != "c" {
		t.Errorf("Select: %v %v", got, err)
	}
	if _, err := f.Select([]string{"x"}); err == nil || !strings.Contains(err.Error(), "has no environment x (it has: a, b, c)") {
		t.Errorf("Select unknown: %v", err)
	}
}

// TestLegacyNames: a tree rendered with the old fixed names warns when the
// spec leaves them to be derived, and not when it pins them.
func TestLegacyNames(t *testing.T) {
	dir := t.TempDir()
	pinned := withExtra(env("a", "milvus-a"), "  policyName: MilvusS3ReadWrite\nmilvus: {service: {loadBalancerName: milvus-service}}\n")
	f := writeFleet(t, dir, pinned)
	p := build(t, f, 0)
	if _, err := p.Write(); err != nil {
		t.Fatal(err)
	}
	out := p.Envs[0].Output
	if w := LegacyNames(out, p.Envs[0].Result); len(w) != 0 {
		t.Errorf("pinned names warned: %v", w)
	}
	writeFleet(t, dir, env("a", "milvus-a"))
	w := LegacyNames(out, build(t, f, 0).Envs[0].Result)
	if len(w) != 2 || !strings.Contains(w[0], `storage: policyName: "MilvusS3ReadWrite"`) || !strings.Contains(w[1], `milvus: service: loadBalancerName: "milvus-service"`) {
		t.Errorf("warnings: %q", w)
	}
}

// TestPartialErrorNamesEnvironments: a fleet write that stopped after its
// first rename says which environments are on which version.
func TestPartialErrorNamesEnvironments(t *testing.T) {
	p := &Plan{Envs: []*Env{{Environment: Environment{Name: "dev", Output: "out/dev"}}, {Environment: Environment{Name: "prod", Output: "out/prod"}}, {Environment: Environment{Name: "qa", Output: "out/qa"}}}}
	err := &PartialError{New: p.envsAt([]string{"out/dev", "out/qa"}), Old: p.envsAt([]string{"out/prod"}), Err: fmt.Errorf("out/prod: replacing a.yaml failed: input/output error")}
	for _, want := range []string{"input/output error", "environments dev, qa hold the new version; prod still hold", "render --fleet --check reports them as unfinished"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, err)
		}
	}
}

// TestNestsCleaned: the bucket-sharing check compares cleaned prefixes,
// so "tenant-b/../tenant-a" shares tenant-a's prefix (issue 17 item 6).
// The spec refuses such segments; the check must not rely on it.
func TestNestsCleaned(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"tenant-a", "tenant-b", false},
		{"tenant-b/../tenant-a", "tenant-a", true},
		{"./tenant-a", "tenant-a/x", true},
		{"tenant-a/.", "tenant-a", true},
		{"tenant-a/..", "tenant-b", true}, // the whole bucket
		{"tenants/a", "tenants/ab", false},
	} {
		if got := nests(tc.a, tc.b); got != tc.want {
			t.Errorf("nests(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
