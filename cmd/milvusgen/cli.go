package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	cueerrors "cuelang.org/go/cue/errors"
	"github.com/spf13/pflag"

	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render"
	"github.com/milvusgen/milvusgen/schema"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // invalid spec, out-of-date tree, or a failed write
	exitUsage   = 2 // wrong command line
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `milvusgen renders one spec into an EKS + Milvus deployment for GitOps.

Usage:
  milvusgen <command> [flags]

Commands:
  validate   check a spec and print every problem with its position
  render     render the eksctl, IAM, Kubernetes and Flux artifacts into a directory
  size       print the resources a spec's dataset needs and whether its nodes hold them
  chart      pull the pinned Helm charts into the local cache (chart pull)
  diff       compare the rendered tree with a Git ref or directory, per object, flagging risky changes
  apply      commit the rendered tree to Git, and/or server-side apply it to a cluster
  schema     print the CUE schema specs are validated against
  version    print the version

Run 'milvusgen <command> --help' for a command's flags.

Exit codes: 0 success, 1 invalid spec / out-of-date tree / failed write, 2 usage
error; diff follows diff(1): 0 equal, 1 different, 2 error.
`

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// errUsage marks errors that were already explained with usage text.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errReported marks failures whose details were already printed.
var errReported = errors.New("reported")

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin, stdout, stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "validate":
		err = e.validate(rest)
	case "render":
		err = e.render(rest)
	case "schema":
		err = e.schema(rest)
	case "size":
		err = e.size(rest)
	case "chart":
		err = e.chart(rest)
	case "diff":
		err = e.diff(rest)
	case "apply":
		err = e.apply(rest)
	case "version", "--version":
		fmt.Fprintln(stdout, "milvusgen", version, build)
	case "help", "-h", "--help":
		if len(rest) > 0 {
			return run([]string{rest[0], "--help"}, stdin, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "milvusgen: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	if errors.Is(err, errDelegate) {
		return runFull(args, stdin, stdout, stderr)
	}
	return e.exit(err)
}

// exitError gives a failure an exit code other than the default, for
// commands whose codes follow another convention (diff: 2 on any error).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func (e env) exit(err error) int {
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
func (e env) report(err error) int {
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

func (e env) printSpecErrors(err error) {
	wd, _ := os.Getwd()
	n := len(cueerrors.Errors(err))
	noun := "problem"
	if n > 1 {
		noun = "problems"
	}
	fmt.Fprintf(e.stderr, "spec is invalid (%d %s):\n", n, noun)
	cueerrors.Print(e.stderr, err, &cueerrors.Config{Cwd: wd})
}

// specFlags are the flags every command that reads a spec takes.
type specFlags struct {
	files []string
	today string
}

func (f *specFlags) bind(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&f.files, "file", "f", nil, "spec file (.cue, .yaml, .yml, .json; - for stdin); repeat to unify overlays, later files refine earlier ones")
	fs.StringVar(&f.today, "today", "", "date (YYYY-MM-DD) to judge Kubernetes version support on; default today")
	_ = fs.MarkHidden("today")
}

// loadSources reads, validates and decodes the spec files, prints the
// warnings, and also returns the sources read: apply hashes them into its
// commit message (stdin can be read only once).
func (f *specFlags) loadSources(e env) ([]spec.Source, *spec.Result, error) {
	if len(f.files) == 0 {
		return nil, nil, usageError{"no spec given; pass -f SPEC (see --help)"}
	}
	today := time.Now().UTC()
	if f.today != "" {
		t, err := time.Parse(time.DateOnly, f.today)
		if err != nil {
			return nil, nil, usageError{fmt.Sprintf("--today %q: want YYYY-MM-DD", f.today)}
		}
		today = t
	}
	srcs, err := spec.ReadFiles(f.files, e.stdin)
	if err != nil {
		return nil, nil, err
	}
	res, err := spec.Load(srcs, spec.Options{Today: today})
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

func (f *specFlags) load(e env) (*spec.Result, error) {
	_, res, err := f.loadSources(e)
	return res, err
}

func newFlagSet(name, synopsis string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n%s", synopsis, fs.FlagUsages())
	}
	return fs
}

