package spec

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cuelang.org/go/cue/errors"
	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/spec/spectest"
)

var today = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// base is a minimal valid YAML spec; cases append or replace sections.
const base = spectest.Base

func load(t *testing.T, name, text string) (*Result, error) {
	t.Helper()
	return Load([]Source{{Name: name, Data: []byte(text)}}, Options{Today: today})
}

func details(err error) string {
	return errors.Details(err, &errors.Config{Cwd: "/", ToSlash: true})
}

func TestLoadRunbookExample(t *testing.T) {
	srcs, err := ReadFiles([]string{"../../examples/runbook/spec.cue"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Load(srcs, Options{Today: today})
	if err != nil {
		t.Fatal(details(err))
	}
	if d := cmp.Diff(modeltest.Runbook(), res.Spec); d != "" {
		t.Errorf("runbook example decodes differently from modeltest.Runbook (-want +got):\n%s", d)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("unexpected warnings: %v", res.Warnings)
	}
}

// TestLoadMinimalDefaults proves the minimal spec renders the runbook's
// deployment: it differs from the runbook example only where the example
// sets values the runbook does not have.
func TestLoadMinimalDefaults(t *testing.T) {
	res, err := load(t, "spec.yaml", base)
	if err != nil {
		t.Fatal(details(err))
	}
	want := modeltest.Runbook()
	want.Milvus.Service.SourceRanges = []string{"192.168.0.0/16"} // the VPC CIDR
	want.GitOps.Repository.URL = ""
	// The runbook example pins the runbook's names; left out, they are
	// derived from the cluster.
	want.Storage.PolicyName = "milvusgen-milvus-eks-cluster-us-east-2-s3"
	want.Milvus.Service.LoadBalancerName = "milvus-milvus-eks-cluster"
	if d := cmp.Diff(want, res.Spec); d != "" {
		t.Errorf("minimal spec defaults (-want +got):\n%s", d)
	}
}

func TestLoadFormatsAgree(t *testing.T) {
	cue := `name: "milvus-demo"
aws: {region: "us-east-2", accountID: "123456789012"}
cluster: name: "milvus-eks-cluster"
storage: bucket: "milvus-bucket-039dd013c0712f085d60e21f"
`
	json := `{"name": "milvus-demo", "aws": {"region": "us-east-2", "accountID": "123456789012"},
 "cluster": {"name": "milvus-eks-cluster"}, "storage": {"bucket": "milvus-bucket-039dd013c0712f085d60e21f"}}`
	var specs []*model.Spec
	for name, text := range map[string]string{"s.yaml": base, "s.cue": cue, "s.json": json} {
		res, err := load(t, name, text)
		if err != nil {
			t.Fatalf("%s: %s", name, details(err))
		}
		specs = append(specs, res.Spec)
	}
	for _, s := range specs[1:] {
		if d := cmp.Diff(specs[0], s); d != "" {
			t.Errorf("formats disagree (-a +b):\n%s", d)
		}
	}
}

func TestLoadOverlayRefines(t *testing.T) {
	overlay := `milvus: proxy: replicas: 4
cluster: nodeGroups: [{name: "prod", instanceType: "r6i.4xlarge", desiredCapacity: 5}]
`
	res, err := Load([]Source{{"spec.yaml", []byte(base)}, {"overlays/prod.cue", []byte(overlay)}}, Options{Today: today})
	if err != nil {
		t.Fatal(details(err))
	}
	if got := *res.Spec.Milvus.Proxy.Replicas; got != 4 {
		t.Errorf("proxy replicas = %d, want 4 from the overlay", got)
	}
	ng := res.Spec.Cluster.NodeGroups
	if len(ng) != 1 || ng[0].Name != "prod" || ng[0].Labels["role"] != "milvus" || !ng[0].PrivateNetworking {
		t.Errorf("node groups = %+v, want the overlay's group with the schema defaults", ng)
	}
}

// TestLoadSecurityOptOuts: each documented opt-out of a secure default
// loads, with a warning where the result is weaker.
func TestLoadSecurityOptOuts(t *testing.T) {
	cases := []struct{ name, extra, warning string }{
		{"public on purpose", "milvus: {service: {scheme: internet-facing, allowPublic: true, sourceRanges: [0.0.0.0/0]}}\n", "reachable from the whole internet (allowPublic)"},
		{"internet-facing with public client ranges", "milvus: {service: {scheme: internet-facing, allowPublic: true, sourceRanges: [203.0.113.0/24]}}\n", "reachable from public addresses (allowPublic)"},
		{"internet-facing with private client ranges", "milvus: {service: {scheme: internet-facing, sourceRanges: [10.20.0.0/16, 100.64.0.0/10]}}\n", ""},
		{"auth off", "milvus: {auth: {enabled: false}}\n", "Milvus authentication is off"},
		{"tls on", "milvus: {tls: {mode: 2, secretName: milvus-tls}}\n", ""},
		{"unencrypted volumes", "storage: {storageClass: {encrypted: false}}\n", ""},
		{"pod identity", "cluster: {identity: podIdentity}\n", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := load(t, "spec.yaml", base+tc.extra)
			if err != nil {
				t.Fatal(details(err))
			}
			var got []string
			for _, w := range res.Warnings {
				got = append(got, w.Error())
			}
			if tc.warning == "" && len(got) > 0 || tc.warning != "" && (len(got) != 1 || !strings.Contains(got[0], tc.warning)) {
				t.Errorf("warnings = %q, want %q", got, tc.warning)
			}
		})
	}
}

func TestLoadWarnsOnExtendedSupport(t *testing.T) {
	res, err := load(t, "spec.yaml", strings.Replace(base, "  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n  kubernetesVersion: \"1.32\"\n", 1))
	if err != nil {
		t.Fatal(details(err))
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Error(), "extended support") {
		t.Errorf("warnings = %v, want one about extended support", res.Warnings)
	}
}

// TestLoadInvalid: each bad spec fails with a message that names the field,
// says what is allowed, and points at the user's file, line and column.
func TestLoadInvalid(t *testing.T) {
	cases := spectest.Invalid()
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			res, err := load(t, tc.File(), tc.Text)
			if err == nil {
				t.Fatalf("Load succeeded (%+v), want an error containing %q", res.Spec, tc.Want)
			}
			got := details(err)
			if !strings.Contains(got, tc.Want) {
				t.Errorf("error does not contain %q:\n%s", tc.Want, got)
			}
			if tc.Pos != "" && !strings.Contains(got, "/"+tc.Pos+"\n") && !strings.Contains(got, " "+tc.Pos+"\n") {
				t.Errorf("error is not positioned at %s:\n%s", tc.Pos, got)
			}
			// Each case holds one problem: one message, so the count the
			// CLI prints matches what it prints (issue 11 item 8).
			// Warnings about other fields may come with it.
			if n, _ := Problems(err); n != 1 {
				t.Errorf("%d messages for one problem:\n%s", n, got)
			}
			if strings.Contains(got, "schema/spec.cue") {
				t.Errorf("error points at the schema, not the user's file:\n%s", got)
			}
		})
	}
}

