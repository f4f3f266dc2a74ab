package rawvalues

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// A check inspects the value of an allowed key; path is where the value
// sits in the spec.
type check func(path []string, v any) []Problem

func problem(path []string, format string, args ...any) []Problem {
	return []Problem{{Path: slices.Clone(path), Msg: fmt.Sprintf(format, args...)}}
}

func at(path []string, elems ...string) []string {
	return append(slices.Clone(path), elems...)
}

// stringMap checks a map of strings, each key and value with its rule.
func stringMap(key, value func(string) string) check {
	return func(path []string, v any) []Problem {
		if v == nil {
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return problem(path, "must be a map of strings; got %s", describe(v))
		}
		var out []Problem
		for _, k := range slices.Sorted(maps.Keys(m)) {
			p := at(path, k)
			if msg := key(k); msg != "" {
				out = append(out, problem(p, "%s", msg)...)
				continue
			}
			s, ok := m[k].(string)
			if !ok {
				out = append(out, problem(p, "must be a string (quote it); got %s", describe(m[k]))...)
				continue
			}
			if msg := value(s); msg != "" {
				out = append(out, problem(p, "%s", msg)...)
			}
		}
		return out
	}
}

// reservedDomains are the key prefixes of Kubernetes, AWS and the charts:
// a label or annotation there changes what a controller does (the load
// balancer's scheme, an IAM role) or collides with the chart's own.
var reservedDomains = []string{"kubernetes.io", "k8s.io", "k8s.aws", "amazonaws.com", "helm.sh", "milvus.io", "pyroscope.io", "checksum"}

// allowedReserved are reserved-domain keys that only tune scheduling.
var allowedReserved = map[string]string{
	"cluster-autoscaler.kubernetes.io/safe-to-evict": "tells the Cluster Autoscaler whether it may evict the pod to scale a node group down",
}

// chartLabels are the unprefixed labels chart 5.0.19 sets on its pods and
// selects them by; a second value would break the Deployments' selectors.
var chartLabels = map[string]bool{"component": true}

func reserved(key string) bool {
	if _, ok := allowedReserved[key]; ok {
		return false
	}
	prefix, _, ok := strings.Cut(key, "/")
	if !ok {
		return false
	}
	for _, d := range reservedDomains {
		if prefix == d || strings.HasSuffix(prefix, "."+d) {
			return true
		}
	}
	return false
}

func labelKey(k string) string {
	if errs := validation.IsQualifiedName(k); len(errs) > 0 {
		return fmt.Sprintf("%q is not a valid Kubernetes label key: %s", k, strings.Join(errs, "; "))
	}
	if reserved(k) || chartLabels[k] {
		return fmt.Sprintf("%q is a label the chart, Kubernetes or AWS sets or reads; use a key in your own domain (example.com/team)", k)
	}
	return credentialKey(k)
}

func labelValue(s string) string {
	if errs := validation.IsValidLabelValue(s); len(errs) > 0 {
		return fmt.Sprintf("%q is not a valid Kubernetes label value: %s", s, strings.Join(errs, "; "))
	}
	return ""
}

func annotationKey(k string) string {
	if errs := validation.IsQualifiedName(strings.ToLower(k)); len(errs) > 0 {
		return fmt.Sprintf("%q is not a valid Kubernetes annotation key: %s", k, strings.Join(errs, "; "))
	}
	if reserved(k) {
		return fmt.Sprintf("%q is an annotation the chart, Kubernetes or AWS reads (a load balancer's scheme or security groups, an IAM role); use a key in your own domain (example.com/team)", k)
	}
	return credentialKey(k)
}

func anyString(string) string { return "" }

// nodeSelectorKey accepts any label key, reserved or not: a selector only
// narrows where the pods may run.
func nodeSelectorKey(k string) string {
	if errs := validation.IsQualifiedName(k); len(errs) > 0 {
		return fmt.Sprintf("%q is not a valid Kubernetes label key: %s", k, strings.Join(errs, "; "))
	}
	return ""
}

func credentialKey(k string) string {
	if w, ok := Credential(k); ok {
		return credentialMessage(k, w)
	}
	return ""
}

func credentialMessage(key, word string) string {
	return fmt.Sprintf("%q names a credential (%q); credentials must not be written to the rendered tree: keep it in a Kubernetes Secret and reference it (valueFrom.secretKeyRef)", key, word)
}

var (
	labels      = stringMap(labelKey, labelValue)
	annotations = stringMap(annotationKey, anyString)
	selector    = stringMap(nodeSelectorKey, labelValue)
)

// maxTolerationSeconds bounds tolerationSeconds (a raw number reaching the
// pods) at a year.
const maxTolerationSeconds = 365 * 24 * 3600

