package spec

import (
	"strings"
	"testing"

	"cuelang.org/go/cue/errors"
	"github.com/google/go-cmp/cmp"
)

// TestLoadEveryProblemInOneRun: issue 19 item 3. Unknown fields, type
// errors, rule violations and version warnings come together, in file
// order, one message each; an unknown field is reported beside a
// sibling's error (CUE alone reports it only once the struct is otherwise
// valid), and at the misspelt field, not a leaf below it.
func TestLoadEveryProblemInOneRun(t *testing.T) {
	text := `name: Milvus_Demo
aws: {region: us-east-2, accountID: "123456789012"}
cluster:
  name: milvus-dev
  kubernetesVersion: "1.31"
  identity: foo
  vpcCidr: 10.0.0.0/16
  nodeGroups: [{name: a, instanceType: m6i.2xlarge, desiredCapacity: 2, maxSize: 1}]
storage: {bucket: acme-bucket}
milvus:
  highAvailability: x
  proxy: {replicas: "two"}
  queyNode: {replicas: 2}
`
	_, err := Load([]Source{{Name: "spec.yaml", Data: []byte(text)}}, Options{Today: today.AddDate(0, -1, 0)})
	if err == nil {
		t.Fatal("loaded")
	}
	var got []string
	for _, e := range errors.Errors(err) {
		p := strings.Join(e.Path(), ".")
		if IsWarning(e) {
			p = "warning " + p
		}
		got = append(got, p)
	}
	want := []string{
		"name",
		"warning cluster.kubernetesVersion",
		"cluster.identity",
		"cluster.vpcCidr",
		"cluster.nodeGroups.0.desiredCapacity",
		"milvus.highAvailability",
		"milvus.proxy.replicas",
		"milvus.queyNode",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("problems (-want +got):\n%s\n%s", d, details(err))
	}
	if errs, warnings := Problems(err); errs != 7 || warnings != 1 {
		t.Errorf("Problems = %d errors, %d warnings; want 7 and 1", errs, warnings)
	}
	d := details(err)
	for _, w := range []string{`did you mean "vpcCIDR"`, `did you mean "queryNode"`, "extended support"} {
		if !strings.Contains(d, w) {
			t.Errorf("lacks %q:\n%s", w, d)
		}
	}
	// A field whose section failed to decode is not judged by its zero
	// value: no "authentication is off" for milvus.auth left at defaults.
	if strings.Contains(d, "authentication is off") {
		t.Errorf("false warning from an undecoded section:\n%s", d)
	}
}

// TestLoadProblemsInFileOrder: across layered files, problems come in the
// order of the files given, then lines.
func TestLoadProblemsInFileOrder(t *testing.T) {
	_, err := loadFiles(t, "z-base.yaml", base+"milvus: {messageQueue: nats}\n", "a-env.yaml", "storage: {bucket: Bad_Bucket}\nname: Bad_Name\n")
	var got []string
	for _, e := range errors.Errors(err) {
		got = append(got, e.Position().Filename()+" "+strings.Join(e.Path(), "."))
	}
	want := []string{"z-base.yaml milvus.messageQueue", "a-env.yaml storage.bucket", "a-env.yaml name"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("order (-want +got):\n%s\n%s", d, details(err))
	}
}

// TestLoadCarriageReturns: CRLF and CR line breaks read as YAML says, and
// the input that made CUE's YAML decoder panic is an error (issue 19 item
// 9, found by FuzzParse).
func TestLoadCarriageReturns(t *testing.T) {
	for _, nl := range []string{"\r\n", "\r"} {
		res, err := load(t, "spec.yaml", strings.ReplaceAll(base+"milvus: {messageQueue: nats}\n", "\n", nl))
		if err == nil {
			t.Fatalf("%q: loaded %v", nl, res)
		}
		if got := details(err); !strings.Contains(got, "spec.yaml:9:24") {
			t.Errorf("%q: not positioned at line 9:\n%s", nl, got)
		}
		if _, err := load(t, "spec.yaml", strings.ReplaceAll(base, "\n", nl)); err != nil {
			t.Errorf("%q: %s", nl, details(err))
		}
	}
	for _, name := range []string{"spec.yaml", "-"} {
		if _, err := load(t, name, "\r\r0"); err == nil {
			t.Errorf("%s: loaded \\r\\r0", name)
		}
	}
}
