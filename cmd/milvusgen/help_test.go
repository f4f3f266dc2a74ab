package main

import (
	"strings"
	"testing"
)

// TestHelpUnknownTopic: help for a command that does not exist is a usage
// error, as the command itself would be (cobra's help exits 0).
func TestHelpUnknownTopic(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"help", "nosuch"}, `help: unknown command "milvusgen nosuch"`},
		{[]string{"help", "rendr"}, `did you mean "render"?`},
		{[]string{"help", "chart", "nosuch"}, `help: unknown command "milvusgen chart nosuch"`},
		{[]string{"help", "chart", "pul"}, `did you mean "pull"?`},
		{[]string{"help", "validate", "extra"}, `unknown command "milvusgen validate extra"`},
	} {
		code, stdout, stderr := milvusgen(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, stdout, stderr, exitUsage, tc.want)
		}
	}
	for _, args := range [][]string{{"help"}, {"help", "chart", "pull"}, {"help", "help"}} {
		if code, stdout, stderr := milvusgen(t, args...); code != exitOK || !strings.Contains(stdout, "Usage:") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
