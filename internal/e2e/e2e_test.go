package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/google/go-cmp/cmp"
	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render/iam"
)

// repo is the repository root, relative to this package.
const repo = "../.."

// list is the examples list. Relative paths in it are relative to the
// repository root; absolute ones are used as they are, so the test can
// prove other trees too:
//
//	go test ./internal/e2e -examples /path/to/my.list
var list = flag.String("examples", filepath.Join(repo, "examples", "render.list"), "examples list: \"<tree>: <spec> [<overlay>...]\" per line")

// fromRepo resolves a path of the examples list.
func fromRepo(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(repo, p)
}

// today is the date the examples are judged on, as in cmd/milvusgen's
// tests, so a Kubernetes version leaving support does not break the build.
var today = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// tree is one committed example: its files, by path.
type tree struct {
	dir   string
	files map[string]manifest.File
}

func readTree(t *testing.T, dir string) tree {
	t.Helper()
	files, err := diff.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr := tree{dir: dir, files: map[string]manifest.File{}}
	for _, f := range files {
		tr.files[f.Path] = f
	}
	if len(tr.files) == 0 {
		t.Fatalf("%s is empty", dir)
	}
	return tr
}

// paths returns the tree's paths, sorted, that match the predicate.
func (tr tree) paths(match func(string) bool) []string {
	var out []string
	for _, p := range slices.Sorted(maps.Keys(tr.files)) {
		if match(p) {
			out = append(out, p)
		}
	}
	return out
}

func (tr tree) list() []manifest.File {
	var out []manifest.File
	for _, p := range slices.Sorted(maps.Keys(tr.files)) {
		out = append(out, tr.files[p])
	}
	return out
}

func isYAML(p string) bool { return path.Ext(p) == ".yaml" || path.Ext(p) == ".yml" }

// docs splits a YAML file into its documents, the way milvusgen writes
// them.
func docs(data []byte) [][]byte {
	var out [][]byte
	for _, d := range bytes.Split(data, []byte("\n---\n")) {
		out = append(out, bytes.TrimPrefix(d, []byte("---\n")))
	}
	return out
}

type head struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func (h head) id() string { return consumer.ID(h.Kind, h.Metadata.Namespace, h.Metadata.Name) }

// TestCommittedTrees is the end-to-end test of out/.
func TestCommittedTrees(t *testing.T) {
	exs, err := modeltest.Examples(*list)
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) == 0 {
		t.Fatalf("%s lists no examples", *list)
	}
	for _, ex := range exs {
		t.Run(ex.Name, func(t *testing.T) {
			t.Parallel()
			s := loadSpec(t, ex)
			tr := readTree(t, fromRepo(ex.Out))
			t.Run("headers and scripts", func(t *testing.T) { checkFiles(t, tr) })

			cfg := checkEksctl(t, tr)
			pol := checkIAM(t, tr)
			t.Run("kustomize", func(t *testing.T) { checkKustomize(t, tr) })
			releases := checkObjects(t, tr)

			var milvus, lbc int
			for _, r := range releases {
				t.Run("helm "+r.hr.Name, func(t *testing.T) {
					m, err := consumer.HelmRelease(r.hr, cfg.Metadata.Version)
					if err != nil {
						t.Fatalf("%s: %v", r.file, err)
					}
					switch r.hr.Spec.Chart.Spec.Chart {
					case manifest.MilvusChart:
						milvus++
						checkMilvus(t, s, cfg, pol, r, m)
					case manifest.LBControllerChart:
						lbc++
						checkLBController(t, cfg, r, m)
					default:
						t.Errorf("%s: HelmRelease of unexpected chart %q", r.file, r.hr.Spec.Chart.Spec.Chart)
					}
				})
			}
			if milvus != 1 || lbc != 1 {
				t.Errorf("want one Milvus and one LB controller HelmRelease, got %d and %d", milvus, lbc)
			}
		})
	}
}

// loadSpec loads the example's spec files, the oracle for what the tree
// must say.
func loadSpec(t *testing.T, ex modeltest.Example) *model.Spec {
	t.Helper()
	var files []string
	for _, f := range ex.Specs {
		files = append(files, fromRepo(f))
	}
	srcs, err := spec.ReadFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := spec.Load(srcs, spec.Options{Today: today})
	if err != nil {
		t.Fatalf("%v: %v", ex.Specs, err)
	}
	return res.Spec
}

