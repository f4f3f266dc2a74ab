package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/milvus-io/milvus/client/v2/column"
	"github.com/milvus-io/milvus/client/v2/entity"
	"github.com/milvus-io/milvus/client/v2/index"
	"github.com/milvus-io/milvus/client/v2/milvusclient"
	mlog "github.com/milvus-io/milvus/pkg/v2/log"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
)

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
	// HNSW build and search parameters.
	hnswM              = 8
	hnswEfConstruction = 64
	hnswEf             = 64
)

// RootUser is the Milvus user verify logs in as.
const RootUser = "root"

// CollectionPrefix starts the name of every collection verify creates.
const CollectionPrefix = "milvusgen_verify_"

// Conn is how verify reaches Milvus.
type Conn struct {
	Address  string
	Password string // empty: no authentication
	TLS      *tls.Config
}

// dial connects and logs in. Unlike the SDK's defaults it does not block
// in the dial: the first RPC (Connect) fails with the transport's own
// error, which names what went wrong, and the caller's deadline bounds the
// SDK's retries.
func dial(ctx context.Context, c Conn) (*milvusclient.Client, error) {
	opts := []grpc.DialOption{
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 5 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 3 * time.Second},
			MinConnectTimeout: 3 * time.Second,
		}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32)),
	}
	if c.TLS != nil {
		// The SDK's own TLS trusts the system roots only; later transport
		// credentials replace its insecure ones.
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(c.TLS)))
	}
	// The SDK logs its retries through Milvus's global logger, to stdout,
	// where they would break --format json; the errors reach the report.
	mlog.SetLevel(zapcore.FatalLevel)
	cfg := &milvusclient.ClientConfig{Address: c.Address, DialOptions: opts}
	if c.Password != "" {
		cfg.Username, cfg.Password = RootUser, c.Password
	}
	return milvusclient.New(ctx, cfg)
}

