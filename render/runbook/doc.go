// Package runbook renders aws/bootstrap.sh and aws/teardown.sh: the day-0
// runbook of "Deploy a Milvus cluster on EKS" as two scripts with the
// spec's real names in them.
//
// bootstrap.sh follows the runbook's order (S3 bucket, IAM policy, EKS
// cluster, storage, load balancer controller, Milvus), except that the
// Kubernetes side is the rendered tree applied through Flux rather than
// helm commands. Every step checks before it creates, so a failed or
// repeated run can simply be run again. teardown.sh undoes it in reverse and
// refuses to run without an explicit confirmation; it never deletes
// objects from the bucket.
//
// Both scripts run from any directory (they cd to their own) and refer to
// the other rendered files by relative path: aws/eksctl-cluster.yaml,
// aws/iam/, kubernetes/infrastructure/, kubernetes/apps/milvus/ and flux/.
// They use the operator's AWS CLI credentials and reference no access keys.
//
// Render is pure: it reads nothing but the spec, and the scripts carry no
// dates, so the same spec gives the same bytes.
package runbook
