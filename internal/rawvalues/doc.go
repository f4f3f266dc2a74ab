// Package rawvalues is the allowlist for what a spec may pass to the Milvus
// chart and to Milvus itself outside milvusgen's own fields: raw Helm values
// (milvus.values), milvus.yaml keys (milvus.config) and the components'
// environment variables (extraEnv in the values).
//
// It follows pod-security-admission's check_restrictedVolumes: one table of
// what may pass, each entry with the reason it is safe, and one refusal
// path for everything else, at the key's position, naming the spec field to
// use instead or saying the key is not supported. New chart keys are refused
// until someone decides they are safe and adds them, with a test.
//
// There is no escape hatch. A key that decides where data, metadata or
// messages go, who may connect and how, how many pods run, or what the pods
// mount is set from the spec or not at all.
//
// Credentials are refused by the shape of their key at any depth (Credential),
// unless the value references a Kubernetes Secret.
package rawvalues
