package runbook

import (
	"encoding/json"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// awsTag is a tag as the S3 and IAM APIs take it in JSON.
type awsTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// tagVars are the variables the tag steps read: the tags as IAM's JSON
// list, S3's tagging document, and key=value pairs for messages. The spec
// rules keep quotes, backslashes and shell metacharacters out of tags.
func tagVars(s *model.Spec) []variable {
	if len(s.AWS.Tags) == 0 {
		return nil
	}
	list := make([]awsTag, 0, len(s.AWS.Tags))
	for _, t := range s.TagList() {
		list = append(list, awsTag{t.Key, t.Value})
	}
	iamTags, _ := json.Marshal(list)
	s3Tags, _ := json.Marshal(map[string]any{"TagSet": list})
	return []variable{
		{"IAM_TAGS", string(iamTags)},
		{"S3_TAGGING", string(s3Tags)},
		{"TAG_PAIRS", s.TagPairs()},
	}
}

// bucketTags tags the bucket with aws.tags, in converge.sh's bucket step.
// S3 keeps one tag set per bucket
// and put-bucket-tagging replaces it whole, so a bucket without tags is
// tagged, one that has every tag is left alone, and one with tags of its
// own is reported rather than overwritten.
func bucketTags(w *script, s *model.Spec) {
	if len(s.AWS.Tags) == 0 {
		return
	}
	w.f(`have="$(aws s3api get-bucket-tagging --bucket "$BUCKET" --region "$REGION" \
  --query "length(TagSet[?contains([%s], join('=', [Key, Value]))])" --output text 2>/dev/null || echo none)"
case "$have" in
none)
  run aws s3api put-bucket-tagging --bucket "$BUCKET" --region "$REGION" --tagging "$S3_TAGGING" ;;
%d) echo "bucket $BUCKET has the spec's tags" ;;
*)
  echo "converge.sh: bucket $BUCKET has tags of its own, which put-bucket-tagging would replace;" >&2
  echo "add the spec's tags to them: $TAG_PAIRS" >&2 ;;
esac`, tagPairsLiteral(s), len(s.AWS.Tags))
}

// tagPairsLiteral is the tags as JMESPath raw string literals.
func tagPairsLiteral(s *model.Spec) string {
	var b strings.Builder
	for i, t := range s.TagList() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + t.Key + "=" + t.Value + "'")
	}
	return b.String()
}

// policyTags puts aws.tags on the policy in $<v>_ARN when it lacks one of
// them, right after converge.sh makes sure the policy exists. IAM adds tags
// to the ones a policy has (and updates a key's value), so the policy's
// own tags, such as milvusgen's document tag, stay.
func policyTags(w *script, s *model.Spec, v string) {
	if len(s.AWS.Tags) == 0 {
		return
	}
	w.f(`have="$(aws iam list-policy-tags --policy-arn "$%[1]s_ARN" \
  --query "length(Tags[?contains([%[2]s], join('=', [Key, Value]))])" --output text 2>/dev/null || echo 0)"
if [ "$have" != %[3]d ]; then
  run aws iam tag-policy --policy-arn "$%[1]s_ARN" --tags "$IAM_TAGS"
else
  echo "policy $%[1]s_NAME has the spec's tags"
fi`, v, tagPairsLiteral(s), len(s.AWS.Tags))
}
