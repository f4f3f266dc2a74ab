package spec

import (
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// checkBackup refuses the backup configurations milvus-backup fails on
// (its issues #55, #253-#256, #295, #623): a location in another region
// without crossRegion, the data bucket said to be elsewhere, a backup
// prefix that overlaps Milvus's own data, and a service account shared
// with Milvus.
func checkBackup(r *report, s *model.Spec) {
	b := s.Backup
	if b == nil {
		return
	}
	sameBucket := b.Bucket == "" || b.Bucket == s.Storage.Bucket
	if b.Region != "" && b.Region != s.AWS.Region {
		switch {
		case sameBucket:
			r.errorf("backup.region", "the backups go to the data bucket %s, which is in aws.region %s; remove backup.region, or set backup.bucket to a bucket in %s", s.Storage.Bucket, s.AWS.Region, b.Region)
		case !b.CrossRegion:
			r.errorf("backup.region", "the backup bucket %s is in %s, Milvus's bucket in %s: milvus-backup's server-side copy fails across regions; set backup.crossRegion: true (it then copies through the pod), or use a bucket in %s", b.Bucket, b.Region, s.AWS.Region, s.AWS.Region)
		}
	}
	if b.CrossRegion && s.BackupRegion() == s.AWS.Region {
		r.errorf("backup.crossRegion", "the backup bucket is in %s, as Milvus's; crossRegion copies every segment through the pod for nothing; remove it", s.AWS.Region)
	}
	if sameBucket && s.Storage.RootPath != "" && nests(b.RootPath, s.Storage.RootPath) {
		r.errorf("backup.rootPath", "%q overlaps Milvus's data under storage.rootPath %q in the same bucket: Milvus's garbage collection would remove backups, or backups would copy themselves; use a prefix beside it, e.g. %q", b.RootPath, s.Storage.RootPath, "milvus-backup")
	}
	if strings.EqualFold(b.PolicyName, s.Storage.PolicyName) {
		r.errorf("backup.policyName", "is the Milvus S3 policy's name %q (IAM names are unique per account, case-insensitively); pick another, or leave it out", s.Storage.PolicyName)
	}
	if b.ServiceAccount == s.Milvus.ServiceAccount {
		r.errorf("backup.serviceAccount", "is Milvus's service account %q: the backup needs its own role (read the data, write the backups); pick another name", s.Milvus.ServiceAccount)
	}
}

// nests reports whether one key prefix equals or lies under the other.
func nests(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}
