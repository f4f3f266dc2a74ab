package runbook

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestBootstrapTags runs bootstrap.sh against the stateful stubs: the
// bucket and the policy get aws.tags on the first run; a rerun tags
// nothing new and makes no policy version; a bucket with tags of its own
// is reported, never overwritten.
func TestBootstrapTags(t *testing.T) {
	s := modeltest.Variant(func(s *model.Spec) {
		s.AWS.Tags = map[string]string{"team": "vectors", "cost-center": "4711", "owner": "data platform"}
	})
	h := newStubbed(t, s)
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
	if code != 0 {
		t.Fatalf("first run exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"aws s3api create-bucket",
		`aws s3api put-bucket-tagging --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-2 --tagging {"TagSet":[{"Key":"cost-center","Value":"4711"},{"Key":"owner","Value":"data platform"},{"Key":"team","Value":"vectors"}]}`,
		"aws iam create-policy --policy-name MilvusS3ReadWrite",
		`aws iam tag-policy --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --tags [{"Key":"cost-center","Value":"4711"},{"Key":"owner","Value":"data platform"},{"Key":"team","Value":"vectors"}]`,
		"eksctl create cluster")

	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("second run exit %d:\n%s", code, stderr)
	}
	none(t, calls, "put-bucket-tagging", "create-policy-version")

	// A bucket someone else tagged: reported, left alone.
	h.setState("bucket", `{"ownership":"BucketOwnerEnforced","publicBlock":true,"tags":{"owner":"someone else"}}`)
	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("third run exit %d:\n%s", code, stderr)
	}
	none(t, calls, "put-bucket-tagging")
	if !strings.Contains(stderr, "has tags of its own") || !strings.Contains(stderr, "owner=data platform") {
		t.Errorf("a foreign tag set is not reported:\n%s", stderr)
	}
}
