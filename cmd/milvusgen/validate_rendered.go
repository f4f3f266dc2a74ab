package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/milvusgen/milvusgen/internal/agreement"
)

// renderedFlag is validate's flag that checks a rendered tree instead of a
// spec.
const renderedFlag = "rendered"

// bindRendered adds --rendered DIR to validate's flags.
func bindRendered(fs *pflag.FlagSet) *string {
	return fs.String(renderedFlag, "", "check the rendered tree in DIR instead of a spec: the cluster, region, account, bucket, service accounts and policy must agree across its files (no -f)")
}

// validateRendered checks that the artifacts of the tree in dir agree with
// each other and lists every disagreement: exit 0 when they agree, 1 when
// not, 2 when dir is not a directory or a spec was given too.
func (e env) validateRendered(dir string, specs []string) error {
	if len(specs) > 0 {
		return usageError{fmt.Sprintf("validate: --%s checks a rendered tree and takes no -f; to compare a tree with a spec run: milvusgen render %s -o %s --check", renderedFlag, flagList(specs), dir)}
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError{fmt.Sprintf("validate: --%s %s: not a directory", renderedFlag, dir)}
	}
	problems := agreement.Check(os.DirFS(dir))
	if len(problems) == 0 {
		fmt.Fprintf(e.stdout, "%s: the rendered artifacts agree\n", dir)
		return nil
	}
	noun := "problem"
	if len(problems) > 1 {
		noun = "problems"
	}
	fmt.Fprintf(e.stderr, "%s: the rendered artifacts disagree (%d %s):\n", dir, len(problems), noun)
	for _, p := range problems {
		fmt.Fprintf(e.stderr, "  %s\n", p)
	}
	return errReported
}
