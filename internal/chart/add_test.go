package chart

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/shared"
)

func sharedArchives(t *testing.T) []string {
	t.Helper()
	archives, err := filepath.Glob(filepath.Join(shared.MustPath(t, "charts"), "*.tgz"))
	if err != nil || len(archives) != 2 {
		t.Fatalf("shared archives %v: %v", archives, err)
	}
	return archives
}

func TestAddLocksOffline(t *testing.T) {
	c := NewCache(filepath.Join(t.TempDir(), "charts"))
	got, err := c.Add(sharedArchives(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Action{"aws-load-balancer-controller@3.5.0": Added, "milvus@5.0.19": Added}
	if diff := cmp.Diff(want, actions(got)); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	lock, err := readLock(c.Dir)
	if err != nil || lock == nil {
		t.Fatalf("lock: %v %v", lock, err)
	}
	for _, ref := range Refs(modeltest.Runbook()) {
		e := lock.find(ref.Name, ref.Version)
		if e == nil || e.Repository != ref.Repository || !strings.HasPrefix(e.Digest, "sha256:") {
			t.Errorf("lock entry for %s: %+v, want the chart's own repository %s and a digest", ref, e, ref.Repository)
			continue
		}
		if _, err := c.Load(ref); err != nil {
			t.Errorf("load %s after add: %v", ref, err)
		}
	}
	// The same archives again: nothing to do.
	got, err = c.Add(sharedArchives(t))
	if err != nil {
		t.Fatal(err)
	}
	if a := actions(got); a["milvus@5.0.19"] != Cached || a["aws-load-balancer-controller@3.5.0"] != Cached {
		t.Errorf("second add: %v, want both cached", a)
	}
}

// TestAddInPlace locks a plain directory of archives copied by hand.
func TestAddInPlace(t *testing.T) {
	dir := t.TempDir()
	var inDir []string
	for _, a := range sharedArchives(t) {
		data, _ := os.ReadFile(a)
		p := filepath.Join(dir, filepath.Base(a))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		inDir = append(inDir, p)
	}
	var warnings []string
	c := NewCache(dir)
	c.Warn = func(s string) { warnings = append(warnings, s) }
	for range 2 {
		if _, err := c.Load(Refs(modeltest.Runbook())[1]); err != nil {
			t.Fatal(err)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "has no "+LockName) || !strings.Contains(warnings[0], "milvusgen chart add") {
		t.Errorf("warnings %q, want one naming the missing lock and chart add", warnings)
	}
	if _, err := c.Add(inDir); err != nil {
		t.Fatal(err)
	}
	warnings = nil
	c = NewCache(dir)
	c.Warn = func(s string) { warnings = append(warnings, s) }
	if _, err := c.Load(Refs(modeltest.Runbook())[1]); err != nil || len(warnings) != 0 {
		t.Errorf("after add: load err %v, warnings %q", err, warnings)
	}
}

func TestAddRefusals(t *testing.T) {
	dir := t.TempDir()
	c := NewCache(filepath.Join(dir, "charts"))
	if _, err := c.Add(sharedArchives(t)); err != nil {
		t.Fatal(err)
	}
	notChart := filepath.Join(dir, "notes.tgz")
	if err := os.WriteFile(notChart, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The archive is read through the bounded reader: a device is refused
	// before it is opened, an oversize archive by its size.
	big := filepath.Join(dir, "big.tgz")
	if f, err := os.Create(big); err == nil {
		f.Truncate(input.Chart + 1)
		f.Close()
	}
	_, err := c.Add([]string{notChart, filepath.Join(dir, "missing.tgz"), "/dev/zero", big})
	for _, want := range []string{
		notChart + " is not a chart archive",
		"reading chart archive " + filepath.Join(dir, "missing.tgz") + " failed",
		"reading chart archive /dev/zero failed: it is a character device",
		"reading chart archive " + big + " failed: it is 33554433 bytes; at most 33554432",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
	// Tamper with the locked digest: the archive no longer matches it.
	lock, _ := readLock(c.Dir)
	for i := range lock.Charts {
		lock.Charts[i].Digest = "sha256:" + strings.Repeat("0", 64)
	}
	if err := os.Remove(filepath.Join(c.Dir, LockName)); err != nil {
		t.Fatal(err)
	}
	if err := writeLock(c.Dir, lock.Charts); err != nil {
		t.Fatal(err)
	}
	_, err = c.Add([]string{sharedArchives(t)[1]})
	var de *DigestError
	if !errors.As(err, &de) || de.By != "lock" {
		t.Errorf("archive with another digest than the lock's: err = %v, want a *DigestError by the lock", err)
	}
}

func TestValidateMirror(t *testing.T) {
	for _, bad := range []string{"notaurl", "ftp://host/x", "oci://registry.example.com/charts", "https://", "/local/dir", "charts.example.com"} {
		err := ValidateMirror(bad)
		if err == nil || !strings.Contains(err.Error(), "is not a Helm repository URL") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	// Issue 17 item 2: no credentials in a repository URL, and the
	// message does not repeat them.
	for _, bad := range []string{"https://charts.example.com/milvus?private_token=glpat-secret", "https://bot:glpat-secret@charts.example.com/milvus", "https://charts.example.com/milvus#glpat-secret", "https://charts.example.com/milvus?"} {
		err := ValidateMirror(bad)
		if err == nil || !strings.Contains(err.Error(), "must not carry credentials") || strings.Contains(err.Error(), "glpat-secret") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	for _, good := range []string{"https://charts.example.com/milvus", "http://127.0.0.1:8080"} {
		if err := ValidateMirror(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	c := NewCache(t.TempDir())
	opts := DefaultPullOptions()
	opts.Mirror = "notaurl"
	_, err := c.Pull(Refs(modeltest.Runbook()), opts)
	if err == nil || strings.Contains(err.Error(), "protocol handler") || !strings.Contains(err.Error(), `mirror "notaurl"`) {
		t.Errorf("pull with --mirror notaurl: err = %v", err)
	}
}