// TLSConfig builds the client TLS of modes 1 and 2 from PEM data: the CA
// the proxies' certificate is checked against and, for mode 2, the client
// key pair.
func TLSConfig(mode int, caPEM, certPEM, keyPEM []byte, serverName string) (*tls.Config, error) {
	if mode == 0 {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("the CA holds no PEM certificate")
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

// hello runs the hello_milvus sequence against a connected client, one step
// at a time through run. The collection is dropped whatever happens once
// its creation was attempted, with a context of its own so that an expired
// deadline does not leave it behind.
func hello(ctx context.Context, c *milvusclient.Client, name string, rng *rand.Rand, run func(string, func() (string, error)) error, dropTimeout time.Duration) {
	created := false
	defer func() {
		if !created {
			return
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
		defer cancel()
		_ = run("drop collection", func() (string, error) {
			return name, c.DropCollection(dctx, milvusclient.NewDropCollectionOption(name))
		})
	}()

	schema := entity.NewSchema().WithName(name).WithDescription("milvusgen verify: hello_milvus").
		WithField(entity.NewField().WithName(fieldPK).WithDataType(entity.FieldTypeInt64).WithIsPrimaryKey(true)).
		WithField(entity.NewField().WithName(fieldVector).WithDataType(entity.FieldTypeFloatVector).WithDim(dim)).
		WithField(entity.NewField().WithName(fieldText).WithDataType(entity.FieldTypeVarChar).WithMaxLength(textMaxLen))
	created = true
	if run("create collection", func() (string, error) {
		return name, c.CreateCollection(ctx, milvusclient.NewCreateCollectionOption(name, schema))
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
		res, err := c.Insert(ctx, milvusclient.NewColumnBasedInsertOption(name,
			column.NewColumnInt64(fieldPK, pks),
			column.NewColumnFloatVector(fieldVector, dim, vectors),
			column.NewColumnVarChar(fieldText, texts)))
		if err != nil {
			return "", err
		}
		if res.InsertCount != Rows {
			return "", fmt.Errorf("inserted %d rows, want %d", res.InsertCount, Rows)
		}
		return fmt.Sprintf("%d rows", Rows), nil
	}) != nil {
		return
	}

	if run("flush", func() (string, error) {
		task, err := c.Flush(ctx, milvusclient.NewFlushOption(name))
		if err != nil {
			return "", err
		}
		return "", task.Await(ctx)
	}) != nil {
		return
	}

	if run("create index", func() (string, error) {
		idx := index.NewHNSWIndex(entity.L2, hnswM, hnswEfConstruction)
		task, err := c.CreateIndex(ctx, milvusclient.NewCreateIndexOption(name, fieldVector, idx))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("HNSW L2 M=%d efConstruction=%d", hnswM, hnswEfConstruction), task.Await(ctx)
	}) != nil {
		return
	}

	if run("load", func() (string, error) {
		task, err := c.LoadCollection(ctx, milvusclient.NewLoadCollectionOption(name))
		if err != nil {
			return "", err
		}
		return "", task.Await(ctx)
	}) != nil {
		return
	}

	if run("search", func() (string, error) {
		probes := []int{1500, 2999}
		queries := make([]entity.Vector, len(probes))
		for i, p := range probes {
			queries[i] = entity.FloatVector(vectors[p])
		}
		res, err := c.Search(ctx, milvusclient.NewSearchOption(name, searchTopK, queries).
			WithANNSField(fieldVector).WithFilter(searchFilter).WithOutputFields(fieldText).
			WithAnnParam(index.NewHNSWAnnParam(hnswEf)).WithConsistencyLevel(entity.ClStrong))
		if err != nil {
			return "", err
		}
		if len(res) != len(probes) {
			return "", fmt.Errorf("%d result sets for %d query vectors", len(res), len(probes))
		}
		for i, rs := range res {
			if rs.Err != nil {
				return "", rs.Err
			}
			if rs.ResultCount != searchTopK {
				return "", fmt.Errorf("query %d: %d hits, want top %d", i, rs.ResultCount, searchTopK)
			}
			for j := range rs.ResultCount {
				id, err := rs.IDs.GetAsInt64(j)
				if err != nil {
					return "", err
				}
				if id < 1500 {
					return "", fmt.Errorf("query %d: hit %d does not match the filter %q", i, id, searchFilter)
				}
				if j == 0 && id != int64(probes[i]) {
					return "", fmt.Errorf("query %d: nearest hit is row %d, want row %d (the query vector itself)", i, id, probes[i])
				}
			}
		}
		return fmt.Sprintf("top %d of %d vectors, filter %q", searchTopK, len(probes), searchFilter), nil
	}) != nil {
		return
	}

	if run("query", func() (string, error) {
		rs, err := c.Query(ctx, milvusclient.NewQueryOption(name).WithFilter(queryExpr).
			WithOutputFields(fieldPK, fieldText).WithConsistencyLevel(entity.ClStrong))
		if err != nil {
			return "", err
		}
		if rs.ResultCount != 10 {
			return "", fmt.Errorf("%q returned %d rows, want 10", queryExpr, rs.ResultCount)
		}
		col := rs.GetColumn(fieldText)
		if col == nil {
			return "", fmt.Errorf("%q returned no %s field", queryExpr, fieldText)
		}
		pk := rs.GetColumn(fieldPK)
		for i := range rs.ResultCount {
			id, err := pk.GetAsInt64(i)
			if err != nil {
				return "", err
			}
			s, err := col.GetAsString(i)
			if err != nil {
				return "", err
			}
			if id < 0 || id >= Rows || s != texts[id] {
				return "", fmt.Errorf("%q returned row %d with %s %q, want %q", queryExpr, id, fieldText, s, texts[min(max(id, 0), Rows-1)])
			}
		}
		return fmt.Sprintf("%q: 10 rows", queryExpr), nil
	}) != nil {
		return
	}

	_ = run("delete", func() (string, error) {
		res, err := c.Delete(ctx, milvusclient.NewDeleteOption(name).WithExpr(deleteExpr))
		if err != nil {
			return "", err
		}
		if res.DeleteCount != 3 {
			return "", fmt.Errorf("%q deleted %d rows, want 3", deleteExpr, res.DeleteCount)
		}
		return fmt.Sprintf("%q: 3 rows", deleteExpr), nil
	})
}

// collectionName is a name no other run uses: the prefix and 8 random hex
// digits.
func collectionName(rng *rand.Rand) string {
	return fmt.Sprintf("%s%08x", CollectionPrefix, rng.Uint32())
}
