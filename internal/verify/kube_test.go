package verify

// The Kubernetes side runs against the real kube-apiserver of
// internal/testenv. It has no kubelet, controllers or nodes, so:
//   - pod readiness and the Service's load balancer address are written to
//     the status subresources by the test, as the kubelet and the AWS Load
//     Balancer Controller would;
//   - --port-forward is tested up to the API request: the API server
//     authenticates it, finds the pod and refuses because the pod has no
//     node to forward to. Streaming through a kubelet is not exercised.

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/testenv"

	"github.com/milvusgen/milvusgen/internal/verify/milvustest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// cluster is a namespace of the shared API server holding what the
// Milvus release would create.
type cluster struct {
	t    *testing.T
	kube *Kube
	ns   string
}

var nsCount int

func newCluster(t *testing.T) (*cluster, *Target) {
	env := testenv.Shared(t)
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	tg := runbookTarget(t, nil)
	// Each test its own namespace on the shared server.
	nsCount++
	tg.Namespace = "milvus-" + strconv.Itoa(nsCount)
	c := &cluster{t: t, kube: &Kube{Config: env.Config, Client: cs, Context: testenv.ContextName}, ns: tg.Namespace}
	c.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.ns}})
	// Pods need their service account; no controller makes "default" here.
	c.create(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}})
	return c, tg
}

func (c *cluster) create(obj any) {
	c.t.Helper()
	ctx := context.Background()
	core := c.kube.Client.CoreV1()
	var err error
	switch o := obj.(type) {
	case *corev1.Namespace:
		_, err = core.Namespaces().Create(ctx, o, metav1.CreateOptions{})
	case *corev1.Secret:
		_, err = core.Secrets(c.ns).Create(ctx, o, metav1.CreateOptions{})
	case *corev1.ServiceAccount:
		_, err = core.ServiceAccounts(c.ns).Create(ctx, o, metav1.CreateOptions{})
	case *corev1.Service:
		status := o.Status
		var s *corev1.Service
		if s, err = core.Services(c.ns).Create(ctx, o, metav1.CreateOptions{}); err == nil {
			s.Status = status
			_, err = core.Services(c.ns).UpdateStatus(ctx, s, metav1.UpdateOptions{})
		}
	case *corev1.Pod:
		status := o.Status
		var p *corev1.Pod
		if p, err = core.Pods(c.ns).Create(ctx, o, metav1.CreateOptions{}); err == nil {
			p.Status = status
			_, err = core.Pods(c.ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
		}
	}
	if err != nil {
		c.t.Fatal(err)
	}
}

func (c *cluster) pod(name, component string, ready bool) {
	cond := corev1.ConditionFalse
	if ready {
		cond = corev1.ConditionTrue
	}
	c.create(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"app.kubernetes.io/instance": "milvus-demo", "app.kubernetes.io/name": "milvus", componentLabel: component}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "milvus", Image: "milvusdb/milvus",
			Ports: []corev1.ContainerPort{{Name: "milvus", ContainerPort: 19530}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: cond}}},
	})
}

func (c *cluster) service(scheme, host string) {
	var ingress []corev1.LoadBalancerIngress
	if host != "" {
		ingress = append(ingress, corev1.LoadBalancerIngress{IP: host})
	}
	c.create(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "milvus-demo", Annotations: map[string]string{schemeAnnotation: scheme}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer,
			Ports: []corev1.ServicePort{{Name: "milvus", Port: 19530}}},
		Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: ingress}},
	})
}

func (c *cluster) secret(name string, data map[string]string) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: data}
	c.create(s)
}

func (c *cluster) serviceAccount(role string) {
	c.create(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "milvus-s3-access-sa",
		Annotations: map[string]string{roleARNAnnotation: role}}})
}

const goodRole = "arn:aws:iam::123456789012:role/eksctl-milvus-eks-cluster-addon-iamserviceaccount-milv-Role1-AbCdEf123456"

// healthy fills the namespace the way a working release does, with the
// load balancer's address pointing at addr.
func (c *cluster) healthy(addr string) {
	c.pod("milvus-demo-proxy-0", "proxy", true)
	c.pod("milvus-demo-proxy-1", "proxy", true)
	c.pod("milvus-demo-mixcoord-0", "mixcoord", true)
	c.pod("milvus-demo-querynode-0", "querynode", true)
	host, _, _ := net.SplitHostPort(addr)
	c.service("internal", host)
	c.secret("milvus-root", map[string]string{"password": testPassword})
	c.serviceAccount(goodRole)
}

