package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/milvus-io/milvus-proto/go-api/v2/commonpb"
	"github.com/milvus-io/milvus-proto/go-api/v2/milvuspb"
	"github.com/milvus-io/milvus-proto/go-api/v2/schemapb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// verify talks to Milvus through the official gRPC service definition,
// github.com/milvus-io/milvus-proto/go-api/v2 (milvuspb.MilvusService), the
// API the Go SDK wraps. The SDK itself (github.com/milvus-io/milvus/client/v2
// v2.6.2) builds with milvusgen's pinned modules, but links
// github.com/milvus-io/milvus/pkg/v2 (its error package reaches Milvus's
// paramtable, an embedded etcd server, Prometheus, OpenTelemetry's SDK and
// gopsutil): +41 MB of binary and about 17 ms more CPU at the start of every
// milvusgen command, past the start-up budget, and package initialisers that
// set logrus's global level and read /proc for every command. The requests
// below are the ones the SDK sends for the same calls.

// The hello_milvus collection verify creates: a primary key, an 8-d float
// vector and a varchar, as in Milvus's hello_milvus example.
const (
	fieldPK     = "pk"
	fieldVector = "embeddings"
	fieldText   = "text"
	dim         = 8
	textMaxLen  = 64
	// Rows is how many rows verify inserts.
	Rows = 3000
	// searchFilter keeps the upper half of the rows; the search vectors
	// are rows of that half, so each must find itself first.
	searchFilter = "pk >= 1500"
	searchTopK   = 3
	queryExpr    = "pk < 10"
	deleteExpr   = "pk in [0, 1, 2]"
	// HNSW build and search parameters, L2 distance.
	metric             = "L2"
	hnswM              = 8
	hnswEfConstruction = 64
	hnswEf             = 64
	// DefaultPollInterval spaces the checks of flush, index and load
	// progress.
	DefaultPollInterval = 200 * time.Millisecond
)

// MaxMessageSize caps every gRPC message verify sends or receives. The
// largest verify exchanges is its insert, about 150 KB (rows × (8-d float32
// vector + key + text)); a server answering with more is refused before the
// message is read, so a broken or hostile endpoint cannot make verify
// allocate what it sends (gRPC's client default is 2 GiB for sends).
const MaxMessageSize = 4 << 20

// RootUser is the Milvus user verify logs in as.
const RootUser = "root"

// CollectionPrefix starts the name of every collection verify creates.
const CollectionPrefix = "milvusgen_verify_"

// Conn is how verify reaches Milvus.
type Conn struct {
	Address  string
	Password string // empty: no authentication
	TLS      *tls.Config
	// serverName is the name the proxies' certificate must carry; caFrom
	// says where TLS's CA came from, for messages.
	serverName, caFrom string
}

// client is a connection to the Milvus proxies.
type client struct {
	conn *grpc.ClientConn
	svc  milvuspb.MilvusServiceClient
}

// dial connects and logs in with Connect, as the SDK does. Credentials go
// in the authorization metadata of every call, base64(user:password), the
// header the Milvus proxy authenticates.
func dial(ctx context.Context, c Conn) (*client, error) {
	creds := insecure.NewCredentials()
	if c.TLS != nil {
		creds = credentials.NewTLS(c.TLS)
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 5 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageSize), grpc.MaxCallSendMsgSize(MaxMessageSize)),
	}
	if c.Password != "" {
		auth := base64.StdEncoding.EncodeToString([]byte(RootUser + ":" + c.Password))
		opts = append(opts, grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			return invoker(metadata.AppendToOutgoingContext(ctx, "authorization", auth), method, req, reply, cc, opts...)
		}))
	}
	conn, err := grpc.NewClient("passthrough:///"+c.Address, opts...)
	if err != nil {
		return nil, err
	}
	cl := &client{conn: conn, svc: milvuspb.NewMilvusServiceClient(conn)}
	host, _ := os.Hostname()
	user := ""
	if c.Password != "" {
		user = RootUser
	}
	resp, err := cl.svc.Connect(ctx, &milvuspb.ConnectRequest{ClientInfo: &commonpb.ClientInfo{
		SdkType: "milvusgen", User: user, Host: host, LocalTime: time.Now().String(),
	}})
	if status.Code(err) == codes.Unimplemented {
		err = nil // Milvus before 2.2.9 has no Connect
	} else if err == nil {
		err = check(resp.GetStatus())
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return cl, nil
}

