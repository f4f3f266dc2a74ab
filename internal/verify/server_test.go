package verify

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/milvus-io/milvus-proto/go-api/v2/commonpb"
	"github.com/milvus-io/milvus-proto/go-api/v2/milvuspb"
	"github.com/milvus-io/milvus-proto/go-api/v2/schemapb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/milvusgen/milvusgen/internal/modeltest"

	"github.com/milvusgen/milvusgen/internal/verify/milvustest"
)

// fakeClient logs in to the fake as root, for tests that drive it by hand.
func fakeClient(t *testing.T, m *milvustest.Server) milvuspb.MilvusServiceClient {
	t.Helper()
	c, err := dial(context.Background(), Conn{Address: serve(t, m), Password: m.Password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.svc
}

// statusErr is a call's error or its status's.
func statusErr(st *commonpb.Status, err error) error {
	if err != nil {
		return err
	}
	return check(st)
}

// wantRefused fails unless err is a refusal carrying want.
func wantRefused(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: %v, want a refusal with %q", what, err, want)
	}
}

// The test server refuses what Milvus 2.6 refuses, so that verify doing it
// fails a test.
func TestServerRefusesWhatMilvusRefuses(t *testing.T) {
	ctx := context.Background()
	m := milvustest.New(testPassword)
	svc := fakeClient(t, m)

	create := func(name string, autoID bool) {
		s := schema(name)
		s.Fields[0].AutoID = autoID
		b, _ := proto.Marshal(s)
		if err := statusErr(svc.CreateCollection(ctx, &milvuspb.CreateCollectionRequest{CollectionName: name, Schema: b})); err != nil {
			t.Fatal(err)
		}
	}
	pks, vecs, texts := []int64{1, 2}, [][]float32{make([]float32, dim), make([]float32, dim)}, []string{"a", "b"}

	// Explicit primary keys into an AutoID field.
	create("auto", true)
	res, err := svc.Insert(ctx, insertRequest("auto", pks, vecs, texts))
	wantRefused(t, "primary keys into an AutoID field", statusErr(res.GetStatus(), err), "can not assign primary field data when auto id enabled")
	res, err = svc.Insert(ctx, &milvuspb.InsertRequest{CollectionName: "auto", NumRows: 2,
		FieldsData: []*schemapb.FieldData{vectorField(fieldVector, vecs), varcharField(fieldText, texts)}})
	if err := statusErr(res.GetStatus(), err); err != nil || len(res.GetIDs().GetIntId().GetData()) != 2 {
		t.Errorf("insert without the AutoID key: %v, ids %v", err, res.GetIDs())
	}

	create("c", false)
	if res, err := svc.Insert(ctx, insertRequest("c", pks, vecs, texts)); statusErr(res.GetStatus(), err) != nil {
		t.Fatal(statusErr(res.GetStatus(), err))
	}
	search := func(metricType string) error {
		phg, _ := placeholders(vecs[:1])
		res, err := svc.Search(ctx, &milvuspb.SearchRequest{CollectionName: "c", Dsl: "pk >= 0",
			SearchInput: &milvuspb.SearchRequest_PlaceholderGroup{PlaceholderGroup: phg}, Nq: 1, OutputFields: []string{fieldText},
			SearchParams: []*commonpb.KeyValuePair{kv("anns_field", fieldVector), kv("topk", "1"), kv("metric_type", metricType)}})
		return statusErr(res.GetStatus(), err)
	}
	query := func() error {
		res, err := svc.Query(ctx, &milvuspb.QueryRequest{CollectionName: "c", Expr: "pk < 10", OutputFields: []string{fieldPK}})
		return statusErr(res.GetStatus(), err)
	}
	load := func() error {
		return statusErr(svc.LoadCollection(ctx, &milvuspb.LoadCollectionRequest{CollectionName: "c"}))
	}
	progress := func() int64 {
		t.Helper()
		res, err := svc.GetLoadingProgress(ctx, &milvuspb.GetLoadingProgressRequest{CollectionName: "c"})
		if err := statusErr(res.GetStatus(), err); err != nil {
			t.Fatal(err)
		}
		return res.GetProgress()
	}
	indexState := func() commonpb.IndexState {
		t.Helper()
		res, err := svc.DescribeIndex(ctx, &milvuspb.DescribeIndexRequest{CollectionName: "c", FieldName: fieldVector})
		if err := statusErr(res.GetStatus(), err); err != nil {
			t.Fatal(err)
		}
		return res.GetIndexDescriptions()[0].GetState()
	}

	// Flush completes after flushPolls checks of its own flush_ts; a
	// request without the timestamp is flushed at once, as in Milvus.
	fr, err := svc.Flush(ctx, &milvuspb.FlushRequest{CollectionNames: []string{"c"}})
	if err := statusErr(fr.GetStatus(), err); err != nil {
		t.Fatal(err)
	}
	var flushed []bool
	for range m.FlushPolls {
		st, err := svc.GetFlushState(ctx, &milvuspb.GetFlushStateRequest{CollectionName: "c", FlushTs: fr.GetCollFlushTs()["c"]})
		if err := statusErr(st.GetStatus(), err); err != nil {
			t.Fatal(err)
		}
		flushed = append(flushed, st.GetFlushed())
	}
	if !flushed[len(flushed)-1] || flushed[len(flushed)-2] {
		t.Errorf("flush states %v: want done at check %d exactly", flushed, m.FlushPolls)
	}

	wantRefused(t, "search before load", search("L2"), "collection not loaded")
	wantRefused(t, "load without an index", load(), "there is no vector index")
	if err := statusErr(svc.CreateIndex(ctx, &milvuspb.CreateIndexRequest{CollectionName: "c", FieldName: fieldVector,
		ExtraParams: []*commonpb.KeyValuePair{kv("index_type", "HNSW"), kv("metric_type", "L2"), kv("M", "8"), kv("efConstruction", "64")}})); err != nil {
		t.Fatal(err)
	}
	if err := load(); err != nil {
		t.Fatal(err)
	}
	// Loading waits for the index, and the index builds over checks (of
	// either kind: the progress check was the first).
	if p := progress(); p != 0 {
		t.Errorf("progress %d before the index is built", p)
	}
	for i := 2; i < m.IndexPolls; i++ {
		if s := indexState(); s != commonpb.IndexState_InProgress {
			t.Errorf("index check %d: %v, want InProgress", i, s)
		}
	}
	if s := indexState(); s != commonpb.IndexState_Finished {
		t.Errorf("index check %d: %v, want Finished", m.IndexPolls, s)
	}
	if p := progress(); p == 0 || p == 100 {
		t.Errorf("first progress after the build: %d, want partial", p)
	}
	wantRefused(t, "search while loading", search("L2"), "collection not fully loaded")
	wantRefused(t, "query while loading", query(), "collection not fully loaded")
	for progress() != 100 {
	}
	if err := search("L2"); err != nil {
		t.Errorf("search with the index's metric: %v", err)
	}
	wantRefused(t, "search with another metric", search("IP"), "metric type not match: invalid parameter[expected=L2][actual=IP]")
	if err := query(); err != nil {
		t.Errorf("query once loaded: %v", err)
	}
}

// UpdateCredential decodes and checks as the Milvus proxy does.
func TestServerUpdateCredential(t *testing.T) {
	ctx := context.Background()
	m := milvustest.New(testPassword)
	svc := fakeClient(t, m)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	update := func(old, new string) error {
		return statusErr(svc.UpdateCredential(ctx, &milvuspb.UpdateCredentialRequest{Username: RootUser, OldPassword: old, NewPassword: new}))
	}
	wantRefused(t, "raw passwords", update(testPassword, "another-one"), "decode old password failed")
	wantRefused(t, "wrong old password", update(b64("wrong-pass"), b64("another-one")), "old password not correct for root")
	wantRefused(t, "short new password", update(b64(testPassword), b64("abc")), "invalid password length")
	wantRefused(t, "long new password", update(b64(testPassword), b64(strings.Repeat("x", 73))), "invalid password length")
	if m.Rotations != 0 || m.Password != testPassword {
		t.Fatalf("a refused update changed the password")
	}
	if err := update(b64(testPassword), b64("another-one")); err != nil {
		t.Fatal(err)
	}
	// The old credentials no longer log in.
	_, err := svc.GetVersion(ctx, &milvuspb.GetVersionRequest{})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("old password after the update: %v", err)
	}
	if _, err := dial(ctx, Conn{Address: serve(t, m), Password: "another-one"}); err != nil {
		t.Errorf("new password: %v", err)
	}
}

