package rawvalues

import "strings"

// Lists are the Helm values lists milvusgen writes entries into and raw
// values may add to: the root password's variable stays when a raw
// extraEnv adds more (MergeLists).
var Lists = []string{"mixCoordinator.extraEnv", "proxy.extraEnv"}

// MergeLists returns user with each list of Lists that ours also holds
// replaced by ours followed by the user's entries. Neither argument is
// modified; maps on the way to a merged list are copied.
func MergeLists(ours, user map[string]any) map[string]any {
	out := user
	for _, path := range Lists {
		elems := strings.Split(path, ".")
		ol, ok := lookup(ours, elems).([]any)
		if !ok {
			continue
		}
		ul, ok := lookup(out, elems).([]any)
		if !ok {
			continue
		}
		merged := append(append(make([]any, 0, len(ol)+len(ul)), ol...), ul...)
		out = set(out, elems, merged)
	}
	return out
}

func lookup(m map[string]any, path []string) any {
	var cur any = m
	for _, p := range path {
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = cm[p]
	}
	return cur
}

// set returns a copy of m along path with the leaf set to v.
func set(m map[string]any, path []string, v any) map[string]any {
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = e
	}
	if len(path) == 1 {
		out[path[0]] = v
		return out
	}
	next, _ := m[path[0]].(map[string]any)
	out[path[0]] = set(next, path[1:], v)
	return out
}
