package fleet

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// List writes one line per environment: name, account, region, cluster,
// chart versions and output directory. Environments that did not load are
// listed with their error's first line.
func List(w io.Writer, envs []*Env) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENVIRONMENT\tACCOUNT\tREGION\tCLUSTER\tMILVUS CHART\tLB CONTROLLER CHART\tOUTPUT")
	for _, e := range envs {
		if e.Result == nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t%s\n", e.Name, e.Output)
			continue
		}
		s := e.Result.Spec
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, s.AWS.AccountID, s.AWS.Region, s.Cluster.Name,
			s.Milvus.ChartVersion, s.LoadBalancerController.ChartVersion, e.Output)
	}
	return tw.Flush()
}
