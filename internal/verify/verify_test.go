package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/milvus-io/milvus-proto/go-api/v2/milvuspb"
	"google.golang.org/grpc"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"

	"github.com/milvusgen/milvusgen/internal/verify/milvustest"
)

const testPassword = "s3cret-Pa55"

// runbookTarget is the target of the runbook example, read from its tree
// rendered in memory.
func runbookTarget(t *testing.T, edit func(*model.Spec)) *Target {
	t.Helper()
	s := modeltest.Runbook()
	if edit != nil {
		edit(s)
	}
	fsys, err := RenderedFS(s)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := ReadTarget(fsys)
	if err != nil {
		t.Fatal(err)
	}
	// The test server reports its own version; the version tests set the
	// tree's.
	tg.MilvusVersion = Value{}
	return tg
}

func TestReadTarget(t *testing.T) {
	tg := runbookTarget(t, nil)
	want := Target{
		Release: "milvus-demo", Namespace: "milvus", Name: "milvus", Service: "milvus-demo", Port: 19530,
		Auth: true, PasswordSecret: "milvus-root", PasswordKey: "password",
		ClusterName: "milvus-eks-cluster", Region: "us-east-2", Partition: "aws", Account: "123456789012",
		ServiceAccount: "milvus-s3-access-sa", Identity: IdentityIRSA,
	}
	got := *tg
	if got.Scheme.Val != "internal" || !strings.HasPrefix(got.Scheme.At.File, "kubernetes/apps/milvus/") {
		t.Errorf("Scheme = %+v, want internal from the Milvus HelmRelease", got.Scheme)
	}
	// The replica number has its own test (TestLoadReplicas).
	if got.LoadReplicas < 1 {
		t.Errorf("LoadReplicas = %d", got.LoadReplicas)
	}
	got.Scheme, got.RoleName, got.IdentityAt, got.LoadReplicas = Value{}, Value{}, want.IdentityAt, 0
	if got != want {
		t.Errorf("ReadTarget =\n%+v\nwant\n%+v", got, want)
	}
	if s := tg.RoleStackName(); s != "eksctl-milvus-eks-cluster-addon-iamserviceaccount-milvus-milvus-s3-access-sa" {
		t.Errorf("RoleStackName = %s", s)
	}

	tls := runbookTarget(t, func(s *model.Spec) {
		s.Milvus.TLS = model.TLS{Mode: 2, SecretName: "milvus-tls"}
		s.Cluster.Identity = IdentityPodIdentity
		s.Name = "vectors"
	})
	if tls.TLSMode != 2 || tls.TLSSecret != "milvus-tls" || tls.Identity != IdentityPodIdentity || tls.Service != "vectors-milvus" {
		t.Errorf("TLS, pod identity, release without the chart name: got %+v", tls)
	}
}

// A tree whose files disagree gives no target: which name the cluster
// should hold is unknown.
func TestReadTargetRefusesDisagreeingTree(t *testing.T) {
	fsys, err := RenderedFS(modeltest.Runbook())
	if err != nil {
		t.Fatal(err)
	}
	m := fsys.(fstest.MapFS)
	f := m["kubernetes/apps/milvus/milvus.yaml"]
	f.Data = bytes.ReplaceAll(f.Data, []byte("name: milvus-s3-access-sa"), []byte("name: other-sa"))
	_, err = ReadTarget(m)
	var te *TargetError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), `Milvus service account is "other-sa"`) {
		t.Fatalf("ReadTarget = %v, want a disagreement on the service account", err)
	}
}

func TestChartNames(t *testing.T) {
	for _, c := range []struct{ release, name, full, wantName, wantFull string }{
		{"milvus-demo", "", "", "milvus", "milvus-demo"},
		{"vectors", "", "", "milvus", "vectors-milvus"},
		{"vectors", "db", "", "db", "vectors-db"},
		{"vectors", "", "proxy-svc", "milvus", "proxy-svc"},
		{strings.Repeat("a", 60), "", "", "milvus", strings.Repeat("a", 60) + "-mi"},
	} {
		n, f := chartNames(c.release, c.name, c.full)
		if n != c.wantName || f != c.wantFull {
			t.Errorf("chartNames(%q, %q, %q) = %q, %q; want %q, %q", c.release, c.name, c.full, n, f, c.wantName, c.wantFull)
		}
	}
}

