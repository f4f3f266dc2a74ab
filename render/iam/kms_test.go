package iam

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

const testKey = "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func TestRenderKMSPolicy(t *testing.T) {
	s := modeltest.Runbook()
	s.Storage.StorageClass.KMSKeyID = testKey
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	var kms, mgmt *Document
	for _, f := range files {
		var d Document
		if err := json.Unmarshal(f.Data, &d); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		switch f.Path {
		case KMSFile:
			kms = &d
		case PolicyManagementFile:
			mgmt = &d
		}
	}
	if kms == nil {
		t.Fatal("no KMS policy rendered with a key")
	}
	// The EKS user guide's policy for the EBS CSI driver with a
	// customer-managed key: grants only for AWS resources, and the data
	// key calls EBS makes, all on the key alone.
	want := []Statement{
		{
			Sid: "EBSCSIKMSGrants", Effect: "Allow",
			Action:    []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"},
			Resource:  []string{testKey},
			Condition: map[string]map[string]string{"Bool": {"kms:GrantIsForAWSResource": "true"}},
		},
		{
			Sid: "EBSCSIKMSKey", Effect: "Allow",
			Action:   []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
			Resource: []string{testKey},
		},
	}
	if diff := cmp.Diff(want, kms.Statement); diff != "" {
		t.Errorf("KMS policy statements (-want +got):\n%s", diff)
	}
	if got := strings.Join(mgmt.Statement[0].Resource, ","); !strings.Contains(got, s.KMSPolicyARN()) {
		t.Errorf("policy management does not cover %s: %s", s.KMSPolicyARN(), got)
	}

	s.Storage.StorageClass.KMSKeyID = ""
	files, _ = Render(s)
	for _, f := range files {
		if f.Path == KMSFile {
			t.Error("KMS policy rendered without a key")
		}
	}
}

func TestLint(t *testing.T) {
	s := modeltest.Runbook()
	cases := map[string]struct {
		st   Statement
		want string
	}{
		"wildcard action":   {Statement{Action: []string{"s3:*"}, Resource: []string{s.BucketARN()}}, "allows every action"},
		"star":              {Statement{Action: []string{"*"}, Resource: []string{s.BucketARN()}}, "allows every action"},
		"wildcard resource": {Statement{Action: []string{"s3:ListBucket"}, Resource: []string{"*"}}, "every resource"},
		"objects elsewhere": {Statement{Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::other/*"}}, "outside"},
	}
	for name, tc := range cases {
		got := Lint(s, &Document{Version: Version, Statement: []Statement{tc.st}})
		if len(got) == 0 || !strings.Contains(got[0], tc.want) {
			t.Errorf("%s: Lint = %q, want %q", name, got, tc.want)
		}
	}
	for _, d := range []*Document{buildReadWrite(s), buildBucketManagement(s), buildPolicyManagement(s), buildKMS(withKey(s))} {
		if got := Lint(s, d); len(got) > 0 {
			t.Errorf("rendered policy fails lint: %q", got)
		}
	}
}

func withKey(s *model.Spec) *model.Spec {
	c := *s
	c.Storage.StorageClass.KMSKeyID = testKey
	return &c
}
