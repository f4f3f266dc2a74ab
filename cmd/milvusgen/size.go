package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/internal/cost"
	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/render"
)

func init() { commands = append(commands, (*env).sizeCommand) }

func (e *env) sizeCommand() *cobra.Command {
	var (
		sf       specFlags
		format   string
		withCost bool
	)
	c := newCommand("size -f SPEC [-f OVERLAY]... [--format text|json] [--cost]",
		"print the resources a spec's dataset needs and whether its nodes hold them",
		`Prints the resources the deployment needs: for each Milvus component its
cpu and memory per pod, replicas and totals (from milvus.dataset by the
Milvus sizing tool's tables, or as the spec sets them), the other pods that
share the nodes, the dataset's raw size, loading memory and local disk, and
how many nodes of the first node group's instance type hold every pod after
the kubelet, system reservations and DaemonSets. A spec whose node groups
cannot hold its pods is invalid: size then prints the problems, as validate
does, and exits 1.

With --cost, also prints the monthly on-demand cost of what the tree
creates: each node group (desiredCapacity × instance hours), the EKS control
plane (standard or extended support on --today), the NLB, the NAT gateways,
EBS gp3 for node root volumes and stateful components, and S3 storage for
milvus.dataset. Prices come from the table pinned in milvusgen, which
carries its date and source; a region it lacks is named, never guessed.`,
		func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Sprintf("size: --format %q: want text or json", format)}
			}
			res, err := sf.load(e)
			if err != nil {
				return err
			}
			sum, err := sizing.Summarize(res.Spec)
			if err != nil {
				return err
			}
			var bill *cost.Bill
			if withCost {
				files, err := render.Render(res.Spec)
				if err != nil {
					return err
				}
				in, err := cost.FromTree(files)
				if err != nil {
					return err
				}
				bill = cost.Estimate(in, cost.Pinned(), e.date())
			}
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					*sizing.Summary
					Cost *cost.Bill `json:"cost,omitempty"`
				}{sum, bill})
			}
			if err := writeSize(e.stdout, sum); err != nil || bill == nil {
				return err
			}
			fmt.Fprintln(e.stdout)
			return cost.WriteText(e.stdout, bill)
		})
	c.Args = specArgs
	sf.bind(c.Flags())
	c.Flags().StringVar(&format, "format", "text", "output format: text (an aligned table) or json")
	c.Flags().BoolVar(&withCost, "cost", false, "also print the monthly on-demand cost of what the spec creates, from milvusgen's pinned price table")
	choices(c, "format", "text", "json")
	return c
}

// writeSize prints the summary as aligned text.
func writeSize(w io.Writer, s *sizing.Summary) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	if d := s.Dataset; d != nil {
		fmt.Fprintf(tw, "dataset\t%s\n", d.Description)
		fmt.Fprintf(tw, "raw size\t%s\n", sizing.FormatBytes(d.Raw))
		fmt.Fprintf(tw, "index\t%s per replica\n", sizing.FormatBytes(d.Index))
		fmt.Fprintf(tw, "loading memory\t%s on the query nodes\n", sizing.FormatBytes(d.Loading))
		if d.LocalDisk > 0 {
			fmt.Fprintf(tw, "local disk\t%s on the query nodes\n", sizing.FormatBytes(d.LocalDisk))
		} else {
			fmt.Fprintf(tw, "local disk\tnone (only DISKANN keeps its index on the nodes' disks)\n")
		}
	} else {
		fmt.Fprintf(tw, "dataset\tnone: resources as the spec sets them (add milvus.dataset to size them from your data)\n")
	}
	fmt.Fprintln(tw)

	disk := s.Total.DiskBytes > 0
	head := "COMPONENT\tCPU\tMEMORY\tREPLICAS\tTOTAL CPU\tTOTAL MEMORY\t"
	if disk {
		head += "LOCAL DISK\t"
	}
	fmt.Fprintln(tw, head+"FROM")
	row := func(c sizing.ComponentSummary) {
		cpu, mem := cores(c.PerPod.CPU), c.PerPod.Memory
		tcpu, tmem := cores(c.Total.CPU), sizing.FormatBytes(c.Total.MemoryBytes)
		if c.PerPod.MemoryBytes == 0 && c.PerPod.CPU == 0 {
			cpu, mem, tcpu, tmem = "-", "-", "-", "-"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%d\t%s\t%s\t", c.Name, cpu, mem, c.Replicas, tcpu, tmem)
		if disk {
			line += sizing.FormatBytes(c.Total.DiskBytes) + "\t"
		}
		fmt.Fprintln(tw, line+source(c.Source))
	}
	totalRow := func(name string, a sizing.Amount) {
		line := fmt.Sprintf("%s\t\t\t\t%s\t%s\t", name, cores(a.CPU), sizing.FormatBytes(a.MemoryBytes))
		if disk {
			line += sizing.FormatBytes(a.DiskBytes) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	for _, c := range s.Components {
		row(c)
	}
	totalRow("milvus", s.MilvusTotal)
	for _, c := range s.Dependencies {
		row(c)
	}
	totalRow("total", s.Total)
	fmt.Fprintln(tw)

	n := s.Nodes
	switch {
	case !n.Known:
		fmt.Fprintf(tw, "nodes\tmilvusgen has no figures for %s (node group %s), so it cannot count nodes\n", n.InstanceType, n.NodeGroup)
	case n.Needed == 0:
		fmt.Fprintf(tw, "nodes\tno number of %s holds every pod (%s CPU/%s allocatable per node); use a larger instance type\n",
			n.InstanceType, cores(n.Allocatable.CPU), sizing.FormatBytes(n.Allocatable.MemoryBytes))
	default:
		verb := "hold"
		if n.Needed == 1 {
			verb = "holds"
		}
		others := ""
		if n.OtherGroups > 0 {
			groups := "the other node group"
			if n.OtherGroups > 1 {
				groups = fmt.Sprintf("the other %d node groups", n.OtherGroups)
			}
			others = fmt.Sprintf(" in %s, with %s at desiredCapacity,", n.NodeGroup, groups)
		}
		fmt.Fprintf(tw, "nodes\t%d × %s%s %s every pod (%s CPU/%s allocatable per node after the kubelet, system reservations and DaemonSets)\n",
			n.Needed, n.InstanceType, others, verb, cores(n.Allocatable.CPU), sizing.FormatBytes(n.Allocatable.MemoryBytes))
	}
	if n.NodeGroup != "" {
		status := "the node groups hold every pod"
		switch {
		case !s.Checked:
			status = "the fit was not checked (see the warnings)"
		case !s.Fits:
			status = "the node groups do not hold every pod at desiredCapacity (see the warnings)"
		}
		fmt.Fprintf(tw, "node group\t%s: desiredCapacity %d, maxSize %d; %s\n", n.NodeGroup, n.DesiredCapacity, n.MaxSize, status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Every row keeps all its cells so the columns line up across the
	// total rows; the empty last cells leave trailing blanks to trim.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+strings.Repeat("\n", strings.Count(line, "\n"))); err != nil {
			return err
		}
	}
	return nil
}

func cores(c float64) string {
	return sizing.FormatCPU(int64(c*1000 + 0.5))
}

func source(s string) string {
	switch s {
	case sizing.SourceDataset:
		return "dataset (sizing tool)"
	case sizing.SourceChart:
		return "chart default (no resources)"
	case sizing.SourceEstimate:
		return "estimate"
	}
	return s
}