// serve starts the in-process Milvus on a loopback port.
func serve(t *testing.T, m milvuspb.MilvusServiceServer, opts ...grpc.ServerOption) string {
	t.Helper()
	return milvustest.Serve(t, m, opts...)
}

func testOptions(tg *Target, addr string) Options {
	return Options{
		Target: tg, Address: addr, Password: testPassword,
		KubeErr: errors.New("test: no kubeconfig"), Timeout: time.Minute,
		Rand: rand.New(rand.NewPCG(1, 2)), PollInterval: 5 * time.Millisecond,
	}
}

func stepNames(r *Report) []string {
	var out []string
	for _, s := range r.Steps {
		out = append(out, s.Name+":"+s.Verdict)
	}
	return out
}

func TestHelloMilvus(t *testing.T) {
	m := milvustest.New(testPassword)
	addr := serve(t, m)
	tg := runbookTarget(t, nil)
	r := Run(context.Background(), testOptions(tg, addr))
	if err := r.Err(); err != nil {
		t.Fatalf("Run: %v\n%v", err, stepNames(r))
	}
	want := []string{"pods ready:skip", "load balancer:skip", "service account role:skip", "pod identity:skip",
		"endpoint:pass", "credentials:pass", "connect:pass", "server version:pass", "create collection:pass", "insert:pass", "flush:pass",
		"create index:pass", "load:pass", "search:pass", "query:pass", "delete:pass", "drop collection:pass"}
	if got := stepNames(r); !slices.Equal(got, want) {
		t.Errorf("steps =\n%v\nwant\n%v", got, want)
	}
	if !strings.HasPrefix(r.Collection, CollectionPrefix) || len(r.Collection) != len(CollectionPrefix)+8 {
		t.Errorf("collection name %q", r.Collection)
	}
	if len(m.Collections) != 0 || !slices.Equal(m.Dropped, []string{r.Collection}) {
		t.Errorf("left collections %v, dropped %v", m.Collections, m.Dropped)
	}
	for _, rpc := range []string{"Connect", "GetVersion", "CreateCollection", "Insert", "Flush", "GetFlushState", "CreateIndex", "DescribeIndex",
		"LoadCollection", "GetLoadingProgress", "GetReplicas", "Search", "Query", "Delete", "DropCollection"} {
		if !slices.Contains(m.Calls, rpc) {
			t.Errorf("no %s call; calls: %v", rpc, m.Calls)
		}
	}
	// Flush, index building and loading take 3 checks each on the fake:
	// verify's polling loops ran until done, not once.
	for rpc, n := range map[string]int{"GetFlushState": m.FlushPolls, "DescribeIndex": m.IndexPolls, "GetLoadingProgress": m.LoadPolls} {
		if got := m.Count(rpc); got != n {
			t.Errorf("%s called %d times, want %d (one per poll until done)", rpc, got, n)
		}
	}
	for step, want := range map[string]string{"flush": "flushed after 3 checks", "create index": "built after 3 checks",
		"load": plural(tg.LoadReplicas, "in-memory replica") + ", loaded after 3 checks", "server version": "Milvus v2.6.15"} {
		if d := stepOf(r, step).Detail; !strings.Contains(d, want) {
			t.Errorf("step %s: %q, want %q", step, d, want)
		}
	}
	if r.ServerVersion != "v2.6.15" {
		t.Errorf("ServerVersion = %q", r.ServerVersion)
	}

	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "PASS  search") || !strings.Contains(text.String(), "verify passed") {
		t.Errorf("text report:\n%s", text.String())
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Result string `json:"result"`
		Steps  []struct {
			Name    string   `json:"name"`
			Verdict string   `json:"verdict"`
			Seconds *float64 `json:"seconds"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Result != Pass || len(got.Steps) != len(r.Steps) || got.Steps[8].Name != "create collection" || got.Steps[8].Seconds == nil {
		t.Errorf("JSON report:\n%s", js.String())
	}
}

// The SDK sends the root user's credentials; a wrong password fails at
// connect with the server's error, and nothing is created.
func TestWrongPassword(t *testing.T) {
	m := milvustest.New("another")
	addr := serve(t, m)
	r := Run(context.Background(), testOptions(runbookTarget(t, nil), addr))
	err := r.Err()
	if err == nil || !strings.Contains(err.Error(), `step "connect"`) || !strings.Contains(err.Error(), addr) ||
		!strings.Contains(err.Error(), "auth check failure") {
		t.Fatalf("Err = %v, want the connect step, the address and the server's error", err)
	}
	if slices.Contains(m.Calls, "CreateCollection") {
		t.Errorf("calls after a failed login: %v", m.Calls)
	}
}

// A step failing in the middle still drops the collection.
func TestDropsCollectionWhenAStepFails(t *testing.T) {
	for _, rpc := range []string{"Insert", "CreateIndex", "Search", "Delete"} {
		t.Run(rpc, func(t *testing.T) {
			m := milvustest.New(testPassword)
			m.FailOn = rpc
			addr := serve(t, m)
			r := Run(context.Background(), testOptions(runbookTarget(t, nil), addr))
			err := r.Err()
			if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "injected failure of "+rpc) {
				t.Fatalf("Err = %v", err)
			}
			last := r.Steps[len(r.Steps)-1]
			if last.Name != "drop collection" || last.Verdict != Pass {
				t.Errorf("last step %+v, want the collection dropped", last)
			}
			if len(m.Collections) != 0 {
				t.Errorf("collections left: %v", m.Collections)
			}
			var js bytes.Buffer
			if err := r.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"result": "fail"`) {
				t.Errorf("JSON on failure: %v\n%s", err, js.String())
			}
		})
	}
}

