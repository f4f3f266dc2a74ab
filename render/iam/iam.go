package iam

import (
	"fmt"
	"slices"
	"strings"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
)

// Output paths, relative to the output root. bootstrap.sh refers to
// ReadWriteFile, so its name is part of the contract.
const (
	// ReadWriteFile is the Milvus S3 policy document.
	ReadWriteFile = "aws/iam/milvus-s3-readwrite.json"
	// BucketManagementFile is the operator's policy on the bucket.
	BucketManagementFile = "aws/iam/s3-bucket-management.json"
	// PolicyManagementFile is the operator's policy on the Milvus policy.
	PolicyManagementFile = "aws/iam/iam-policy-management.json"
	// BackupFile is milvus-backup's policy, rendered only with a backup
	// section.
	BackupFile = "aws/iam/milvus-backup.json"
	// KMSFile is the EBS CSI driver's policy on the customer KMS key,
	// rendered only when storage.storageClass.kmsKeyID is set.
	KMSFile = "aws/iam/ebs-kms.json"
)

// Version is the only current IAM policy language version.
const Version = "2012-10-17"

// Document is an IAM policy document. The field order is the order AWS
// documents use, and it is the order in the rendered JSON.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one Allow statement over exact resources, optionally
// under a condition (operator → key → value, as IAM writes it).
type Statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Render returns the three policy documents of s in a fixed order. It
// fails if a document exceeds [MaxManagedPolicySize].
func Render(s *model.Spec) ([]manifest.File, error) {
	docs := []struct {
		path string
		doc  *Document
	}{
		{ReadWriteFile, buildReadWrite(s)},
		{BucketManagementFile, buildBucketManagement(s)},
		{PolicyManagementFile, buildPolicyManagement(s)},
	}
	if s.UsesKMSKey() {
		docs = append(docs, struct {
			path string
			doc  *Document
		}{KMSFile, buildKMS(s)})
	}
	if s.Backup != nil {
		docs = append(docs, struct {
			path string
			doc  *Document
		}{BackupFile, buildBackup(s)})
	}
	files := make([]manifest.File, 0, len(docs))
	for _, d := range docs {
		lint := Lint
		if d.path == BackupFile {
			lint = LintBackup
		}
		if problems := lint(s, d.doc); len(problems) > 0 {
			return nil, fmt.Errorf("%s: %s", d.path, strings.Join(problems, "; "))
		}
		f, err := manifest.JSON(d.path, d.doc)
		if err != nil {
			return nil, err
		}
		if err := checkSize(f.Path, f.Data); err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// buildReadWrite is the policy Milvus runs with: ListBucket on the bucket
// (the S3 client's bucket-exists check is a HeadBucket, which needs it), and
// object access under ObjectARN only. minio-go aborts a multipart upload
// that failed; without AbortMultipartUpload the parts it had written stay
// in the bucket, billed and invisible to a plain listing.
func buildReadWrite(s *model.Spec) *Document {
	return &Document{
		Version: Version,
		Statement: []Statement{
			{
				Sid:      "MilvusListBucket",
				Effect:   "Allow",
				Action:   []string{"s3:ListBucket"},
				Resource: []string{s.BucketARN()},
			},
			{
				Sid:      "MilvusReadWriteObjects",
				Effect:   "Allow",
				Action:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
				Resource: []string{s.ObjectARN()},
			},
		},
	}
}

// buildBucketManagement grants exactly the S3 calls bootstrap.sh and
// teardown.sh make on the bucket: head-bucket (ListBucket), create-bucket
// and put-bucket-ownership-controls (BucketOwnerEnforced: ACLs off),
// put-public-access-block, the lifecycle rule that aborts incomplete
// multipart uploads, and delete-bucket. It grants no object access, so the
// scripts cannot empty the bucket.
func buildBucketManagement(s *model.Spec) *Document {
	return &Document{
		Version: Version,
		Statement: []Statement{{
			Sid:    "S3BucketManagement",
			Effect: "Allow",
			Action: []string{
				"s3:CreateBucket",
				"s3:PutBucketOwnershipControls",
				"s3:PutBucketPublicAccessBlock",
				"s3:GetLifecycleConfiguration",
				"s3:PutLifecycleConfiguration",
				"s3:ListBucket",
				"s3:DeleteBucket",
			},
			Resource: []string{s.BucketARN()},
		}},
	}
}

// buildPolicyManagement grants the IAM calls bootstrap.sh and teardown.sh
// make on the Milvus policy, including the version calls that let a re-run
// replace the document (after a rootPath change, say), and the tag calls
// that record which document the default version holds, so a re-run with
// the same document creates no version.
func buildPolicyManagement(s *model.Spec) *Document {
	return &Document{
		Version: Version,
		Statement: []Statement{{
			Sid:    "IAMPolicyManagement",
			Effect: "Allow",
			Action: []string{
				"iam:CreatePolicy",
				"iam:GetPolicy",
				"iam:DeletePolicy",
				"iam:CreatePolicyVersion",
				"iam:ListPolicyVersions",
				"iam:DeletePolicyVersion",
				"iam:ListPolicyTags",
				"iam:TagPolicy",
			},
			Resource: managedPolicies(s),
		}},
	}
}

// managedPolicies are the customer-managed policies the scripts create.
func managedPolicies(s *model.Spec) []string {
	arns := []string{s.PolicyARN()}
	if s.UsesKMSKey() {
		arns = append(arns, s.KMSPolicyARN())
	}
	if s.Backup != nil {
		arns = append(arns, s.BackupPolicyARN())
	}
	return arns
}

// buildKMS lets the EBS CSI driver encrypt volumes with the spec's key,
// on that key only: the policy the EKS user guide gives the driver for a
// customer-managed key (KMS_Key_For_Encryption_On_EBS_Policy, "Create an
// Amazon EBS CSI driver IAM role"). Grants are what EC2 uses to attach an
// encrypted volume to an instance, so creating, listing and revoking them
// is allowed only for grants to an AWS service
// (kms:GrantIsForAWSResource); the data-key calls are what EBS makes when
// it creates, copies or re-encrypts a volume (ReEncrypt* covers
// ReEncryptFrom and ReEncryptTo, GenerateDataKey* the plaintext-free
// variant among others).
func buildKMS(s *model.Spec) *Document {
	key := []string{s.Storage.StorageClass.KMSKeyID}
	return &Document{
		Version: Version,
		Statement: []Statement{
			{
				Sid:       "EBSCSIKMSGrants",
				Effect:    "Allow",
				Action:    []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"},
				Resource:  key,
				Condition: map[string]map[string]string{"Bool": {"kms:GrantIsForAWSResource": "true"}},
			},
			{
				Sid:    "EBSCSIKMSKey",
				Effect: "Allow",
				Action: []string{
					"kms:Encrypt",
					"kms:Decrypt",
					"kms:ReEncrypt*",
					"kms:GenerateDataKey*",
					"kms:DescribeKey",
				},
				Resource: slices.Clone(key),
			},
		},
	}
}

// Lint returns the least-privilege problems of a rendered policy: wildcard
// actions, wildcard resources, and S3 object actions outside the Milvus
// bucket (and rootPath). Render refuses to write a document with any.
func Lint(s *model.Spec, d *Document) []string {
	var problems []string
	for i, st := range d.Statement {
		for _, a := range st.Action {
			if a == "*" || strings.HasSuffix(a, ":*") {
				problems = append(problems, fmt.Sprintf("statement %d allows every action (%q)", i, a))
			}
		}
		for _, r := range st.Resource {
			if r == "*" {
				problems = append(problems, fmt.Sprintf("statement %d applies to every resource", i))
				continue
			}
			for _, a := range st.Action {
				if isObjectAction(a) && r != s.ObjectARN() {
					problems = append(problems, fmt.Sprintf("statement %d grants %s on %s, outside %s", i, a, r, s.ObjectARN()))
				}
			}
		}
	}
	return problems
}

// LintBackup is Lint for milvus-backup's policy: no wildcards, object
// reads only on Milvus's objects, and writes only on the backups'.
func LintBackup(s *model.Spec, d *Document) []string {
	var problems []string
	for i, st := range d.Statement {
		for _, a := range st.Action {
			if a == "*" || strings.HasSuffix(a, ":*") {
				problems = append(problems, fmt.Sprintf("statement %d allows every action (%q)", i, a))
			}
		}
		for _, r := range st.Resource {
			if r == "*" {
				problems = append(problems, fmt.Sprintf("statement %d applies to every resource", i))
				continue
			}
			for _, a := range st.Action {
				switch {
				case !isObjectAction(a), r == s.BackupObjectARN():
				case r == s.ObjectARN() && a == "s3:GetObject":
				default:
					problems = append(problems, fmt.Sprintf("statement %d grants %s on %s, outside the backups %s (and reads of %s)", i, a, r, s.BackupObjectARN(), s.ObjectARN()))
				}
			}
		}
	}
	return problems
}

// buildBackup is milvus-backup's policy: list both buckets, read Milvus's
// objects (the source of each copy), and read, write and delete the
// backups (copies, retention). It cannot write Milvus's data: a restore
// runs with other credentials, by hand.
func buildBackup(s *model.Spec) *Document {
	buckets := []string{s.BucketARN()}
	if s.BackupBucketARN() != s.BucketARN() {
		buckets = append(buckets, s.BackupBucketARN())
	}
	return &Document{
		Version: Version,
		Statement: []Statement{
			{Sid: "BackupListBuckets", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: buckets},
			{Sid: "BackupReadMilvusData", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{s.ObjectARN()}},
			{
				Sid:      "BackupWriteBackups",
				Effect:   "Allow",
				Action:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
				Resource: []string{s.BackupObjectARN()},
			},
		},
	}
}

func isObjectAction(a string) bool {
	switch a {
	case "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts":
		return true
	}
	return false
}

// MaxManagedPolicySize is the largest managed policy document IAM accepts,
// in characters, whitespace not counted.
const MaxManagedPolicySize = 6144

// MinifiedSize is the size of a JSON policy document the way IAM counts it
// against MaxManagedPolicySize: every character except whitespace. IAM
// ignores whitespace wherever it is, inside strings too, so indentation
// does not count and a pretty-printed document measures the same as its
// minified form.
func MinifiedSize(doc []byte) int {
	n := 0
	for _, r := range string(doc) {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// checkSize returns an error naming path when doc is larger than
// MaxManagedPolicySize.
func checkSize(path string, doc []byte) error {
	if n := MinifiedSize(doc); n > MaxManagedPolicySize {
		return fmt.Errorf("%s: policy document is %d characters without whitespace, more than the %d IAM allows for a managed policy", path, n, MaxManagedPolicySize)
	}
	return nil
}