// parse parses flags; flag errors become usage errors, --help prints to stdout.
func parse(fs *pflag.FlagSet, args []string) error {
	// pflag prints parse errors itself; ours are clearer. On --help it
	// calls fs.Usage, which writes the synopsis to stdout.
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		return err
	}
	if err != nil {
		return usageError{fmt.Sprintf("%s: %v (see --help)", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q; specs are passed with -f (see --help)", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func (e env) validate(args []string) error {
	var sf specFlags
	fs := newFlagSet("validate", `Usage: milvusgen validate -f SPEC [-f OVERLAY]...
       milvusgen validate --rendered DIR

Validates the spec against the schema and milvusgen's rules and prints every
problem with its file:line:col. Exit 0 when valid, 1 when not.
With --rendered, checks instead that the files of a rendered tree agree on
the names they share and lists every field that does not.`, e.stdout)
	sf.bind(fs)
	rendered := bindRendered(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *rendered != "" {
		return e.validateRendered(*rendered, sf.files)
	}
	res, err := sf.load(e)
	if err != nil {
		return err
	}
	// Rendering proves the spec is renderable too (e.g. policy size limits).
	if _, err := render.Render(res.Spec); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: valid (cluster %s, release %s)\n", strings.Join(sf.files, " + "), res.Spec.Cluster.Name, res.Spec.Name)
	return nil
}

func (e env) render(args []string) error {
	var sf specFlags
	var out string
	var check, quiet bool
	var hf hydrateFlags
	fs := newFlagSet("render", `Usage: milvusgen render -f SPEC [-f OVERLAY]... -o DIR [--check]

Renders the eksctl ClusterConfig, IAM policies, day-0 scripts, Kubernetes
manifests (a kustomize tree with Flux HelmReleases) and Flux sync objects
into DIR. The write is atomic, files are byte-identical across runs, and a
DIR holding files milvusgen did not write is refused. With --check nothing is
written: the command lists the files that differ and exits 1 if any do.`, e.stdout)
	sf.bind(fs)
	fs.StringVarP(&out, "output", "o", "", "output directory (required)")
	fs.BoolVar(&check, "check", false, "only report whether DIR is up to date; exit 1 and list the files if not")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	hf.bind(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if out == "" {
		return usageError{"render: -o DIR is required (see --help)"}
	}
	_, files, err := e.renderSpec(&sf, &hf)
	if err != nil {
		return err
	}
	if check {
		cs, err := writer.Check(out, files)
		if err != nil {
			return err
		}
		changed := writer.Changed(cs)
		if len(changed) == 0 {
			if !quiet {
				fmt.Fprintf(e.stdout, "%s is up to date (%d files)\n", out, len(files))
			}
			return nil
		}
		fmt.Fprintf(e.stderr, "%s is out of date; run: milvusgen render %s\n", out, strings.Join(withoutCheck(args), " "))
		for _, c := range changed {
			fmt.Fprintf(e.stderr, "  %-9s %s\n", c.Action, c.Path)
		}
		return errReported
	}
	cs, err := writer.Write(out, files)
	if err != nil {
		return err
	}
	if !quiet {
		changed := writer.Changed(cs)
		for _, c := range changed {
			fmt.Fprintf(e.stdout, "%-9s %s\n", c.Action, c.Path)
		}
		fmt.Fprintf(e.stdout, "rendered %d files into %s (%d changed)\n", len(files), out, len(changed))
	}
	return nil
}

// flagList renders spec files as -f flags.
func flagList(files []string) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = "-f " + f
	}
	return strings.Join(parts, " ")
}

// renderSpec loads the spec and renders its tree, hydrated when asked: what
// render writes and what diff compares.
func (e env) renderSpec(sf *specFlags, hf *hydrateFlags) (*spec.Result, []render.File, error) {
	res, err := sf.load(e)
	if err != nil {
		return nil, nil, err
	}
	files, err := render.Render(res.Spec)
	if err != nil {
		return nil, nil, err
	}
	files, err = hf.apply(res.Spec, files)
	return res, files, err
}

// withoutCheck is the render command line that brings DIR up to date.
func withoutCheck(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "--check" && !strings.HasPrefix(a, "--check=") {
			out = append(out, a)
		}
	}
	return out
}

func (e env) schema(args []string) error {
	fs := newFlagSet("schema", `Usage: milvusgen schema

Prints the CUE schema (#Spec) that specs are validated against. It is the
same file as schema/spec.cue, usable with cue vet.`, e.stdout)
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := e.stdout.Write(schema.Source)
	return err
}
