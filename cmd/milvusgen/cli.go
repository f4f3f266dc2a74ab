package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	cueerrors "cuelang.org/go/cue/errors"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/suggest"
	"github.com/milvusgen/milvusgen/internal/watchdog"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // invalid spec, out-of-date tree, or a failed write
	exitUsage   = 2 // wrong command line
)

const rootLong = `milvusgen renders one spec into an EKS + Milvus deployment for GitOps.

Exit codes: 0 success, 1 invalid spec / out-of-date tree / failed write, 2 usage
error; diff follows diff(1): 0 equal, 1 different, 2 error.`

// commands are the constructors of milvusgen's commands. Each command's
// file adds its own in init, so a new command is one new file.
var commands []func(*env) *cobra.Command

// env is one run of the command: its streams and the global flags.
type env struct {
	args           []string // the command line, without the program name
	stdin          io.Reader
	stdout, stderr io.Writer

	quiet     bool      // -q: results and errors only
	today     string    // --today
	todayDate time.Time // --today parsed; zero: today

	// ran is set once the command line parsed and a command's run began:
	// errors before that are usage errors.
	ran bool

	// dog bounds the command's time and heap (watch.go).
	dog *watchdog.Watchdog
}

// usageError is a wrong command line: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errReported marks failures whose details were already printed.
var errReported = errors.New("reported")

// run runs milvusgen with args and returns the exit code; main and the
// tests call it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{args: args, stdin: stdin, stdout: stdout, stderr: stderr}
	root := e.rootCommand()
	root.SetArgs(append([]string{}, args...)) // non-nil: cobra reads os.Args for nil
	_, err := root.ExecuteC()
	if err != nil && !e.ran {
		// cobra's own errors (unknown command, wrong arguments) and flag errors.
		var ue usageError
		if !errors.As(err, &ue) {
			err = usageError{err.Error()}
		}
	}
	return e.exit(err)
}

// rootCommand builds the command tree.
func (e *env) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "milvusgen",
		Short: "render one spec into an EKS + Milvus deployment for GitOps",
		Long:  rootLong,
		// The help goes to stderr with exit 2 when no command is given.
		RunE: func(cmd *cobra.Command, args []string) error {
			if v, _ := cmd.Flags().GetBool("version"); v {
				return e.printVersion(false)
			}
			cmd.SetOut(e.stderr)
			_ = cmd.Help()
			return usageError{"no command given"}
		},
		SilenceErrors:     true,
		SilenceUsage:      true,
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(flagError)
	root.SetUsageTemplate(usageTemplate)
	pf := root.PersistentFlags()
	pf.SortFlags = false
	pf.BoolVarP(&e.quiet, "quiet", "q", false, "print only results and errors: no progress, summaries or notes")
	pf.StringVar(&e.today, "today", "", "date (YYYY-MM-DD) to judge Kubernetes version support on, for reproducible checks (default: today, UTC)")
	root.Flags().Bool("version", false, "print the version (as the version command)")
	for _, c := range commands {
		root.AddCommand(c(e))
	}
	strictHelp(root)
	e.wrapRuns(root)
	registerCompletions(root)
	return root
}

// wrapRuns makes every command's run note that the command line was
// accepted (cobra's checks of arguments, required and exclusive flags all
// come before it) and parse the global flags first.
func (e *env) wrapRuns(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			e.ran = true
			defer e.unwatch()
			if e.today != "" {
				t, err := time.Parse(time.DateOnly, e.today)
				if err != nil {
					return usageError{fmt.Sprintf("--today %q: want YYYY-MM-DD", e.today)}
				}
				e.todayDate = t
			}
			return run(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		e.wrapRuns(sub)
	}
}

// newCommand is a command with milvusgen's defaults: flags in the order
// they are defined, and no positional arguments.
func newCommand(use, short, long string, run func(cmd *cobra.Command, args []string) error) *cobra.Command {
	c := &cobra.Command{
		Use:               use,
		Short:             short,
		Long:              long,
		Args:              cobra.NoArgs,
		RunE:              run,
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	c.Flags().SortFlags = false
	return c
}

// specArgs rejects positional arguments of commands that read a spec:
// specs are passed with -f.
func specArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q; specs are passed with -f (see --help)", cmd.Name(), args[0])}
	}
	return nil
}

// flagError turns a flag parse error into a usage error and suggests the
// nearest flag of the command for a misspelt one (cobra suggests only
// commands).
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	var ne *pflag.NotExistError
	if errors.As(err, &ne) && ne.GetSpecifiedShortnames() == "" {
		if s := nearestFlag(cmd.Flags(), ne.GetSpecifiedName()); s != "" {
			msg += "; did you mean --" + s + "?"
		}
	}
	return usageError{fmt.Sprintf("%s: %s (see %s --help)", cmd.Name(), msg, cmd.CommandPath())}
}

