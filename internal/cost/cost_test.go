package cost

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/render"
)

// day is the date every test prices on: Kubernetes 1.35 is in standard
// support, 1.32 in extended support.
var day = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

func bill(t *testing.T, s *model.Spec) *Bill {
	t.Helper()
	files, err := render.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	in, err := FromTree(files)
	if err != nil {
		t.Fatal(err)
	}
	return Estimate(in, Pinned(), day)
}

// usEast1 is the runbook moved to us-east-1, the region the pinned table
// prices.
func usEast1(edit func(s *model.Spec)) *model.Spec {
	return modeltest.Variant(func(s *model.Spec) {
		s.AWS.Region = "us-east-1"
		if edit != nil {
			edit(s)
		}
	})
}

// TestPinnedTable checks the committed table against the reference's
// figures (../shared/reference/day2-operations.md §6) and that it prices
// every instance type milvusgen sizes.
func TestPinnedTable(t *testing.T) {
	tb := Pinned()
	if tb.Date != "2026-07-20" || !strings.Contains(tb.Source, "karpenter") || tb.HoursPerMonth != 730 {
		t.Errorf("table says date %q, hours %v, source %q", tb.Date, tb.HoursPerMonth, tb.Source)
	}
	p, err := tb.Region("us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]float64{"m6i.2xlarge": 0.384, "m6i.4xlarge": 0.768, "r6i.4xlarge": 1.008, "m7i.4xlarge": 0.8064} {
		if p.Instances[typ] != want {
			t.Errorf("%s = %v, want %v", typ, p.Instances[typ], want)
		}
	}
	want := Region{EKSStandardHour: 0.10, EKSExtendedHour: 0.60, NLBHour: 0.0225, NLCUHour: 0.006, NATHour: 0.045, NATGB: 0.045, GP3GBMonth: 0.08, S3StandardGBMonth: 0.023}
	got := p
	got.Instances = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("service prices %+v, want %+v", got, want)
	}
	for _, typ := range sizing.InstanceTypes() {
		if _, ok := p.Instances[typ]; !ok {
			t.Errorf("no us-east-1 price for %s, which milvusgen sizes", typ)
		}
	}
}

