// Package iam renders the three IAM policy documents of a deployment under
// aws/iam/:
//
//   - milvus-s3-readwrite.json, the customer-managed policy eksctl attaches
//     to the Milvus service account's IRSA role: list the bucket, and read,
//     write and delete objects under the bucket (or only under rootPath);
//   - s3-bucket-management.json, what the operator running bootstrap.sh and
//     teardown.sh needs on the one bucket;
//   - iam-policy-management.json, what the same operator needs on the one
//     Milvus policy.
//
// Every Resource is an exact ARN derived by the model; nothing is granted on
// "*". The operator also needs eksctl's own minimum policies, which are not
// rendered here.
//
// Render is pure: it reads nothing but the spec and returns the files in a
// fixed order. It fails, naming the file, if a document exceeds the size
// IAM accepts for a managed policy (see [MinifiedSize]).
package iam