// checkFiles: every YAML file and script carries the generated-by header,
// scripts parse (bash -n) and are executable, and no file holds a Secret.
func checkFiles(t *testing.T, tr tree) {
	header := "# " + manifest.Header + "\n"
	for _, f := range tr.list() {
		switch {
		case isYAML(f.Path):
			if !bytes.HasPrefix(f.Data, []byte(header)) {
				t.Errorf("%s: does not start with %q", f.Path, header)
			}
			for i, d := range docs(f.Data) {
				var h head
				if err := yaml.Unmarshal(d, &h); err != nil {
					t.Errorf("%s #%d: %v", f.Path, i, err)
				}
				if h.Kind == "Secret" {
					t.Errorf("%s #%d: %s: no Secret may be rendered", f.Path, i, h.id())
				}
			}
		case path.Ext(f.Path) == ".sh":
			if !bytes.HasPrefix(f.Data, []byte("#!/usr/bin/env bash\n"+header)) {
				t.Errorf("%s: does not start with the shebang and %q", f.Path, header)
			}
			if f.Mode&0o111 == 0 {
				t.Errorf("%s: mode %v is not executable", f.Path, f.Mode)
			}
			if out, err := exec.Command("bash", "-n", filepath.Join(tr.dir, f.Path)).CombinedOutput(); err != nil {
				t.Errorf("bash -n %s: %v\n%s", f.Path, err, out)
			}
		case path.Ext(f.Path) == ".json":
			if !json.Valid(f.Data) {
				t.Errorf("%s: invalid JSON", f.Path)
			}
		case f.Path == ".sourceignore":
			// Flux's source-controller reads it (gitignore syntax).
			if !bytes.HasPrefix(f.Data, []byte(header)) {
				t.Errorf("%s: does not start with %q", f.Path, header)
			}
		default:
			t.Errorf("%s: unexpected file type", f.Path)
		}
	}
}

// checkEksctl hands the ClusterConfig to eksctl and returns it defaulted.
func checkEksctl(t *testing.T, tr tree) *api.ClusterConfig {
	t.Helper()
	f, ok := tr.files[manifest.EksctlFile]
	if !ok {
		t.Fatalf("no %s", manifest.EksctlFile)
	}
	cfg, err := consumer.Eksctl(f.Data)
	if err != nil {
		t.Fatalf("eksctl rejects %s: %v", f.Path, err)
	}
	return cfg
}

// serviceAccount is an IAM identity eksctl creates for a service account.
type serviceAccount struct {
	Namespace, Name string
	Policies        []string
}

