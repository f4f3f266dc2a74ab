// Package cost estimates the monthly on-demand AWS bill of a rendered tree,
// and the change a pull request makes to it, from a pinned, dated price
// table. It prices what milvusgen creates: nodes, the EKS control plane,
// the NLB, NAT gateways, EBS volumes and S3 storage. It never calls AWS and
// never guesses: a region or instance type without a price says so.
package cost

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/milvusgen/milvusgen/internal/spec"
)

// Kinds of line, in the order a bill lists them.
const (
	KindNodes        = "nodes"
	KindControlPlane = "control plane"
	KindLoadBalancer = "load balancer"
	KindNAT          = "NAT gateways"
	KindEBS          = "EBS gp3"
	KindS3           = "S3 storage"
)

// Line is one priced resource.
type Line struct {
	Kind string `json:"kind"`
	// Item names the resource within its kind, e.g. the node group.
	Item string `json:"item"`
	// Detail shows the arithmetic: quantity × unit price.
	Detail string `json:"detail"`
	// Monthly is in the table's currency; cents when shown.
	Monthly float64 `json:"monthly"`
}

// Key identifies a line across two bills.
func (l Line) Key() string { return l.Kind + "/" + l.Item }

// Bill is one tree's monthly estimate.
type Bill struct {
	Cluster string `json:"cluster"`
	Region  string `json:"region"`
	// NoPrices is set, and Lines empty, when the table has no prices for
	// the region.
	NoPrices string  `json:"noPrices,omitempty"`
	Lines    []Line  `json:"lines,omitempty"`
	Total    float64 `json:"total"`
	// Unpriced names resources the table has no price for; Total leaves
	// them out.
	Unpriced []string `json:"unpriced,omitempty"`
	// Usage lists what is billed by use and not in Total.
	Usage []string `json:"usage,omitempty"`
	// PricesDate and PricesSource cite the table.
	PricesDate   string `json:"pricesDate"`
	PricesSource string `json:"pricesSource"`
}

// Estimate prices the inputs with the table. The control plane is priced
// by the Kubernetes version's support on today.
func Estimate(in Inputs, t *Table, today time.Time) *Bill {
	b := &Bill{Cluster: in.Cluster, Region: in.Region, PricesDate: t.Date, PricesSource: t.Source}
	p, err := t.Region(in.Region)
	if err != nil {
		b.NoPrices = err.Error()
		return b
	}
	h := t.HoursPerMonth
	add := func(kind, item, detail string, monthly float64) {
		b.Lines = append(b.Lines, Line{Kind: kind, Item: item, Detail: detail, Monthly: monthly})
		b.Total += monthly
	}

	for _, g := range in.NodeGroups {
		hourly, ok := p.Instances[g.InstanceType]
		if !ok {
			b.Unpriced = append(b.Unpriced, fmt.Sprintf("node group %s: no price for %s in %s", g.Name, g.InstanceType, in.Region))
			continue
		}
		add(KindNodes, g.Name, fmt.Sprintf("%d × %s × %g h × %s/h", g.Nodes, g.InstanceType, h, price(hourly)), float64(g.Nodes)*hourly*h)
	}

	switch s := spec.KubernetesSupport(in.KubernetesVersion, today); s {
	case spec.StandardSupport:
		add(KindControlPlane, "EKS "+in.KubernetesVersion, fmt.Sprintf("standard support on %s: %g h × %s/h", today.Format(time.DateOnly), h, price(p.EKSStandardHour)), p.EKSStandardHour*h)
	case spec.ExtendedSupport, spec.EndOfSupport:
		add(KindControlPlane, "EKS "+in.KubernetesVersion, fmt.Sprintf("extended support on %s: %g h × %s/h (%.0f× standard)", today.Format(time.DateOnly), h, price(p.EKSExtendedHour), p.EKSExtendedHour/p.EKSStandardHour), p.EKSExtendedHour*h)
	default:
		b.Unpriced = append(b.Unpriced, fmt.Sprintf("EKS control plane: Kubernetes %q is not in milvusgen's support table", in.KubernetesVersion))
	}

	if in.LoadBalancers > 0 {
		add(KindLoadBalancer, "NLB", fmt.Sprintf("%d × %g h × %s/h", in.LoadBalancers, h, price(p.NLBHour)), float64(in.LoadBalancers)*p.NLBHour*h)
		b.Usage = append(b.Usage, fmt.Sprintf("NLB capacity units: %s per NLCU-hour, by traffic", price(p.NLCUHour)))
	}
	if in.NATGateways > 0 {
		add(KindNAT, in.NAT, fmt.Sprintf("%d × %g h × %s/h", in.NATGateways, h, price(p.NATHour)), float64(in.NATGateways)*p.NATHour*h)
		b.Usage = append(b.Usage, fmt.Sprintf("NAT data processing: %s per GB through the gateways (S3 traffic avoids it only through an S3 gateway endpoint)", price(p.NATGB)))
	}

	for _, g := range in.NodeGroups {
		if g.VolumeGiB > 0 && g.Nodes > 0 {
			add(KindEBS, "root volumes "+g.Name, fmt.Sprintf("%d × %d GiB × %s/GB-month", g.Nodes, g.VolumeGiB, price(p.GP3GBMonth)), float64(g.Nodes*g.VolumeGiB)*p.GP3GBMonth)
		}
	}
	for _, v := range in.Volumes {
		add(KindEBS, v.Component, fmt.Sprintf("%d × %s GiB × %s/GB-month", v.Count, num(v.GiB), price(p.GP3GBMonth)), float64(v.Count)*v.GiB*p.GP3GBMonth)
	}

	if in.S3Bytes > 0 {
		g := float64(in.S3Bytes) / (1 << 30)
		add(KindS3, "dataset", fmt.Sprintf("%s GiB × %s/GB-month (Standard, first 50 TB)", num(math.Ceil(g*10)/10), price(p.S3StandardGBMonth)), g*p.S3StandardGBMonth)
	} else {
		b.Usage = append(b.Usage, fmt.Sprintf("S3 storage: %s per GB-month; give milvus.dataset for an estimate", price(p.S3StandardGBMonth)))
	}
	b.Usage = append(b.Usage, "data transfer and S3 requests, by traffic")
	return b
}

// money shows an amount in dollars and cents.
func money(v float64) string {
	if Cents(v) < 0 {
		return "-" + money(-v)
	}
	return "$" + commas(fmt.Sprintf("%.2f", v))
}

// price shows a unit price with every digit the table has.
func price(v float64) string { return "$" + strconv.FormatFloat(v, 'f', -1, 64) }

// commas groups the integer part of a formatted number by thousands.
func commas(s string) string {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	for i := range s {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i:]
			break
		}
	}
	var out []byte
	for i := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, intPart[i])
	}
	if neg {
		return "-" + string(out) + frac
	}
	return string(out) + frac
}

// num shows a quantity without a trailing ".0".
func num(v float64) string { return fmt.Sprintf("%g", v) }

// Cents rounds an amount to whole cents, how totals are compared.
func Cents(v float64) int64 { return int64(math.Round(v * 100)) }