func kubeOptions(c *cluster, tg *Target) Options {
	o := testOptions(tg, "")
	o.Password, o.Kube, o.KubeErr = "", c.kube, nil
	return o
}

// The whole run through the cluster: endpoint from the Service, password
// from the Secret, deployment checks against the rendered tree.
func TestThroughCluster(t *testing.T) {
	c, tg := newCluster(t)
	m := milvustest.New(testPassword)
	addr := serve(t, m)
	c.healthy(addr)
	_, port, _ := net.SplitHostPort(addr)
	tg.Port, _ = strconv.Atoi(port)

	r := Run(context.Background(), kubeOptions(c, tg))
	if err := r.Err(); err != nil {
		t.Fatalf("Run: %v\n%v", err, stepNames(r))
	}
	if r.Address != addr {
		t.Errorf("address %s, want the Service's %s", r.Address, addr)
	}
	for _, s := range r.Steps {
		switch s.Name {
		case "pods ready":
			if s.Detail != "mixcoord 1/1, proxy 2/2, querynode 1/1" {
				t.Errorf("pods ready: %q", s.Detail)
			}
		case "pod identity":
			if s.Verdict != Skip {
				t.Errorf("pod identity with IRSA: %+v", s)
			}
		case "credentials":
			if !strings.Contains(s.Detail, "Secret "+c.ns+"/milvus-root") {
				t.Errorf("credentials: %q", s.Detail)
			}
		}
	}
}

func stepOf(r *Report, name string) Step {
	for _, s := range r.Steps {
		if s.Name == name {
			return s
		}
	}
	return Step{}
}

// What the cluster says back when it does not hold what the tree renders.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(c *cluster)
		opts  func(o *Options)
		step  string
		want  []string
	}{{
		name:  "no Service",
		setup: func(c *cluster) {},
		step:  "endpoint",
		want:  []string{"Service milvus-", "/milvus-demo not found", "flux get helmreleases"},
	}, {
		name:  "no load balancer address yet",
		setup: func(c *cluster) { c.service("internal", "") },
		step:  "endpoint",
		want:  []string{"no load balancer address yet", "--port-forward"},
	}, {
		name:  "no password Secret",
		setup: func(c *cluster) { c.service("internal", "127.0.0.1") },
		step:  "credentials",
		want:  []string{"the root password Secret milvus-", "/milvus-root not found", "bootstrap.sh creates it; or set MILVUS_PASSWORD"},
	}, {
		name: "Secret without the key",
		setup: func(c *cluster) {
			c.service("internal", "127.0.0.1")
			c.secret("milvus-root", map[string]string{"root": "x"})
		},
		step: "credentials",
		want: []string{`has no key "password" (it has keys root)`},
	}, {
		name: "Secret forbidden",
		setup: func(c *cluster) {
			c.service("internal", "127.0.0.1")
			c.secret("milvus-root", map[string]string{"password": "x"})
			cfg := rest.CopyConfig(c.kube.Config)
			cfg.Impersonate = rest.ImpersonationConfig{UserName: "no-rights"}
			c.kube = &Kube{Config: cfg, Client: kubernetes.NewForConfigOrDie(cfg), Context: "viewer"}
		},
		opts: func(o *Options) { o.Address = "127.0.0.1:1" },
		step: "credentials",
		want: []string{"forbidden", "set MILVUS_PASSWORD instead"},
	}, {
		name:  "scheme differs",
		setup: func(c *cluster) { c.service("internet-facing", "127.0.0.1") },
		step:  "load balancer",
		want:  []string{`cluster Service/milvus-`, `metadata.annotations[service.beta.kubernetes.io/aws-load-balancer-scheme]: load balancer scheme is "internet-facing", but kubernetes/apps/milvus/milvus.yaml HelmRelease/milvus/milvus-demo spec.values.service.annotations[service.beta.kubernetes.io/aws-load-balancer-scheme] has "internal"`},
	}, {
		name:  "role in another account",
		setup: func(c *cluster) { c.serviceAccount(strings.Replace(goodRole, "123456789012", "999999999999", 1)) },
		step:  "service account role",
		want:  []string{`account ID is "999999999999", but aws/eksctl-cluster.yaml iam.serviceAccounts[1] has "123456789012"`},
	}, {
		name: "role of another service account",
		setup: func(c *cluster) {
			c.serviceAccount("arn:aws:iam::123456789012:role/eksctl-milvus-eks-cluster-addon-iamserviceaccount-kube-Role1-X")
		},
		step: "service account role",
		want: []string{`IAM role is "eksctl-milvus-eks-cluster-addon-iamserviceaccount-kube-Role1-X"`},
	}, {
		name:  "no role annotation",
		setup: func(c *cluster) { c.serviceAccount("") },
		step:  "service account role",
		want:  []string{"no IAM role annotation"},
	}, {
		name: "a component down",
		setup: func(c *cluster) {
			c.pod("milvus-demo-proxy-0", "proxy", true)
			c.pod("milvus-demo-querynode-0", "querynode", false)
		},
		step: "pods ready",
		want: []string{"no ready pod for querynode", "not ready: milvus-demo-querynode-0"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c, tg := newCluster(t)
			tc.setup(c)
			o := kubeOptions(c, tg)
			if tc.opts != nil {
				tc.opts(&o)
			}
			r := Run(context.Background(), o)
			s := stepOf(r, tc.step)
			if s.Verdict != Fail {
				t.Fatalf("step %q: %+v; steps %v", tc.step, s, stepNames(r))
			}
			got := s.Error + strings.Join(s.Problems, "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("step %q says\n%s\nwant it to contain\n%s", tc.step, got, w)
				}
			}
		})
	}
}

