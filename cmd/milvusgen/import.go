package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/adopt"
	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render/values"
)

func init() { commands = append(commands, (*env).importCommand) }

type importFlags struct {
	kubeconfig, context    string
	release, namespace     string
	output                 string
	accountID, clusterName string
	argocdNamespace        string
	charts                 chartDirFlag
}

func (e *env) importCommand() *cobra.Command {
	var f importFlags
	c := newCommand(`import --release NAME -n NAMESPACE [--kubeconfig F] [--context C] [-o SPEC]
                   [--account-id ID] [--cluster NAME] [--argocd-namespace NS] [--chart-dir DIR]`,
		"write a spec from a running Milvus Helm release and show how its render differs",
		`Reads the deployed revision of a Milvus Helm release from the cluster,
through Helm's own storage (the release Secrets that helm and Flux's
helm-controller keep), and writes a spec that renders the same Milvus: the
chart version, milvus.version from the image tag, and the values mapped to
spec fields (replicas and resources per component, the bucket, region and
root path, the message queue, the coordinator layout, the service, auth and
TLS). Values the spec has no field for are kept under milvus.values only
where the raw-values allowlist passes them. Every value that could not be
mapped or had to change is reported on stderr, one line each:

  not mapped: <values path> (<reason>)
  changed: <values path> (<reason>)
  todo: <spec field> (<reason>)

The release cannot say the AWS account or the EKS cluster: pass
--account-id and --cluster, or the spec holds a TODO placeholder that the
validator refuses. Credentials found in the values are never written.

An Argo CD install keeps no Helm release: import then reads the Argo CD
Application named --release in --argocd-namespace (spec.source.helm.
valuesObject or values), and cannot compare with an installed manifest.

Then the spec is rendered and its Milvus release hydrated with the chart
cache (--chart-dir), and compared, object by object, with the manifest Helm
installed (Secret data masked on both sides). TODO placeholders are replaced
by stand-ins for this comparison only.

Exit 0 when the rendered release equals the installed one, 1 when they
differ, 2 on error.`,
		func(cmd *cobra.Command, args []string) error {
			return e.diffFailed(e.runImport(&f))
		})
	fs := c.Flags()
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&f.context, "context", "", "kubeconfig context (default: the current one)")
	fs.StringVar(&f.release, "release", "", "the Helm release name (also the spec's name)")
	fs.StringVarP(&f.namespace, "namespace", "n", "", "the release's namespace (also milvus.namespace)")
	fs.StringVarP(&f.output, "output", "o", "", "write the spec to this YAML file (refused if it exists; default: stdout)")
	fs.StringVar(&f.accountID, "account-id", "", "aws.accountID of the spec (the release cannot say)")
	fs.StringVar(&f.clusterName, "cluster", "", "cluster.name of the spec: the EKS cluster (the release cannot say)")
	fs.StringVar(&f.argocdNamespace, "argocd-namespace", "argocd", "where to look for an Argo CD Application when there is no Helm release")
	f.charts.bind(fs)
	_ = c.MarkFlagRequired("release")
	_ = c.MarkFlagRequired("namespace")
	return c
}

// compareStandIns replace the TODO placeholders for the comparison only.
// The region is not us-east-1, where eksctl picks two zones and a
// highAvailability release would be refused for its zones, which the
// release cannot name.
var compareStandIns = map[string]string{
	adopt.TODOAccountID: "000000000000",
	adopt.TODOCluster:   "imported",
	adopt.TODORegion:    "us-east-2",
	adopt.TODOBucket:    "imported-bucket",
}

