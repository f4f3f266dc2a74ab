package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/reproducible"
)

// cases are the golden cases: the runbook fixture and variants that change
// the ARNs.
func cases() map[string]*model.Spec {
	rootPath := modeltest.Runbook()
	rootPath.Storage.RootPath = "tenants/acme"

	china := modeltest.Runbook()
	china.AWS.Region = "cn-north-1"
	china.Storage.PolicyName = "milvus-prod-s3"

	kms := modeltest.Runbook()
	kms.Storage.StorageClass.KMSKeyID = testKey

	return map[string]*model.Spec{
		"runbook":    modeltest.Runbook(),
		"rootpath":   rootPath,
		"cn-north-1": china,
		"kms":        kms,
	}
}

func TestRenderGolden(t *testing.T) {
	for name, s := range cases() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, f := range files {
				paths = append(paths, f.Path)
				if f.Mode != 0o644 {
					t.Errorf("%s: mode %v, want 0644", f.Path, f.Mode)
				}
				golden.Assert(t, filepath.Join("testdata", name, filepath.FromSlash(f.Path)), f.Data)
			}
			want := []string{ReadWriteFile, BucketManagementFile, PolicyManagementFile}
			if s.UsesKMSKey() {
				want = append(want, KMSFile)
			}
			if d := cmp.Diff(want, paths); d != "" {
				t.Errorf("rendered paths (-want +got):\n%s", d)
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

// audit is the consumer's and the reviewer's view of one rendered document:
// it must decode strictly into Document, use the current language version,
// grant no wildcard actions or resources, name only the spec's exact ARNs in
// its partition, allow object actions only on the object ARN, and fit the
// managed policy size. The only wildcards and the only condition allowed
// are those of the KMS policy AWS documents for the EBS CSI driver, on the
// spec's key (kmsWildcards, grantCondition). It returns every problem
// found.
func audit(s *model.Spec, path string, data []byte) []string {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, path+": "+fmt.Sprintf(format, args...))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		bad("strict decode failed: %v", err)
		return problems
	}
	if dec.More() {
		bad("trailing data after the document")
	}
	if doc.Version != "2012-10-17" {
		bad("Version %q", doc.Version)
	}
	if len(doc.Statement) == 0 {
		bad("no statements")
	}
	allowed := map[string]bool{s.BucketARN(): true, s.ObjectARN(): true, s.PolicyARN(): true}
	if s.UsesKMSKey() {
		allowed[s.Storage.StorageClass.KMSKeyID] = true
		allowed[s.KMSPolicyARN()] = true
	}
	onKey := func(st Statement) bool {
		return s.UsesKMSKey() && slices.Equal(st.Resource, []string{s.Storage.StorageClass.KMSKeyID})
	}
	sids := map[string]bool{}
	for i, st := range doc.Statement {
		if st.Sid == "" || sids[st.Sid] {
			bad("Statement[%d].Sid %q is empty or repeated", i, st.Sid)
		}
		sids[st.Sid] = true
		if st.Effect != "Allow" {
			bad("Statement[%d].Effect %q", i, st.Effect)
		}
		if len(st.Action) == 0 || len(st.Resource) == 0 {
			bad("Statement[%d] has no Action or no Resource", i)
		}
		for _, a := range st.Action {
			if strings.Contains(a, "*") && !(kmsWildcards[a] && onKey(st)) {
				bad("Statement[%d] grants wildcard action %q", i, a)
			}
			if kmsGrantActions[a] && !reflect.DeepEqual(st.Condition, grantCondition) {
				bad("Statement[%d] allows %s without the condition %v", i, a, grantCondition)
			}
		}
		if st.Condition != nil && !(reflect.DeepEqual(st.Condition, grantCondition) && onKey(st)) {
			bad("Statement[%d] has condition %v; only %v on the KMS key is expected", i, st.Condition, grantCondition)
		}
		for _, r := range st.Resource {
			if !allowed[r] {
				bad("Statement[%d] resource %q is not one of the spec's ARNs", i, r)
			}
			if !strings.HasPrefix(r, "arn:"+s.Partition()+":") {
				bad("Statement[%d] resource %q is outside partition %s", i, r, s.Partition())
			}
			for _, a := range st.Action {
				if slices.Contains(objectActions, a) && r != s.ObjectARN() {
					bad("Statement[%d] allows %s on %q, want only %q", i, a, r, s.ObjectARN())
				}
			}
		}
	}
	if n := MinifiedSize(data); n > MaxManagedPolicySize {
		bad("%d characters, over the limit", n)
	}
	return problems
}

// kmsWildcards are the wildcard actions of AWS's KMS policy for the EBS CSI
// driver, and kmsGrantActions the grant calls it allows only under
// grantCondition.
var (
	kmsWildcards    = map[string]bool{"kms:ReEncrypt*": true, "kms:GenerateDataKey*": true}
	kmsGrantActions = map[string]bool{"kms:CreateGrant": true, "kms:ListGrants": true, "kms:RevokeGrant": true}
	grantCondition  = map[string]map[string]string{"Bool": {"kms:GrantIsForAWSResource": "true"}}
)

