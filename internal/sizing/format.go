package sizing

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// FormatCPU writes millicores for people: "8", "15.7", "0.06".
func FormatCPU(m int64) string {
	if m%1000 == 0 {
		return strconv.FormatInt(m/1000, 10)
	}
	prec := 1
	if m < 1000 {
		prec = 2
	}
	return trimZeros(strconv.FormatFloat(float64(m)/1000, 'f', prec, 64))
}

// FormatBytes writes a size for people in Gi or Mi: "32Gi", "28.6Gi",
// "128Mi", "0".
func FormatBytes(b int64) string {
	switch {
	case b == 0:
		return "0"
	case b >= GiB || -b >= GiB:
		return trimZeros(strconv.FormatFloat(float64(b)/float64(GiB), 'f', 1, 64)) + "Gi"
	}
	return trimZeros(strconv.FormatFloat(float64(b)/float64(MiB), 'f', 0, 64)) + "Mi"
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// String writes the resources as "8 CPU/32Gi", with the local disk when
// there is any.
func (r Resources) String() string {
	s := FormatCPU(r.MilliCPU) + " CPU/" + FormatBytes(r.Memory)
	if r.Disk > 0 {
		s += "/" + FormatBytes(r.Disk) + " disk"
	}
	return s
}

// count writes "12 × 8 CPU/32Gi".
func count(n int, r Resources) string { return fmt.Sprintf("%d × %s", n, r) }

// Describe writes a dataset as "100M × 768-d HNSW (M=30), 1 replica".
func Describe(d model.Dataset) string {
	idx := d.Index.Type
	switch d.Index.Type {
	case HNSW, "":
		idx = fmt.Sprintf("HNSW (M=%d)", orDefault(d.Index.M, DefaultM))
	case IVFFlat, IVFSQ8:
		idx += fmt.Sprintf(" (nlist=%d)", orDefault(d.Index.NList, DefaultNList))
	case DiskANN:
		idx += fmt.Sprintf(" (max_degree=%d)", orDefault(d.Index.MaxDegree, DefaultMaxDegree))
	}
	replicas := "1 replica"
	if d.Replicas > 1 {
		replicas = fmt.Sprintf("%d replicas", d.Replicas)
	}
	scalars := ""
	if d.ScalarBytesPerRow > 0 {
		scalars = fmt.Sprintf(", %d B of scalars per row", d.ScalarBytesPerRow)
	}
	return fmt.Sprintf("%s × %d-d %s%s, %s", vectors(d.Vectors), d.Dimension, idx, scalars, replicas)
}

// vectors writes a count as "100M", "1.5B" or "12345".
func vectors(n int64) string {
	for _, u := range []struct {
		v    int64
		name string
	}{{1e9, "B"}, {1e6, "M"}, {1e3, "K"}} {
		if n >= u.v && (n*10)%u.v == 0 {
			return trimZeros(strconv.FormatFloat(float64(n)/float64(u.v), 'f', 1, 64)) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}
