// Package testenv runs a real etcd and kube-apiserver on 127.0.0.1 for
// tests, from the binaries hack/testenv/build.sh builds into
// .cache/testenv/bin (run `make testenv` once; later runs reuse them).
//
// A test package shares one server through its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
//
//	func TestApply(t *testing.T) {
//		env := testenv.Shared(t) // started on first use, stopped after m.Run
//		...
//	}
//
// Start starts a server of the test's own instead, stopped in t.Cleanup.
// When the binaries are missing, a test that asks for a server fails with
// the command that builds them, unless MILVUSGEN_SKIP_APISERVER=1 is set, in
// which case it is skipped. The server has no controllers, scheduler or
// nodes: objects are stored and validated (OpenAPI, CEL, admission), nothing
// reconciles them.
package testenv
