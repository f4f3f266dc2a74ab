package rawvalues

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// runtimeEnv are the environment variables besides milvus.yaml keys that
// a component's extraEnv may set: the Go runtime's, which tune memory and
// scheduling only.
var runtimeEnv = map[string]string{
	"GODEBUG":     "Go runtime switches (madvdontneed=1 returns memory to the node sooner)",
	"GOGC":        "Go garbage collector target",
	"GOMEMLIMIT":  "Go soft memory limit",
	"GOMAXPROCS":  "Go scheduler threads",
	"GOTRACEBACK": "how much a crash prints",
}

// extraEnv checks a component's extraEnv: each entry a Kubernetes EnvVar
// whose name is a milvus.yaml key milvus.config accepts (Milvus reads
// every environment variable as config, after Normalize and without
// EnvPrefix) or a runtime variable; a name that names a credential takes
// its value from a Secret.
func extraEnv(path []string, v any) []Problem {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return problem(path, "must be a list of environment variables; got %s", describe(v))
	}
	var out []Problem
	for i, e := range list {
		p := at(path, fmt.Sprint(i))
		var env corev1.EnvVar
		if err := strictDecode(e, &env); err != nil {
			out = append(out, problem(p, "must be a Kubernetes environment variable (name, value or valueFrom): %v", err)...)
			continue
		}
		np := at(p, "name")
		fromSecret := env.ValueFrom != nil && env.ValueFrom.SecretKeyRef != nil
		if w, ok := Credential(env.Name); ok && !fromSecret {
			out = append(out, problem(np, "%s", credentialMessage(env.Name, w))...)
			continue
		}
		if msg := EnvName(env.Name); msg != "" {
			out = append(out, problem(np, "%s", msg)...)
		}
	}
	return out
}

// EnvName says why a component may not have an environment variable of
// this name, or "" when it may.
func EnvName(name string) string {
	if _, ok := runtimeEnv[name]; ok {
		return ""
	}
	key := strings.TrimPrefix(name, EnvPrefix)
	n := Normalize(key)
	best := ""
	msg := ""
	for _, r := range configRefused {
		if rn := Normalize(r.path); strings.HasPrefix(n, rn) && len(rn) > len(best) {
			best, msg = rn, r.msg
		}
	}
	if best != "" {
		return fmt.Sprintf("%s sets milvus.yaml's %s (Milvus reads every environment variable as config): %s", name, configPath(best), msg)
	}
	if strings.HasPrefix(strings.ToUpper(key), "GRPC_") {
		return fmt.Sprintf("%s is not supported: gRPC's own variables (GRPC_GO_…, GRPC_XDS_BOOTSTRAP) change how the components connect; set grpc.* in milvus.config instead", name)
	}
	for _, a := range configAllowed {
		if strings.HasPrefix(n, Normalize(a.path)) {
			return ""
		}
	}
	return fmt.Sprintf("%s is not supported: extraEnv accepts milvus.yaml keys of the sections milvus.config accepts (QUERYNODE_…, DATACOORD_…) and the Go runtime's %s; see docs/security.md", name, strings.Join(runtimeNames(), ", "))
}

// configPath is the spelled path of a refusal entry, for messages.
func configPath(normalized string) string {
	for _, r := range configRefused {
		if Normalize(r.path) == normalized {
			return r.path
		}
	}
	return normalized
}

func runtimeNames() []string {
	return slices.Sorted(maps.Keys(runtimeEnv))
}
