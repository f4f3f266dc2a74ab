package model

import "strings"

// Names of the backup objects, derived once here like every other name.

// BackupImage is the milvus-backup image the CronJob runs, pinned: the
// config layout below is v0.5.16's (the main branch after it moves to
// configVersion v2).
const BackupImage = "milvusdb/milvus-backup:v0.5.16"

// What the backup Job's one container requests, and its memory limit:
// render/backup sets them, and the fit check reserves room for the Job's
// pod, which the CronJob starts on whatever node has it.
const (
	BackupCPURequest    = "500m"
	BackupMemoryRequest = "512Mi"
	BackupMemoryLimit   = "2Gi"
)

// BackupName names the backup CronJob and its ConfigMap.
func (s *Spec) BackupName() string { return s.Name + "-backup" }

// BackupBucket is the bucket the backups go to: backup.bucket, or the data
// bucket.
func (s *Spec) BackupBucket() string {
	if s.Backup != nil && s.Backup.Bucket != "" {
		return s.Backup.Bucket
	}
	return s.Storage.Bucket
}

// BackupRegion is the backup bucket's region: backup.region, or aws.region.
func (s *Spec) BackupRegion() string {
	if s.Backup != nil && s.Backup.Region != "" {
		return s.Backup.Region
	}
	return s.AWS.Region
}

// BackupS3Host is the regional S3 endpoint of the backup bucket.
func (s *Spec) BackupS3Host() string { return "s3." + s.BackupRegion() + "." + s.dnsSuffix() }

// BackupBucketARN is the ARN of the backup bucket.
func (s *Spec) BackupBucketARN() string { return "arn:" + s.Partition() + ":s3:::" + s.BackupBucket() }

// BackupObjectARN is the ARN pattern of the backups' objects.
func (s *Spec) BackupObjectARN() string {
	return s.BackupBucketARN() + "/" + s.Backup.RootPath + "/*"
}

// DefaultBackupPolicyName is the backup policy's name when the spec
// leaves it out: per cluster and region, like the Milvus policy.
func (s *Spec) DefaultBackupPolicyName() string {
	return FitName("milvusgen-"+s.Cluster.Name+"-"+s.AWS.Region+"-backup", MaxIAMPolicyName)
}

// BackupPolicyARN is the ARN of the backup's IAM policy.
func (s *Spec) BackupPolicyARN() string {
	return "arn:" + s.Partition() + ":iam::" + s.AWS.AccountID + ":policy/" + s.Backup.PolicyName
}

// MilvusAddress is the in-cluster DNS name of the Milvus proxy Service the
// chart creates (its fullname: the release name, plus "-milvus" unless the
// name already holds "milvus").
func (s *Spec) MilvusAddress() string {
	svc := s.Name
	if !strings.Contains(s.Name, "milvus") {
		svc += "-milvus"
	}
	return svc + "." + s.Milvus.Namespace + ".svc"
}
