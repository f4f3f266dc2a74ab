package diff

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/model"
)

// rootPasswordSecret: the Secret (or key) the proxies read Milvus's root
// password from changes. Milvus reads it only when it first creates root,
// so the change alone rotates nothing; and Milvus's pods do not start
// until the new Secret exists. `milvusgen rotate-password --from-secret`
// creates it with a new password and changes Milvus's to match.
func rootPasswordSecret(c *Change, old, new map[string]any) []Flag {
	if c.Op != Changed || !isHelmRelease(c) || !milvusValues(old) || !milvusValues(new) {
		return nil
	}
	oldName, oldKey, okOld := rootSecretRef(old)
	newName, newKey, okNew := rootSecretRef(new)
	if !okOld || !okNew || (oldName == newName && oldKey == newKey) {
		return nil
	}
	const field = "/spec/values/proxy/extraEnv"
	if oldName != newName {
		return []Flag{{Availability, field, fmt.Sprintf(
			"root password Secret %s → %s: Milvus keeps the password it has, and its pods do not start until %s exists; "+
				"before this reaches the cluster, run `milvusgen rotate-password --from-secret %s` on this change's tree "+
				"(it creates %s with a new password and changes Milvus's to match)", oldName, newName, newName, oldName, newName)}}
	}
	return []Flag{{Availability, field, fmt.Sprintf(
		"root password key %s → %s in Secret %s: Milvus's pods do not start until the Secret has key %s; "+
			"before this reaches the cluster, copy the current password to it", oldKey, newKey, newName, newKey)}}
}

// rootSecretRef is the Secret and key of the proxies' root password.
func rootSecretRef(obj map[string]any) (name, key string, ok bool) {
	env, _ := get(obj, "spec", "values", "proxy", "extraEnv")
	list, _ := env.([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m == nil || m["name"] != model.RootPasswordEnv {
			continue
		}
		name, key = str(m, "valueFrom", "secretKeyRef", "name"), str(m, "valueFrom", "secretKeyRef", "key")
		return name, key, name != ""
	}
	return "", "", false
}