// milvusServiceAccount is the Milvus IRSA entry (or Pod Identity
// association) of the ClusterConfig: the one bound to a customer-managed
// policy.
func milvusServiceAccount(t *testing.T, cfg *api.ClusterConfig) serviceAccount {
	t.Helper()
	var found []serviceAccount
	for _, sa := range cfg.IAM.ServiceAccounts {
		if sa.Labels["aws-usage"] == "milvus" {
			found = append(found, serviceAccount{sa.Namespace, sa.Name, sa.AttachPolicyARNs})
		}
	}
	for _, p := range cfg.IAM.PodIdentityAssociations {
		if !p.WellKnownPolicies.AWSLoadBalancerController && len(p.PermissionPolicyARNs) > 0 {
			found = append(found, serviceAccount{p.Namespace, p.ServiceAccountName, p.PermissionPolicyARNs})
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want one Milvus service account, got %+v", manifest.EksctlFile, found)
	}
	return found[0]
}

// lbcServiceAccount is the kube-system entry with the LB controller's
// well-known policy.
func lbcServiceAccount(t *testing.T, cfg *api.ClusterConfig) serviceAccount {
	t.Helper()
	var found []serviceAccount
	for _, sa := range cfg.IAM.ServiceAccounts {
		if sa.WellKnownPolicies.AWSLoadBalancerController {
			found = append(found, serviceAccount{Namespace: sa.Namespace, Name: sa.Name})
		}
	}
	for _, p := range cfg.IAM.PodIdentityAssociations {
		if p.WellKnownPolicies.AWSLoadBalancerController {
			found = append(found, serviceAccount{Namespace: p.Namespace, Name: p.ServiceAccountName})
		}
	}
	if len(found) != 1 || found[0].Namespace != model.LBControllerNamespace {
		t.Fatalf("%s: want one LB controller service account in %s, got %+v", manifest.EksctlFile, model.LBControllerNamespace, found)
	}
	return found[0]
}

// policy is what the Milvus S3 policy grants on.
type policy struct {
	file     string
	bucket   string
	rootPath string // "" for the whole bucket
}

// checkIAM strictly decodes every policy document into render/iam's types
// and returns the Milvus one: the document with object actions.
func checkIAM(t *testing.T, tr tree) policy {
	t.Helper()
	var found []policy
	for _, p := range tr.paths(func(p string) bool { return strings.HasPrefix(p, "aws/iam/") }) {
		dec := json.NewDecoder(bytes.NewReader(tr.files[p].Data))
		dec.DisallowUnknownFields()
		var doc iam.Document
		if err := dec.Decode(&doc); err != nil {
			t.Errorf("%s: strict decoding failed: %v", p, err)
			continue
		}
		if dec.More() {
			t.Errorf("%s: data after the policy document", p)
		}
		if doc.Version != iam.Version || len(doc.Statement) == 0 {
			t.Errorf("%s: Version %q with %d statements", p, doc.Version, len(doc.Statement))
		}
		if n := iam.MinifiedSize(tr.files[p].Data); n > iam.MaxManagedPolicySize {
			t.Errorf("%s: %d characters, over IAM's %d", p, n, iam.MaxManagedPolicySize)
		}
		if p == iam.BackupFile {
			continue // milvus-backup's grants; render/iam checks them
		}
		for _, st := range doc.Statement {
			if !slices.Contains(st.Action, "s3:GetObject") {
				continue
			}
			for _, r := range st.Resource {
				_, res, ok := strings.Cut(r, ":s3:::")
				if !ok {
					t.Errorf("%s: object resource %q is not an S3 ARN", p, r)
					continue
				}
				b, key, _ := strings.Cut(res, "/")
				found = append(found, policy{p, b, strings.TrimSuffix(strings.TrimSuffix(key, "*"), "/")})
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one S3 object grant in aws/iam, got %+v", found)
	}
	return found[0]
}

// checkKustomize builds every kustomization root of the tree with krusty,
// and checks every YAML file under kubernetes/ and flux/ is in a root.
func checkKustomize(t *testing.T, tr tree) {
	files := tr.list()
	listed := map[string]bool{}
	roots := tr.paths(func(p string) bool { return path.Base(p) == "kustomization.yaml" })
	if len(roots) < 2 {
		t.Errorf("want at least the infrastructure and apps roots, got %v", roots)
	}
	for _, kf := range roots {
		dir := path.Dir(kf)
		listed[kf] = true
		var k kustypes.Kustomization
		if err := yaml.UnmarshalStrict(tr.files[kf].Data, &k); err != nil {
			t.Errorf("%s: strict decoding failed: %v", kf, err)
		}
		for _, r := range k.Resources {
			listed[path.Join(dir, r)] = true
		}
		m, err := consumer.Kustomize(files, dir)
		if err != nil {
			t.Error(err)
			continue
		}
		if len(m.Resources()) == 0 {
			t.Errorf("kustomize build %s yields nothing", dir)
		}
		for _, r := range m.Resources() {
			if r.GetKind() == "Secret" {
				t.Errorf("kustomize build %s yields Secret %s", dir, r.GetName())
			}
		}
	}
	for _, p := range tr.paths(func(p string) bool {
		return isYAML(p) && (strings.HasPrefix(p, "kubernetes/") || strings.HasPrefix(p, "flux/") || strings.HasPrefix(p, "argocd/"))
	}) {
		if !listed[p] {
			t.Errorf("%s is in the tree but no kustomization.yaml lists it", p)
		}
	}
}

// release is a HelmRelease and the file it is in.
type release struct {
	file string
	hr   *helmv2.HelmRelease
}

// checkObjects decodes every object under kubernetes/ and flux/ strictly:
// Flux objects into Flux's types and against the CRDs, the others into
// their k8s.io/api types. It returns the HelmReleases.
func checkObjects(t *testing.T, tr tree) []release {
	t.Helper()
	crds, err := consumer.FluxCRDs()
	if err != nil {
		t.Fatal(err)
	}
	var releases []release
	for _, p := range tr.paths(isYAML) {
		if p == manifest.EksctlFile || path.Base(p) == "kustomization.yaml" {
			continue // eksctl's and kustomize's own files, checked above
		}
		for i, d := range docs(tr.files[p].Data) {
			var h head
			if err := yaml.Unmarshal(d, &h); err != nil {
				t.Errorf("%s #%d: %v", p, i, err)
				continue
			}
			if strings.Contains(h.APIVersion, ".toolkit.fluxcd.io/") {
				o, err := crds.Flux(d)
				if err != nil {
					t.Errorf("%s #%d: %v", p, i, err)
				}
				if hr, ok := o.(*helmv2.HelmRelease); ok {
					if hr.Spec.Chart == nil {
						t.Errorf("%s: %s has no spec.chart", p, h.id())
						continue
					}
					releases = append(releases, release{p, hr})
				}
				continue
			}
			if strings.HasPrefix(h.APIVersion, v1alpha1.Group+"/") {
				if r, ok := argoCDRelease(t, p, i, d); ok {
					releases = append(releases, r)
				}
				continue
			}
			if _, err := consumer.Kube(d); err != nil {
				t.Errorf("%s #%d: %v", p, i, err)
			}
		}
	}
	return releases
}

// values returns the HelmRelease's spec.values.
func values(t *testing.T, r release) map[string]any {
	t.Helper()
	v := map[string]any{}
	if r.hr.Spec.Values != nil {
		if err := json.Unmarshal(r.hr.Spec.Values.Raw, &v); err != nil {
			t.Fatalf("%s: spec.values: %v", r.file, err)
		}
	}
	return v
}

func enabled(v map[string]any, key string) bool { return consumer.Lookup(v, key+".enabled") == true }

func checkMilvus(t *testing.T, s *model.Spec, cfg *api.ClusterConfig, pol policy, r release, m consumer.Manifest) {
	vals := values(t, r)
	sa := milvusServiceAccount(t, cfg)

	t.Run("mixcoord", func(t *testing.T) {
		d := deployment(t, m, "mixcoord")
		want := s.MixCoordinatorReplicas()
		if s.Milvus.HighAvailability && s.Milvus.MixCoordinator.Replicas == nil && want != 2 {
			t.Errorf("HA spec without explicit replicas: model says %d mixcoord replicas, want 2", want)
		}
		if got := d.Spec.Replicas; got == nil || int(*got) != want {
			t.Errorf("mixcoord replicas = %s, want the spec's %d", fmtReplicas(got), want)
		}
		def := defaultConfig(t, m)
		for _, coord := range []string{"rootCoord", "queryCoord", "dataCoord", "indexCoord"} {
			got := consumer.Lookup(def, coord+".enableActiveStandby")
			if s.ActiveStandby() && got != true {
				t.Errorf("default.yaml %s.enableActiveStandby = %v, want true for %d mixcoord replicas", coord, got, want)
			}
			if !s.ActiveStandby() && got == true {
				t.Errorf("default.yaml %s.enableActiveStandby = true without HA", coord)
			}
		}
	})

	t.Run("message queue", func(t *testing.T) {
		var mq string
		switch {
		case enabled(vals, "woodpecker") && !enabled(vals, "kafka") && !enabled(vals, "pulsarv3"):
			mq = model.Woodpecker
		case enabled(vals, "kafka") && !enabled(vals, "woodpecker") && !enabled(vals, "pulsarv3"):
			mq = model.Kafka
		case enabled(vals, "pulsarv3") && !enabled(vals, "woodpecker") && !enabled(vals, "kafka"):
			mq = model.Pulsar
		case enabled(vals, "externalKafka") && !enabled(vals, "woodpecker") && !enabled(vals, "kafka") && !enabled(vals, "pulsarv3"):
			mq = model.ExternalKafka
		default:
			t.Fatalf("%s: values enable woodpecker=%v kafka=%v pulsarv3=%v externalKafka=%v; want exactly one", r.file,
				enabled(vals, "woodpecker"), enabled(vals, "kafka"), enabled(vals, "pulsarv3"), enabled(vals, "externalKafka"))
		}
		if mq == model.ExternalKafka {
			want := strings.Join(s.Milvus.ExternalKafka.Brokers, ",")
			if got := consumer.Lookup(config(t, m), "kafka.brokerList"); got != want {
				t.Errorf("milvus.yaml kafka.brokerList = %v, want the spec's %s", got, want)
			}
		}
		if mq != s.Milvus.MessageQueue {
			t.Errorf("HelmRelease says %s, the spec %s", mq, s.Milvus.MessageQueue)
		}
		if mq != model.Pulsar {
			wantNone(t, m, "milvus/charts/pulsarv3/")
			wantNone(t, m, "milvus/charts/pulsar/")
			for _, o := range m.Filter("", "") {
				if strings.Contains(o.Metadata.Name, "pulsar") {
					t.Errorf("%s rendered with %s", o, mq)
				}
			}
		}
		if mq != model.Kafka {
			wantNone(t, m, "milvus/charts/kafka/")
		} else if len(m.Filter("StatefulSet", "milvus/charts/kafka/templates/")) == 0 {
			t.Error("no kafka StatefulSet rendered")
		}
		if mq != model.Woodpecker {
			for _, o := range m.Filter("", "") {
				if o.Metadata.Labels["component"] == "woodpecker" || strings.Contains(o.Metadata.Name, "woodpecker") {
					t.Errorf("%s rendered with %s", o, mq)
				}
			}
		} else if o := component(t, m, "StatefulSet", "woodpecker"); o != nil {
			t.Errorf("%s rendered; embedded woodpecker runs in the streaming nodes", o)
		}
		wantType := mq
		if mq == model.ExternalKafka {
			wantType = model.Kafka // Milvus's own name: an external Kafka is Kafka to it
		}
		if got := consumer.Lookup(config(t, m), "mq.type"); got != wantType {
			t.Errorf("milvus.yaml mq.type = %v, want %s", got, wantType)
		}
	})

	t.Run("service", func(t *testing.T) {
		svcs := m.Filter("Service", "milvus/templates/service.yaml")
		if len(svcs) != 1 {
			t.Fatalf("want one Milvus Service, got %v", svcs)
		}
		svc := as[corev1.Service](t, svcs[0])
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			t.Errorf("Service type = %s, want LoadBalancer", svc.Spec.Type)
		}
		lb := map[string]string{}
		for k, v := range svc.Annotations {
			if strings.HasPrefix(k, "service.beta.kubernetes.io/aws-load-balancer-") {
				lb[k] = v
			}
		}
		wantKeys := []string{
			"service.beta.kubernetes.io/aws-load-balancer-name",
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type",
			"service.beta.kubernetes.io/aws-load-balancer-scheme",
			"service.beta.kubernetes.io/aws-load-balancer-type",
		}
		// aws.tags reach the NLB through this one; render/values tests it.
		delete(lb, "service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags")
		if d := cmp.Diff(wantKeys, slices.Sorted(maps.Keys(lb))); d != "" {
			t.Errorf("Service aws-load-balancer annotations (-want +got):\n%s", d)
		}
		if d := cmp.Diff(stringMap(t, consumer.Lookup(vals, "service.annotations")), svc.Annotations); d != "" {
			t.Errorf("Service annotations differ from the HelmRelease's service.annotations (-values +rendered):\n%s", d)
		}
		if d := cmp.Diff(stringList(t, consumer.Lookup(vals, "service.loadBalancerSourceRanges")), svc.Spec.LoadBalancerSourceRanges); d != "" {
			t.Errorf("Service loadBalancerSourceRanges differ from the HelmRelease's (-values +rendered):\n%s", d)
		}
	})

	t.Run("service account", func(t *testing.T) {
		if ns := r.hr.GetReleaseNamespace(); ns != sa.Namespace {
			t.Errorf("%s installs into %s, but eksctl creates %s in %s", r.file, ns, sa.Name, sa.Namespace)
		}
		deps := m.Filter("Deployment", "milvus/templates/")
		if len(deps) < 5 {
			t.Fatalf("want mixcoord, proxy, querynode, datanode, streamingnode Deployments, got %v", deps)
		}
		for _, o := range deps {
			if got := as[appsv1.Deployment](t, o).Spec.Template.Spec.ServiceAccountName; got != sa.Name {
				t.Errorf("%s runs as %q, but %s binds the bucket policy to %s/%s", o, got, manifest.EksctlFile, sa.Namespace, sa.Name)
			}
		}
		if sas := m.Filter("ServiceAccount", "milvus/templates/"); len(sas) > 0 {
			t.Errorf("chart creates %v; eksctl owns the service account", sas)
		}
	})

	t.Run("s3", func(t *testing.T) {
		cfgm := config(t, m)
		want := map[string]any{
			"minio.bucketName": pol.bucket,
			"minio.region":     cfg.Metadata.Region,
			"minio.useIAM":     true,
		}
		if pol.rootPath != "" {
			want["minio.rootPath"] = pol.rootPath
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if got := consumer.Lookup(cfgm, k); got != want[k] {
				t.Errorf("milvus.yaml %s = %#v, want %#v (from %s, %s)", k, got, want[k], pol.file, manifest.EksctlFile)
			}
		}
		for _, k := range []string{"minio.accessKeyID", "minio.secretAccessKey"} {
			if v := consumer.Lookup(cfgm, k); v != nil && v != "" {
				t.Errorf("milvus.yaml %s = %v, want no static key with IRSA", k, v)
			}
		}
		for _, p := range sa.Policies {
			if strings.HasSuffix(p, ":policy/"+s.Storage.PolicyName) {
				return
			}
		}
		t.Errorf("%s binds %v to the Milvus service account, not the spec's policy %s", manifest.EksctlFile, sa.Policies, s.Storage.PolicyName)
	})
}

func checkLBController(t *testing.T, cfg *api.ClusterConfig, r release, m consumer.Manifest) {
	sa := lbcServiceAccount(t, cfg)
	if ns := r.hr.GetReleaseNamespace(); ns != sa.Namespace {
		t.Errorf("%s installs into %s, but eksctl creates %s in %s", r.file, ns, sa.Name, sa.Namespace)
	}
	deps := m.Filter("Deployment", "aws-load-balancer-controller/templates/deployment.yaml")
	if len(deps) != 1 {
		t.Fatalf("want one controller Deployment, got %v", deps)
	}
	d := as[appsv1.Deployment](t, deps[0])
	if got := d.Spec.Template.Spec.ServiceAccountName; got != sa.Name {
		t.Errorf("controller runs as %q, but %s gives the LB controller policy to %s", got, manifest.EksctlFile, sa.Name)
	}
	args := d.Spec.Template.Spec.Containers[0].Args
	if want := "--cluster-name=" + cfg.Metadata.Name; !slices.Contains(args, want) {
		t.Errorf("controller args %v lack %s (the ClusterConfig's metadata.name)", args, want)
	}
	if sas := m.Filter("ServiceAccount", ""); len(sas) > 0 {
		t.Errorf("chart creates %v; eksctl owns the service account", sas)
	}
}

func fmtReplicas(r *int32) string {
	if r == nil {
		return "unset"
	}
	return fmt.Sprint(*r)
}

func as[T any](t *testing.T, o consumer.Rendered) *T {
	t.Helper()
	v, err := consumer.As[T](o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func component(t *testing.T, m consumer.Manifest, kind, name string) *consumer.Rendered {
	t.Helper()
	o, err := m.Component(kind, name)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func deployment(t *testing.T, m consumer.Manifest, name string) *appsv1.Deployment {
	t.Helper()
	o := component(t, m, "Deployment", name)
	if o == nil {
		t.Fatalf("no %s Deployment rendered", name)
	}
	return as[appsv1.Deployment](t, *o)
}

func wantNone(t *testing.T, m consumer.Manifest, prefix string) {
	t.Helper()
	if got := m.Filter("", prefix); len(got) > 0 {
		t.Errorf("want no objects from %s, got %v", prefix, got)
	}
}

// config is milvus.yaml as the pods read it.
func config(t *testing.T, m consumer.Manifest) map[string]any {
	t.Helper()
	c, err := m.MilvusConfig()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// defaultConfig is the ConfigMap's default.yaml alone: the chart's own
// rendering of the values, before any user.yaml.
func defaultConfig(t *testing.T, m consumer.Manifest) map[string]any {
	t.Helper()
	cms := m.Filter("ConfigMap", "milvus/templates/configmap.yaml")
	if len(cms) != 1 {
		t.Fatalf("want one Milvus ConfigMap, got %v", cms)
	}
	var def map[string]any
	if err := yaml.UnmarshalStrict([]byte(as[corev1.ConfigMap](t, cms[0]).Data["default.yaml"]), &def); err != nil {
		t.Fatalf("default.yaml: %v", err)
	}
	return def
}

func stringMap(t *testing.T, v any) map[string]string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v (%T) is not a map", v, v)
	}
	out := map[string]string{}
	for k, e := range m {
		out[k] = fmt.Sprint(e)
	}
	return out
}

func stringList(t *testing.T, v any) []string {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%v (%T) is not a list", v, v)
	}
	var out []string
	for _, e := range l {
		out = append(out, fmt.Sprint(e))
	}
	return out
}
