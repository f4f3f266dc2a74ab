package upgrade

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteText prints the plan for a person: each stage's spec change, what
// it restarts in which order, and the checks before the next stage.
func WriteText(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "upgrade Milvus %s (chart %s) → %s: %d stage%s (%s)\n", p.From.Milvus, p.From.Chart, p.To, len(p.Stages), plural(len(p.Stages)), p.Engine)
	fmt.Fprintf(&b, "message queue: %s, unchanged throughout\n", p.From.MessageQueue)
	for _, s := range p.Stages {
		fmt.Fprintf(&b, "\nstage %d: Milvus %s → %s (chart %s → %s)\n", s.N, s.From.Milvus, s.To.Milvus, s.From.Chart, s.To.Chart)
		b.WriteString("  spec change (one commit):\n")
		for _, c := range s.Changes {
			switch {
			case c.To == "":
				fmt.Fprintf(&b, "    remove %s (was %q)\n", c.Path, c.From)
			case c.From == "":
				fmt.Fprintf(&b, "    set %s: %q\n", c.Path, c.To)
			default:
				fmt.Fprintf(&b, "    %s: %q → %q\n", c.Path, c.From, c.To)
			}
		}
		b.WriteString(DescribeStep(s.Step, "  "))
		if s.N < len(p.Stages) {
			fmt.Fprintf(&b, "  checks before stage %d:\n", s.N+1)
		} else {
			b.WriteString("  checks when done:\n")
		}
		for i, c := range s.Checks {
			fmt.Fprintf(&b, "    %d. %s: %s\n", i+1, c.Name, c.Expect)
			if c.Command != "" {
				fmt.Fprintf(&b, "       $ %s\n", c.Command)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// DescribeStep says what a step restarts, adds and removes, in which
// order, and whether that order holds; diff prints it for a legal
// version change.
func DescribeStep(s Step, indent string) string {
	var b strings.Builder
	var seq []string
	for _, c := range s.Restarts {
		if slices.Contains(s.Added, c) {
			c += " (new)"
		}
		seq = append(seq, c)
	}
	fmt.Fprintf(&b, "%srestarts, in this order: %s\n", indent, strings.Join(seq, " → "))
	if len(s.Removed) > 0 {
		fmt.Fprintf(&b, "%sremoves: %s\n", indent, strings.Join(s.Removed, ", "))
	}
	fmt.Fprintf(&b, "%sorder: %s\n", indent, s.Order)
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