// A step still running at --timeout fails, and the collection is dropped
// after it.
func TestDropsCollectionAfterTimeout(t *testing.T) {
	m := milvustest.New(testPassword)
	m.HangOn = "Search"
	addr := serve(t, m)
	o := testOptions(runbookTarget(t, nil), addr)
	// Long enough for the steps before search on a loaded machine: the
	// test is about the hung step, not the others racing the clock.
	o.Timeout = 6 * time.Second
	r := Run(context.Background(), o)
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), `step "search"`) || !strings.Contains(err.Error(), "no answer within --timeout 6s") {
		t.Fatalf("Err = %v", err)
	}
	if last := r.Steps[len(r.Steps)-1]; last.Name != "drop collection" || last.Verdict != Pass || len(m.Collections) != 0 {
		t.Errorf("last step %+v, collections left %v", last, m.Collections)
	}
}

// Nothing listening: verify fails at connect, within --timeout, naming the
// address.
func TestNothingListens(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	o := testOptions(runbookTarget(t, nil), addr)
	o.Timeout = 2 * time.Second
	done := make(chan *Report)
	go func() { done <- Run(context.Background(), o) }()
	var r *Report
	select {
	case r = <-done:
	case <-time.After(o.Timeout + 30*time.Second):
		t.Fatal("Run did not return after its timeout")
	}
	err = r.Err()
	if err == nil || !strings.Contains(err.Error(), `step "connect"`) || !strings.Contains(err.Error(), addr) ||
		!strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Err = %v", err)
	}
	if s := r.Steps[len(r.Steps)-1]; s.Name != "connect" {
		t.Errorf("last step %q: nothing past connect may run", s.Name)
	}
}

// Something listens but never answers: verify gives up at --timeout.
func TestNoAnswerWithinTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent
		}
	}()
	o := testOptions(runbookTarget(t, nil), l.Addr().String())
	o.Timeout = 2 * time.Second
	r := Run(context.Background(), o)
	err = r.Err()
	if err == nil || !strings.Contains(err.Error(), `step "connect"`) || !strings.Contains(err.Error(), "no answer within --timeout 2s") {
		t.Fatalf("Err = %v", err)
	}
}

// Without cluster access verify needs --address and the password.
func TestNeedsAddressOrCluster(t *testing.T) {
	o := testOptions(runbookTarget(t, nil), "")
	r := Run(context.Background(), o)
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), `step "endpoint"`) || !strings.Contains(err.Error(), "--address") {
		t.Fatalf("Err = %v", err)
	}
	o = testOptions(runbookTarget(t, nil), "127.0.0.1:1")
	o.Password = ""
	r = Run(context.Background(), o)
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), `step "credentials"`) || !strings.Contains(err.Error(), PasswordEnv) {
		t.Fatalf("Err = %v", err)
	}
}
