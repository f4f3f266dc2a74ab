package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestUpgradeDoc runs every console block of docs/upgrades-and-backups.md
// (one `$ milvusgen …` command per block, from the repository root) and
// compares its output with the block: the documented path is what the
// binary prints.
func TestUpgradeDoc(t *testing.T) {
	t.Chdir("../..")
	data, err := os.ReadFile("docs/upgrades-and-backups.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(data), "```console\n")[1:]
	if len(blocks) < 3 {
		t.Fatalf("want at least 3 console blocks, got %d", len(blocks))
	}
	for _, b := range blocks {
		b, _, _ = strings.Cut(b, "```")
		cmdline, want, _ := strings.Cut(b, "\n")
		args, ok := strings.CutPrefix(cmdline, "$ milvusgen ")
		if !ok {
			t.Fatalf("block does not start with a milvusgen command: %q", cmdline)
		}
		var out bytes.Buffer
		run(append([]string{"--today", "2026-12-07"}, strings.Fields(args)...), strings.NewReader(""), &out, &out)
		if got := out.String(); got != want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", cmdline, got, want)
		}
	}
}