// objectActions include the multipart calls minio-go makes to abort a
// failed upload, so its parts do not stay in the bucket.
var objectActions = []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}

func TestPoliciesPassAudit(t *testing.T) {
	for name, s := range cases() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				for _, p := range audit(s, f.Path, f.Data) {
					t.Error(p)
				}
			}
		})
	}
}

// TestAuditCatchesBadPolicies proves the audit is not vacuous: each broken
// document must be reported.
func TestAuditCatchesBadPolicies(t *testing.T) {
	s := modeltest.Runbook()
	tests := map[string]string{
		"unknown field": `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"],"NotResource":[]}]}`,
		"a condition off the KMS key": `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"],` +
			`"Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]}`,
		"kms wildcard without a key":  `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["kms:ReEncrypt*"],"Resource":["arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"]}]}`,
		"grant without the condition": `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["kms:CreateGrant"],"Resource":["arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"]}]}`,
		"old version":                 `{"Version":"2008-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"]}]}`,
		"s3 wildcard":                 `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"]}]}`,
		"any resource":                `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["*"]}]}`,
		"objects on the bucket ARN": `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject"],` +
			`"Resource":["arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"]}]}`,
		"wrong partition": `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws-cn:s3:::milvus-bucket-039dd013c0712f085d60e21f"]}]}`,
		"missing Sid":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"]}]}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if p := audit(s, "bad.json", []byte(doc)); len(p) == 0 {
				t.Errorf("audit accepted %s", doc)
			}
		})
	}
}

func TestReadWriteObjectARN(t *testing.T) {
	tests := map[string]struct {
		region, rootPath string
		want             []Statement
	}{
		"whole bucket": {
			region: "us-east-2",
			want: []Statement{
				{Sid: "MilvusListBucket", Effect: "Allow", Action: []string{"s3:ListBucket"},
					Resource: []string{"arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f"}},
				{Sid: "MilvusReadWriteObjects", Effect: "Allow", Action: objectActions,
					Resource: []string{"arn:aws:s3:::milvus-bucket-039dd013c0712f085d60e21f/*"}},
			},
		},
		"rootPath in aws-cn": {
			region: "cn-northwest-1", rootPath: "a/b",
			want: []Statement{
				{Sid: "MilvusListBucket", Effect: "Allow", Action: []string{"s3:ListBucket"},
					Resource: []string{"arn:aws-cn:s3:::milvus-bucket-039dd013c0712f085d60e21f"}},
				{Sid: "MilvusReadWriteObjects", Effect: "Allow", Action: objectActions,
					Resource: []string{"arn:aws-cn:s3:::milvus-bucket-039dd013c0712f085d60e21f/a/b/*"}},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := modeltest.Runbook()
			s.AWS.Region, s.Storage.RootPath = tc.region, tc.rootPath
			want := &Document{Version: Version, Statement: tc.want}
			if d := cmp.Diff(want, buildReadWrite(s)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestMinifiedSize(t *testing.T) {
	tests := map[string]struct {
		doc  string
		want int
	}{
		"empty":             {"", 0},
		"compact":           {`{"a":"b"}`, 9},
		"indented":          {"{\n  \"a\": \"b\"\n}\n", 9},
		"tabs and CR":       {"{\r\n\t\"a\":\t\"b\"}", 9},
		"space in a string": {`{"a":"b c"}`, 10},
		"non-ASCII is one":  {`"é"`, 3},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := MinifiedSize([]byte(tc.doc)); got != tc.want {
				t.Errorf("MinifiedSize(%q) = %d, want %d", tc.doc, got, tc.want)
			}
		})
	}
}

// TestSizeGuard proves the guard Render runs rejects an oversized
// document and names the file, and accepts one at the limit.
func TestSizeGuard(t *testing.T) {
	at := []byte(`"` + strings.Repeat("x", MaxManagedPolicySize-2) + `"`)
	if err := checkSize("aws/iam/at-limit.json", at); err != nil {
		t.Errorf("document of exactly %d characters rejected: %v", MaxManagedPolicySize, err)
	}

	doc := buildReadWrite(modeltest.Runbook())
	for len(doc.Statement[1].Resource) < 200 {
		doc.Statement[1].Resource = append(doc.Statement[1].Resource, doc.Statement[1].Resource[0])
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if MinifiedSize(data) <= MaxManagedPolicySize {
		t.Fatalf("synthetic document is only %d characters", MinifiedSize(data))
	}
	err = checkSize(ReadWriteFile, data)
	if err == nil {
		t.Fatal("oversized document accepted")
	}
	if !strings.Contains(err.Error(), ReadWriteFile) || !strings.Contains(err.Error(), "6144") {
		t.Errorf("error %q does not name the file and the limit", err)
	}
}