// nearestFlag returns the visible flag of fs closest to name in edit
// distance, or one name starts, when it is close enough to be a typo.
func nearestFlag(fs *pflag.FlagSet, name string) string {
	best, bestD := "", -1
	name = strings.ToLower(name)
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		d := suggest.Distance(name, f.Name)
		if len(name) >= 3 && strings.HasPrefix(f.Name, name) {
			d = min(d, 1)
		}
		if suggest.Close(d, len(name)) && (bestD < 0 || d < bestD || d == bestD && f.Name < best) {
			best, bestD = f.Name, d
		}
	})
	return best
}

// exitError gives a failure an exit code other than the default, for
// commands whose codes follow another convention (diff: 2 on any error).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func (e *env) exit(err error) int {
	var xe exitError
	if errors.As(err, &xe) {
		if code := e.report(xe.err); code != exitOK {
			return xe.code
		}
		return exitOK
	}
	return e.report(err)
}

// report prints err once and returns its default exit code.
func (e *env) report(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, pflag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "milvusgen: %s\n", ue.msg)
		return exitUsage
	case errors.Is(err, errReported):
		return exitFailure
	}
	if len(cueerrors.Errors(err)) > 0 {
		if _, ok := err.(cueerrors.Error); ok {
			e.printSpecErrors(err)
			return exitFailure
		}
	}
	fmt.Fprintf(e.stderr, "milvusgen: %v\n", err)
	return exitFailure
}

func (e *env) printSpecErrors(err error) {
	wd, _ := os.Getwd()
	n, w := spec.Problems(err)
	count := plural(n, "problem", "problems")
	if w > 0 {
		count += ", " + plural(w, "warning", "warnings")
	}
	fmt.Fprintf(e.stderr, "spec is invalid (%s):\n", count)
	// In the order Load gives: file order, warnings among the errors.
	for _, pe := range cueerrors.Errors(err) {
		if spec.IsWarning(pe) {
			fmt.Fprint(e.stderr, "warning: ")
		}
		cueerrors.Print(e.stderr, pe, &cueerrors.Config{Cwd: wd})
	}
}

// printf prints a progress line or summary to stdout, unless -q.
func (e *env) printf(format string, args ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stdout, format, args...)
	}
}

// notef prints a note to stderr, unless -q.
func (e *env) notef(format string, args ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stderr, format, args...)
	}
}

// specFlags are the flags every command that reads a spec takes.
type specFlags struct {
	files []string
	// supportWarnings reports Kubernetes versions past EKS support as
	// warnings (render --check: staleness is decided by bytes alone).
	supportWarnings bool
}

func (f *specFlags) bind(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&f.files, "file", "f", nil, "spec file (.cue, .yaml, .yml, .json; - reads stdin as YAML, JSON or CUE, detected); repeat to layer files: a later file overrides the values of earlier ones (maps merge by key, lists are replaced), their constraints hold")
}

// loadSources reads, validates and decodes the spec files, prints the
// warnings, and also returns the sources read: apply hashes them into its
// commit message (stdin can be read only once).
func (f *specFlags) loadSources(e *env) ([]spec.Source, *spec.Result, error) {
	if len(f.files) == 0 {
		return nil, nil, usageError{"no spec given; pass -f SPEC (see --help)"}
	}
	today := e.date()
	// CUE cannot cancel an evaluation: a watchdog ends a runaway one.
	if err := e.watch("evaluating "+strings.Join(f.files, ", "), stageLoad); err != nil {
		return nil, nil, err
	}
	srcs, err := spec.ReadFiles(f.files, e.stdin)
	if err != nil {
		return nil, nil, err
	}
	res, err := spec.Load(srcs, spec.Options{Today: today, SupportWarnings: f.supportWarnings})
	if err != nil {
		return nil, nil, err
	}
	if len(res.Warnings) > 0 {
		wd, _ := os.Getwd()
		for _, w := range res.Warnings {
			fmt.Fprint(e.stderr, "warning: ")
			cueerrors.Print(e.stderr, w, &cueerrors.Config{Cwd: wd})
		}
	}
	return srcs, res, nil
}

func (f *specFlags) load(e *env) (*spec.Result, error) {
	_, res, err := f.loadSources(e)
	return res, err
}

// flagList renders spec files as -f flags.
func flagList(files []string) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = "-f " + f
	}
	return strings.Join(parts, " ")
}

// date is the date Kubernetes version support is judged on: --today, else
// the clock's, the one place the CLI reads it.
func (e *env) date() time.Time {
	if !e.todayDate.IsZero() {
		return e.todayDate
	}
	return time.Now().UTC()
}

// plural is "1 problem", "2 problems".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
