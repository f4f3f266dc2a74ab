package values

import "github.com/milvusgen/milvusgen/internal/model"

// resources is a container resources block ({limits, requests} of cpu and
// memory) with the quantities as strings, or nil when r sets nothing.
func resources(r *model.Resources) map[string]any {
	if r == nil {
		return nil
	}
	out := map[string]any{}
	if l := resourceList(r.Limits); l != nil {
		out["limits"] = l
	}
	if l := resourceList(r.Requests); l != nil {
		out["requests"] = l
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func resourceList(l *model.ResourceList) map[string]any {
	if l == nil {
		return nil
	}
	out := map[string]any{}
	if l.CPU != "" {
		out["cpu"] = string(l.CPU)
	}
	if l.Memory != "" {
		out["memory"] = string(l.Memory)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// component is a Milvus component block with only what the spec sets, or
// nil when it sets nothing, so the chart's defaults stay in charge.
func component(c model.Component) map[string]any {
	out := map[string]any{}
	if c.Replicas != nil {
		out["replicas"] = *c.Replicas
	}
	if r := resources(c.Resources); r != nil {
		out["resources"] = r
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// merge deep-merges src into dst and returns dst: where both hold a map the
// maps merge key by key, anything else in src replaces what dst holds. A nil
// in src stays a nil, which Helm reads as "delete the chart's default".
// src is copied, never aliased.
func merge(dst, src map[string]any) map[string]any {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = merge(dm, sm)
				continue
			}
		}
		dst[k] = clone(sv)
	}
	return dst
}

// clone deep-copies a decoded value. Integers become int, as in the rest of
// the values, so the maps compare and marshal the same whatever decoded
// them (CUE yields int64).
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = clone(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = clone(e)
		}
		return out
	case int64:
		if int64(int(v)) == v {
			return int(v)
		}
	case int32:
		return int(v)
	}
	return v
}