// TestLoadReportsAllErrors: problems in different sections come in one run.
func TestLoadReportsAllErrors(t *testing.T) {
	text := strings.NewReplacer("us-east-2", "nowhere", "milvus-bucket-039dd013c0712f085d60e21f", "Bad_Bucket").Replace(base) +
		"milvus: {messageQueue: nats, values: {externalS3: {accessKey: AKIA}}}\n"
	_, err := load(t, "spec.yaml", text)
	if err == nil {
		t.Fatal("want errors")
	}
	errs := errors.Errors(err)
	got := details(err)
	for _, want := range []string{"aws.region", "storage.bucket", "milvus.messageQueue", "milvus.values.externalS3.accessKey"} {
		if !strings.Contains(got, want+":") {
			t.Errorf("missing the %s error in:\n%s", want, got)
		}
	}
	if len(errs) != 4 {
		t.Errorf("got %d errors, want 4 (no duplicates from the schema):\n%s", len(errs), got)
	}
}

func ExampleLoad() {
	_, err := Load([]Source{{Name: "spec.yaml", Data: []byte(`name: milvus-demo
aws: {region: us-east-2, accountID: "123456789012"}
cluster: {name: milvus-eks-cluster}
storage: {bucket: Milvus_Bucket}
`)}}, Options{})
	fmt.Print(errors.Details(err, nil))
	// Output:
	// storage.bucket: bucket name must be 3-63 lowercase letters, digits, '.' or '-'; got "Milvus_Bucket":
	//     spec.yaml:4:19
}