func (e *env) runImport(f *importFlags) error {
	if f.output != "" {
		if _, err := os.Lstat(f.output); err == nil {
			return fmt.Errorf("import: %s exists; import never overwrites a spec, choose another -o", f.output)
		}
	}
	cfg, cluster, err := apply.LoadConfig(f.kubeconfig, f.context)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rel, err := adopt.Read(ctx, cfg, f.namespace, f.release, f.argocdNamespace)
	if err != nil {
		return fmt.Errorf("import from %s (context %q): %w", cluster.Server, cluster.Context, err)
	}
	if rel.ChartName != "milvus" {
		return fmt.Errorf("import: %s installs chart %q, not milvus", rel.Source, rel.ChartName)
	}
	cache, err := f.charts.cache(e)
	if err != nil {
		return err
	}
	ref := chart.Ref{Repository: model.MilvusChartRepo, Name: "milvus", Version: rel.ChartVersion}
	if rel.Defaults == nil {
		ch, err := cache.Load(ref)
		if err != nil {
			return fmt.Errorf("import: %s keeps no chart; the chart's defaults are needed: %w", rel.Source, err)
		}
		rel.Defaults = ch.Values
	}
	res := adopt.Map(adopt.Input{
		Release: f.release, Namespace: f.namespace,
		ChartVersion: rel.ChartVersion, Values: rel.Values, Defaults: rel.Defaults,
		AccountID: f.accountID, ClusterName: f.clusterName,
	})
	data, err := specYAML(rel, res)
	if err != nil {
		return err
	}
	if f.output == "" {
		_, err = e.stdout.Write(data)
	} else {
		err = writeNew(f.output, data)
	}
	if err != nil {
		return err
	}
	if !e.quiet {
		fmt.Fprintf(e.stderr, "milvusgen import: %s, chart milvus@%s\n", rel.Source, rel.ChartVersion)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(e.stderr, n)
	}
	if rel.Manifest == "" {
		fmt.Fprintf(e.stderr, "milvusgen import: %s keeps no installed manifest to compare with; compare with the cluster with: milvusgen diff --live -f SPEC\n", rel.Source)
		return nil
	}
	return e.importCompare(f, cfg, rel, res, cache)
}

// importCompare renders the spec, hydrates its Milvus release and compares
// it with what Helm installed.
func (e *env) importCompare(f *importFlags, cfg *rest.Config, rel *adopt.Release, res *adopt.Result, cache *chart.Cache) error {
	data, err := yaml.Marshal(res.Spec)
	if err != nil {
		return err
	}
	var substituted []string
	for todo, standIn := range compareStandIns {
		if bytes.Contains(data, []byte(todo)) {
			q, _ := yaml.Marshal(todo)
			data = bytes.ReplaceAll(data, bytes.TrimSpace(q), []byte(fmt.Sprintf("%q", standIn)))
			substituted = append(substituted, standIn)
		}
	}
	name := f.output
	if name == "" {
		name = "imported.yaml"
	}
	loaded, err := spec.Load([]spec.Source{{Name: name, Data: data}}, spec.Options{Today: e.date(), SupportWarnings: true})
	if err != nil {
		return fmt.Errorf("import: the imported spec does not validate; fix it, then compare with milvusgen diff --live: %w", err)
	}
	s := loaded.Spec
	kube := ""
	if cs, err := kubernetes.NewForConfig(cfg); err == nil {
		if v, err := cs.Discovery().ServerVersion(); err == nil {
			kube = v.Major + "." + strings.TrimSuffix(v.Minor, "+")
		}
	}
	files, err := hydrate.Render([]hydrate.Input{{
		Origin:      "the imported spec",
		Chart:       chart.Ref{Repository: model.MilvusChartRepo, Name: "milvus", Version: s.Milvus.ChartVersion},
		ReleaseName: s.Name,
		Namespace:   s.Milvus.Namespace,
		Values:      values.Milvus(s),
	}}, cache, hydrate.Options{KubeVersion: kube, KeepChartLabels: true})
	if err != nil {
		return err
	}
	r, err := adopt.Compare(rel.Manifest, files[0], adopt.Credentials(rel.Values))
	if err != nil {
		return err
	}
	if len(substituted) > 0 {
		fmt.Fprintf(e.stdout, "compared with stand-ins for the TODO fields: %s\n", strings.Join(substituted, ", "))
	}
	if err := diff.WriteText(e.stdout, r, diff.TextOptions{}); err != nil {
		return err
	}
	if !r.Equal() {
		return errReported
	}
	return nil
}

// specYAML is the spec with the report as a comment on top, so the review
// travels with the file.
func specYAML(rel *adopt.Release, res *adopt.Result) ([]byte, error) {
	data, err := yaml.Marshal(res.Spec)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported by milvusgen import from %s (chart milvus@%s).\n", rel.Source, rel.ChartVersion)
	if len(res.Notes) > 0 {
		b.WriteString("# Review before the first render:\n")
		for _, n := range res.Notes {
			fmt.Fprintf(&b, "#   %s\n", n)
		}
	}
	b.Write(data)
	return b.Bytes(), nil
}

// writeNew writes a new file all at once: a temporary file renamed into
// place, never over an existing one.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".import-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("import: %s exists; import never overwrites a spec", path)
		}
		return err
	}
	return nil
}
