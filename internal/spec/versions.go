package spec

import "time"

// eksVersion is one Kubernetes minor version's EKS support window
// (14 months standard, then 12 months extended support).
type eksVersion struct {
	version     string
	standardEnd string // first day without standard support
	extendedEnd string // first day without extended support: EKS cannot create it
}

// eksVersions lists the versions milvusgen knows, newest first. Source: EKS
// Kubernetes versions docs and endoflife.date/amazon-eks (2026-11-26).
var eksVersions = []eksVersion{
	{"1.35", "2027-03-27", "2028-03-27"},
	{"1.34", "2026-12-02", "2027-12-02"},
	{"1.33", "2026-07-29", "2027-07-29"},
	{"1.32", "2026-03-23", "2027-03-23"},
	{"1.31", "2025-11-26", "2026-11-26"},
	{"1.30", "2025-07-23", "2026-07-23"},
	{"1.29", "2025-03-23", "2026-03-23"},
	{"1.28", "2024-11-26", "2025-11-26"},
	{"1.27", "2024-07-24", "2025-07-24"},
}

// DefaultKubernetesVersion is eksctl v0.230.0's default, also the schema's.
const DefaultKubernetesVersion = "1.34"

func lookupEKSVersion(v string) (eksVersion, bool) {
	for _, e := range eksVersions {
		if e.version == v {
			return e, true
		}
	}
	return eksVersion{}, false
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic("milvusgen: bad date in version table: " + s)
	}
	return t
}

// supportedOn reports whether EKS can still create a cluster of version e on
// today, and whether it is only in (paid) extended support.
func (e eksVersion) supportedOn(today time.Time) (ok, extended bool) {
	d := today.UTC().Truncate(24 * time.Hour)
	if !d.Before(day(e.extendedEnd)) {
		return false, false
	}
	return true, !d.Before(day(e.standardEnd))
}

// knownChartVersions are the Milvus and LB controller chart versions whose
// values milvusgen's renderers were checked against.
var (
	knownMilvusCharts       = []string{"5.0.19"}
	knownLBControllerCharts = []string{"3.5.0"}
)
