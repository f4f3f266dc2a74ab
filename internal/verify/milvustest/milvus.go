// Package milvustest holds an in-process MilvusService for tests: the
// server verify and rotate-password are tested against.
package milvustest

// Server is an in-process MilvusService for tests built on the official
// milvus-proto/go-api/v2 service definition (it embeds the generated
// UnimplementedMilvusServiceServer): verify talks real gRPC and protobuf to
// it. No Milvus server can run on the test machine (no container engine;
// Milvus Lite is not in the registries it reaches).
//
// What it checks, as the Milvus 2.6 proxy would:
//   - every RPC carries the authorization metadata base64(user:password)
//     of the root user, else codes.Unauthenticated;
//   - the collection schema: one Int64 or VarChar primary key, a float
//     vector with a dim type param in [2, 32768], varchar fields with a
//     max_length in [1, 65535], unique field names;
//   - inserts: every schema field present exactly once (the primary key
//     absent when it is AutoID: "can not assign primary field data when
//     auto id enabled"), num_rows equal to every column's length, vectors
//     of the schema's dim, varchar values within max_length, no duplicate
//     primary keys within the call;
//   - indexes: index_type HNSW on a float vector field with metric_type
//     L2, IP or COSINE, M in [2, 2048], efConstruction in [1, 2^31);
//   - order: no load without an index on the vector field, no search or
//     query before loading completes ("collection not fully loaded"), and
//     a search's metric_type must be the index's ("metric type not
//     match");
//   - loads: the replica_number asked (0: the server's
//     queryCoord.clusterLevelLoadReplicaNumber, 1 by default) must fit the
//     query nodes;
//   - UpdateCredential: base64-decoded passwords (crypto.Base64Decode,
//     standard encoding), the new one 6 to 72 bytes (proxy.minPasswordLength
//     and maxPasswordLength, bcrypt's limit), the old one the user's
//     (internal/proxy/impl.go; root is no superuser by default).
//
// Progress is not instant. Flush, index building and loading each finish
// after a number of progress checks (flushPolls, indexPolls, loadPolls),
// counted per RPC, so verify's polling loops must run that many times:
//   - Flush hands out a flush timestamp; each GetFlushState advances the
//     collection's channel checkpoint by one and answers flushed when the
//     checkpoint reaches the request's flush_ts (a request without it is
//     flushed at once, as in Milvus, and the poll counter shows it);
//   - DescribeIndex reports InProgress with indexed_rows growing until the
//     build is done, indexPolls progress checks after CreateIndex (index
//     and load checks both advance the build: it runs whoever asks);
//   - GetLoadingProgress grows to 100 over loadPolls checks once the index
//     is built.
//
// Its limits: search is exact (brute-force L2, as HNSW with ef well above
// top-k returns on 3,000 rows), the only filter expressions understood are
// the ones verify sends ("pk >= N", "pk < N", "pk in [...]"), progress is
// counted in polls, not time, and consistency levels, partitions, segments
// and the dynamic field are not modelled.

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/milvus-io/milvus-proto/go-api/v2/commonpb"
	"github.com/milvus-io/milvus-proto/go-api/v2/milvuspb"
	"github.com/milvus-io/milvus-proto/go-api/v2/schemapb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

type collection struct {
	schema  *schemapb.CollectionSchema
	id      int64
	rows    map[int64]row
	indexed map[string]map[string]string // field -> params
	// flushTs is the last Flush's timestamp, checkpoint the channel's
	// position, advanced by each GetFlushState.
	flushTs, checkpoint uint64
	// indexStart is the server's tick at CreateIndex; the build is done
	// indexPolls ticks later.
	indexStart uint64
	indexPolls int
	// loading: LoadCollection was called, with replicas; loadChecks counts
	// GetLoadingProgress calls after the index was built.
	loading    bool
	replicas   int
	loadChecks int
	nextPK     int64
}

type row struct {
	vec  []float32
	text string
}

