package kube

import (
	"strconv"

	"github.com/milvusgen/milvusgen/internal/model"
)

// tagSpecificationPrefix is the EBS CSI driver's StorageClass parameter
// for tags on the volumes it creates: tagSpecification_<n>: "key=value",
// one parameter per tag.
const tagSpecificationPrefix = "tagSpecification_"

// addTagSpecifications adds aws.tags to the class's parameters, numbered
// in key order so the class is the same bytes for the same tags. The
// parameters are immutable: changing the tags replaces the class, which
// only new volumes follow.
func addTagSpecifications(s *model.Spec, params map[string]string) {
	for i, t := range s.TagList() {
		params[tagSpecificationPrefix+strconv.Itoa(i+1)] = t.Key + "=" + t.Value
	}
}
