package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/internal/gitrepo"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render"
)

const applyLong = `Validates and renders the spec, then puts the result where it goes:

  Git      with --repo or -o: writes the tree into DIR/PATH of a Git work
           tree (-o DIR: into DIR, in the work tree that holds it), stages
           that directory and the changed spec files inside the work tree,
           and commits them with a message naming the cluster, the release
           and a hash of the spec files; --branch NAME first creates NAME
           from the current HEAD and commits there; --push pushes the
           branch, never forced. A tree rendered with --hydrate stays
           hydrated (the options its manifest records). No commit when
           nothing changed.
  cluster  without --repo and -o, or with any cluster flag: server-side applies
           the Kubernetes manifests (the kustomize roots under kubernetes/
           and flux/, built as Flux builds them) to the cluster of the
           kubeconfig, field manager "milvusgen": CRDs and Namespaces first,
           then the rest. Every object is reported, Flux style:
             HelmRelease/milvus/milvus-demo configured
           An inventory ConfigMap records what milvusgen applied, so that
           --prune deletes only milvusgen's objects that are no longer
           rendered (never Namespaces or CRDs, never anyone else's).

--dry-run changes nothing: the Git part lists the files that would change,
the cluster part asks the API server (server-side dry run) what each object
would become. The HelmReleases need Flux's controllers on the cluster to
install the charts; --wait waits until they report Ready.

Exit codes: 0 success; 1 invalid spec, an object the API server refused, a
failed commit or push, or --wait timing out; 2 usage error.`

// applyFlags are apply's flags; names are the constants below.
type applyFlags struct {
	spec specFlags

	repo, path, output, remote, branch string
	push                               bool
	hf                                 hydrateFlags

	kubeconfig, kubeContext, inventory string
	dryRun, prune, wait, force         bool
	timeout                            time.Duration
}

const (
	flagRepo       = "repo"
	flagPath       = "path"
	flagOutput     = "output"
	flagPush       = "push"
	flagRemote     = "remote"
	flagBranch     = "branch"
	flagKubeconfig = "kubeconfig"
	flagContext    = "context"
	flagDryRun     = "dry-run"
	flagPrune      = "prune"
	flagWait       = "wait"
	flagTimeout    = "timeout"
	flagForce      = "force-conflicts"
	flagInventory  = "inventory"
)

func (f *applyFlags) bind(fs *pflag.FlagSet) {
	f.spec.bind(fs)
	fs.StringVar(&f.repo, flagRepo, "", "Git work tree to commit the rendered tree into")
	fs.StringVar(&f.path, flagPath, "", "directory inside --repo for the tree (default: the spec's gitops.repository.path)")
	bindOutput(fs, &f.output, "the directory to write and commit the tree in, inside a Git work tree (instead of --repo and --path)")
	fs.BoolVar(&f.push, flagPush, false, "push the branch after committing")
	fs.StringVar(&f.remote, flagRemote, "origin", "remote to push to")
	fs.StringVar(&f.branch, flagBranch, "", "create this branch from the current HEAD and commit (and push) to it; an existing branch only when checked out, never force-pushed")
	f.hf.bind(fs)
	fs.StringVar(&f.kubeconfig, flagKubeconfig, "", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&f.kubeContext, flagContext, "", "kubeconfig context (default: the current context)")
	fs.BoolVar(&f.dryRun, flagDryRun, false, "change nothing; print what would change (server-side dry run)")
	fs.BoolVar(&f.prune, flagPrune, false, "delete objects milvusgen applied before that are no longer rendered")
	fs.BoolVar(&f.wait, flagWait, false, "wait until the applied objects are ready, printing progress")
	fs.DurationVar(&f.timeout, flagTimeout, 10*time.Minute, "how long --wait waits")
	fs.BoolVar(&f.force, flagForce, false, "take over fields another field manager owns instead of failing")
	fs.StringVar(&f.inventory, flagInventory, apply.DefaultInventoryNamespace+"/"+apply.DefaultInventoryName, "NAMESPACE/NAME of the inventory ConfigMap")
}

// toGit reports whether the Git part runs.
func (f *applyFlags) toGit() bool { return f.repo != "" || f.output != "" }

// toCluster reports whether the cluster part runs: always without a Git
// target, and with one when a cluster flag was given.
func (f *applyFlags) toCluster(fs *pflag.FlagSet) bool {
	if !f.toGit() {
		return true
	}
	for _, n := range []string{flagKubeconfig, flagContext, flagPrune, flagWait, flagForce, flagInventory} {
		if fs.Changed(n) {
			return true
		}
	}
	return false
}

func init() { commands = append(commands, (*env).applyCommand) }

func (e *env) applyCommand() *cobra.Command {
	var f applyFlags
	c := newCommand("apply -f SPEC [-f OVERLAY]... [git flags] [cluster flags]",
		"commit the rendered tree to Git, and/or server-side apply it to a cluster",
		applyLong,
		func(cmd *cobra.Command, args []string) error { return e.apply(&f, cmd.Flags()) })
	c.Args = specArgs
	f.bind(c.Flags())
	return c
}