type Server struct {
	milvuspb.UnimplementedMilvusServiceServer

	// User and Password are the credentials every RPC must carry;
	// UpdateCredential changes Password.
	User, Password string

	// Mu guards the fields below and Password.
	Mu          sync.Mutex
	Calls       []string // RPC names in order
	Collections map[string]*collection
	Dropped     []string
	// FailOn makes an RPC fail with a server error, as Milvus reports one;
	// HangOn makes it wait until the caller gives up.
	FailOn, HangOn string
	// How many progress checks flush, index building and loading take.
	FlushPolls, IndexPolls, LoadPolls int
	// QueryNodes bounds the replicas of a load; DefaultReplicas is the
	// server's queryCoord.clusterLevelLoadReplicaNumber.
	QueryNodes, DefaultReplicas int
	// Version is GetVersion's answer (the image's build tags).
	Version string
	// Rotations counts successful UpdateCredential calls.
	Rotations int
	// ts hands out flush timestamps; tick counts progress checks
	// (DescribeIndex, GetLoadingProgress), the fake's clock for index
	// building.
	ts, tick uint64
}

// RootUser is the user Milvus creates.
const RootUser = "root"

// New is a server whose root password is password, with Milvus's
// defaults: one replica per load, two query nodes, version v2.6.15, and
// three checks for each of flush, index building and loading.
func New(password string) *Server {
	return &Server{User: RootUser, Password: password, Collections: map[string]*collection{},
		FlushPolls: 3, IndexPolls: 3, LoadPolls: 3, QueryNodes: 2, DefaultReplicas: 1, Version: "v2.6.15", ts: 1000}
}

// Serve serves s (a Server, or one wrapping it) on a loopback port until
// the test ends, and returns its address.
func Serve(t testing.TB, s milvuspb.MilvusServiceServer, opts ...grpc.ServerOption) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer(opts...)
	milvuspb.RegisterMilvusServiceServer(g, s)
	go g.Serve(l)
	t.Cleanup(g.Stop)
	return l.Addr().String()
}

// PasswordNow is the root password, read under the lock.
func (m *Server) PasswordNow() string {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	return m.Password
}

// Count is how many times rpc was called.
func (m *Server) Count(rpc string) int {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	n := 0
	for _, c := range m.Calls {
		if c == rpc {
			n++
		}
	}
	return n
}

func ok() *commonpb.Status { return &commonpb.Status{ErrorCode: commonpb.ErrorCode_Success} }

func fail(code int32, format string, args ...any) *commonpb.Status {
	return &commonpb.Status{ErrorCode: commonpb.ErrorCode_UnexpectedError, Code: code, Reason: fmt.Sprintf(format, args...)}
}

