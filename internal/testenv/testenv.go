package testenv

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Environment variables.
const (
	// SkipEnv set to 1 skips tests that need an API server when the
	// binaries are missing, instead of failing them.
	SkipEnv = "MILVUSGEN_SKIP_APISERVER"
	// BinEnv overrides the directory holding etcd and kube-apiserver.
	BinEnv = "MILVUSGEN_TESTENV_BIN"
)

// Env is a running API server.
type Env struct {
	// Kubeconfig is the path of a kubeconfig whose current context is the
	// server's admin (group system:masters).
	Kubeconfig string
	// Context is the name of that context.
	Context string
	// Config is the same connection as a client-go config.
	Config *rest.Config
	// URL is the server's https address.
	URL string

	dir        string
	etcd, kube *process
	// components are processes started beside the servers (StartProcess),
	// stopped before them.
	components []*process
}

// ContextName is the kubeconfig context Env writes.
const ContextName = "testenv"

// BinDir returns the directory the binaries are looked up in: $BinEnv, or
// .cache/testenv/bin under the repository root.
func BinDir() (string, error) {
	if d := os.Getenv(BinEnv); d != "" {
		return d, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".cache", "testenv", "bin"), nil
}

// repoRoot walks up from the working directory to the main module's go.mod.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(data, []byte("module github.com/milvusgen/milvusgen\n")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("repository root (go.mod of github.com/milvusgen/milvusgen) not found above %s", wd)
		}
	}
}

// Binaries returns the paths of etcd and kube-apiserver, or an error that
// says how to build them.
func Binaries() (etcd, apiserver string, err error) {
	dir, err := BinDir()
	if err != nil {
		return "", "", err
	}
	etcd, apiserver = filepath.Join(dir, "etcd"), filepath.Join(dir, "kube-apiserver")
	for _, b := range []string{etcd, apiserver} {
		if _, err := os.Stat(b); err != nil {
			return "", "", fmt.Errorf("%s not found: run make testenv (hack/testenv/build.sh) to build etcd and kube-apiserver, or set %s=1 to skip the tests that need them", b, SkipEnv)
		}
	}
	return etcd, apiserver, nil
}

// Start starts etcd and kube-apiserver for t alone and stops them (API
// server first) when t ends. It fails t when the binaries are missing,
// unless MILVUSGEN_SKIP_APISERVER=1.
func Start(t testing.TB) *Env {
	t.Helper()
	return StartWith(t, Options{})
}

// Options change how StartWith starts the servers.
type Options struct {
	// APIServerArgs are appended to kube-apiserver's command line; a flag
	// given twice takes the later value.
	APIServerArgs []string
}

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *Env {
	t.Helper()
	etcd, apiserver, err := Binaries()
	if err != nil {
		missing(t, err)
	}
	env, err := start(t.TempDir(), etcd, apiserver, opts.APIServerArgs...)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(env.Stop)
	return env
}

func missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("testenv: %v", err)
	}
	t.Fatalf("testenv: %v", err)
}

var sharedEnv struct {
	sync.Mutex
	inMain bool
	env    *Env
	err    error
	dir    string
}

// Main runs the tests of a package with one API server shared by every
// test that calls Shared; it is started on first use and stopped after the
// tests. Use it from TestMain: os.Exit(testenv.Main(m)).
func Main(m *testing.M) int {
	sharedEnv.Lock()
	sharedEnv.inMain = true
	sharedEnv.Unlock()
	code := m.Run()
	sharedEnv.Lock()
	defer sharedEnv.Unlock()
	if sharedEnv.env != nil {
		sharedEnv.env.Stop()
	}
	if sharedEnv.dir != "" {
		os.RemoveAll(sharedEnv.dir)
	}
	return code
}

// Shared returns the package's shared API server, starting it on first use.
// The package's TestMain must call Main; otherwise Shared acts like Start.
// Tests sharing a server must not collide on object names.
func Shared(t testing.TB) *Env {
	t.Helper()
	sharedEnv.Lock()
	defer sharedEnv.Unlock()
	if !sharedEnv.inMain {
		sharedEnv.Unlock()
		defer sharedEnv.Lock()
		return Start(t)
	}
	if sharedEnv.env == nil && sharedEnv.err == nil {
		etcd, apiserver, err := Binaries()
		if err != nil {
			missing(t, err)
		}
		sharedEnv.dir, sharedEnv.err = os.MkdirTemp("", "milvusgen-testenv-")
		if sharedEnv.err == nil {
			sharedEnv.env, sharedEnv.err = start(sharedEnv.dir, etcd, apiserver)
		}
	}
	if sharedEnv.err != nil {
		t.Fatalf("testenv: %v", sharedEnv.err)
	}
	return sharedEnv.env
}

// Stop stops kube-apiserver, then etcd. kube-apiserver hangs on shutdown
// when etcd is gone first.
func (e *Env) Stop() {
	for i := len(e.components) - 1; i >= 0; i-- {
		e.components[i].stop()
	}
	e.components = nil
	if e.kube != nil {
		e.kube.stop()
	}
	if e.etcd != nil {
		e.etcd.stop()
	}
}