func TestParseTableRefuses(t *testing.T) {
	for name, data := range map[string]string{
		"no date":       `{"source":"x","currency":"USD","hoursPerMonth":730,"regions":{}}`,
		"other money":   `{"date":"d","source":"x","currency":"EUR","hoursPerMonth":730,"regions":{}}`,
		"unknown field": `{"date":"d","source":"x","currency":"USD","hoursPerMonth":730,"regions":{},"extra":1}`,
		"missing price": `{"date":"d","source":"x","currency":"USD","hoursPerMonth":730,"regions":{"us-east-1":{"instances":{"m6i.large":1}}}}`,
	} {
		if _, err := ParseTable([]byte(data)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestRunbookInUSEast1 is the runbook's deployment priced by hand: 3 ×
// m6i.4xlarge (the runbook's node group), Kubernetes 1.35 in standard
// support, one NLB, one NAT gateway in each of us-east-1's two zones
// (highAvailability), 3 × 80 GiB root volumes and etcd's 3 × 10 GiB, no
// dataset.
func TestRunbookInUSEast1(t *testing.T) {
	b := bill(t, usEast1(nil))
	if b.NoPrices != "" {
		t.Fatal(b.NoPrices)
	}
	want := 3*0.768*730 + // nodes: 1681.92
		0.10*730 + // control plane: 73
		0.0225*730 + // NLB: 16.425
		2*0.045*730 + // NAT: 65.70
		3*80*0.08 + // root volumes: 19.2
		3*10*0.08 // etcd: 2.4
	if Cents(b.Total) != Cents(want) || Cents(want) != 185865 {
		t.Errorf("total %v, want %v ($1,858.65)\n%+v", b.Total, want, b.Lines)
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"3 × m6i.4xlarge × 730 h × $0.768/h", "$1,681.92", "standard support on 2026-12-07", "$1,858.65", "prices dated 2026-07-20", "NAT data processing: $0.045 per GB"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, buf.String())
		}
	}
}

// TestDatasetS3 prices the sizing example's dataset: 100 million
// 768-dimensional vectors under HNSW (M 30) keep their raw vectors
// (N·d·4 bytes) and one index ((1 + 2M/d)·N·d·4 bytes) in S3.
func TestDatasetS3(t *testing.T) {
	b := bill(t, usEast1(func(s *model.Spec) {
		s.Milvus.Dataset = &model.Dataset{Vectors: 100_000_000, Dimension: 768, Index: model.Index{Type: "HNSW", M: 30}, Replicas: 1}
	}))
	raw := 100e6 * 768 * 4.0
	bytes := raw + (1+2*30/768.0)*raw // 638.4 GB
	want := bytes / (1 << 30) * 0.023 // $13.67
	var got float64
	for _, l := range b.Lines {
		if l.Kind == KindS3 {
			got = l.Monthly
		}
	}
	if math.Abs(got-want) > 0.005 || Cents(want) != 1367 {
		t.Errorf("S3 %v, want %v", got, want)
	}
}

func TestNoPricesForRegion(t *testing.T) {
	b := bill(t, modeltest.Runbook()) // us-east-2
	want := "no prices for us-east-2 in the table dated 2026-07-20"
	if !strings.Contains(b.NoPrices, want) || len(b.Lines) != 0 || b.Total != 0 {
		t.Errorf("bill %+v, want no lines and %q", b, want)
	}
	var buf bytes.Buffer
	_ = WriteText(&buf, b)
	if !strings.Contains(buf.String(), want) {
		t.Errorf("text %q lacks %q", buf.String(), want)
	}
}

// TestExtendedSupport: 1.32 left standard support on 2026-03-23, so its
// control plane costs $0.60 an hour, six times standard.
func TestExtendedSupport(t *testing.T) {
	b := bill(t, usEast1(func(s *model.Spec) { s.Cluster.KubernetesVersion = "1.32" }))
	for _, l := range b.Lines {
		if l.Kind == KindControlPlane {
			if Cents(l.Monthly) != 43800 || !strings.Contains(l.Detail, "extended support") {
				t.Errorf("control plane %+v, want $438.00 in extended support", l)
			}
			return
		}
	}
	t.Error("no control plane line")
}

// TestNATGateways follows eksctl: one gateway for Single, one per zone for
// HighlyAvailable (eksctl picks 2 zones in us-east-1, 3 elsewhere, unless
// the ClusterConfig lists them), none for Disable or in an existing VPC.
func TestNATGateways(t *testing.T) {
	for _, tc := range []struct {
		nat, region string
		zones       []string
		vpcID       string
		want        int
	}{
		{"Single", "us-east-1", nil, "", 1},
		{"HighlyAvailable", "us-east-1", nil, "", 2},
		{"HighlyAvailable", "us-west-2", nil, "", 3},
		{"HighlyAvailable", "us-west-2", []string{"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"}, "", 4},
		{"Disable", "us-west-2", nil, "", 0},
		{"HighlyAvailable", "us-west-2", nil, "vpc-0123", 0},
	} {
		cfg := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c, region: " + tc.region + ", version: \"1.35\"}\n" +
			"vpc: {nat: {gateway: " + tc.nat + "}"
		if tc.vpcID != "" {
			cfg += ", id: " + tc.vpcID
		}
		cfg += "}\n"
		if tc.zones != nil {
			cfg += "availabilityZones: [" + strings.Join(tc.zones, ", ") + "]\n"
		}
		in, err := FromTree([]render.File{{Path: "aws/eksctl-cluster.yaml", Data: []byte(cfg)}})
		if err != nil {
			t.Fatal(err)
		}
		if in.NATGateways != tc.want {
			t.Errorf("%s in %s (zones %v, vpc %q): %d gateways, want %d", tc.nat, tc.region, tc.zones, tc.vpcID, in.NATGateways, tc.want)
		}
	}
}

// TestCompareScaling is the scaling PR of the day-2 issue: a node group
// from 4 to 6 nodes costs 2 × the instance's hours more, and its root
// volumes.
func TestCompareScaling(t *testing.T) {
	old := bill(t, usEast1(func(s *model.Spec) {
		s.Cluster.NodeGroups[0].DesiredCapacity = 4
		s.Cluster.NodeGroups[0].MaxSize = ptr(8)
	}))
	new := bill(t, usEast1(func(s *model.Spec) {
		s.Cluster.NodeGroups[0].DesiredCapacity = 6
		s.Cluster.NodeGroups[0].MaxSize = ptr(8)
	}))
	c := Compare(old, new)
	want := 2*0.768*730 + 2*80*0.08 // $1,121.28 + $12.80
	if Cents(c.Delta) != Cents(want) || len(c.Lines) != 2 {
		t.Errorf("delta %v (lines %+v), want %v", c.Delta, c.Lines, want)
	}
	if s := c.Summary(); !strings.Contains(s, "(+$1,134.08)") {
		t.Errorf("summary %q", s)
	}
	var md bytes.Buffer
	if err := WriteChangeMarkdown(&md, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| nodes | milvus-node-group | $2,242.56 | $3,363.84 | +$1,121.28 |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if c := Compare(nil, new); c.Old != nil || c.Delta != new.Total || !strings.Contains(c.Summary(), "(new)") {
		t.Errorf("a new tree: %+v", c)
	}
	if c := Compare(new, new); len(c.Lines) != 0 || Cents(c.Delta) != 0 || !strings.Contains(c.Summary(), "±$0.00") {
		t.Errorf("an unchanged tree: %+v %s", c.Lines, c.Summary())
	}
}

func TestMoney(t *testing.T) {
	for v, want := range map[float64]string{0: "$0.00", 1.005: "$1.00", 1234567.891: "$1,234,567.89", 999.999: "$1,000.00", -1234.5: "-$1,234.50"} {
		if got := money(v); got != want {
			t.Errorf("money(%v) = %q, want %q", v, got, want)
		}
	}
}

func ptr(n int) *int { return &n }
