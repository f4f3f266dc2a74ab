package sizing

import (
	"fmt"
	"math"

	"github.com/milvusgen/milvusgen/internal/model"
)

// Byte units. The sizing tool's "MB" and "GB" are binary (unitAny2BYTE
// multiplies by 1024ⁿ), so they are MiB and GiB here.
const (
	MiB = int64(1) << 20
	GiB = int64(1) << 30
)

// Index types of the schema's #Dataset.
const (
	Flat    = "FLAT"
	IVFFlat = "IVF_FLAT"
	IVFSQ8  = "IVF_SQ8"
	HNSW    = "HNSW"
	DiskANN = "DISKANN"
)

// Parameter defaults, the schema's and the sizing tool's (formSection.tsx):
// HNSW M 30, IVF nlist 128, DISKANN max_degree 56.
const (
	DefaultM         = 30
	DefaultNList     = 128
	DefaultMaxDegree = 56
	// DefaultSegmentSizeMB is Milvus's sealed segment size (1024 MB).
	DefaultSegmentSizeMB = 1024
)

// maxBytes bounds the sizes Measure computes (1 EiB), far above any
// cluster and well inside int64.
const maxBytes = float64(1 << 60)

// loadingOverhead is the sizing tool's 15% margin on loaded vector data.
const loadingOverhead = 1.15

// Footprint is what a dataset takes, by the sizing tool's
// memoryAndDiskCalculator. Loading and LocalDisk cover every in-memory
// replica (dataset.replicas); Raw, Vector and Index are one copy.
type Footprint struct {
	// Raw is the data as stored in S3: vectors (N·d·4) plus scalars
	// (N·scalarBytesPerRow), the tool's rawDataSizeCalculator.
	Raw int64 `json:"rawBytes"`
	// Vector is V = N·d·4, the float32 vectors alone.
	Vector int64 `json:"vectorBytes"`
	// Index is the in-memory index of one replica (table below).
	Index int64 `json:"indexBytes"`
	// Loading is the query nodes' memory for all replicas:
	// ((Index + 2·segment)·1.15 + scalars) · replicas; for DISKANN
	// (Index·1.15 + scalars) · replicas.
	Loading int64 `json:"loadingBytes"`
	// LocalDisk is the query nodes' local disk for all replicas; only
	// DISKANN keeps its graph and full vectors there: (1 + maxDegree/d)·V.
	LocalDisk int64 `json:"localDiskBytes"`
	// Replicas is dataset.replicas, the in-memory copies Loading counts.
	Replicas int `json:"replicas"`
}

// Measure computes a dataset's footprint. Index memory per type, with
// V = N·d·4 and row = d·4 (sizingTool.ts memoryAndDiskCalculator; the
// reference's §4 table):
//
//	FLAT      V
//	IVF_FLAT  V + nlist·row
//	IVF_SQ8   V/4 + nlist·row
//	HNSW      (1 + 2M/d)·V
//	DISKANN   V/4 in memory, (1 + max_degree/d)·V on local disk
//
// HNSW follows the tool, not the docs' "N·M·4 + N·d·4" (index-explained.md):
// hnswlib's base layer keeps 2·M links per vector (maxM0 = 2·M), which the
// tool counts and the docs' worked example does not, so the tool's estimate
// is N·M·4 bytes larger. Parameters left at zero take the schema's
// defaults. Measure fails only on an index type the schema does not allow.
func Measure(d model.Dataset) (Footprint, error) {
	n := float64(d.Vectors)
	dim := float64(d.Dimension)
	if d.Vectors <= 0 || d.Dimension <= 0 {
		return Footprint{}, fmt.Errorf("dataset needs vectors and dimension greater than zero; got %d × %d", d.Vectors, d.Dimension)
	}
	v := n * dim * 4
	row := dim * 4
	segment := float64(int64(orDefault(d.SegmentSizeMB, DefaultSegmentSizeMB)) * MiB)
	scalar := n * float64(d.ScalarBytesPerRow)
	replicas := max(d.Replicas, 1)

	var index, disk float64
	switch d.Index.Type {
	case Flat:
		index = v
	case IVFFlat:
		index = v + float64(orDefault(d.Index.NList, DefaultNList))*row
	case IVFSQ8:
		index = v/4 + float64(orDefault(d.Index.NList, DefaultNList))*row
	case HNSW, "":
		index = (1 + 2*float64(orDefault(d.Index.M, DefaultM))/dim) * v
	case DiskANN:
		index = v / 4
		disk = (1 + float64(orDefault(d.Index.MaxDegree, DefaultMaxDegree))/dim) * v
	default:
		return Footprint{}, fmt.Errorf("index type %q is not one milvusgen sizes (FLAT, IVF_FLAT, IVF_SQ8, HNSW, DISKANN)", d.Index.Type)
	}
	// The segment term is the growing and compacting segments a query node
	// holds beside the sealed index; DISKANN's tool branch leaves it out.
	loading := (index+2*segment)*loadingOverhead + scalar
	if d.Index.Type == DiskANN {
		loading = index*loadingOverhead + scalar
	}
	if loading*float64(replicas) > maxBytes || disk*float64(replicas) > maxBytes || v+scalar > maxBytes {
		return Footprint{}, fmt.Errorf("dataset of %d × %d-d vectors is beyond what milvusgen sizes (more than 1 EiB of memory or disk)", d.Vectors, d.Dimension)
	}
	return Footprint{
		Raw:       ceil(v + scalar),
		Vector:    ceil(v),
		Index:     ceil(index),
		Loading:   ceil(loading * float64(replicas)),
		LocalDisk: ceil(disk * float64(replicas)),
		Replicas:  replicas,
	}, nil
}

func orDefault[T int | int64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// ceil rounds bytes up, except where f is a whole number but for float
// noise of a few ulps ((1 + 56/768)·V is whole in decimal, not in binary).
func ceil(f float64) int64 {
	if r := math.Round(f); math.Abs(f-r) <= 0x1p-46*math.Abs(f) {
		return int64(r)
	}
	return int64(math.Ceil(f))
}

// gib is bytes in GiB, the unit of the tool's bands (unitBYTE2Any 'GB').
func gib(b int64) float64 { return float64(b) / float64(GiB) }