// --port-forward reaches the API server's portforward subresource of a
// ready proxy pod; with no kubelet the server refuses there.
func TestPortForwardUpToTheAPI(t *testing.T) {
	c, tg := newCluster(t)
	c.pod("milvus-demo-proxy-0", "proxy", false)
	c.pod("milvus-demo-proxy-1", "proxy", true)
	o := kubeOptions(c, tg)
	o.PortForward = true
	o.Timeout = 30 * time.Second
	r := Run(context.Background(), o)
	s := stepOf(r, "endpoint")
	if s.Verdict != Fail || !strings.Contains(s.Error, "port-forwarding to pod "+c.ns+"/milvus-demo-proxy-1 port 19530") ||
		!strings.Contains(s.Error, "does not have a host assigned") {
		t.Fatalf("endpoint step: %+v", s)
	}

	c2, tg2 := newCluster(t)
	c2.pod("milvus-demo-proxy-0", "proxy", false)
	o = kubeOptions(c2, tg2)
	o.PortForward = true
	if s := stepOf(Run(context.Background(), o), "endpoint"); !strings.Contains(s.Error, "no ready proxy pod") {
		t.Errorf("no ready proxy: %+v", s)
	}
}

// Pod identity associations are checked only with AWS credentials.
func TestPodIdentitySkippedWithoutCredentials(t *testing.T) {
	tg := runbookTarget(t, func(s *model.Spec) { s.Cluster.Identity = IdentityPodIdentity })
	o := testOptions(tg, "127.0.0.1:1")
	o.Timeout = time.Second
	o.AWSConfig = func(context.Context, string) (aws.Config, error) {
		return aws.Config{}, errors.New("failed to refresh cached credentials, no EC2 IMDS role found")
	}
	s := stepOf(Run(context.Background(), o), "pod identity")
	if s.Verdict != Skip || !strings.Contains(s.Detail, "no AWS credentials") {
		t.Errorf("pod identity step: %+v", s)
	}
}

// The TLS Secret of a publicly issued certificate holds no ca.crt: verify
// falls back to the system roots; with ca.crt, it uses that.
func TestTLSSecretWithoutCA(t *testing.T) {
	p := newPKI(t)
	for _, withCA := range []bool{false, true} {
		c, tg := newCluster(t)
		tg.TLSMode, tg.TLSSecret = 1, "milvus-tls"
		m := milvustest.New(testPassword)
		addr := serve(t, m, p.server(t, false))
		c.healthy(addr)
		_, port, _ := net.SplitHostPort(addr)
		tg.Port, _ = strconv.Atoi(port)
		data := map[string]string{"tls.crt": string(p.serverCert), "tls.key": string(p.serverKey)}
		want := "CA from the system roots (Secret " + c.ns + "/milvus-tls has no ca.crt)"
		o := kubeOptions(c, tg)
		if withCA {
			data["ca.crt"] = string(p.ca)
			want = "CA from Secret " + c.ns + "/milvus-tls"
			o.SystemRoots = newPKI(t).pool // not used
		} else {
			o.SystemRoots = p.pool
		}
		c.secret("milvus-tls", data)
		r := Run(context.Background(), o)
		if err := r.Err(); err != nil {
			t.Fatalf("ca.crt %v: %v", withCA, err)
		}
		if s := stepOf(r, "credentials"); !strings.Contains(s.Detail, want) {
			t.Errorf("ca.crt %v: credentials %q, want %q", withCA, s.Detail, want)
		}
	}
}
