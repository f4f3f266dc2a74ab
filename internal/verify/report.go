package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/milvusgen/milvusgen/internal/agreement"
)

// Verdicts of a step.
const (
	Pass = "pass"
	Fail = "fail"
	Skip = "skip"
)

// Step is one check verify ran, in the order it ran.
type Step struct {
	Name     string        `json:"name"`
	Verdict  string        `json:"verdict"`
	Duration time.Duration `json:"-"`
	// Detail says what was found (pass) or why the step was skipped.
	Detail string `json:"detail,omitempty"`
	// Error is the failure, with the server's own message.
	Error string `json:"error,omitempty"`
	// Problems are the differences between the cluster and the rendered
	// tree, in validate --rendered's form.
	Problems []string `json:"problems,omitempty"`
}

// MarshalJSON adds the duration in seconds.
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	return json.Marshal(struct {
		plain
		Seconds float64 `json:"seconds"`
	}{plain(s), s.Duration.Seconds()})
}

// Report is the outcome of a verify or rotate-password run.
type Report struct {
	// Command names the run in the report's text ("verify" when empty).
	Command    string `json:"-"`
	Release    string `json:"release"`
	Namespace  string `json:"namespace"`
	Address    string `json:"address,omitempty"`
	Collection string `json:"collection,omitempty"`
	// ServerVersion is what Milvus's GetVersion reported.
	ServerVersion string `json:"serverVersion,omitempty"`
	Steps         []Step `json:"steps"`
}

// Failed returns the first failed step, or nil when none failed.
func (r *Report) Failed() *Step {
	for i := range r.Steps {
		if r.Steps[i].Verdict == Fail {
			return &r.Steps[i]
		}
	}
	return nil
}

// Err is nil when every step passed or was skipped, else an error naming the
// first failed step, the address and the server's error.
func (r *Report) Err() error {
	s := r.Failed()
	if s == nil {
		return nil
	}
	addr := r.Address
	if addr == "" {
		addr = "(no address)"
	}
	msg := s.Error
	if len(s.Problems) > 0 {
		msg = strings.Join(s.Problems, "; ")
	}
	return fmt.Errorf("%s failed at step %q against %s: %s", r.command(), s.Name, addr, msg)
}

// WriteJSON writes the report as one JSON object, on failure too.
func (r *Report) WriteJSON(w io.Writer) error {
	out := struct {
		*Report
		Result string `json:"result"`
		Error  string `json:"error,omitempty"`
	}{Report: r, Result: Pass}
	if err := r.Err(); err != nil {
		out.Result, out.Error = Fail, err.Error()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteText writes one line a step: verdict, name, duration, detail or
// error; problems follow on lines of their own.
func (r *Report) WriteText(w io.Writer) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s %s/%s", r.command(), r.Namespace, r.Release)
	if r.Address != "" {
		fmt.Fprintf(tw, " at %s", r.Address)
	}
	fmt.Fprintln(tw)
	var total time.Duration
	for _, s := range r.Steps {
		total += s.Duration
		d := ""
		if s.Verdict != Skip {
			d = formatDuration(s.Duration)
		}
		text := s.Detail
		if s.Error != "" {
			text = s.Error
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", strings.ToUpper(s.Verdict), s.Name, d, text)
		for _, p := range s.Problems {
			fmt.Fprintf(tw, "  \t\t\t  %s\n", p)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// A step without detail leaves the padding of its last cell.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+strings.Repeat("\n", strings.Count(line, "\n"))); err != nil {
			return err
		}
	}
	if r.Failed() == nil {
		_, err := fmt.Fprintf(w, "%s passed (%s)\n", r.command(), formatDuration(total))
		return err
	}
	return nil
}

func (r *Report) command() string {
	if r.Command == "" {
		return "verify"
	}
	return r.Command
}

// runner returns what steps run through: it times the step and records
// its verdict, the error's text (a deadline named as --timeout's), or the
// problems found.
func (r *Report) runner(ctx context.Context, timeout time.Duration) func(string, func() (string, error)) error {
	return func(name string, fn func() (string, error)) error {
		start := time.Now()
		detail, err := fn()
		s := Step{Name: name, Verdict: Pass, Duration: time.Since(start), Detail: detail}
		var pe problemsError
		switch {
		case errors.As(err, &pe):
			s.Verdict, s.Problems = Fail, pe.problems
		case err != nil:
			s.Verdict, s.Error = Fail, describe(ctx, err, timeout)
		}
		r.Steps = append(r.Steps, s)
		return err
	}
}

// skip records a step that did not run, and why.
func (r *Report) skip(name, why string) {
	r.Steps = append(r.Steps, Step{Name: name, Verdict: Skip, Detail: why})
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
}

// problemStrings formats problems the way validate --rendered prints them.
func problemStrings(ps []agreement.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
