package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/sizing"
)

// offer builds an offer file in the Price List's bulk format: products by
// SKU, then terms.OnDemand and terms.Reserved by SKU and term code.
type offer struct {
	products map[string]any
	onDemand map[string]any
	reserved map[string]any
	n        int
}

func newOffer() *offer {
	return &offer{products: map[string]any{}, onDemand: map[string]any{}, reserved: map[string]any{}}
}

func (o *offer) add(family string, attrs map[string]string, unit, begin string, usd float64, reserved bool) {
	o.n++
	sku := fmt.Sprintf("SKU%04d", o.n)
	o.products[sku] = map[string]any{"sku": sku, "productFamily": family, "attributes": attrs}
	terms := o.onDemand
	if reserved {
		terms = o.reserved
	}
	terms[sku] = map[string]any{sku + ".JRTCKXETXF": map[string]any{
		"sku": sku, "offerTermCode": "JRTCKXETXF",
		"priceDimensions": map[string]any{sku + ".JRTCKXETXF.6YS6EN2CT7": map[string]any{
			"unit": unit, "beginRange": begin, "endRange": "Inf", "pricePerUnit": map[string]string{"USD": fmt.Sprint(usd)},
		}},
	}}
}

func (o *offer) json() []byte {
	data, _ := json.Marshal(map[string]any{
		"formatVersion": "v1.0", "offerCode": "x", "version": "20261201",
		"products": o.products,
		"terms":    map[string]any{"OnDemand": o.onDemand, "Reserved": o.reserved},
	})
	return data
}

// fixtures are a region's four offer files; eu-central-1 costs 1.1× and has
// distractors the generator must skip: Windows, dedicated tenancy,
// reserved terms and S3's second tier.
func fixtures(prefix string, factor float64) map[string][]byte {
	ec2, eks, elb, s3 := newOffer(), newOffer(), newOffer(), newOffer()
	for i, typ := range sizing.InstanceTypes() {
		price := factor * float64(i+1) / 100
		linux := map[string]string{"instanceType": typ, "operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
		ec2.add("Compute Instance", linux, "Hrs", "0", price, false)
		ec2.add("Compute Instance", linux, "Hrs", "0", price/2, true)
		win := map[string]string{"instanceType": typ, "operatingSystem": "Windows", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
		ec2.add("Compute Instance", win, "Hrs", "0", price*3, false)
		ded := map[string]string{"instanceType": typ, "operatingSystem": "Linux", "tenancy": "Dedicated", "preInstalledSw": "NA", "capacitystatus": "Used"}
		ec2.add("Compute Instance", ded, "Hrs", "0", price*4, false)
	}
	ec2.add("NAT Gateway", map[string]string{"usagetype": prefix + "NatGateway-Hours"}, "Hrs", "0", 0.045*factor, false)
	ec2.add("NAT Gateway", map[string]string{"usagetype": prefix + "NatGateway-Bytes"}, "GB", "0", 0.045*factor, false)
	ec2.add("Storage", map[string]string{"volumeApiName": "gp3"}, "GB-Mo", "0", 0.08*factor, false)
	ec2.add("Storage", map[string]string{"volumeApiName": "gp2"}, "GB-Mo", "0", 0.10*factor, false)
	eks.add("Compute", map[string]string{"usagetype": prefix + "AmazonEKS-Hours:perCluster"}, "Hours", "0", 0.10*factor, false)
	eks.add("Compute", map[string]string{"usagetype": prefix + "AmazonEKS-Hours:extendedSupport"}, "Hours", "0", 0.60*factor, false)
	elb.add("Load Balancer-Network", map[string]string{"usagetype": prefix + "LoadBalancerUsage"}, "Hrs", "0", 0.0225*factor, false)
	elb.add("Load Balancer-Network", map[string]string{"usagetype": prefix + "LCUUsage"}, "LCU-Hrs", "0", 0.006*factor, false)
	elb.add("Load Balancer-Application", map[string]string{"usagetype": prefix + "LoadBalancerUsage"}, "Hrs", "0", 0.0225*factor*2, false)
	s3.add("Storage", map[string]string{"volumeType": "Standard", "usagetype": prefix + "TimedStorage-ByteHrs"}, "GB-Mo", "0", 0.023*factor, false)
	s3.add("Storage", map[string]string{"volumeType": "Standard", "usagetype": prefix + "TimedStorage-ByteHrs"}, "GB-Mo", "51200", 0.022*factor, false)
	return map[string][]byte{"AmazonEC2": ec2.json(), "AmazonEKS": eks.json(), "AWSELB": elb.json(), "AmazonS3": s3.json()}
}

func TestGenerate(t *testing.T) {
	files := map[string]map[string][]byte{"us-east-1": fixtures("", 1), "eu-central-1": fixtures("EUC1-", 1.1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /offers/v1.0/aws/<service>/current/<region>/index.json
		parts := strings.Split(r.URL.Path, "/")
		if len(parts) != 8 {
			http.NotFound(w, r)
			return
		}
		data, ok := files[parts[6]][parts[4]]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()

	tb, err := generate(srv.Client(), srv.URL, []string{"us-east-1", "eu-central-1"}, "2026-12-07")
	if err != nil {
		t.Fatal(err)
	}
	if tb.Date != "2026-12-07" || !strings.Contains(tb.Source, "AWS Price List bulk offer files") {
		t.Errorf("table %q %q", tb.Date, tb.Source)
	}
	eu := tb.Regions["eu-central-1"]
	first := sizing.InstanceTypes()[0]
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(eu.Instances[first], 1.1*0.01) || !near(eu.NATHour, 0.045*1.1) || !near(eu.S3StandardGBMonth, 0.023*1.1) ||
		!near(eu.NLBHour, 0.0225*1.1) || !near(eu.EKSExtendedHour, 0.6*1.1) || !near(eu.GP3GBMonth, 0.08*1.1) {
		t.Errorf("eu-central-1 picked the wrong rows: %s %v, %+v", first, eu.Instances[first], eu)
	}
	if len(tb.Regions["us-east-1"].Instances) != len(sizing.InstanceTypes()) {
		t.Errorf("us-east-1 has %d instance prices", len(tb.Regions["us-east-1"].Instances))
	}

	if _, err := generate(srv.Client(), srv.URL, []string{"ap-south-1"}, "2026-12-07"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a region without offer files: %v", err)
	}
	delete(files["us-east-1"], "AmazonEKS")
	files["us-east-1"]["AmazonEKS"] = newOffer().json()
	if _, err := generate(srv.Client(), srv.URL, []string{"us-east-1"}, "2026-12-07"); err == nil || !strings.Contains(err.Error(), "eksStandardHour") {
		t.Errorf("a missing price is not named: %v", err)
	}
}
