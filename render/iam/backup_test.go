package iam

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

func backupSpec(bucket, rootPath string) *model.Spec {
	s := modeltest.Runbook()
	s.Storage.RootPath = rootPath
	s.Backup = &model.Backup{Schedule: "0 3 * * *", Bucket: bucket, RootPath: "milvus-backup", Keep: 7, ServiceAccount: "milvus-backup"}
	s.DeriveNames()
	return s
}

// TestBackupPolicy: milvus-backup reads Milvus's objects and writes only
// its own prefix, in the data bucket or another one; the lint refuses a
// write to Milvus's data.
func TestBackupPolicy(t *testing.T) {
	for name, s := range map[string]*model.Spec{
		"data bucket":    backupSpec("", "milvus"),
		"another bucket": backupSpec("acme-backups", ""),
	} {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			var doc *Document
			for _, f := range files {
				if f.Path == BackupFile {
					doc = &Document{}
					if err := json.Unmarshal(f.Data, doc); err != nil {
						t.Fatal(err)
					}
				}
			}
			if doc == nil {
				t.Fatal("no backup policy rendered")
			}
			writes := map[string]bool{}
			for _, st := range doc.Statement {
				for _, a := range st.Action {
					if a == "s3:PutObject" || a == "s3:DeleteObject" {
						for _, r := range st.Resource {
							writes[r] = true
						}
					}
				}
			}
			if len(writes) != 1 || !writes[s.BackupObjectARN()] {
				t.Errorf("writes %v, want only %s", writes, s.BackupObjectARN())
			}
			bad := *doc
			bad.Statement = append(bad.Statement, Statement{Sid: "x", Effect: "Allow", Action: []string{"s3:PutObject"}, Resource: []string{s.ObjectARN()}})
			if p := LintBackup(s, &bad); len(p) != 1 || !strings.Contains(p[0], "outside the backups") {
				t.Errorf("lint of a write to Milvus's data: %v", p)
			}
		})
	}
}