func (e *env) apply(f *applyFlags, fs *pflag.FlagSet) error {
	if !f.toGit() {
		for _, n := range []string{flagPath, flagPush, flagBranch, "hydrate"} {
			if fs.Changed(n) {
				return usageError{fmt.Sprintf("apply: --%s needs --repo or -o (see --help)", n)}
			}
		}
	}
	if f.output != "" && f.path != "" {
		return usageError{"apply: -o and --path exclude each other: -o names the tree's directory on disk, --path the same inside --repo"}
	}
	if f.push && f.dryRun {
		return usageError{"apply: --push and --dry-run exclude each other"}
	}
	if f.timeout <= 0 {
		return usageError{"apply: --timeout must be positive"}
	}
	invNS, invName, ok := strings.Cut(f.inventory, "/")
	if !ok || invNS == "" || invName == "" {
		return usageError{fmt.Sprintf("apply: --inventory %q: want NAMESPACE/NAME", f.inventory)}
	}
	srcs, res, err := f.spec.loadSources(e)
	if err != nil {
		return err
	}
	// The tree's Git path must be where it is committed: derived from
	// --path or -o when the spec leaves it unset, refused when it differs.
	if f.toGit() && (f.path != "" || f.output != "") {
		_, p, err := f.gitTarget(res.Spec.GitOps.Repository.Path)
		if err != nil {
			return err
		}
		if err := fleet.AgreeGitPath(res, p); err != nil {
			return err
		}
	}
	files, err := render.Render(res.Spec)
	if err != nil {
		return err
	}

	if f.toGit() {
		repo, p, err := f.gitTarget(res.Spec.GitOps.Repository.Path)
		if err != nil {
			return err
		}
		if f.push {
			e.unwatch() // a push waits on the network, with its own timeouts
		} else if err := e.watch("writing "+p, stageWrite); err != nil {
			return err
		}
		// The tree keeps what render wrote into it: its hydrated releases
		// and the options recorded in its manifest (issue 19 item 5).
		tree := filepath.Join(repo, filepath.FromSlash(p))
		hf := f.hf
		hf.recall(e, tree)
		hf.specArgs = nil
		for _, s := range f.spec.files {
			hf.specArgs = append(hf.specArgs, "-f", s)
		}
		gitFiles, err := hf.apply(e, res.Spec, files)
		if err != nil {
			return err
		}
		subj := gitrepo.Subject{Cluster: res.Spec.Cluster.Name, Release: res.Spec.Name, SpecFiles: f.spec.files, SpecHash: gitrepo.SpecHash(srcs)}
		gr, err := gitrepo.Commit(gitFiles, subj, gitrepo.Options{Repo: repo, Path: p, Push: f.push, Remote: f.remote, DryRun: f.dryRun,
			Write: e.writerOptions(false), Render: hf.record().RecordedFrom(tree), Branch: f.branch, SpecFiles: f.spec.files})
		if gr != nil {
			e.printGit(gr, *f, gr.Path)
		}
		if err != nil {
			return err
		}
	}
	if !f.toCluster(fs) {
		return nil
	}
	if res.Spec.UsesArgoCDHub() {
		// Applied directly, the tree would install neither chart: the
		// hub's ApplicationSets do, from Git.
		return fmt.Errorf("apply: the hub Argo CD (gitops.argocd.mode \"hub\") syncs cluster %s from Git; commit the tree (apply --repo or -o) and register the cluster with aws/bootstrap.sh instead of applying it to the cluster", res.Spec.Cluster.Name)
	}
	e.unwatch() // the cluster phase has its own --timeout

	objs, err := apply.Load(files)
	if err != nil {
		return err
	}
	cfg, cluster, err := apply.LoadConfig(f.kubeconfig, f.kubeContext)
	if err != nil {
		return err
	}
	opts := apply.DefaultOptions()
	opts.Cluster = cluster
	opts.InventoryNamespace, opts.InventoryName = invNS, invName
	opts.Warnings = prefixWriter{e.stderr, "warning: "}
	m, err := apply.New(cfg, opts)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ao := apply.DefaultApplyOptions()
	ao.DryRun, ao.Prune, ao.ForceConflicts = f.dryRun, f.prune, f.force
	result, err := m.Apply(ctx, objs, ao)
	if result != nil {
		e.printApply(result)
	}
	if err != nil {
		return err
	}
	if result.Err() != nil {
		return errReported
	}
	if f.wait && !f.dryRun {
		return e.wait(ctx, m, objs, f.timeout)
	}
	return nil
}