// enter records the call and checks the auth header.
func (m *Server) enter(ctx context.Context, rpc string) (*commonpb.Status, error) {
	m.Mu.Lock()
	m.Calls = append(m.Calls, rpc)
	want := base64.StdEncoding.EncodeToString([]byte(m.User + ":" + m.Password))
	hangOn, failOn := m.HangOn, m.FailOn
	m.Mu.Unlock()
	md, _ := metadata.FromIncomingContext(ctx)
	if got := md.Get("authorization"); len(got) != 1 || got[0] != want {
		return nil, status.Error(codes.Unauthenticated, "auth check failure, please check username, password or API key are correct")
	}
	if hangOn == rpc {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if failOn == rpc {
		return fail(65535, "injected failure of %s", rpc), nil
	}
	return nil, nil
}

func (m *Server) collection(name string) (*collection, *commonpb.Status) {
	c, found := m.Collections[name]
	if !found {
		return nil, fail(100, "collection not found[collection=%s]", name)
	}
	return c, nil
}

func (m *Server) Connect(ctx context.Context, req *milvuspb.ConnectRequest) (*milvuspb.ConnectResponse, error) {
	if st, err := m.enter(ctx, "Connect"); err != nil || st != nil {
		return &milvuspb.ConnectResponse{Status: st}, err
	}
	return &milvuspb.ConnectResponse{Status: ok(), ServerInfo: &commonpb.ServerInfo{BuildTags: m.Version}, Identifier: 1}, nil
}

func typeParam(f *schemapb.FieldSchema, key string) (int, bool) {
	for _, kv := range f.GetTypeParams() {
		if kv.GetKey() == key {
			n, err := strconv.Atoi(kv.GetValue())
			return n, err == nil
		}
	}
	return 0, false
}

func checkSchema(s *schemapb.CollectionSchema) error {
	seen := map[string]bool{}
	pks := 0
	vectors := 0
	for _, f := range s.GetFields() {
		if seen[f.GetName()] {
			return fmt.Errorf("duplicated field name %s", f.GetName())
		}
		seen[f.GetName()] = true
		if f.GetIsPrimaryKey() {
			pks++
			if f.GetDataType() != schemapb.DataType_Int64 && f.GetDataType() != schemapb.DataType_VarChar {
				return fmt.Errorf("the data type of primary key should be Int64 or VarChar")
			}
		}
		switch f.GetDataType() {
		case schemapb.DataType_FloatVector:
			vectors++
			d, found := typeParam(f, "dim")
			if !found || d < 2 || d > 32768 {
				return fmt.Errorf("invalid dimension of field %s: should be in range 2 ~ 32768", f.GetName())
			}
		case schemapb.DataType_VarChar:
			l, found := typeParam(f, "max_length")
			if !found || l < 1 || l > 65535 {
				return fmt.Errorf("the maximum length specified for field %s should be in (0, 65535]", f.GetName())
			}
		}
	}
	if pks != 1 {
		return fmt.Errorf("there should be exactly one primary key, got %d", pks)
	}
	if vectors == 0 {
		return fmt.Errorf("schema does not contain vector field")
	}
	return nil
}

func (m *Server) CreateCollection(ctx context.Context, req *milvuspb.CreateCollectionRequest) (*commonpb.Status, error) {
	if st, err := m.enter(ctx, "CreateCollection"); err != nil || st != nil {
		return st, err
	}
	s := &schemapb.CollectionSchema{}
	if err := proto.Unmarshal(req.GetSchema(), s); err != nil {
		return fail(1100, "invalid schema: %v", err), nil
	}
	if s.GetName() != req.GetCollectionName() {
		return fail(1100, "collection name %q does not match the schema's %q", req.GetCollectionName(), s.GetName()), nil
	}
	if err := checkSchema(s); err != nil {
		return fail(1100, "%v", err), nil
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	if _, dup := m.Collections[req.GetCollectionName()]; dup {
		return fail(1, "collection %s already exists", req.GetCollectionName()), nil
	}
	for i, f := range s.Fields {
		f.FieldID = int64(100 + i)
	}
	m.Collections[req.GetCollectionName()] = &collection{schema: s, id: int64(len(m.Collections) + 1), rows: map[int64]row{}, indexed: map[string]map[string]string{}}
	return ok(), nil
}

func (m *Server) DescribeCollection(ctx context.Context, req *milvuspb.DescribeCollectionRequest) (*milvuspb.DescribeCollectionResponse, error) {
	if st, err := m.enter(ctx, "DescribeCollection"); err != nil || st != nil {
		return &milvuspb.DescribeCollectionResponse{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.DescribeCollectionResponse{Status: st}, nil
	}
	return &milvuspb.DescribeCollectionResponse{Status: ok(), Schema: c.schema, CollectionID: c.id, CollectionName: req.GetCollectionName()}, nil
}

func (m *Server) Insert(ctx context.Context, req *milvuspb.InsertRequest) (*milvuspb.MutationResult, error) {
	if st, err := m.enter(ctx, "Insert"); err != nil || st != nil {
		return &milvuspb.MutationResult{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.MutationResult{Status: st}, nil
	}
	n := int(req.GetNumRows())
	byName := map[string]*schemapb.FieldData{}
	for _, fd := range req.GetFieldsData() {
		if _, dup := byName[fd.GetFieldName()]; dup {
			return &milvuspb.MutationResult{Status: fail(1100, "duplicated field %s", fd.GetFieldName())}, nil
		}
		byName[fd.GetFieldName()] = fd
	}
	var pks []int64
	var vecs [][]float32
	var texts []string
	for _, f := range c.schema.GetFields() {
		fd, found := byName[f.GetName()]
		if f.GetIsPrimaryKey() && f.GetAutoID() {
			// Milvus 2.6 proxy, checkPrimaryFieldData.
			if found {
				return &milvuspb.MutationResult{Status: fail(1100, "can not assign primary field data when auto id enabled and allow_insert_auto_id is false %s", f.GetName())}, nil
			}
			for range n {
				c.nextPK++
				pks = append(pks, c.nextPK)
			}
			continue
		}
		if !found {
			return &milvuspb.MutationResult{Status: fail(1100, "field %s not passed", f.GetName())}, nil
		}
		if fd.GetType() != f.GetDataType() {
			return &milvuspb.MutationResult{Status: fail(1100, "field %s: data type %v, schema says %v", f.GetName(), fd.GetType(), f.GetDataType())}, nil
		}
		switch f.GetDataType() {
		case schemapb.DataType_Int64:
			pks = fd.GetScalars().GetLongData().GetData()
			if len(pks) != n {
				return &milvuspb.MutationResult{Status: fail(1100, "the num_rows (%d) of field (%s) is not equal to passed num_rows (%d)", len(pks), f.GetName(), n)}, nil
			}
		case schemapb.DataType_FloatVector:
			d, _ := typeParam(f, "dim")
			if int(fd.GetVectors().GetDim()) != d {
				return &milvuspb.MutationResult{Status: fail(1100, "the dim (%d) of field data(%s) is not equal to schema dim (%d)", fd.GetVectors().GetDim(), f.GetName(), d)}, nil
			}
			data := fd.GetVectors().GetFloatVector().GetData()
			if len(data) != n*d {
				return &milvuspb.MutationResult{Status: fail(1100, "the num_rows (%d) of field (%s) is not equal to passed num_rows (%d)", len(data)/max(d, 1), f.GetName(), n)}, nil
			}
			for i := range n {
				vecs = append(vecs, data[i*d:(i+1)*d])
			}
		case schemapb.DataType_VarChar:
			l, _ := typeParam(f, "max_length")
			texts = fd.GetScalars().GetStringData().GetData()
			if len(texts) != n {
				return &milvuspb.MutationResult{Status: fail(1100, "the num_rows (%d) of field (%s) is not equal to passed num_rows (%d)", len(texts), f.GetName(), n)}, nil
			}
			for _, s := range texts {
				if len(s) > l {
					return &milvuspb.MutationResult{Status: fail(1100, "length of varchar field %s exceeds max length", f.GetName())}, nil
				}
			}
		}
	}
	seen := map[int64]bool{}
	for i, pk := range pks {
		if seen[pk] {
			return &milvuspb.MutationResult{Status: fail(1100, "duplicate primary key %d", pk)}, nil
		}
		seen[pk] = true
		c.rows[pk] = row{vecs[i], texts[i]}
	}
	return &milvuspb.MutationResult{Status: ok(), InsertCnt: int64(n),
		IDs: &schemapb.IDs{IdField: &schemapb.IDs_IntId{IntId: &schemapb.LongArray{Data: pks}}}}, nil
}

func (m *Server) Flush(ctx context.Context, req *milvuspb.FlushRequest) (*milvuspb.FlushResponse, error) {
	if st, err := m.enter(ctx, "Flush"); err != nil || st != nil {
		return &milvuspb.FlushResponse{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	resp := &milvuspb.FlushResponse{Status: ok(), CollSegIDs: map[string]*schemapb.LongArray{}, CollFlushTs: map[string]uint64{}}
	for _, n := range req.GetCollectionNames() {
		c, st := m.collection(n)
		if st != nil {
			return &milvuspb.FlushResponse{Status: st}, nil
		}
		m.ts += 100
		c.flushTs = m.ts
		c.checkpoint = m.ts - uint64(m.FlushPolls)
		resp.CollSegIDs[n] = &schemapb.LongArray{Data: []int64{c.id*10 + 1}}
		resp.CollFlushTs[n] = c.flushTs
	}
	return resp, nil
}

func (m *Server) GetFlushState(ctx context.Context, req *milvuspb.GetFlushStateRequest) (*milvuspb.GetFlushStateResponse, error) {
	if st, err := m.enter(ctx, "GetFlushState"); err != nil || st != nil {
		return &milvuspb.GetFlushStateResponse{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.GetFlushStateResponse{Status: st}, nil
	}
	c.checkpoint++
	return &milvuspb.GetFlushStateResponse{Status: ok(), Flushed: req.GetFlushTs() <= c.checkpoint}, nil
}

func kvs(ps []*commonpb.KeyValuePair) map[string]string {
	out := map[string]string{}
	for _, p := range ps {
		out[p.GetKey()] = p.GetValue()
	}
	return out
}

func (m *Server) CreateIndex(ctx context.Context, req *milvuspb.CreateIndexRequest) (*commonpb.Status, error) {
	if st, err := m.enter(ctx, "CreateIndex"); err != nil || st != nil {
		return st, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return st, nil
	}
	i := slices.IndexFunc(c.schema.GetFields(), func(f *schemapb.FieldSchema) bool { return f.GetName() == req.GetFieldName() })
	if i < 0 {
		return fail(1100, "cannot create index on non-exist field: %s", req.GetFieldName()), nil
	}
	p := kvs(req.GetExtraParams())
	if c.schema.Fields[i].GetDataType() != schemapb.DataType_FloatVector || p["index_type"] != "HNSW" {
		return fail(1100, "index type %q not supported on field %s by this fake", p["index_type"], req.GetFieldName()), nil
	}
	if !slices.Contains([]string{"L2", "IP", "COSINE"}, p["metric_type"]) {
		return fail(1100, "float vector index does not support metric type: %s", p["metric_type"]), nil
	}
	if mm, err := strconv.Atoi(p["M"]); err != nil || mm < 2 || mm > 2048 {
		return fail(1100, "param 'M' (%s) should be in range [2, 2048]", p["M"]), nil
	}
	if ef, err := strconv.Atoi(p["efConstruction"]); err != nil || ef < 1 {
		return fail(1100, "param 'efConstruction' (%s) should be in range [1, 2147483647]", p["efConstruction"]), nil
	}
	c.indexed[req.GetFieldName()] = p
	c.indexStart, c.indexPolls = m.tick, m.IndexPolls
	return ok(), nil
}

func (m *Server) DescribeIndex(ctx context.Context, req *milvuspb.DescribeIndexRequest) (*milvuspb.DescribeIndexResponse, error) {
	if st, err := m.enter(ctx, "DescribeIndex"); err != nil || st != nil {
		return &milvuspb.DescribeIndexResponse{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.DescribeIndexResponse{Status: st}, nil
	}
	resp := &milvuspb.DescribeIndexResponse{Status: ok()}
	m.tick++
	total := int64(len(c.rows))
	for f, p := range c.indexed {
		d := &milvuspb.IndexDescription{IndexName: f, FieldName: f, State: commonpb.IndexState_Finished, TotalRows: total, IndexedRows: total}
		if !m.indexBuilt(c) {
			d.State = commonpb.IndexState_InProgress
			d.IndexedRows = total * int64(m.tick-c.indexStart) / int64(c.indexPolls)
			d.PendingIndexRows = total - d.IndexedRows
		}
		for k, v := range p {
			d.Params = append(d.Params, &commonpb.KeyValuePair{Key: k, Value: v})
		}
		resp.IndexDescriptions = append(resp.IndexDescriptions, d)
	}
	if len(resp.IndexDescriptions) == 0 {
		return &milvuspb.DescribeIndexResponse{Status: fail(700, "index not found[collection=%s]", req.GetCollectionName())}, nil
	}
	return resp, nil
}

// indexBuilt says whether the index build finished: indexPolls progress
// checks (of any kind: the build runs whoever asks) after CreateIndex.
func (m *Server) indexBuilt(c *collection) bool {
	return len(c.indexed) > 0 && m.tick-c.indexStart >= uint64(c.indexPolls)
}

// loaded says whether loading completed: LoadCollection was called and
// the progress checks reached 100.
func (m *Server) loaded(c *collection) bool {
	return c.loading && c.loadChecks >= m.LoadPolls
}

func (m *Server) LoadCollection(ctx context.Context, req *milvuspb.LoadCollectionRequest) (*commonpb.Status, error) {
	if st, err := m.enter(ctx, "LoadCollection"); err != nil || st != nil {
		return st, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return st, nil
	}
	for _, f := range c.schema.GetFields() {
		if f.GetDataType() == schemapb.DataType_FloatVector && c.indexed[f.GetName()] == nil {
			return fail(700, "there is no vector index on field: [%s], please create index firstly", f.GetName()), nil
		}
	}
	replicas := int(req.GetReplicaNumber())
	if replicas == 0 {
		replicas = m.DefaultReplicas
	}
	if replicas > m.QueryNodes {
		return fail(65535, "call query coordinator LoadCollection: when load %d replica count: service resource insufficient[currentStreamingNode=%d][expectedStreamingNode=%d]", replicas, m.QueryNodes, replicas), nil
	}
	c.loading, c.replicas, c.loadChecks = true, replicas, 0
	return ok(), nil
}

func (m *Server) GetLoadingProgress(ctx context.Context, req *milvuspb.GetLoadingProgressRequest) (*milvuspb.GetLoadingProgressResponse, error) {
	if st, err := m.enter(ctx, "GetLoadingProgress"); err != nil || st != nil {
		return &milvuspb.GetLoadingProgressResponse{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.GetLoadingProgressResponse{Status: st}, nil
	}
	if !c.loading {
		return &milvuspb.GetLoadingProgressResponse{Status: fail(101, "collection not loaded[collection=%s]", req.GetCollectionName())}, nil
	}
	// Segments load once their index is built.
	m.tick++
	if m.indexBuilt(c) {
		c.loadChecks++
	}
	progress := int64(min(100, 100*c.loadChecks/m.LoadPolls))
	return &milvuspb.GetLoadingProgressResponse{Status: ok(), Progress: progress}, nil
}

func (m *Server) GetReplicas(ctx context.Context, req *milvuspb.GetReplicasRequest) (*milvuspb.GetReplicasResponse, error) {
	if st, err := m.enter(ctx, "GetReplicas"); err != nil || st != nil {
		return &milvuspb.GetReplicasResponse{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.GetReplicasResponse{Status: st}, nil
	}
	if !c.loading {
		return &milvuspb.GetReplicasResponse{Status: fail(101, "collection not loaded[collection=%s]", req.GetCollectionName())}, nil
	}
	resp := &milvuspb.GetReplicasResponse{Status: ok()}
	for i := range c.replicas {
		resp.Replicas = append(resp.Replicas, &milvuspb.ReplicaInfo{ReplicaID: int64(i + 1), CollectionID: c.id, NodeIds: []int64{int64(i + 1)}})
	}
	return resp, nil
}

// notLoaded is Milvus's refusal of a search or query on a collection whose
// loading did not complete.
func (m *Server) notLoaded(c *collection, name string) *commonpb.Status {
	switch {
	case !c.loading:
		return fail(101, "collection not loaded[collection=%s]", name)
	case !m.loaded(c):
		return fail(103, "collection not fully loaded[collection=%s]", name)
	}
	return nil
}

func (m *Server) GetVersion(ctx context.Context, req *milvuspb.GetVersionRequest) (*milvuspb.GetVersionResponse, error) {
	if st, err := m.enter(ctx, "GetVersion"); err != nil || st != nil {
		return &milvuspb.GetVersionResponse{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	return &milvuspb.GetVersionResponse{Status: ok(), Version: m.Version}, nil
}

// UpdateCredential as the Milvus proxy does it (internal/proxy/impl.go):
// both passwords base64-decoded (crypto.Base64Decode: standard encoding),
// the new one validated, the old one checked against the user's.
func (m *Server) UpdateCredential(ctx context.Context, req *milvuspb.UpdateCredentialRequest) (*commonpb.Status, error) {
	if st, err := m.enter(ctx, "UpdateCredential"); err != nil || st != nil {
		return st, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	old, err := base64.StdEncoding.DecodeString(req.GetOldPassword())
	if err != nil {
		return fail(65535, "decode old password failed: %v", err), nil
	}
	pw, err := base64.StdEncoding.DecodeString(req.GetNewPassword())
	if err != nil {
		return fail(65535, "decode password failed: %v", err), nil
	}
	if len(pw) < 6 || len(pw) > 72 {
		return fail(1100, "invalid password length: invalid parameter[expected=[6, 72]][actual=%d]", len(pw)), nil
	}
	if req.GetUsername() != m.User || string(old) != m.Password {
		return fail(1800, "old password not correct for %s: not authenticated", req.GetUsername()), nil
	}
	m.Password = string(pw)
	m.Rotations++
	return ok(), nil
}

var (
	exprCompare = regexp.MustCompile(`^pk (>=|<) (\d+)$`)
	exprIn      = regexp.MustCompile(`^pk in \[([\d, ]*)\]$`)
)

// match returns the rows an expression selects, by primary key.
func (c *collection) match(expr string) ([]int64, error) {
	var keep func(int64) bool
	if m := exprCompare.FindStringSubmatch(expr); m != nil {
		n, _ := strconv.ParseInt(m[2], 10, 64)
		if m[1] == ">=" {
			keep = func(pk int64) bool { return pk >= n }
		} else {
			keep = func(pk int64) bool { return pk < n }
		}
	} else if m := exprIn.FindStringSubmatch(expr); m != nil {
		var in []int64
		for _, s := range strings.Split(m[1], ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil, err
			}
			in = append(in, n)
		}
		keep = func(pk int64) bool { return slices.Contains(in, pk) }
	} else {
		return nil, fmt.Errorf("cannot parse expression: %s", expr)
	}
	var out []int64
	for pk := range c.rows {
		if keep(pk) {
			out = append(out, pk)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (m *Server) Search(ctx context.Context, req *milvuspb.SearchRequest) (*milvuspb.SearchResults, error) {
	if st, err := m.enter(ctx, "Search"); err != nil || st != nil {
		return &milvuspb.SearchResults{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.SearchResults{Status: st}, nil
	}
	if st := m.notLoaded(c, req.GetCollectionName()); st != nil {
		return &milvuspb.SearchResults{Status: st}, nil
	}
	p := kvs(req.GetSearchParams())
	idx := c.indexed[p["anns_field"]]
	if idx == nil {
		return &milvuspb.SearchResults{Status: fail(1100, "anns_field %q has no index", p["anns_field"])}, nil
	}
	// Milvus 2.6 segcore: a search names its index's metric or none.
	if mt := p["metric_type"]; mt != "" && mt != idx["metric_type"] {
		return &milvuspb.SearchResults{Status: fail(65535, "metric type not match: invalid parameter[expected=%s][actual=%s]", idx["metric_type"], mt)}, nil
	}
	topk, err := strconv.Atoi(p["topk"])
	if err != nil || topk < 1 {
		return &milvuspb.SearchResults{Status: fail(1100, "invalid topk %q", p["topk"])}, nil
	}
	var phg commonpb.PlaceholderGroup
	if err := proto.Unmarshal(req.GetPlaceholderGroup(), &phg); err != nil || len(phg.GetPlaceholders()) != 1 {
		return &milvuspb.SearchResults{Status: fail(1100, "invalid placeholder group")}, nil
	}
	ph := phg.Placeholders[0]
	if ph.GetType() != commonpb.PlaceholderType_FloatVector {
		return &milvuspb.SearchResults{Status: fail(1100, "vector type must be the same as the field type")}, nil
	}
	cands, err := c.match(req.GetDsl())
	if err != nil {
		return &milvuspb.SearchResults{Status: fail(1100, "%v", err)}, nil
	}
	res := &schemapb.SearchResultData{NumQueries: int64(len(ph.GetValues())), TopK: int64(topk)}
	var ids []int64
	var texts []string
	for _, raw := range ph.GetValues() {
		q := make([]float32, len(raw)/4)
		for i := range q {
			q[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:]))
		}
		type hit struct {
			pk   int64
			dist float32
		}
		var hits []hit
		for _, pk := range cands {
			var d float32
			for i, v := range c.rows[pk].vec {
				d += (v - q[i]) * (v - q[i])
			}
			hits = append(hits, hit{pk, d})
		}
		sort.Slice(hits, func(i, j int) bool { return hits[i].dist < hits[j].dist })
		hits = hits[:min(topk, len(hits))]
		res.Topks = append(res.Topks, int64(len(hits)))
		for _, h := range hits {
			ids = append(ids, h.pk)
			res.Scores = append(res.Scores, h.dist)
			texts = append(texts, c.rows[h.pk].text)
		}
	}
	res.Ids = &schemapb.IDs{IdField: &schemapb.IDs_IntId{IntId: &schemapb.LongArray{Data: ids}}}
	for _, f := range req.GetOutputFields() {
		if fs := c.field(f); fs == nil || fs.GetDataType() != schemapb.DataType_VarChar {
			return &milvuspb.SearchResults{Status: fail(1100, "output field %s not supported by this fake", f)}, nil
		}
		res.FieldsData = append(res.FieldsData, stringField(f, texts))
	}
	return &milvuspb.SearchResults{Status: ok(), Results: res, CollectionName: req.GetCollectionName()}, nil
}

// field is the schema's field of that name, nil when there is none.
func (c *collection) field(name string) *schemapb.FieldSchema {
	for _, f := range c.schema.GetFields() {
		if f.GetName() == name {
			return f
		}
	}
	return nil
}

func stringField(name string, vals []string) *schemapb.FieldData {
	return &schemapb.FieldData{Type: schemapb.DataType_VarChar, FieldName: name,
		Field: &schemapb.FieldData_Scalars{Scalars: &schemapb.ScalarField{Data: &schemapb.ScalarField_StringData{StringData: &schemapb.StringArray{Data: vals}}}}}
}

func (m *Server) Query(ctx context.Context, req *milvuspb.QueryRequest) (*milvuspb.QueryResults, error) {
	if st, err := m.enter(ctx, "Query"); err != nil || st != nil {
		return &milvuspb.QueryResults{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.QueryResults{Status: st}, nil
	}
	if st := m.notLoaded(c, req.GetCollectionName()); st != nil {
		return &milvuspb.QueryResults{Status: st}, nil
	}
	pks, err := c.match(req.GetExpr())
	if err != nil {
		return &milvuspb.QueryResults{Status: fail(1100, "%v", err)}, nil
	}
	resp := &milvuspb.QueryResults{Status: ok(), CollectionName: req.GetCollectionName(), OutputFields: req.GetOutputFields()}
	for _, f := range req.GetOutputFields() {
		fs := c.field(f)
		switch {
		case fs != nil && fs.GetIsPrimaryKey() && fs.GetDataType() == schemapb.DataType_Int64:
			resp.FieldsData = append(resp.FieldsData, &schemapb.FieldData{Type: schemapb.DataType_Int64, FieldName: f,
				Field: &schemapb.FieldData_Scalars{Scalars: &schemapb.ScalarField{Data: &schemapb.ScalarField_LongData{LongData: &schemapb.LongArray{Data: pks}}}}})
		case fs != nil && fs.GetDataType() == schemapb.DataType_VarChar:
			var texts []string
			for _, pk := range pks {
				texts = append(texts, c.rows[pk].text)
			}
			resp.FieldsData = append(resp.FieldsData, stringField(f, texts))
		default:
			return &milvuspb.QueryResults{Status: fail(1100, "output field %s not supported by this fake", f)}, nil
		}
	}
	return resp, nil
}

func (m *Server) Delete(ctx context.Context, req *milvuspb.DeleteRequest) (*milvuspb.MutationResult, error) {
	if st, err := m.enter(ctx, "Delete"); err != nil || st != nil {
		return &milvuspb.MutationResult{Status: st}, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	c, st := m.collection(req.GetCollectionName())
	if st != nil {
		return &milvuspb.MutationResult{Status: st}, nil
	}
	pks, err := c.match(req.GetExpr())
	if err != nil {
		return &milvuspb.MutationResult{Status: fail(1100, "%v", err)}, nil
	}
	for _, pk := range pks {
		delete(c.rows, pk)
	}
	return &milvuspb.MutationResult{Status: ok(), DeleteCnt: int64(len(pks))}, nil
}

func (m *Server) DropCollection(ctx context.Context, req *milvuspb.DropCollectionRequest) (*commonpb.Status, error) {
	if st, err := m.enter(ctx, "DropCollection"); err != nil || st != nil {
		return st, err
	}
	m.Mu.Lock()
	defer m.Mu.Unlock()
	// Dropping a collection that does not exist succeeds, as in Milvus 2.6.
	delete(m.Collections, req.GetCollectionName())
	m.Dropped = append(m.Dropped, req.GetCollectionName())
	return ok(), nil
}
