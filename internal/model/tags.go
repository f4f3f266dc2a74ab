package model

import (
	"sort"
	"strings"
)

// LBTagsAnnotation makes the AWS Load Balancer Controller tag the NLB (and
// its target groups and security groups) with key=value pairs, separated
// by commas.
const LBTagsAnnotation = "service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags"

// Tag is one AWS tag.
type Tag struct{ Key, Value string }

// TagList is aws.tags sorted by key, the order every rendered file uses.
func (s *Spec) TagList() []Tag {
	out := make([]Tag, 0, len(s.AWS.Tags))
	for k, v := range s.AWS.Tags {
		out = append(out, Tag{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// TagPairs is aws.tags as "k1=v1,k2=v2" (the LB controller's annotation
// format); "" without tags. The spec rules refuse ',' and '=' in tags.
func (s *Spec) TagPairs() string {
	var b strings.Builder
	for i, t := range s.TagList() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(t.Key + "=" + t.Value)
	}
	return b.String()
}

// InstallsEngine reports whether bootstrap.sh installs the GitOps engine
// (gitops.install, default true) rather than use the one installed.
func (s *Spec) InstallsEngine() bool { return s.GitOps.Install == nil || *s.GitOps.Install }
