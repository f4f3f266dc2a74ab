package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/internal/buildinfo"
	"github.com/milvusgen/milvusgen/internal/spec"
)

func init() { commands = append(commands, (*env).versionCommand) }

func (e *env) versionCommand() *cobra.Command {
	return newCommand("version", "print the version, the libraries and the chart versions milvusgen knows",
		`Prints milvusgen's release version (or "dev"), the VCS revision it was built
from and whether that tree was modified, the Go, Helm SDK, CUE and eksctl
versions it was built with, and the chart versions it knows (the
#Compatibility table of the schema). With -q, only the release version.`,
		func(cmd *cobra.Command, args []string) error { return e.printVersion(e.quiet) })
}

func (e *env) printVersion(short bool) error {
	info := buildinfo.Read()
	if short {
		_, err := fmt.Fprintln(e.stdout, info.Version)
		return err
	}
	line := "milvusgen " + info.Version
	var rev []string
	if info.Module != "" && info.Module != info.Version {
		rev = append(rev, "module "+info.Module)
	}
	if info.Revision != "" {
		r := "revision " + info.Revision
		if info.Modified {
			r += " (modified)"
		}
		rev = append(rev, r)
	}
	if info.Time != "" {
		rev = append(rev, "committed "+info.Time)
	}
	if len(rev) > 0 {
		line += ", " + strings.Join(rev, ", ")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, line)
	dep := func(p string) string {
		if v := info.Deps[p]; v != "" {
			return v
		}
		return "unknown"
	}
	fmt.Fprintf(tw, "  go\t%s\n", info.Go)
	fmt.Fprintf(tw, "  helm sdk\t%s\n", dep(buildinfo.Helm))
	fmt.Fprintf(tw, "  cue\t%s\n", dep(buildinfo.CUE))
	if v := info.Deps[buildinfo.Eksctl]; v != "" {
		fmt.Fprintf(tw, "  eksctl\t%s\n", v)
	} else {
		fmt.Fprintf(tw, "  eksctl\t%s (the ClusterConfig is checked against it; not linked)\n", buildinfo.EksctlChecked)
	}
	milvus, lbc := spec.KnownCharts()
	fmt.Fprintf(tw, "  milvus chart\t%s\n", chartList(milvus, "Milvus "))
	fmt.Fprintf(tw, "  aws-load-balancer-controller chart\t%s\n", chartList(lbc, ""))
	return tw.Flush()
}

func chartList(vs []spec.ChartVersion, app string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%s (%s%s)", v.Chart, app, v.App)
	}
	return strings.Join(parts, ", ")
}
