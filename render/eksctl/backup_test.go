package eksctl

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestBackupServiceAccount: with a backup section, eksctl's own decode,
// defaults and validation accept a second Milvus-namespace account, bound
// to the backup policy alone, under IRSA and Pod Identity.
func TestBackupServiceAccount(t *testing.T) {
	for _, id := range []string{model.IRSA, model.PodIdentity} {
		t.Run(id, func(t *testing.T) {
			s := modeltest.Runbook()
			s.Cluster.Identity = id
			s.Backup = &model.Backup{Schedule: "0 3 * * *", RootPath: "milvus-backup", Keep: 7, ServiceAccount: "milvus-backup"}
			s.DeriveNames()
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := consumer.Eksctl(files[0].Data)
			if err != nil {
				t.Fatalf("eksctl rejects the ClusterConfig: %v", err)
			}
			found := 0
			if id == model.IRSA {
				for _, sa := range cfg.IAM.ServiceAccounts {
					if sa.Name == "milvus-backup" && sa.Namespace == s.Milvus.Namespace {
						found++
						if len(sa.AttachPolicyARNs) != 1 || sa.AttachPolicyARNs[0] != s.BackupPolicyARN() {
							t.Errorf("backup account policies %v", sa.AttachPolicyARNs)
						}
					}
				}
			} else {
				for _, a := range cfg.IAM.PodIdentityAssociations {
					if a.ServiceAccountName == "milvus-backup" && a.Namespace == s.Milvus.Namespace {
						found++
						if len(a.PermissionPolicyARNs) != 1 || a.PermissionPolicyARNs[0] != s.BackupPolicyARN() {
							t.Errorf("backup association policies %v", a.PermissionPolicyARNs)
						}
					}
				}
			}
			if found != 1 {
				t.Errorf("%d backup accounts, want 1", found)
			}
		})
	}
}
