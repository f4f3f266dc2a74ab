package spec

import (
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
}

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
