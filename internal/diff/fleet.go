package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// EnvReport is one environment's report within a fleet's.
type EnvReport struct {
	Env    string  `json:"environment"`
	Report *Report `json:"report"`
}

// FleetReport is the difference of every environment of a fleet, in the
// fleet's order.
type FleetReport []EnvReport

// Equal reports whether no environment changed.
func (f FleetReport) Equal() bool {
	for _, e := range f {
		if !e.Report.Equal() {
			return false
		}
	}
	return true
}

// Summary is one line for the fleet: how many environments changed and
// how many changes were flagged.
func (f FleetReport) Summary() string {
	changed, flags := 0, 0
	for _, e := range f {
		if !e.Report.Equal() {
			changed++
		}
		flags += len(e.Report.Flags())
	}
	if changed == 0 {
		return fmt.Sprintf("no changes in %s", plural(len(f), "environment", "environments"))
	}
	s := fmt.Sprintf("%d of %s changed", changed, plural(len(f), "environment", "environments"))
	if flags > 0 {
		s += fmt.Sprintf("; %d flagged", flags)
	}
	return s
}

// envFlagged is a flag with its environment.
type envFlagged struct {
	Env string
	Flagged
}

// flags are the fleet's flags, data first as in Report.Flags, then by
// environment in fleet order.
func (f FleetReport) flags() []envFlagged {
	var out []envFlagged
	for _, cat := range []Category{Data, Availability, Network, Infrastructure} {
		for _, e := range f {
			for _, fl := range e.Report.Flags() {
				if fl.Category == cat {
					out = append(out, envFlagged{e.Env, fl})
				}
			}
		}
	}
	return out
}

// WriteFleetText writes the fleet's flags first, then each environment's
// report under its name.
func WriteFleetText(w io.Writer, f FleetReport, opts TextOptions) error {
	p := painter(opts.Color)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", p.paint(ansiBold, "milvusgen diff --fleet: "+f.Summary()))
	if l := f.fleetCostLine(); l != "" {
		fmt.Fprintf(&b, "%s\n", l)
	}
	if flags := f.flags(); len(flags) > 0 {
		fmt.Fprintf(&b, "\n%s\n", p.paint(ansiBold, "Changes that need attention:"))
		for _, fl := range flags {
			fmt.Fprintf(&b, "  %s %-14s %s: %s  %s\n", p.paint(ansiRed, "!"), p.paint(ansiRed, string(fl.Category)), fl.Env, fl.Change.Title(), p.paint(ansiCyan, fl.Field))
			fmt.Fprintf(&b, "    %s\n", fl.Reason)
		}
	}
	for _, e := range f {
		fmt.Fprintf(&b, "\n%s\n", p.paint(ansiBold, "== environment "+e.Env))
		var s strings.Builder
		if err := WriteText(&s, e.Report, opts); err != nil {
			return err
		}
		b.WriteString(s.String())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteFleetMarkdown writes one pull-request comment for the fleet: the
// summary, every flag of every environment in one table, then each
// environment's report. It stays within MarkdownLimit: environments that
// do not fit keep their summary line and lose their list of changes; the
// flags are always complete.
func WriteFleetMarkdown(w io.Writer, f FleetReport) error {
	var b strings.Builder
	b.WriteString("### milvusgen diff (fleet)\n\n")
	fmt.Fprintf(&b, "%s.\n\n", capitalize(f.Summary()))
	if l := f.fleetCostLine(); l != "" {
		fmt.Fprintf(&b, "**%s**\n\n", mdCell(capitalize(l)))
	}
	b.WriteString("| environment | changes |\n|---|---|\n")
	for _, e := range f {
		sum := e.Report.Summary()
		if c := e.Report.Cost; c != nil {
			sum += "; " + c.Summary()
		}
		fmt.Fprintf(&b, "| %s | %s |\n", mdCell(e.Env), mdCell(sum))
	}
	b.WriteByte('\n')
	if flags := f.flags(); len(flags) > 0 {
		fmt.Fprintf(&b, "**:warning: %s attention**\n\n", plural(len(flags), "change needs", "changes need"))
		b.WriteString("| environment | risk | object | field | why |\n|---|---|---|---|---|\n")
		for _, fl := range flags {
			fmt.Fprintf(&b, "| %s | **%s** | %s | %s | %s |\n", mdCell(fl.Env), fl.Category, mdCell(fl.Change.Title()), mdCode(fl.Field), mdCell(fl.Reason))
		}
		b.WriteByte('\n')
	}
	for i, e := range f {
		if e.Report.Equal() {
			continue
		}
		var s strings.Builder
		if err := WriteMarkdown(&s, e.Report); err != nil {
			return err
		}
		section := "#### " + mdCell(e.Env) + "\n" + strings.TrimPrefix(s.String(), "### milvusgen diff\n")
		// Leave room for the notes of the environments after this one.
		if b.Len()+len(section)+200*(len(f)-i) > MarkdownLimit {
			fmt.Fprintf(&b, "#### %s\n\n%s. _Its changes are left out to fit a comment; run `milvusgen diff --fleet FILE --env %s` for them._\n\n", mdCell(e.Env), capitalize(e.Report.Summary()), e.Env)
			continue
		}
		b.WriteString(section)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// WriteFleetJSON writes the fleet report as indented JSON: equal, summary,
// every flag with its environment, and each environment's report.
func WriteFleetJSON(w io.Writer, f FleetReport) error {
	type flag struct {
		Env string `json:"environment"`
		jsonFlag
	}
	type env struct {
		Env string `json:"environment"`
		jsonReport
	}
	out := struct {
		Equal        bool           `json:"equal"`
		Summary      string         `json:"summary"`
		Flags        []flag         `json:"flags"`
		Environments []env          `json:"environments"`
		Cost         *fleetCostJSON `json:"cost,omitempty"`
	}{Equal: f.Equal(), Summary: f.Summary(), Flags: []flag{}, Environments: []env{}}
	if old, new, priced, missing := f.fleetCost(); priced > 0 || len(missing) > 0 {
		out.Cost = &fleetCostJSON{OldTotal: old, NewTotal: new, Delta: new - old, Priced: priced, NotPriced: missing}
	}
	for _, fl := range f.flags() {
		out.Flags = append(out.Flags, flag{fl.Env, jsonFlag{Flag: fl.Flag, Object: fl.Change.Title(), Path: fl.Change.Path}})
	}
	for _, e := range f {
		r := e.Report
		jr := jsonReport{Equal: r.Equal(), Summary: r.Summary(), Flags: []jsonFlag{}, Report: r}
		if r.Changes == nil {
			jr.Report = &Report{Changes: []Change{}, Unchanged: r.Unchanged, Cost: r.Cost}
		}
		for _, fl := range r.Flags() {
			jr.Flags = append(jr.Flags, jsonFlag{Flag: fl.Flag, Object: fl.Change.Title(), Path: fl.Change.Path})
		}
		out.Environments = append(out.Environments, env{e.Env, jr})
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// fleetCostJSON is the fleet's summed cost change in the JSON report.
type fleetCostJSON struct {
	OldTotal  float64  `json:"oldTotal"`
	NewTotal  float64  `json:"newTotal"`
	Delta     float64  `json:"delta"`
	Priced    int      `json:"priced"`
	NotPriced []string `json:"notPriced,omitempty"`
}