// TestLoadEdges: the loader's edges (issue 11 item 11).
func TestLoadEdges(t *testing.T) {
	t.Run("stdin CUE", func(t *testing.T) {
		cue := "name: \"milvus-demo\"\naws: {region: \"us-east-2\", accountID: \"123456789012\"}\ncluster: name: \"milvus-eks-cluster\"\nstorage: bucket: \"milvus-bucket-039dd013c0712f085d60e21f\"\n"
		if _, err := load(t, "-", cue); err != nil {
			t.Fatalf("CUE on stdin: %s", details(err))
		}
	})
	t.Run("stdin JSON", func(t *testing.T) {
		if _, err := load(t, "-", `{"name": "milvus-demo", "aws": {"region": "us-east-2", "accountID": "123456789012"}, "cluster": {"name": "c"}, "storage": {"bucket": "milvus-bucket-1"}}`); err != nil {
			t.Fatalf("JSON on stdin: %s", details(err))
		}
	})
	for _, text := range []string{base + "---\n", "---\n" + base, "---\n" + base + "---\n# end\n", base + "...\n"} {
		if _, err := load(t, "spec.yaml", text); err != nil {
			t.Errorf("one document between separators %q: %s", text, details(err))
		}
	}
	t.Run("device", func(t *testing.T) {
		done := make(chan error, 1)
		go func() { _, err := ReadFiles([]string{"/dev/zero"}, nil); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "character device, not a file") {
				t.Errorf("ReadFiles(/dev/zero) = %v, want a refusal before reading", err)
			}
		case <-time.After(30 * time.Second): // a backstop, not a timing assertion
			t.Fatal("ReadFiles(/dev/zero) is reading the device")
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := ReadFiles([]string{t.TempDir()}, nil); err == nil || !strings.Contains(err.Error(), "directory") {
			t.Errorf("ReadFiles(dir) = %v", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		_, err := ReadFiles([]string{"-"}, strings.NewReader(strings.Repeat("#", MaxSpecBytes+1)))
		if err == nil || !strings.Contains(err.Error(), "at most") && !strings.Contains(err.Error(), "more than") {
			t.Errorf("ReadFiles(huge stdin) = %v", err)
		}
	})
}

// TestLoadRawAllowed: every key on the raw values and config allowlists
// loads (issue 17 item 1); each is refused elsewhere when its value is
// wrong (rawvalues' tests).
func TestLoadRawAllowed(t *testing.T) {
	for _, extra := range []string{
		"milvus: {config: {queryNode: {segcore: {knowhereThreadPoolNumRatio: 4}}, dataCoord: {segment: {maxSize: 2048}}, quotaAndLimits: {dml: {enabled: true}}}}\n",
		"milvus: {config: {common: {gracefulTime: 5000}, log: {level: warn}, proxy: {maxNameLength: 512}, knowhere: {enable: true}}}\n",
		"milvus: {values: {mixCoordinator: {extraEnv: [{name: GODEBUG, value: \"madvdontneed=1\"}]}}}\n",
		"milvus: {values: {queryNode: {extraEnv: [{name: QUERYNODE_SEGCORE_CHUNKROWS, value: \"256\"}]}}}\n",
		"milvus: {values: {service: {annotations: {\"example.com/team\": search}, labels: {team: search}}}}\n",
		"milvus: {values: {log: {level: debug, format: json}}}\n",
		"milvus: {values: {nodeSelector: {role: milvus}, queryNode: {nodeSelector: {role: milvus}, tolerations: [{key: dedicated, operator: Equal, value: milvus, effect: NoSchedule}]}}}\n",
		"milvus: {values: {labels: {team: search}, annotations: {\"example.com/owner\": search}, proxy: {annotations: {\"cluster-autoscaler.kubernetes.io/safe-to-evict\": \"false\"}}}}\n",
		"milvus: {values: {image: {all: {repository: registry.example.com/milvusdb/milvus, pullSecrets: [mirror]}}, etcd: {image: {registry: \"registry.example.com:5000\", pullSecrets: [mirror]}, priorityClassName: milvus-critical}}}\n",
	} {
		if _, err := load(t, "spec.yaml", base+extra); err != nil {
			t.Errorf("%s: %s", extra, details(err))
		}
	}
}

// TestLoadReportsEveryProblem: an unknown field no longer hides the rule
// checks of the sections that decoded cleanly (issue 11 item 10), and a
// default filling a misspelled field causes no false problem.
func TestLoadReportsEveryProblem(t *testing.T) {
	cases := []struct {
		name, extra string
		want        []string // the paths of the errors
	}{
		{"typo beside replica and request problems",
			"milvus: {queyNode: {replicas: 2}, highAvailability: false, mixCoordinator: {replicas: 3}, dataNode: {resources: {limits: {cpu: 1}, requests: {cpu: 2}}}}\n",
			[]string{"milvus.queyNode", "milvus.mixCoordinator.replicas", "milvus.dataNode.resources.requests.cpu"}},
		{"typo in a node group beside its size problem",
			"cluster: {nodeGroups: [{instanceTyp: m6i.large, desiredCapacity: 5, maxSize: 4}]}\nmilvus: {proxy: {replicas: 0}}\n",
			[]string{"cluster.nodeGroups.0.instanceTyp", "cluster.nodeGroups.0.desiredCapacity", "milvus.proxy.replicas"}},
		{"bad values in every section",
			"cluster: {vpcCIDR: 10.0.0.0/8, nodeGroups: [{desiredCapacity: 0}]}\nstorage: {storageClass: {encrypted: false, kmsKeyID: \"arn:aws:kms:us-east-2:123456789012:key/abc\"}}\nmilvus: {messageQueue: nats, proxy: {replicas: 0}}\n",
			[]string{"cluster.vpcCIDR", "cluster.nodeGroups.0.desiredCapacity", "storage.storageClass.kmsKeyID", "milvus.messageQueue", "milvus.proxy.replicas"}},
		// The default m6i.4xlarge (64 GiB) cannot hold a 200 GiB query
		// node; the misspelled instance type was meant to. No fit error.
		{"no false problem from a misspelled field's default",
			"cluster: {nodeGroups: [{instanceTyp: r6i.16xlarge}]}\nmilvus: {queryNode: {resources: {requests: {memory: 200Gi}, limits: {memory: 200Gi}}}}\n",
			[]string{"cluster.nodeGroups.0.instanceTyp"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "spec.yaml", base+tc.extra)
			var got []string
			for _, e := range errors.Errors(err) {
				got = append(got, strings.Join(e.Path(), "."))
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("error paths (-want +got):\n%s\n%s", d, details(err))
			}
		})
	}
}