// The in-memory replica number comes from the tree's user.yaml and is
// what verify loads with; Milvus making fewer replicas fails the load step.
func TestLoadReplicas(t *testing.T) {
	fsys, err := RenderedFS(modeltest.Runbook())
	if err != nil {
		t.Fatal(err)
	}
	m := fsys.(fstest.MapFS)
	f := m["kubernetes/apps/milvus/milvus.yaml"]
	const user = "      user.yaml: |\n"
	if !strings.Contains(string(f.Data), user) {
		t.Fatalf("no user.yaml in the Milvus HelmRelease")
	}
	// 3: neither Milvus's default nor the high-availability one.
	setting := regexp.MustCompile(`clusterLevelLoadReplicaNumber: \d+`)
	if setting.Match(f.Data) {
		f.Data = setting.ReplaceAll(f.Data, []byte("clusterLevelLoadReplicaNumber: 3"))
	} else {
		f.Data = []byte(strings.Replace(string(f.Data), user, user+"        queryCoord:\n          clusterLevelLoadReplicaNumber: 3\n", 1))
	}
	tg, err := ReadTarget(m)
	if err != nil {
		t.Fatal(err)
	}
	tg.MilvusVersion = Value{}
	if tg.LoadReplicas != 3 {
		t.Fatalf("LoadReplicas = %d, want 3 from user.yaml", tg.LoadReplicas)
	}

	fake := milvustest.New(testPassword) // its own default is 1 replica
	fake.QueryNodes = 3
	r := Run(context.Background(), testOptions(tg, serve(t, fake)))
	if err := r.Err(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := stepOf(r, "load").Detail; !strings.HasPrefix(d, "3 in-memory replicas") {
		t.Errorf("load: %q", d)
	}

	// Two query nodes cannot hold three replicas: Milvus's refusal is the
	// load step's error.
	fake = milvustest.New(testPassword)
	fake.QueryNodes = 2
	r = Run(context.Background(), testOptions(tg, serve(t, fake)))
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), `step "load"`) || !strings.Contains(err.Error(), "service resource insufficient") {
		t.Errorf("three replicas on two query nodes: %v", err)
	}

	// A server that makes fewer replicas than asked is caught.
	less := milvustest.New(testPassword)
	less.QueryNodes = 3
	r = Run(context.Background(), testOptions(tg, serve(t, &lessReplicas{less})))
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "loaded with 1 in-memory replica, but the tree's queryCoord.clusterLevelLoadReplicaNumber is 3") {
		t.Errorf("fewer replicas: %v", err)
	}
}

