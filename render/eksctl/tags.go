package eksctl

import (
	"maps"

	"github.com/milvusgen/milvusgen/internal/model"
)

// withTags puts aws.tags on what eksctl creates: metadata.tags reach every
// stack (and, by CloudFormation's propagation, its resources), node groups
// tag their instances and volumes, and each service account's or
// association's role is tagged itself, as eksctl creates those in stacks
// of their own on an existing cluster too.
func withTags(s *model.Spec, c *clusterConfig) *clusterConfig {
	if len(s.AWS.Tags) == 0 {
		return c
	}
	c.Metadata.Tags = maps.Clone(s.AWS.Tags)
	for i := range c.ManagedNodeGroups {
		c.ManagedNodeGroups[i].Tags = maps.Clone(s.AWS.Tags)
	}
	for i := range c.IAM.ServiceAccounts {
		c.IAM.ServiceAccounts[i].Tags = maps.Clone(s.AWS.Tags)
	}
	for i := range c.IAM.PodIdentityAssociations {
		c.IAM.PodIdentityAssociations[i].Tags = maps.Clone(s.AWS.Tags)
	}
	return c
}
