// Command prices regenerates internal/cost/prices.json, milvusgen's pinned
// price table, from the AWS Price List bulk offer files: public JSON files
// that need no credentials and no API key. It needs a network, so it runs
// only through `make prices`, never in tests (which serve it fixture files).
//
//	go run ./hack/prices -regions us-east-1,eu-central-1 -date 2026-12-07
//
// For each region it reads the region's offer file of four services
// (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/<region>/index.json):
//   - AmazonEC2: on-demand Linux, shared-tenancy prices of every instance
//     type milvusgen sizes; NAT gateway hours and GB processed; EBS gp3
//     GB-months;
//   - AmazonEKS: cluster hours in standard and in extended support;
//   - AWSELB: Network Load Balancer hours and NLCU-hours;
//   - AmazonS3: S3 Standard storage, the first 50 TB tier.
//
// The EC2 files are hundreds of megabytes; they are decoded as a stream,
// one product or term at a time.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/milvusgen/milvusgen/internal/cost"
	"github.com/milvusgen/milvusgen/internal/sizing"
)

const defaultBase = "https://pricing.us-east-1.amazonaws.com"

func main() {
	regions := flag.String("regions", "us-east-1", "comma-separated regions to price")
	date := flag.String("date", time.Now().UTC().Format(time.DateOnly), "the date the table records")
	out := flag.String("o", "internal/cost/prices.json", "the table to write")
	base := flag.String("base", defaultBase, "the Price List endpoint")
	flag.Parse()
	t, err := generate(http.DefaultClient, *base, strings.Split(*regions, ","), *date)
	if err != nil {
		fmt.Fprintln(os.Stderr, "prices:", err)
		os.Exit(1)
	}
	data, err := json.MarshalIndent(t, "", "  ")
	if err == nil {
		err = os.WriteFile(*out, append(data, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "prices:", err)
		os.Exit(1)
	}
	fmt.Printf("prices: wrote %s (%s, %d regions)\n", *out, *date, len(t.Regions))
}

// generate builds the table for regions from the offer files at base.
func generate(c *http.Client, base string, regions []string, date string) (*cost.Table, error) {
	t := &cost.Table{
		Date:          date,
		Source:        "AWS Price List bulk offer files (" + base + "/offers/v1.0/aws/{AmazonEC2,AmazonEKS,AWSELB,AmazonS3}/current/<region>/index.json), on-demand, read by hack/prices",
		Currency:      "USD",
		HoursPerMonth: 730,
		Regions:       map[string]cost.Region{},
	}
	for _, name := range regions {
		r := &region{Region: cost.Region{Instances: map[string]float64{}}}
		for _, svc := range []string{"AmazonEC2", "AmazonEKS", "AWSELB", "AmazonS3"} {
			url := fmt.Sprintf("%s/offers/v1.0/aws/%s/current/%s/index.json", base, svc, name)
			if err := read(c, url, func(rows []row) { apply(r, svc, rows) }); err != nil {
				return nil, fmt.Errorf("%s: %w", url, err)
			}
		}
		if missing := r.missing(); len(missing) > 0 {
			return nil, fmt.Errorf("region %s: no price found for %s", name, strings.Join(missing, ", "))
		}
		t.Regions[name] = r.Region
	}
	// The table must parse as milvusgen reads it.
	data, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	if _, err := cost.ParseTable(data); err != nil {
		return nil, err
	}
	return t, nil
}

// row is one on-demand price: a product's family and attributes with one
// price dimension of its terms.
type row struct {
	family     string
	attrs      map[string]string
	unit       string
	beginRange string
	usd        float64
}

type product struct {
	SKU           string            `json:"sku"`
	ProductFamily string            `json:"productFamily"`
	Attributes    map[string]string `json:"attributes"`
}

type term struct {
	SKU             string `json:"sku"`
	PriceDimensions map[string]struct {
		Unit         string            `json:"unit"`
		BeginRange   string            `json:"beginRange"`
		PricePerUnit map[string]string `json:"pricePerUnit"`
	} `json:"priceDimensions"`
}

// read streams an offer file: products first, then terms.OnDemand, and
// hands the joined rows to use.
func read(c *http.Client, url string, use func([]row)) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return parse(resp.Body, use)
}

// parse reads one offer file from r.
func parse(r io.Reader, use func([]row)) error {
	dec := json.NewDecoder(r)
	products := map[string]product{}
	var rows []row
	if err := expect(dec, json.Delim('{')); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "products":
			if err := eachEntry(dec, func() error {
				var p product
				if err := dec.Decode(&p); err != nil {
					return err
				}
				products[p.SKU] = p
				return nil
			}); err != nil {
				return err
			}
		case "terms":
			if err := eachEntry(dec, func() error { return nil }, "OnDemand", func() error {
				return eachEntry(dec, func() error {
					var byCode map[string]term
					if err := dec.Decode(&byCode); err != nil {
						return err
					}
					for _, tm := range byCode {
						p, ok := products[tm.SKU]
						if !ok {
							continue
						}
						for _, d := range tm.PriceDimensions {
							usd, err := strconv.ParseFloat(d.PricePerUnit["USD"], 64)
							if err != nil {
								continue
							}
							rows = append(rows, row{family: p.ProductFamily, attrs: p.Attributes, unit: d.Unit, beginRange: d.BeginRange, usd: usd})
						}
					}
					return nil
				})
			}); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	use(rows)
	return nil
}

func expect(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("offer file: want %v, got %v", d, tok)
	}
	return nil
}

// eachEntry walks the object at the decoder, calling each for every value;
// with a (name, fn) pair, the entry of that name is handed to fn instead
// and the others are skipped.
func eachEntry(dec *json.Decoder, each func() error, special ...any) error {
	if err := expect(dec, json.Delim('{')); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch {
		case len(special) == 2 && key == special[0]:
			if err := special[1].(func() error)(); err != nil {
				return err
			}
		case len(special) == 2:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		default:
			if err := each(); err != nil {
				return err
			}
		}
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('}') {
		return errors.New("offer file: unterminated object")
	}
	return nil
}

// region collects one region's prices and which were found.
type region struct {
	cost.Region
	found map[string]bool
}

func (r *region) set(what string, p *float64, v float64) {
	if r.found == nil {
		r.found = map[string]bool{}
	}
	*p, r.found[what] = v, true
}

func (r *region) missing() []string {
	var out []string
	for _, w := range []string{"eksStandardHour", "eksExtendedHour", "nlbHour", "nlcuHour", "natHour", "natGB", "gp3GBMonth", "s3StandardGBMonth"} {
		if !r.found[w] {
			out = append(out, w)
		}
	}
	for _, typ := range sizing.InstanceTypes() {
		if _, ok := r.Instances[typ]; !ok {
			out = append(out, typ)
		}
	}
	return out
}

// apply picks the prices milvusgen needs out of one service's rows.
func apply(r *region, svc string, rows []row) {
	known := map[string]bool{}
	for _, typ := range sizing.InstanceTypes() {
		known[typ] = true
	}
	for _, x := range rows {
		ut := x.attrs["usagetype"]
		switch svc {
		case "AmazonEC2":
			switch {
			case x.family == "Compute Instance" && known[x.attrs["instanceType"]] &&
				x.attrs["operatingSystem"] == "Linux" && x.attrs["tenancy"] == "Shared" &&
				x.attrs["preInstalledSw"] == "NA" && x.attrs["capacitystatus"] == "Used" && x.unit == "Hrs":
				r.Instances[x.attrs["instanceType"]] = x.usd
			case x.family == "NAT Gateway" && strings.HasSuffix(ut, "NatGateway-Hours"):
				r.set("natHour", &r.NATHour, x.usd)
			case x.family == "NAT Gateway" && strings.HasSuffix(ut, "NatGateway-Bytes"):
				r.set("natGB", &r.NATGB, x.usd)
			case x.family == "Storage" && x.attrs["volumeApiName"] == "gp3" && x.unit == "GB-Mo":
				r.set("gp3GBMonth", &r.GP3GBMonth, x.usd)
			}
		case "AmazonEKS":
			switch {
			case strings.HasSuffix(ut, "AmazonEKS-Hours:perCluster"):
				r.set("eksStandardHour", &r.EKSStandardHour, x.usd)
			case strings.HasSuffix(ut, "AmazonEKS-Hours:extendedSupport"):
				r.set("eksExtendedHour", &r.EKSExtendedHour, x.usd)
			}
		case "AWSELB":
			if x.family != "Load Balancer-Network" {
				continue
			}
			switch {
			case strings.HasSuffix(ut, "LoadBalancerUsage"):
				r.set("nlbHour", &r.NLBHour, x.usd)
			case strings.HasSuffix(ut, "LCUUsage"):
				r.set("nlcuHour", &r.NLCUHour, x.usd)
			}
		case "AmazonS3":
			if x.family == "Storage" && x.attrs["volumeType"] == "Standard" && strings.HasSuffix(ut, "TimedStorage-ByteHrs") && x.beginRange == "0" {
				r.set("s3StandardGBMonth", &r.S3StandardGBMonth, x.usd)
			}
		}
	}
}
