package sizing

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestBackupPodCounted: a scheduled backup's Job pod takes what
// render/backup requests, so the fit check keeps room for it.
func TestBackupPodCounted(t *testing.T) {
	without, err := NewWorkload(modeltest.Runbook())
	if err != nil {
		t.Fatal(err)
	}
	with, err := NewWorkload(modeltest.Variant(func(s *model.Spec) {
		s.Backup = &model.Backup{Schedule: "0 3 * * *", Keep: 7}
	}))
	if err != nil {
		t.Fatal(err)
	}
	var c Component
	for _, d := range with.Dependencies {
		if d.Name == "milvus-backup" {
			c = d
		}
	}
	if c.Replicas != 1 || c.Pod.MilliCPU != 500 || c.Pod.Memory != 512*MiB {
		t.Fatalf("milvus-backup: %+v; want one pod of 500m and 512Mi", c)
	}
	if got, want := with.Total().MilliCPU-without.Total().MilliCPU, int64(500); got != want {
		t.Errorf("total CPU grows by %dm with a backup; want %dm", got, want)
	}
}
