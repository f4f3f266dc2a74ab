package values

import (
	"strconv"

	tree "github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/sizing"
)

// MilvusAnnotations are the annotations of the Milvus release object
// itself (never of the pods, so they restart nothing). With a dataset it
// records the S3 estimate the cost report prices: one copy of the binlogs
// (the raw data) plus one built index, as Milvus keeps them in the bucket.
func MilvusAnnotations(s *model.Spec) map[string]string {
	if s.Milvus.Dataset == nil {
		return nil
	}
	fp, err := sizing.Measure(*s.Milvus.Dataset)
	if err != nil {
		return nil // validation already refused the dataset
	}
	return map[string]string{tree.S3EstimateAnnotation: strconv.FormatInt(fp.Raw+fp.Index, 10)}
}
