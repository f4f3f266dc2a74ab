// Package backup renders milvus-backup for the spec's Milvus: a CronJob
// running the pinned image, and its backup.yaml (a ConfigMap) built from
// the same bucket, root path, region and credentials mode as Milvus's
// values, so the two cannot disagree. Secrets reach the pod through
// milvus-backup's environment overrides (MILVUS_PASSWORD from the root
// Secret), never through the file. The service account and its IAM
// policy are render/eksctl's and render/iam's, from the same model names.
package backup
