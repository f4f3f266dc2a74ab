package spec

import (
	"maps"
	"slices"
	"strings"

	"cuelang.org/go/cue/errors"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/rawvalues"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// checkRawValues refuses raw Helm values off the allowlist of the pinned
// chart (rawvalues.Values), each at its position.
func checkRawValues(r *report, s *model.Spec) {
	for _, p := range rawvalues.Values(s.Milvus.Values, versions.Of(s)) {
		r.errorAt(append([]string{"milvus", "values"}, p.Path...), p.Msg)
	}
	for _, block := range slices.Sorted(maps.Keys(queueBlocks)) {
		mq := queueBlocks[block]
		if _, ok := s.Milvus.Values[block]; ok && s.Milvus.MessageQueue != mq && !r.paths["milvus.values."+block] {
			r.warnf("milvus.values."+block, "milvus.messageQueue is %q, so the chart deploys no %s and these values do nothing; remove them, or set messageQueue: %q", s.Milvus.MessageQueue, queueNames[mq], mq)
		}
	}
}

// queueBlocks are the raw-value blocks of the in-cluster message queues,
// each with the queue that deploys it.
var queueBlocks = map[string]string{"kafka": model.Kafka, "pulsarv3": model.Pulsar}

var queueNames = map[string]string{model.Kafka: "in-cluster Kafka", model.Pulsar: "Pulsar"}

// checkConfig refuses milvus.yaml keys off the allowlist
// (rawvalues.Config), each at its position.
func checkConfig(r *report, s *model.Spec) {
	for _, p := range rawvalues.Config(s.Milvus.Config) {
		r.errorAt(append([]string{"milvus", "config"}, p.Path...), p.Msg)
	}
}

// errorAt is errorf for a path given as elements, which may hold dots
// (an annotation key such as example.com/team).
func (r *report) errorAt(path []string, msg string) {
	key := strings.Join(path, ".")
	if r.paths[key] {
		return
	}
	r.errs = errors.Append(r.errs, &fieldError{pos: r.pos(path), path: path, msg: msg})
	if r.paths == nil {
		r.paths = map[string]bool{}
	}
	r.paths[key] = true
}

// isCredential reports a key that names a credential (rawvalues.Credential).
func isCredential(key string) bool {
	_, ok := rawvalues.Credential(key)
	return ok
}