// tolerations checks a list of Kubernetes tolerations, decoded strictly
// into the API type so an unknown field is refused rather than ignored.
func tolerations(path []string, v any) []Problem {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return problem(path, "must be a list of tolerations; got %s", describe(v))
	}
	var out []Problem
	for i, e := range list {
		p := at(path, fmt.Sprint(i))
		var t corev1.Toleration
		if err := strictDecode(e, &t); err != nil {
			out = append(out, problem(p, "must be a Kubernetes toleration (key, operator, value, effect, tolerationSeconds): %v", err)...)
			continue
		}
		switch {
		case t.Operator != "" && t.Operator != corev1.TolerationOpEqual && t.Operator != corev1.TolerationOpExists:
			out = append(out, problem(at(p, "operator"), "must be Equal or Exists; got %q", t.Operator)...)
		case t.Operator == corev1.TolerationOpExists && t.Value != "":
			out = append(out, problem(at(p, "value"), "must be empty when the operator is Exists")...)
		case t.Effect != "" && t.Effect != corev1.TaintEffectNoSchedule && t.Effect != corev1.TaintEffectPreferNoSchedule && t.Effect != corev1.TaintEffectNoExecute:
			out = append(out, problem(at(p, "effect"), "must be NoSchedule, PreferNoSchedule or NoExecute; got %q", t.Effect)...)
		case t.TolerationSeconds != nil && (*t.TolerationSeconds < 0 || *t.TolerationSeconds > maxTolerationSeconds):
			out = append(out, problem(at(p, "tolerationSeconds"), "must be from 0 to %d (a year); got %d", maxTolerationSeconds, *t.TolerationSeconds)...)
		case t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute:
			out = append(out, problem(at(p, "tolerationSeconds"), "only applies to the NoExecute effect")...)
		case t.Key != "" && len(validation.IsQualifiedName(t.Key)) > 0:
			out = append(out, problem(at(p, "key"), "%q is not a valid taint key", t.Key)...)
		}
	}
	return out
}

// strictDecode decodes a raw value into an API type, refusing unknown
// fields.
func strictDecode(v any, into any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

var (
	reRegistry = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$`)
	// reRepository is a registry host (optional) and an image path,
	// without a tag or digest: the tag follows the chart version.
	reRepository = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)
)

func stringCheck(rule func(string) string) check {
	return func(path []string, v any) []Problem {
		if v == nil {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return problem(path, "must be a string; got %s", describe(v))
		}
		if msg := rule(s); msg != "" {
			return problem(path, "%s", msg)
		}
		return nil
	}
}

var (
	registry = stringCheck(func(s string) string {
		if len(s) > 253 || !reRegistry.MatchString(s) {
			return fmt.Sprintf("must be a registry host such as \"registry.example.com\" or \"10.0.0.5:5000\"; got %q", s)
		}
		return ""
	})
	repository = stringCheck(func(s string) string {
		if len(s) > 255 || !reRepository.MatchString(s) {
			return fmt.Sprintf("must be an image repository without a tag or digest, such as \"registry.example.com/milvusdb/milvus\" (the tag follows milvus.chartVersion); got %q", s)
		}
		return ""
	})
	priorityClass = stringCheck(func(s string) string {
		if errs := validation.IsDNS1123Subdomain(s); len(errs) > 0 {
			return fmt.Sprintf("must be the name of a PriorityClass: %s; got %q", strings.Join(errs, "; "), s)
		}
		if strings.HasPrefix(s, "system-") {
			return fmt.Sprintf("system-node-critical and system-cluster-critical are for kube-system's pods (Kubernetes admits them nowhere else); create your own PriorityClass; got %q", s)
		}
		return ""
	})
)

func oneOf(allowed ...string) check {
	return stringCheck(func(s string) string {
		if slices.Contains(allowed, s) {
			return ""
		}
		return fmt.Sprintf("must be one of %s; got %q", strings.Join(allowed, ", "), s)
	})
}

// secretNames checks a list of Secret names (image pull secrets). Chart
// 5.0.19 and the Bitnami subcharts read them as plain names; the Pulsar
// chart too.
func secretNames(path []string, v any) []Problem {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return problem(path, "must be a list of Secret names; got %s", describe(v))
	}
	var out []Problem
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			out = append(out, problem(at(path, fmt.Sprint(i)), "must be the name of a Secret (a string); got %s", describe(e))...)
			continue
		}
		if errs := validation.IsDNS1123Subdomain(s); len(errs) > 0 {
			out = append(out, problem(at(path, fmt.Sprint(i)), "must be the name of a Secret: %s; got %q", strings.Join(errs, "; "), s)...)
		}
	}
	return out
}

// describe names a raw value's kind for a message, clipped.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return fmt.Sprintf("the string %q", x)
	}
	s := fmt.Sprint(v)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