// lessReplicas ignores the replica number asked, as a Milvus whose
// resource group falls short could.
type lessReplicas struct{ *milvustest.Server }

func (l *lessReplicas) LoadCollection(ctx context.Context, req *milvuspb.LoadCollectionRequest) (*commonpb.Status, error) {
	req.ReplicaNumber = 0
	return l.Server.LoadCollection(ctx, req)
}

// verify reports the server's version and gates on --expect-version, or on
// the image tag the tree pins.
func TestServerVersion(t *testing.T) {
	run := func(version, expect, treeTag string) *Report {
		t.Helper()
		m := milvustest.New(testPassword)
		m.Version = version
		tg := runbookTarget(t, nil)
		tg.MilvusVersion = Value{Val: treeTag}
		tg.MilvusVersion.At.File = "kubernetes/apps/milvus/milvus.yaml"
		tg.MilvusVersion.At.Field = "spec.values.image.all.tag"
		o := testOptions(tg, serve(t, m))
		o.ExpectVersion = expect
		return Run(context.Background(), o)
	}
	for _, tc := range []struct {
		name, version, expect, tag string
		want                       string // "" passes
	}{
		{"reported only", "v2.6.15", "", "", ""},
		{"as expected", "v2.6.15", "2.6.15", "", ""},
		{"expected with v", "v2.6.15", "v2.6.15", "", ""},
		{"reported without v", "2.6.15", "2.6.15", "", ""},
		{"git describe suffix", "v2.6.15-3-gabc1234", "2.6.15", "", ""},
		{"another patch", "v2.6.14", "2.6.15", "", "Milvus reports version v2.6.14, but --expect-version says 2.6.15"},
		{"another minor", "v2.5.16", "2.6.15", "", "Milvus reports version v2.5.16"},
		{"the tree's tag", "v2.5.16", "", "v2.6.15", "but kubernetes/apps/milvus/milvus.yaml spec.values.image.all.tag says v2.6.15"},
		{"the flag over the tree", "v2.5.16", "2.5.16", "v2.6.15", ""},
		{"nothing reported, nothing expected", "", "", "", ""},
		{"nothing reported", "", "2.6.15", "", "Milvus reports no version"},
		{"not a version", "master-20260101", "2.6.15", "", "which is not MAJOR.MINOR.PATCH"},
		{"bad expectation", "v2.6.15", "2.6", "", `"2.6" is not a Milvus version`},
		{"pre-release expected", "v2.6.0-rc1", "2.6.0-rc1", "", ""},
		{"release instead of the pre-release", "v2.6.0", "2.6.0-rc1", "", "Milvus reports version v2.6.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(tc.version, tc.expect, tc.tag)
			s := stepOf(r, "server version")
			if tc.want == "" {
				if s.Verdict != Pass || r.Err() != nil {
					t.Errorf("server version step %+v; run %v", s, r.Err())
				}
				return
			}
			if s.Verdict != Fail || !strings.Contains(s.Error, tc.want) {
				t.Errorf("server version step %+v, want a failure with %q", s, tc.want)
			}
			if err := r.Err(); err == nil || !strings.Contains(err.Error(), `step "server version"`) {
				t.Errorf("Err = %v", err)
			}
		})
	}
}

