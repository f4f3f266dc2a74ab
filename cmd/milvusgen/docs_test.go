package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// docCommand is one command shown in the docs after a "$ " prompt, with
// the output the docs say it prints and its exit code ("[exit N]" after
// the output; 0 when absent).
type docCommand struct {
	file string
	line int
	args []string
	want string
	exit int
}

var reExit = regexp.MustCompile(`^\[exit (\d+)\]$`)

// docCommands reads the ```sh blocks of a Markdown file whose lines start
// with "$ ": each such line is a command, the lines up to the next prompt
// or the block's end its expected output. Blocks without a prompt are
// illustrations (make targets, shell setup) and are not run.
func docCommands(t *testing.T, path string) []docCommand {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []docCommand
	var cur *docCommand
	var want []string
	inSh := false
	fence := 0 // the block's indentation (a list item's), stripped from its lines
	flush := func() {
		if cur == nil {
			return
		}
		if n := len(want); n > 0 {
			if m := reExit.FindStringSubmatch(want[n-1]); m != nil {
				cur.exit, _ = strconv.Atoi(m[1])
				want = want[:n-1]
			}
		}
		cur.want = strings.Join(want, "\n")
		out = append(out, *cur)
		cur, want = nil, nil
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		switch {
		case !inSh && trimmed == "```sh":
			inSh, fence = true, indent
		case inSh && trimmed == "```":
			flush()
			inSh = false
		case inSh && strings.HasPrefix(trimmed, "$ "):
			flush()
			fields := strings.Fields(strings.TrimPrefix(trimmed, "$ "))
			cur = &docCommand{file: path, line: n, args: fields}
		case inSh && cur != nil:
			// Output lines keep their own indentation beyond the block's.
			want = append(want, strings.TrimRight(line[min(fence, indent):], " "))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDocsCommands runs every command the README and docs/ show after a
// "$ " prompt, from the repository's root with the date pinned, and checks
// its output and exit code (issue 19 item 6), so the docs cannot drift
// from the tool. A command other than milvusgen fails the test: the docs
// show nothing this test cannot run.
func TestDocsCommands(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(root, "README.md")}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, docs...)
	var cmds []docCommand
	for _, f := range files {
		cmds = append(cmds, docCommands(t, f)...)
	}
	if len(cmds) < 6 {
		t.Fatalf("found %d commands in the docs; the parser lost them", len(cmds))
	}
	t.Chdir(root)
	for _, c := range cmds {
		rel, _ := filepath.Rel(root, c.file)
		t.Run(fmt.Sprintf("%s:%d", rel, c.line), func(t *testing.T) {
			if c.args[0] != "milvusgen" {
				t.Fatalf("the docs show %q, which this test cannot run; show milvusgen commands after a $ prompt", strings.Join(c.args, " "))
			}
			code, stdout, stderr := milvusgen(t, append(c.args[1:], today)...)
			got := strings.TrimRight(stdout+stderr, "\n")
			if code != c.exit || got != c.want {
				t.Errorf("$ %s\nexit %d, docs say %d\n--- got:\n%s\n--- docs say:\n%s", strings.Join(c.args, " "), code, c.exit, got, c.want)
			}
		})
	}
}