func (c *client) Close() error { return c.conn.Close() }

// check turns a Milvus status into an error carrying the server's reason.
func check(st *commonpb.Status) error {
	if st.GetCode() == 0 && st.GetErrorCode() == commonpb.ErrorCode_Success {
		return nil
	}
	code := st.GetCode()
	if code == 0 {
		code = int32(st.GetErrorCode())
	}
	return fmt.Errorf("%s (Milvus error %d)", st.GetReason(), code)
}

// TLSConfig builds the client TLS of modes 1 and 2 from PEM data: the CA
// the proxies' certificate is checked against (none: the system roots) and,
// for mode 2, the client key pair.
func TLSConfig(mode int, caPEM, certPEM, keyPEM []byte, serverName string) (*tls.Config, error) {
	if mode == 0 {
		return nil, nil
	}
	// No CA: the system roots (RootCAs nil), for a publicly issued
	// certificate.
	var pool *x509.CertPool
	if len(caPEM) > 0 {
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("the CA holds no PEM certificate")
		}
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12}
	if mode == 2 {
		if len(certPEM) == 0 || len(keyPEM) == 0 {
			return nil, errors.New("TLS mode 2 (mutual) needs a client certificate signed by the CA: pass --tls-cert FILE --tls-key FILE")
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("the client key pair: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// poll calls done every interval until it reports true, fails, or ctx
// ends. It returns how many times it called done.
func poll(ctx context.Context, every time.Duration, done func() (bool, error)) (int, error) {
	for n := 1; ; n++ {
		ok, err := done()
		if err != nil || ok {
			return n, err
		}
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case <-time.After(every):
		}
	}
}

func kv(k, v string) *commonpb.KeyValuePair { return &commonpb.KeyValuePair{Key: k, Value: v} }

// schema is the hello_milvus collection's schema.
func schema(name string) *schemapb.CollectionSchema {
	return &schemapb.CollectionSchema{
		Name:        name,
		Description: "milvusgen verify: hello_milvus",
		Fields: []*schemapb.FieldSchema{
			{Name: fieldPK, DataType: schemapb.DataType_Int64, IsPrimaryKey: true},
			{Name: fieldVector, DataType: schemapb.DataType_FloatVector, TypeParams: []*commonpb.KeyValuePair{kv("dim", strconv.Itoa(dim))}},
			{Name: fieldText, DataType: schemapb.DataType_VarChar, TypeParams: []*commonpb.KeyValuePair{kv("max_length", strconv.Itoa(textMaxLen))}},
		},
	}
}

func longField(name string, data []int64) *schemapb.FieldData {
	return &schemapb.FieldData{Type: schemapb.DataType_Int64, FieldName: name,
		Field: &schemapb.FieldData_Scalars{Scalars: &schemapb.ScalarField{Data: &schemapb.ScalarField_LongData{LongData: &schemapb.LongArray{Data: data}}}}}
}

func varcharField(name string, data []string) *schemapb.FieldData {
	return &schemapb.FieldData{Type: schemapb.DataType_VarChar, FieldName: name,
		Field: &schemapb.FieldData_Scalars{Scalars: &schemapb.ScalarField{Data: &schemapb.ScalarField_StringData{StringData: &schemapb.StringArray{Data: data}}}}}
}

func vectorField(name string, vectors [][]float32) *schemapb.FieldData {
	flat := make([]float32, 0, len(vectors)*dim)
	for _, v := range vectors {
		flat = append(flat, v...)
	}
	return &schemapb.FieldData{Type: schemapb.DataType_FloatVector, FieldName: name,
		Field: &schemapb.FieldData_Vectors{Vectors: &schemapb.VectorField{Dim: dim,
			Data: &schemapb.VectorField_FloatVector{FloatVector: &schemapb.FloatArray{Data: flat}}}}}
}

// placeholders is the search input: the query vectors as little-endian
// float32 bytes, as Milvus reads them.
func placeholders(vectors [][]float32) ([]byte, error) {
	ph := &commonpb.PlaceholderValue{Tag: "$0", Type: commonpb.PlaceholderType_FloatVector}
	for _, v := range vectors {
		b := make([]byte, 4*len(v))
		for i, f := range v {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
		}
		ph.Values = append(ph.Values, b)
	}
	return proto.Marshal(&commonpb.PlaceholderGroup{Placeholders: []*commonpb.PlaceholderValue{ph}})
}

// fieldByName returns the named column of a result.
func fieldByName(fields []*schemapb.FieldData, name string) *schemapb.FieldData {
	for _, f := range fields {
		if f.GetFieldName() == name {
			return f
		}
	}
	return nil
}

// helloParams say how hello runs.
type helloParams struct {
	name string
	rng  *rand.Rand
	// replicas is the in-memory replica number the collection is loaded
	// with: the tree's queryCoord.clusterLevelLoadReplicaNumber.
	replicas int
	// every spaces the progress checks.
	every time.Duration
	// dropTimeout bounds dropping the collection after the run's deadline.
	dropTimeout time.Duration
}

// insertRequest is verify's one insert: every row of the collection.
func insertRequest(name string, pks []int64, vectors [][]float32, texts []string) *milvuspb.InsertRequest {
	return &milvuspb.InsertRequest{CollectionName: name, NumRows: uint32(len(pks)),
		FieldsData: []*schemapb.FieldData{longField(fieldPK, pks), vectorField(fieldVector, vectors), varcharField(fieldText, texts)}}
}

// plural is "n thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// hello runs the hello_milvus sequence, one step at a time through run.
// Once its creation was attempted, the collection is dropped whatever
// happens, with a context of its own so that an expired deadline does not
// leave it behind.
func hello(ctx context.Context, c *client, h helloParams, run func(string, func() (string, error)) error) {
	svc := c.svc
	name, rng, dropTimeout := h.name, h.rng, h.dropTimeout
	created := false
	defer func() {
		if !created {
			return
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
		defer cancel()
		_ = run("drop collection", func() (string, error) {
			st, err := svc.DropCollection(dctx, &milvuspb.DropCollectionRequest{CollectionName: name})
			if err != nil {
				return "", err
			}
			return name, check(st)
		})
	}()

	created = true
	if run("create collection", func() (string, error) {
		s, err := proto.Marshal(schema(name))
		if err != nil {
			return "", err
		}
		st, err := svc.CreateCollection(ctx, &milvuspb.CreateCollectionRequest{CollectionName: name, Schema: s,
			ShardsNum: 1, ConsistencyLevel: commonpb.ConsistencyLevel_Bounded})
		if err != nil {
			return "", err
		}
		return name, check(st)
	}) != nil {
		return
	}

	pks := make([]int64, Rows)
	vectors := make([][]float32, Rows)
	texts := make([]string, Rows)
	for i := range Rows {
		pks[i] = int64(i)
		vectors[i] = make([]float32, dim)
		for j := range dim {
			vectors[i][j] = rng.Float32()
		}
		texts[i] = fmt.Sprintf("row %d", i)
	}
	if run("insert", func() (string, error) {
		res, err := svc.Insert(ctx, insertRequest(name, pks, vectors, texts))
		if err != nil {
			return "", err
		}
		if err := check(res.GetStatus()); err != nil {
			return "", err
		}
		if res.GetInsertCnt() != Rows {
			return "", fmt.Errorf("inserted %d rows, want %d", res.GetInsertCnt(), Rows)
		}
		return fmt.Sprintf("%d rows", Rows), nil
	}) != nil {
		return
	}

	if run("flush", func() (string, error) {
		res, err := svc.Flush(ctx, &milvuspb.FlushRequest{CollectionNames: []string{name}})
		if err != nil {
			return "", err
		}
		if err := check(res.GetStatus()); err != nil {
			return "", err
		}
		req := &milvuspb.GetFlushStateRequest{CollectionName: name,
			SegmentIDs: res.GetCollSegIDs()[name].GetData(), FlushTs: res.GetCollFlushTs()[name]}
		n, err := poll(ctx, h.every, func() (bool, error) {
			st, err := svc.GetFlushState(ctx, req)
			if err == nil {
				err = check(st.GetStatus())
			}
			return st.GetFlushed(), err
		})
		return "flushed after " + plural(n, "check"), err
	}) != nil {
		return
	}

	if run("create index", func() (string, error) {
		st, err := svc.CreateIndex(ctx, &milvuspb.CreateIndexRequest{CollectionName: name, FieldName: fieldVector,
			ExtraParams: []*commonpb.KeyValuePair{kv("index_type", "HNSW"), kv("metric_type", metric),
				kv("M", strconv.Itoa(hnswM)), kv("efConstruction", strconv.Itoa(hnswEfConstruction))}})
		if err != nil {
			return "", err
		}
		if err := check(st); err != nil {
			return "", err
		}
		n, err := poll(ctx, h.every, func() (bool, error) {
			res, err := svc.DescribeIndex(ctx, &milvuspb.DescribeIndexRequest{CollectionName: name, FieldName: fieldVector})
			if err == nil {
				err = check(res.GetStatus())
			}
			if err != nil {
				return false, err
			}
			for _, d := range res.GetIndexDescriptions() {
				if d.GetFieldName() != fieldVector {
					continue
				}
				switch d.GetState() {
				case commonpb.IndexState_Finished:
					return true, nil
				case commonpb.IndexState_Failed:
					return false, fmt.Errorf("building the index failed: %s", d.GetIndexStateFailReason())
				}
			}
			return false, nil
		})
		return fmt.Sprintf("HNSW %s M=%d efConstruction=%d, built after %s", metric, hnswM, hnswEfConstruction, plural(n, "check")), err
	}) != nil {
		return
	}

	if run("load", func() (string, error) {
		st, err := svc.LoadCollection(ctx, &milvuspb.LoadCollectionRequest{CollectionName: name, ReplicaNumber: int32(h.replicas)})
		if err != nil {
			return "", err
		}
		if err := check(st); err != nil {
			return "", err
		}
		n, err := poll(ctx, h.every, func() (bool, error) {
			res, err := svc.GetLoadingProgress(ctx, &milvuspb.GetLoadingProgressRequest{CollectionName: name})
			if err == nil {
				err = check(res.GetStatus())
			}
			return res.GetProgress() == 100, err
		})
		if err != nil {
			return "", err
		}
		// The replicas Milvus made, not the number asked for: a load that
		// silently fell back to one replica gives no redundancy.
		res, err := svc.GetReplicas(ctx, &milvuspb.GetReplicasRequest{CollectionName: name})
		if err == nil {
			err = check(res.GetStatus())
		}
		if err != nil {
			return "", fmt.Errorf("listing the replicas: %w", err)
		}
		if got := len(res.GetReplicas()); got != h.replicas {
			return "", fmt.Errorf("loaded with %s, but the tree's queryCoord.clusterLevelLoadReplicaNumber is %d", plural(got, "in-memory replica"), h.replicas)
		}
		return fmt.Sprintf("%s, loaded after %s", plural(h.replicas, "in-memory replica"), plural(n, "check")), nil
	}) != nil {
		return
	}

	if run("search", func() (string, error) {
		probes := []int{1500, 2999}
		queries := make([][]float32, len(probes))
		for i, p := range probes {
			queries[i] = vectors[p]
		}
		phg, err := placeholders(queries)
		if err != nil {
			return "", err
		}
		params, _ := json.Marshal(map[string]int{"ef": hnswEf})
		res, err := svc.Search(ctx, &milvuspb.SearchRequest{CollectionName: name, Dsl: searchFilter, DslType: commonpb.DslType_BoolExprV1,
			SearchInput: &milvuspb.SearchRequest_PlaceholderGroup{PlaceholderGroup: phg}, Nq: int64(len(queries)),
			OutputFields: []string{fieldText}, ConsistencyLevel: commonpb.ConsistencyLevel_Strong,
			SearchParams: []*commonpb.KeyValuePair{kv("anns_field", fieldVector), kv("topk", strconv.Itoa(searchTopK)),
				kv("metric_type", metric), kv("params", string(params)), kv("offset", "0"), kv("round_decimal", "-1")}})
		if err != nil {
			return "", err
		}
		if err := check(res.GetStatus()); err != nil {
			return "", err
		}
		r := res.GetResults()
		topks, ids := r.GetTopks(), r.GetIds().GetIntId().GetData()
		if len(topks) != len(probes) {
			return "", fmt.Errorf("%d result sets for %d query vectors", len(topks), len(probes))
		}
		off := 0
		for i, n := range topks {
			if n != searchTopK {
				return "", fmt.Errorf("query %d: %d hits, want top %d", i, n, searchTopK)
			}
			if off+int(n) > len(ids) {
				return "", fmt.Errorf("query %d: %d ids for %d hits", i, len(ids)-off, n)
			}
			for j, id := range ids[off : off+int(n)] {
				if id < 1500 {
					return "", fmt.Errorf("query %d: hit %d does not match the filter %q", i, id, searchFilter)
				}
				if j == 0 && id != int64(probes[i]) {
					return "", fmt.Errorf("query %d: nearest hit is row %d, want row %d (the query vector itself)", i, id, probes[i])
				}
			}
			off += int(n)
		}
		if got := fieldByName(r.GetFieldsData(), fieldText).GetScalars().GetStringData().GetData(); len(got) != len(ids) {
			return "", fmt.Errorf("%d %s values for %d hits", len(got), fieldText, len(ids))
		}
		return fmt.Sprintf("top %d of %d vectors, filter %q", searchTopK, len(probes), searchFilter), nil
	}) != nil {
		return
	}

	if run("query", func() (string, error) {
		res, err := svc.Query(ctx, &milvuspb.QueryRequest{CollectionName: name, Expr: queryExpr,
			OutputFields: []string{fieldPK, fieldText}, ConsistencyLevel: commonpb.ConsistencyLevel_Strong})
		if err != nil {
			return "", err
		}
		if err := check(res.GetStatus()); err != nil {
			return "", err
		}
		ids := fieldByName(res.GetFieldsData(), fieldPK).GetScalars().GetLongData().GetData()
		got := fieldByName(res.GetFieldsData(), fieldText).GetScalars().GetStringData().GetData()
		if len(ids) != 10 || len(got) != len(ids) {
			return "", fmt.Errorf("%q returned %d rows and %d %s values, want 10", queryExpr, len(ids), len(got), fieldText)
		}
		for i, id := range ids {
			if id < 0 || id >= 10 || got[i] != texts[id] {
				return "", fmt.Errorf("%q returned row %d with %s %q", queryExpr, id, fieldText, got[i])
			}
		}
		return fmt.Sprintf("%q: 10 rows", queryExpr), nil
	}) != nil {
		return
	}

	_ = run("delete", func() (string, error) {
		res, err := svc.Delete(ctx, &milvuspb.DeleteRequest{CollectionName: name, Expr: deleteExpr})
		if err != nil {
			return "", err
		}
		if err := check(res.GetStatus()); err != nil {
			return "", err
		}
		if res.GetDeleteCnt() != 3 {
			return "", fmt.Errorf("%q deleted %d rows, want 3", deleteExpr, res.GetDeleteCnt())
		}
		return fmt.Sprintf("%q: 3 rows", deleteExpr), nil
	})
}

// collectionName is a name no other run uses: the prefix and 8 random hex
// digits.
func collectionName(rng *rand.Rand) string {
	return fmt.Sprintf("%s%08x", CollectionPrefix, rng.Uint32())
}