// oversize answers Connect with a message past verify's cap.
type oversize struct {
	milvuspb.UnimplementedMilvusServiceServer
}

func (oversize) Connect(context.Context, *milvuspb.ConnectRequest) (*milvuspb.ConnectResponse, error) {
	return &milvuspb.ConnectResponse{Status: &commonpb.Status{}, ServerInfo: &commonpb.ServerInfo{BuildTags: strings.Repeat("x", MaxMessageSize+1)}}, nil
}

// A server sending more than MaxMessageSize is refused, and verify's own
// largest message fits the cap with room to spare.
func TestMessageCap(t *testing.T) {
	addr := serve(t, oversize{})
	_, err := dial(context.Background(), Conn{Address: addr, Password: testPassword})
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "larger than max") {
		t.Fatalf("oversize answer: %v, want ResourceExhausted", err)
	}

	pks := make([]int64, Rows)
	vectors := make([][]float32, Rows)
	texts := make([]string, Rows)
	for i := range Rows {
		pks[i], vectors[i], texts[i] = int64(i), make([]float32, dim), strings.Repeat("x", textMaxLen)
	}
	if n := proto.Size(insertRequest("c", pks, vectors, texts)); n > MaxMessageSize/8 {
		t.Errorf("the insert is %d bytes: keep it well under the %d-byte cap", n, MaxMessageSize)
	}

	// A request past the cap is refused before it is sent, by verify: this
	// server would take it.
	c, err := dial(context.Background(), Conn{Address: serve(t, milvustest.New(testPassword), grpc.MaxRecvMsgSize(64<<20)), Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	big := make([][]float32, MaxMessageSize/(4*dim)+1)
	for i := range big {
		big[i] = make([]float32, dim)
	}
	_, err = c.svc.Insert(context.Background(), insertRequest("c", make([]int64, len(big)), big, make([]string, len(big))))
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "trying to send message larger than max") {
		t.Errorf("oversize request: %v, want verify's ResourceExhausted", err)
	}
}

// The tree's Milvus version is the image tag of the Milvus values.
func TestReadTargetVersion(t *testing.T) {
	fsys, err := RenderedFS(modeltest.Runbook())
	if err != nil {
		t.Fatal(err)
	}
	m := fsys.(fstest.MapFS)
	f := m["kubernetes/apps/milvus/milvus.yaml"]
	if !regexp.MustCompile(`(?m)^\s+tag: v\d`).Match(f.Data) {
		f.Data = []byte(strings.Replace(string(f.Data), "\n  values:\n", "\n  values:\n    image:\n      all:\n        tag: v2.6.15\n", 1))
	}
	tg, err := ReadTarget(m)
	if err != nil {
		t.Fatal(err)
	}
	v := tg.MilvusVersion
	if _, err := ParseVersion(v.Val); err != nil || v.At.Field != "spec.values.image.all.tag" || v.At.File != "kubernetes/apps/milvus/milvus.yaml" {
		t.Errorf("MilvusVersion = %+v (%v)", v, err)
	}
}