// StartProcess starts bin with args beside the servers, logging to
// Dir()/name.log; Stop stops it (SIGTERM, then SIGKILL) before the
// servers, and it dies with the test binary. A controller manager,
// scheduler or kwok runs this way.
func (e *Env) StartProcess(name, bin string, args ...string) error {
	p, err := startProcess(e.dir, name, bin, args...)
	if err != nil {
		return err
	}
	e.components = append(e.components, p)
	return nil
}

// Dir is the directory holding the servers' data, logs and keys.
func (e *Env) Dir() string { return e.dir }

// ServiceAccountKey is the path of the key kube-apiserver signs and
// verifies service account tokens with, which a controller manager needs.
func (e *Env) ServiceAccountKey() string { return filepath.Join(e.dir, "sa.key") }

// Log returns the end of the log of a server ("etcd", "kube-apiserver") or
// of a process StartProcess started, by its name, for failure messages.
func (e *Env) Log(name string) string {
	for _, p := range append([]*process{e.etcd, e.kube}, e.components...) {
		if p != nil && p.name == name {
			return p.tail()
		}
	}
	return ""
}

func start(dir, etcdBin, apiserverBin string, extraArgs ...string) (env *Env, err error) {
	env = &Env{dir: dir}
	defer func() {
		if err != nil {
			env.Stop()
		}
	}()
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	clientPort, peerPort, securePort := ports[0], ports[1], ports[2]
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	env.etcd, err = startProcess(dir, "etcd", etcdBin,
		"--name", "testenv",
		"--data-dir", filepath.Join(dir, "etcd-data"),
		"--listen-client-urls", etcdURL,
		"--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL,
		"--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "testenv="+peerURL,
		"--unsafe-no-fsync",
		"--log-level", "warn",
	)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(env.etcd, etcdURL+"/health", nil, "", 30*time.Second); err != nil {
		return nil, err
	}

	token, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+`,admin,admin,"system:masters"`+"\n"), 0o600); err != nil {
		return nil, err
	}
	saKey := env.ServiceAccountKey()
	if err := writeECKey(saKey); err != nil {
		return nil, err
	}
	certDir := filepath.Join(dir, "certs")
	args := []string{
		"--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(securePort),
		"--cert-dir", certDir,
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", saKey,
		"--service-account-signing-key-file", saKey,
		"--service-cluster-ip-range", "10.0.0.0/24",
		"--token-auth-file", tokens,
		"--authorization-mode", "RBAC",
	}
	env.kube, err = startProcess(dir, "kube-apiserver", apiserverBin, append(args, extraArgs...)...)
	if err != nil {
		return nil, err
	}
	env.URL = "https://127.0.0.1:" + strconv.Itoa(securePort)
	insecure := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // the serving cert does not exist until the server is up
	if err := waitHTTP(env.kube, env.URL+"/readyz", insecure, token, 90*time.Second); err != nil {
		return nil, err
	}
	ca, err := servingCA(certDir)
	if err != nil {
		return nil, err
	}

	env.Context = ContextName
	env.Kubeconfig = filepath.Join(dir, "kubeconfig")
	kc := clientcmdapi.NewConfig()
	kc.Clusters[ContextName] = &clientcmdapi.Cluster{Server: env.URL, CertificateAuthorityData: ca}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: token}
	kc.Contexts[ContextName] = &clientcmdapi.Context{Cluster: ContextName, AuthInfo: "admin"}
	kc.CurrentContext = ContextName
	if err := clientcmd.WriteToFile(*kc, env.Kubeconfig); err != nil {
		return nil, err
	}
	env.Config, err = clientcmd.NewNonInteractiveClientConfig(*kc, ContextName, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	if err != nil {
		return nil, err
	}
	return env, nil
}

// servingCA returns the self-signed serving certificate kube-apiserver
// wrote into its cert dir, which the kubeconfig trusts.
func servingCA(certDir string) ([]byte, error) {
	matches, err := filepath.Glob(filepath.Join(certDir, "*.crt"))
	if err != nil || len(matches) == 0 {
		return nil, fmt.Errorf("no serving certificate in %s", certDir)
	}
	var out []byte
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(out) {
		return nil, fmt.Errorf("%s: no PEM certificates", certDir)
	}
	return out, nil
}

func writeECKey(path string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// freePorts asks the kernel for n distinct free ports on 127.0.0.1. They
// are released before the servers bind them; a collision in between is
// unlikely and shows up as a start failure with the server's log.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// process is a started server with its log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func startProcess(dir, name, bin string, args ...string) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// The parent-death signal follows the thread that started the
		// child, so that thread must live as long as the child.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer logf.Close()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("starting %s failed: %w", name, err)
	}
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and, after 15 s, SIGKILL.
func (p *process) stop() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// tail returns the end of the process's log, for failure messages.
func (p *process) tail() string {
	data, _ := os.ReadFile(p.log)
	const max = 3000
	if len(data) > max {
		data = data[len(data)-max:]
	}
	return string(data)
}

// waitHTTP polls url until it answers 200, the process exits, or timeout.
func waitHTTP(p *process, url string, tr http.RoundTripper, token string, timeout time.Duration) error {
	client := &http.Client{Transport: tr, Timeout: 2 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last string
	for {
		if p.exited() {
			return fmt.Errorf("%s exited (%v) before it was ready; log %s:\n%s", p.name, p.err, p.log, p.tail())
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s after %s (last: %s); log %s:\n%s", p.name, url, timeout, last, p.log, p.tail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
