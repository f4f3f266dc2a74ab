package backup

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestConfigKeysAreMilvusBackups: every key backup.yaml sets is one that
// milvus-backup v0.5.16 (the pinned image) reads; a key it does not read
// would be ignored without a word, leaving its default (localhost etcd,
// MinIO credentials). The list is taken from that tag's internal/cfg.
func TestConfigKeysAreMilvusBackups(t *testing.T) {
	if !strings.HasSuffix(model.BackupImage, ":v0.5.16") {
		t.Fatalf("the backup image is %s: regenerate testdata/milvus-backup-v0.5.16-keys.txt for it", model.BackupImage)
	}
	known := readKeys(t, "testdata/milvus-backup-v0.5.16-keys.txt")
	for _, tls := range []int{0, 2} {
		s := modeltest.Variant(func(s *model.Spec) {
			s.Backup = &model.Backup{Schedule: "0 3 * * *", RootPath: "milvus-backup", Keep: 7, ServiceAccount: "milvus-backup"}
			s.Milvus.Auth.Enabled = true
			s.Milvus.TLS.Mode = tls
		})
		var unknown []string
		for _, k := range leaves("", Config(s)) {
			if !known[k] {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		if len(unknown) > 0 {
			t.Errorf("tls mode %d: backup.yaml sets keys milvus-backup v0.5.16 does not read: %v", tls, unknown)
		}
	}
}

func readKeys(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			keys[l] = true
		}
	}
	if len(keys) < 50 {
		t.Fatalf("%s holds %d keys; is it truncated?", path, len(keys))
	}
	return keys
}

// leaves are the dotted paths of m's non-map values.
func leaves(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			out = append(out, leaves(prefix+k+".", sub)...)
			continue
		}
		out = append(out, prefix+k)
	}
	return out
}
