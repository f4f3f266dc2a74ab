package livediff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Summary is one line: what the merge would change in the cluster.
func (r *Report) Summary() string {
	if r.Equal() {
		return fmt.Sprintf("the cluster matches the tree (%d objects compared)", r.Unchanged)
	}
	return fmt.Sprintf("%d drifted, %d to create, %d to prune, %d created by their release, %d refused, %d unchanged",
		r.Count(Drift), r.Count(Create), r.Count(Prune), r.Count(CreatedByRelease), r.Count(Failed), r.Unchanged)
}

// WriteText writes the report for a terminal.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	where := ""
	if r.Server != "" {
		where = " at " + r.Server
	}
	fmt.Fprintf(&b, "milvusgen diff --live%s: %s\n", where, r.Summary())
	for _, e := range r.Entries {
		fmt.Fprintf(&b, "\n%s %s", symbol(e.Op), e.Subject)
		if e.File != "" {
			fmt.Fprintf(&b, "  %s", e.File)
		}
		fmt.Fprintf(&b, " (%s", e.Op)
		if e.Manager != "" {
			fmt.Fprintf(&b, ", as %s", e.Manager)
		}
		b.WriteString(")\n")
		for _, f := range e.Fields {
			fmt.Fprintf(&b, "    ~ %s: %s (live) → %s (tree)\n", f.Path, f.Live, f.Tree)
		}
		if e.Note != "" {
			fmt.Fprintf(&b, "    %s\n", e.Note)
		}
		if e.Risk != "" {
			fmt.Fprintf(&b, "    ! %s\n", e.Risk)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func symbol(op Op) string {
	switch op {
	case Create, CreatedByRelease:
		return "+"
	case Prune:
		return "-"
	case Failed:
		return "!"
	}
	return "~"
}

// WriteMarkdown writes the report as a section of a PR comment.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	b.WriteString("### milvusgen diff --live\n\n")
	fmt.Fprintf(&b, "%s.\n", capitalize(r.Summary()))
	var risky []string
	for _, e := range r.Entries {
		if e.Risk != "" {
			risky = append(risky, fmt.Sprintf("| **%s** | %s | %s |", strings.SplitN(e.Risk, ":", 2)[0], cell(e.Subject), cell(strings.TrimSpace(strings.SplitN(e.Risk, ":", 2)[1]))))
		}
	}
	if len(risky) > 0 {
		b.WriteString("\n| risk | object | why |\n|---|---|---|\n" + strings.Join(risky, "\n") + "\n")
	}
	if !r.Equal() {
		b.WriteString("\n| change | object | field | live | tree |\n|---|---|---|---|---|\n")
		for _, e := range r.Entries {
			if len(e.Fields) == 0 {
				fmt.Fprintf(&b, "| %s | %s | | | %s |\n", e.Op, cell(e.Subject), cell(e.Note))
			}
			for _, f := range e.Fields {
				fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s |\n", e.Op, cell(e.Subject), cell(f.Path), cell(f.Live), cell(f.Tree))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	out := struct {
		Equal   bool   `json:"equal"`
		Summary string `json:"summary"`
		*Report
	}{r.Equal(), r.Summary(), r}
	if out.Entries == nil {
		out.Report = &Report{Entries: []Entry{}, Unchanged: r.Unchanged, Server: r.Server}
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func cell(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }
