package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// pricesJSON is the pinned price table. `make prices` regenerates it from
// the AWS Price List bulk offer files (hack/prices); it is committed, so a
// cost estimate never needs a network or an API key.
//
//go:embed prices.json
var pricesJSON []byte

// Table is a dated, cited table of on-demand prices per region.
type Table struct {
	// Date is when the figures were read from their source.
	Date string `json:"date"`
	// Source cites where the figures come from.
	Source   string `json:"source"`
	Currency string `json:"currency"`
	// HoursPerMonth turns hourly prices into monthly ones: AWS's own
	// convention, 730 hours (365 × 24 / 12).
	HoursPerMonth float64           `json:"hoursPerMonth"`
	Regions       map[string]Region `json:"regions"`
}

// Region is one region's prices, in the table's currency.
type Region struct {
	// Instances is the on-demand Linux price per hour of each EC2 type.
	Instances map[string]float64 `json:"instances"`
	// EKSStandardHour and EKSExtendedHour are one EKS control plane's price
	// per hour in standard and in extended support.
	EKSStandardHour float64 `json:"eksStandardHour"`
	EKSExtendedHour float64 `json:"eksExtendedHour"`
	// NLBHour is a Network Load Balancer's hourly price; NLCUHour is the
	// price of one NLCU-hour of use, which depends on traffic.
	NLBHour  float64 `json:"nlbHour"`
	NLCUHour float64 `json:"nlcuHour"`
	// NATHour is one NAT gateway's hourly price; NATGB the price of each GB
	// it processes.
	NATHour float64 `json:"natHour"`
	NATGB   float64 `json:"natGB"`
	// GP3GBMonth is EBS gp3 storage per GB-month (baseline IOPS and
	// throughput, which milvusgen's StorageClass keeps, are free).
	GP3GBMonth float64 `json:"gp3GBMonth"`
	// S3StandardGBMonth is S3 Standard storage per GB-month, first 50 TB.
	S3StandardGBMonth float64 `json:"s3StandardGBMonth"`
}

// Pinned is the committed table. A broken table is a build defect, caught
// by the package's tests.
func Pinned() *Table {
	t, err := ParseTable(pricesJSON)
	if err != nil {
		panic("milvusgen: the pinned price table is broken: " + err.Error())
	}
	return t
}

// ParseTable decodes a price table and checks that it says what it is.
func ParseTable(data []byte) (*Table, error) {
	var t Table
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	switch {
	case t.Date == "", t.Source == "":
		return nil, fmt.Errorf("price table: a table must carry its date and source")
	case t.Currency != "USD":
		return nil, fmt.Errorf("price table: currency %q, want USD", t.Currency)
	case t.HoursPerMonth <= 0:
		return nil, fmt.Errorf("price table: hoursPerMonth must be positive")
	case len(t.Regions) == 0:
		return nil, fmt.Errorf("price table: no regions")
	}
	for name, r := range t.Regions {
		if len(r.Instances) == 0 || r.EKSStandardHour <= 0 || r.EKSExtendedHour <= 0 || r.NLBHour <= 0 ||
			r.NATHour <= 0 || r.GP3GBMonth <= 0 || r.S3StandardGBMonth <= 0 {
			return nil, fmt.Errorf("price table: region %s lacks a price", name)
		}
	}
	return &t, nil
}

// RegionNames lists the regions the table prices, sorted.
func (t *Table) RegionNames() []string {
	var names []string
	for n := range t.Regions {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NoPricesError says a region is not in the table. It never guesses a
// price from another region.
type NoPricesError struct {
	Region, Date string
	Have         []string
}

func (e *NoPricesError) Error() string {
	return fmt.Sprintf("no prices for %s in the table dated %s (it has %s); run `make prices` with a network to add the region",
		e.Region, e.Date, strings.Join(e.Have, ", "))
}

// Region returns the prices of one region, or a *NoPricesError.
func (t *Table) Region(name string) (Region, error) {
	r, ok := t.Regions[name]
	if !ok {
		return Region{}, &NoPricesError{Region: name, Date: t.Date, Have: t.RegionNames()}
	}
	return r, nil
}