func (e *env) printGit(r *gitrepo.Result, f applyFlags, p string) {
	if e.quiet {
		return
	}
	if f.dryRun {
		fmt.Fprintf(e.stdout, "git: %s would change under %s (dry run)\n", plural(len(r.Changes), "file", "files"), p)
		for _, c := range r.Changes {
			fmt.Fprintf(e.stdout, "  %-9s %s\n", c.Action, c.Path)
		}
		return
	}
	if r.Commit == "" {
		fmt.Fprintf(e.stdout, "git: %s unchanged, nothing to commit\n", p)
	} else {
		// What the commit holds: the tree's files (its manifest too) and
		// the spec files that changed.
		specs := ""
		if len(r.Specs) > 0 {
			specs = "; spec " + strings.Join(r.Specs, ", ")
		}
		fmt.Fprintf(e.stdout, "git: committed %s on %s (%s changed under %s%s)\n", r.Commit[:12], r.Branch, plural(len(r.Committed)-len(r.Specs), "file", "files"), p, specs)
	}
	if f.push {
		if r.Pushed {
			fmt.Fprintf(e.stdout, "git: pushed %s to %s\n", r.Branch, f.remote)
		} else {
			fmt.Fprintf(e.stdout, "git: %s is up to date on %s\n", r.Branch, f.remote)
		}
	}
}

// printApply prints one line per object, as Flux does, failures with their
// file and the API server's reason on stderr, then a summary.
func (e *env) printApply(r *apply.Result) {
	suffix := ""
	if r.DryRun {
		suffix = " (server dry run)"
	}
	for _, c := range r.Changes {
		if c.Action == apply.Failed {
			fmt.Fprintf(e.stderr, "error: %v\n", c.Err)
			continue
		}
		if e.quiet {
			continue
		}
		line := c.String() + suffix
		switch {
		case len(c.Fields) > 0:
			line += ": " + strings.Join(c.Fields, ", ")
		case c.Note != "":
			line += ": " + c.Note
		}
		fmt.Fprintln(e.stdout, line)
	}
	if len(r.Stale) > 0 {
		fmt.Fprintf(e.stdout, "%d objects milvusgen applied before are no longer rendered; apply --prune deletes them: %s\n", len(r.Stale), strings.Join(r.Stale, ", "))
	}
	e.printf("apply: %s%s\n", r.Summary(), suffix)
}

func (e *env) wait(ctx context.Context, m *apply.Manager, objs []apply.Object, timeout time.Duration) error {
	opts := apply.DefaultWaitOptions()
	opts.Timeout = timeout
	opts.Progress = func(p apply.Progress) {
		if len(p.NotReady) == 0 {
			return
		}
		names := make([]string, len(p.NotReady))
		for i, s := range p.NotReady {
			names[i] = s.String()
		}
		e.printf("wait: %d/%d ready after %s; waiting for %s\n", p.Ready, p.Total, p.Elapsed.Round(time.Second), strings.Join(names, "; "))
	}
	start := time.Now()
	if err := m.Wait(ctx, objs, opts); err != nil {
		return fmt.Errorf("wait failed: %w", err)
	}
	e.printf("wait: all %d objects ready after %s\n", len(objs), time.Since(start).Round(time.Second))
	return nil
}

// prefixWriter prefixes each write (one API server warning) with p.
type prefixWriter struct {
	w io.Writer
	p string
}

func (pw prefixWriter) Write(b []byte) (int, error) {
	if _, err := fmt.Fprintf(pw.w, "%s%s", pw.p, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// gitTarget returns the work tree and the tree's directory in it: -o DIR
// names the directory on disk (its work tree is the one holding it, or
// --repo); else --repo and --path, by default the spec's path.
func (f *applyFlags) gitTarget(specPath string) (repo, p string, err error) {
	repo, p, err = f.gitTargetUnchecked(specPath)
	if err != nil {
		return "", "", err
	}
	// Checked before anything is written: a newline in --path once left a
	// repository every later apply failed on.
	if msg := spec.GitPathProblem(p); msg != "" {
		if f.output != "" {
			return "", "", usageError{fmt.Sprintf("apply: -o %s lies at %q in the repository, which cannot be Flux's path: %s", f.output, p, msg)}
		}
		return "", "", usageError{fmt.Sprintf("apply: --path %q: %s", p, msg)}
	}
	return repo, p, nil
}

func (f *applyFlags) gitTargetUnchecked(specPath string) (repo, p string, err error) {
	if f.output == "" {
		if f.path != "" {
			return f.repo, f.path, nil
		}
		return f.repo, specPath, nil
	}
	at := f.repo
	if at == "" {
		at = existingParent(f.output)
	}
	r, err := diff.OpenRepo(at)
	if err != nil {
		return "", "", fmt.Errorf("-o %s: %w", f.output, err)
	}
	if p, err = r.Rel(f.output); err != nil {
		return "", "", err
	}
	return r.Root, p, nil
}

// existingParent is dir, or its nearest parent that exists.
func existingParent(dir string) string {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			return d
		}
	}
}
