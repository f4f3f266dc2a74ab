package diff

import (
	"github.com/milvusgen/milvusgen/internal/diff/awsstep"

	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// TextOptions tune WriteText.
type TextOptions struct {
	// Color adds ANSI colours (for a terminal).
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

type painter bool

func (p painter) paint(color, s string) string {
	if !p {
		return s
	}
	return color + s + ansiReset
}

// Summary is one line: how many objects and files were added, removed,
// changed and flagged.
func (r *Report) Summary() string {
	if r.Equal() {
		return fmt.Sprintf("no changes (%s compared)", plural(r.Unchanged, "object or file", "objects and files"))
	}
	s := fmt.Sprintf("%d changed, %d added, %d removed, %d unchanged", r.Count(Changed), r.Count(Added), r.Count(Removed), r.Unchanged)
	if n := len(r.Flags()); n > 0 {
		s += fmt.Sprintf("; %d flagged", n)
	}
	return s
}

// WriteText writes the report for a terminal: the flags first, then every
// change with its fields.
func WriteText(w io.Writer, r *Report, opts TextOptions) error {
	p := painter(opts.Color)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", p.paint(ansiBold, "milvusgen diff: "+r.Summary()))
	writeCostText(&b, r)
	for _, x := range r.Refusals {
		fmt.Fprintf(&b, "\n%s %s\n", p.paint(ansiRed, "REFUSED:"), x.Reason)
		b.WriteString("  Instead:\n")
		for i, s := range x.Steps {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
		}
	}
	if steps := r.InfraSteps(); len(steps) > 0 {
		fmt.Fprintf(&b, "\n%s\n", p.paint(ansiBold, "AWS steps, in the order aws/converge.sh runs them on merge:"))
		for i, s := range steps {
			fmt.Fprintf(&b, "  %d. %s [%s]\n", i+1, s.Detail, s.Step)
			if s.Command != "" {
				fmt.Fprintf(&b, "     $ %s\n", p.paint(ansiCyan, s.Command))
			} else {
				fmt.Fprintf(&b, "     %s\n", awsstep.Of(s.Step).What)
			}
		}
	}
	if flags := r.Flags(); len(flags) > 0 {
		fmt.Fprintf(&b, "\n%s\n", p.paint(ansiBold, "Changes that need attention:"))
		for _, f := range flags {
			fmt.Fprintf(&b, "  %s %-14s %s  %s\n", p.paint(ansiRed, "!"), p.paint(ansiRed, string(f.Category)), f.Change.Title(), p.paint(ansiCyan, f.Field))
			fmt.Fprintf(&b, "    %s\n", f.Reason)
		}
	}
	for _, c := range r.Changes {
		b.WriteByte('\n')
		sym := map[Op]string{Added: p.paint(ansiGreen, "+"), Removed: p.paint(ansiRed, "-"), Changed: p.paint(ansiYellow, "~")}[c.Op]
		fmt.Fprintf(&b, "%s %s", sym, p.paint(ansiBold, c.Title()))
		if c.Title() != c.Path {
			fmt.Fprintf(&b, "  %s", c.Path)
		}
		if c.OldPath != "" {
			fmt.Fprintf(&b, " (moved from %s)", c.OldPath)
		}
		b.WriteByte('\n')
		for _, f := range c.Fields {
			switch f.Op {
			case Added:
				fmt.Fprintf(&b, "    %s %s: %s\n", p.paint(ansiGreen, "+"), f.Path, p.paint(ansiGreen, show(f.New)))
			case Removed:
				fmt.Fprintf(&b, "    %s %s: %s\n", p.paint(ansiRed, "-"), f.Path, p.paint(ansiRed, show(f.Old)))
			default:
				if f.Lines != nil {
					fmt.Fprintf(&b, "    %s %s:\n", p.paint(ansiYellow, "~"), f.Path)
					writeLines(&b, p, "        ", f.Lines)
					continue
				}
				fmt.Fprintf(&b, "    %s %s: %s → %s\n", p.paint(ansiYellow, "~"), f.Path, p.paint(ansiRed, show(f.Old)), p.paint(ansiGreen, show(f.New)))
			}
		}
		writeLines(&b, p, "    ", c.Lines)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeLines(b *strings.Builder, p painter, indent string, lines []string) {
	for _, l := range lines {
		color := ansiGreen
		if strings.HasPrefix(l, "-") {
			color = ansiRed
		}
		fmt.Fprintf(b, "%s%s\n", indent, p.paint(color, l))
	}
}

// MarkdownLimit bounds the Markdown report below GitHub's 65,536-character
// limit on a comment; the list of changes is cut short beyond it.
const MarkdownLimit = 60000

// WriteMarkdown writes the report as a pull-request comment: a summary, a
// table of the flagged changes, and every change in a collapsed diff
// block. Beyond MarkdownLimit characters the changes are cut short with a
// note; the flags are always complete.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	b.WriteString("### milvusgen diff\n\n")
	writeCostMarkdown(&b, r)
	if r.Equal() {
		fmt.Fprintf(&b, "No changes to the rendered tree (%s compared).\n", plural(r.Unchanged, "object or file", "objects and files"))
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "%d changed, %d added, %d removed, %d unchanged.\n\n", r.Count(Changed), r.Count(Added), r.Count(Removed), r.Unchanged)
	writeMarkdownAWS(&b, r)
	if flags := r.Flags(); len(flags) > 0 {
		fmt.Fprintf(&b, "**:warning: %s attention**\n\n", plural(len(flags), "change needs", "changes need"))
		b.WriteString("| risk | object | field | why |\n|---|---|---|---|\n")
		for _, f := range flags {
			fmt.Fprintf(&b, "| **%s** | %s | %s | %s |\n", f.Category, mdCell(f.Change.Title()), mdCode(f.Field), mdCell(f.Reason))
		}
		b.WriteByte('\n')
	} else {
		b.WriteString("No change was flagged as risky.\n\n")
	}
	summary := fmt.Sprintf("All %d changes", len(r.Changes))
	if len(r.Changes) == 1 {
		summary = "The change"
	}
	fmt.Fprintf(&b, "<details><summary>%s</summary>\n\n", summary)
	for i, c := range r.Changes {
		var s strings.Builder
		fmt.Fprintf(&s, "**%s** `%s`", c.Op, c.Path)
		if c.Title() != c.Path {
			fmt.Fprintf(&s, " %s", mdCell(c.Title()))
		}
		if c.OldPath != "" {
			fmt.Fprintf(&s, " (moved from `%s`)", c.OldPath)
		}
		s.WriteString("\n\n")
		if len(c.Fields) > 0 || len(c.Lines) > 0 {
			s.WriteString("```diff\n")
			for _, f := range c.Fields {
				switch {
				case f.Op == Added:
					fmt.Fprintf(&s, "+ %s: %s\n", f.Path, show(f.New))
				case f.Op == Removed:
					fmt.Fprintf(&s, "- %s: %s\n", f.Path, show(f.Old))
				case f.Lines != nil:
					fmt.Fprintf(&s, "! %s:\n", f.Path)
					for _, l := range f.Lines {
						fmt.Fprintf(&s, "%s   %s\n", l[:1], l[1:])
					}
				default:
					fmt.Fprintf(&s, "- %s: %s\n+ %s: %s\n", f.Path, show(f.Old), f.Path, show(f.New))
				}
			}
			for _, l := range c.Lines {
				fmt.Fprintf(&s, "%s %s\n", l[:1], l[1:])
			}
			s.WriteString("```\n\n")
		}
		if b.Len()+s.Len() > MarkdownLimit {
			fmt.Fprintf(&b, "_%s left out to fit a comment; run `milvusgen diff` locally for all of them._\n\n", plural(len(r.Changes)-i, "more change", "more changes"))
			break
		}
		b.WriteString(s.String())
	}
	b.WriteString("</details>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMarkdownAWS writes the refusals and the AWS steps in order, ahead
// of everything else.
func writeMarkdownAWS(b *strings.Builder, r *Report) {
	for _, x := range r.Refusals {
		fmt.Fprintf(b, "**:no_entry: Refused:** %s\n\nInstead:\n\n", mdCell(x.Reason))
		for i, s := range x.Steps {
			fmt.Fprintf(b, "%d. %s\n", i+1, mdCell(s))
		}
		b.WriteByte('\n')
	}
	steps := r.InfraSteps()
	if len(steps) == 0 {
		return
	}
	b.WriteString("**AWS steps**, in the order `aws/converge.sh` runs them on merge:\n\n")
	for i, s := range steps {
		if s.Command != "" {
			fmt.Fprintf(b, "%d. %s: `%s`\n", i+1, mdCell(s.Detail), strings.ReplaceAll(s.Command, "`", "'"))
		} else {
			fmt.Fprintf(b, "%d. %s: %s\n", i+1, mdCell(s.Detail), mdCell(awsstep.Of(s.Step).What))
		}
	}
	b.WriteByte('\n')
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// jsonReport is the JSON shape: the report plus its summary and flags.
type jsonReport struct {
	Equal   bool       `json:"equal"`
	Summary string     `json:"summary"`
	Flags   []jsonFlag `json:"flags"`
	// AWSSteps are the steps in the order converge.sh runs them.
	AWSSteps []InfraStep `json:"awsSteps"`
	*Report
}

type jsonFlag struct {
	Flag
	Object string `json:"object"`
	Path   string `json:"path"`
}

// WriteJSON writes the report as indented JSON: equal, summary, every flag
// with its object, and every change with its fields.
func WriteJSON(w io.Writer, r *Report) error {
	out := jsonReport{Equal: r.Equal(), Summary: r.Summary(), Flags: []jsonFlag{}, AWSSteps: []InfraStep{}, Report: r}
	for _, s := range r.InfraSteps() {
		out.AWSSteps = append(out.AWSSteps, s.InfraStep)
	}
	if out.Changes == nil {
		out.Report = &Report{Changes: []Change{}, Unchanged: r.Unchanged, Cost: r.Cost}
	}
	for _, f := range r.Flags() {
		out.Flags = append(out.Flags, jsonFlag{Flag: f.Flag, Object: f.Change.Title(), Path: f.Change.Path})
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// plural is "1 change needs", "2 changes need": the count and the words
// that agree with it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
