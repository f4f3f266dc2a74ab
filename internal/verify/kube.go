package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	kubeinput "github.com/milvusgen/milvusgen/internal/input/kubeconfig"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	"github.com/milvusgen/milvusgen/internal/agreement"
)

// Kube is the cluster verify looks at.
type Kube struct {
	Config *rest.Config
	Client kubernetes.Interface
	// Context names the kubeconfig context, for messages.
	Context string
}

// LoadKube builds a client from a kubeconfig (empty: the default loading
// rules, $KUBECONFIG then ~/.kube/config) and context (empty: current).
func LoadKube(kubeconfig, kubeContext string) (*Kube, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	if err := kubeinput.Check(rules); err != nil {
		return nil, err
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	cfg, err := cc.ClientConfig()
	if clientcmd.IsEmptyConfig(err) {
		return nil, errors.New("no kubeconfig (--kubeconfig, $KUBECONFIG or ~/.kube/config)")
	}
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	if err := kubeinput.Inline(cfg); err != nil {
		return nil, err
	}
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, err
	}
	name := kubeContext
	if name == "" {
		name = raw.CurrentContext
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Kube{Config: cfg, Client: cs, Context: name}, nil
}

// clusterAt is the location of a live object's field, in the form
// validate --rendered uses for files.
func clusterAt(kind, namespace, name, field string) agreement.Location {
	return agreement.Location{File: "cluster", Object: kind + "/" + namespace + "/" + name, Field: field}
}

// explain turns an API error into what the user should do about it.
func (k *Kube) explain(err error, what string, hint string) error {
	switch {
	case apierrors.IsNotFound(err) && hint != "":
		return fmt.Errorf("%s not found in context %q; %s", what, k.Context, hint)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s not found in context %q", what, k.Context)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("reading %s is forbidden in context %q: %v", what, k.Context, apierrors.ReasonForError(err))
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the cluster of context %q refused the credentials: %w", k.Context, err)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// service returns the Milvus proxies' Service.
func (k *Kube) service(ctx context.Context, t *Target) (*corev1.Service, error) {
	svc, err := k.Client.CoreV1().Services(t.Namespace).Get(ctx, t.Service, metav1.GetOptions{})
	if err != nil {
		return nil, k.explain(err, "Service "+t.Namespace+"/"+t.Service,
			fmt.Sprintf("is the Milvus HelmRelease Ready? (flux get helmreleases -n %s)", t.Namespace))
	}
	return svc, nil
}

// loadBalancerAddress is host:port of the Service's load balancer.
func loadBalancerAddress(svc *corev1.Service, port int) (string, error) {
	for _, in := range svc.Status.LoadBalancer.Ingress {
		host := in.Hostname
		if host == "" {
			host = in.IP
		}
		if host != "" {
			return net.JoinHostPort(host, strconv.Itoa(port)), nil
		}
	}
	return "", fmt.Errorf("Service %s/%s has no load balancer address yet (the AWS Load Balancer Controller sets it once the NLB exists); "+
		"check `kubectl -n %s describe service %s`, or pass --address HOST:PORT or --port-forward",
		svc.Namespace, svc.Name, svc.Namespace, svc.Name)
}

// checkScheme compares the live Service's scheme annotation with the
// rendered one.
func checkScheme(svc *corev1.Service, t *Target) (string, []agreement.Problem) {
	got := svc.Annotations[schemeAnnotation]
	at := clusterAt("Service", svc.Namespace, svc.Name, "metadata.annotations["+schemeAnnotation+"]")
	var ps []agreement.Problem
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		ps = append(ps, agreement.Problem{At: clusterAt("Service", svc.Namespace, svc.Name, "spec.type"),
			Msg: fmt.Sprintf("the Service is of type %s, not LoadBalancer", svc.Spec.Type)})
	}
	if got != t.Scheme.Val {
		ps = append(ps, agreement.Problem{What: "load balancer scheme", At: at, Got: got, Other: t.Scheme.At, Want: t.Scheme.Val})
	}
	return got, ps
}

// password reads the root password from the Secret the tree names.
func (k *Kube) password(ctx context.Context, t *Target) (string, error) {
	what := "Secret " + t.Namespace + "/" + t.PasswordSecret
	s, err := k.Client.CoreV1().Secrets(t.Namespace).Get(ctx, t.PasswordSecret, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsForbidden(err) {
			return "", fmt.Errorf("reading the root password from %s is forbidden in context %q; set %s instead", what, k.Context, PasswordEnv)
		}
		return "", k.explain(err, "the root password "+what, "bootstrap.sh creates it; or set "+PasswordEnv)
	}
	v, ok := s.Data[t.PasswordKey]
	if !ok {
		return "", fmt.Errorf("%s has no key %q (it has %s); the spec's milvus.auth.rootPasswordSecret.key names it",
			what, t.PasswordKey, keyList(s.Data))
	}
	if len(v) == 0 {
		return "", fmt.Errorf("%s key %q is empty", what, t.PasswordKey)
	}
	return string(v), nil
}

// tlsSecret reads the proxies' TLS Secret, for its ca.crt. A Secret without
// one (a publicly issued certificate) is no error: the caller falls back to
// the system roots.
func (k *Kube) tlsSecret(ctx context.Context, t *Target) (map[string][]byte, error) {
	what := "Secret " + t.Namespace + "/" + t.TLSSecret
	s, err := k.Client.CoreV1().Secrets(t.Namespace).Get(ctx, t.TLSSecret, metav1.GetOptions{})
	if err != nil {
		return nil, k.explain(err, "the TLS "+what, "it holds the proxies' tls.crt, tls.key and ca.crt; or pass --tls-ca FILE")
	}
	return s.Data, nil
}

func keyList(m map[string][]byte) string {
	keys := slices.Sorted(maps.Keys(m))
	if len(keys) == 0 {
		return "no keys"
	}
	return "keys " + strings.Join(keys, ", ")
}

// The labels the charts put on the release's pods. The Milvus chart and
// the Bitnami subcharts (etcd, Kafka and its ZooKeeper) label them
// app.kubernetes.io/instance=<release>; the Pulsar charts (pulsarv3,
// pulsar) and MinIO label them release=<release>, app=<chart name> and,
// Pulsar, component=<component> (templates/_helpers.tpl,
// pulsar.template.labels). Pulsar's init Jobs put no label on their pods:
// those are found through the Jobs, which carry the chart's labels.
const (
	componentLabel = "component"
	instanceLabel  = "app.kubernetes.io/instance"
	nameLabel      = "app.kubernetes.io/name"
	releaseLabel   = "release"
	appLabel       = "app"
)

// releaseSelectors select the objects of a Helm release, one selector per
// labelling convention among the charts it installs.
func releaseSelectors(release string) []string {
	return []string{instanceLabel + "=" + release, releaseLabel + "=" + release}
}

// componentOf names the component of an object (a pod, or a Job for its
// pods) from its labels: the Milvus chart's component label, the Bitnami
// subcharts' app.kubernetes.io/name, Pulsar's <app>-<component>
// ("pulsarv3-bookie", apart from Milvus's own proxy), MinIO's app.
func componentOf(labels map[string]string, release string) string {
	if labels[instanceLabel] == release {
		if c := labels[componentLabel]; c != "" {
			return c
		}
		return labels[nameLabel]
	}
	app, c := labels[appLabel], labels[componentLabel]
	switch {
	case app != "" && c != "":
		return app + "-" + c
	case c != "":
		return c
	}
	return app
}

// releasePods lists the pods of the release in the target's namespace,
// each once, with its component: the pods the charts label, and the pods
// of the release's Jobs. The namespace's pods are read once and matched
// here, so a Job costs no request of its own.
func (k *Kube) releasePods(ctx context.Context, t *Target) (map[string]corev1.Pod, map[string]string, error) {
	all, err := k.Client.CoreV1().Pods(t.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, k.explain(err, "the pods of "+t.Namespace+"/"+t.Release, "")
	}
	pods := map[string]corev1.Pod{}
	component := map[string]string{}
	take := func(sel labels.Selector, name func(corev1.Pod) string) {
		for _, p := range all.Items {
			if _, seen := pods[p.Name]; !seen && sel.Matches(labels.Set(p.Labels)) {
				pods[p.Name] = p
				component[p.Name] = name(p)
			}
		}
	}
	for _, sel := range releaseSelectors(t.Release) {
		s, err := labels.Parse(sel)
		if err != nil {
			return nil, nil, fmt.Errorf("release %s: %w", t.Release, err)
		}
		take(s, func(p corev1.Pod) string { return componentOf(p.Labels, t.Release) })
	}
	for _, sel := range releaseSelectors(t.Release) {
		jobs, err := k.Client.BatchV1().Jobs(t.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			return nil, nil, k.explain(err, "the Jobs of "+t.Namespace+"/"+t.Release, "")
		}
		for _, j := range jobs.Items {
			if j.Spec.Selector == nil {
				continue
			}
			js, err := metav1.LabelSelectorAsSelector(j.Spec.Selector)
			if err != nil {
				return nil, nil, fmt.Errorf("Job %s/%s: %w", j.Namespace, j.Name, err)
			}
			// A Job without a component label is named after itself.
			c := strings.TrimPrefix(j.Name, t.Release+"-")
			if j.Labels[componentLabel] != "" {
				c = componentOf(j.Labels, t.Release)
			}
			take(js, func(corev1.Pod) string { return c })
		}
	}
	return pods, component, nil
}

// pods reports the release's pods, ready/total per component. A
// component without a ready pod is down, unless its pods are a Job's and
// one Succeeded: a Job's pod is done, not unready, once it has. Failed
// pods (a Job's attempts, evicted pods) are named but fail the step only
// when their component has nothing ready or done.
func (k *Kube) pods(ctx context.Context, t *Target) (string, error) {
	pods, component, err := k.releasePods(ctx, t)
	if err != nil {
		return "", err
	}
	if len(pods) == 0 {
		return "", fmt.Errorf("no pods labelled %s in namespace %s: is the Milvus HelmRelease installed? (flux get helmreleases -n %s)",
			strings.Join(releaseSelectors(t.Release), " or "), t.Namespace, t.Namespace)
	}
	type count struct{ ready, total, succeeded, failed int }
	byComponent := map[string]*count{}
	var notReady, failed []string
	for _, name := range slices.Sorted(maps.Keys(pods)) {
		p := pods[name]
		c := component[name]
		n := byComponent[c]
		if n == nil {
			n = &count{}
			byComponent[c] = n
		}
		switch {
		case p.Status.Phase == corev1.PodSucceeded:
			n.succeeded++
		case p.Status.Phase == corev1.PodFailed:
			n.failed++
			failed = append(failed, name)
		case podReady(&p):
			n.total++
			n.ready++
		default:
			n.total++
			notReady = append(notReady, name)
		}
	}
	var parts, down []string
	for _, c := range slices.Sorted(maps.Keys(byComponent)) {
		n := byComponent[c]
		part := fmt.Sprintf("%s %d/%d", c, n.ready, n.total)
		var also []string
		if n.succeeded > 0 {
			if n.total == 0 {
				part = c + " completed"
			} else {
				also = append(also, fmt.Sprintf("%d completed", n.succeeded))
			}
		}
		if n.failed > 0 {
			also = append(also, fmt.Sprintf("%d failed", n.failed))
		}
		if len(also) > 0 {
			part += " (" + strings.Join(also, ", ") + ")"
		}
		parts = append(parts, part)
		if n.ready == 0 && n.succeeded == 0 {
			down = append(down, c)
		}
	}
	detail := strings.Join(parts, ", ")
	var tail string
	if len(notReady) > 0 {
		tail += "; not ready: " + strings.Join(notReady, ", ")
	}
	if len(failed) > 0 {
		tail += "; failed: " + strings.Join(failed, ", ")
	}
	if len(down) > 0 {
		return detail, fmt.Errorf("no ready pod for %s (%s)%s", strings.Join(down, ", "), detail, tail)
	}
	return detail + tail, nil
}

func podReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil {
		return false
	}
	return slices.ContainsFunc(p.Status.Conditions, func(c corev1.PodCondition) bool {
		return c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue
	})
}

// checkRole compares the service account's IRSA role annotation with the
// role eksctl creates for it: in the account and partition of the Milvus
// policy, named as the ClusterConfig says or, when it names none, by
// CloudFormation after eksctl's stack.
func (k *Kube) checkRole(ctx context.Context, t *Target) (string, []agreement.Problem, error) {
	sa, err := k.Client.CoreV1().ServiceAccounts(t.Namespace).Get(ctx, t.ServiceAccount, metav1.GetOptions{})
	if err != nil {
		return "", nil, k.explain(err, "ServiceAccount "+t.Namespace+"/"+t.ServiceAccount, "eksctl creates it from iam.serviceAccounts of aws/eksctl-cluster.yaml")
	}
	got := sa.Annotations[roleARNAnnotation]
	at := clusterAt("ServiceAccount", sa.Namespace, sa.Name, "metadata.annotations["+roleARNAnnotation+"]")
	if got == "" {
		return "", []agreement.Problem{{At: at, Msg: fmt.Sprintf("no IAM role annotation, but %s binds one through IRSA", t.IdentityAt)}}, nil
	}
	return got, roleProblems(got, at, t), nil
}

// roleProblems compares a role ARN with the one the rendered tree makes.
func roleProblems(arn string, at agreement.Location, t *Target) []agreement.Problem {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "iam" || !strings.HasPrefix(p[5], "role/") {
		return []agreement.Problem{{At: at, Msg: fmt.Sprintf("%q is not an IAM role ARN", arn)}}
	}
	var ps []agreement.Problem
	if p[1] != t.Partition {
		ps = append(ps, agreement.Problem{What: "AWS partition", At: at, Got: p[1], Other: t.IdentityAt, Want: t.Partition})
	}
	if p[4] != t.Account {
		ps = append(ps, agreement.Problem{What: "account ID", At: at, Got: p[4], Other: t.IdentityAt, Want: t.Account})
	}
	name := p[5][strings.LastIndex(p[5], "/")+1:]
	if t.RoleName.Val != "" {
		if name != t.RoleName.Val {
			ps = append(ps, agreement.Problem{What: "IAM role", At: at, Got: name, Other: t.RoleName.At, Want: t.RoleName.Val})
		}
		return ps
	}
	// CloudFormation names the role <stack name, cut to fit>-Role1-<suffix>.
	stack := t.RoleStackName()
	prefix, _, ok := strings.Cut(name, "-Role1-")
	if !ok || prefix == "" || !strings.HasPrefix(stack, prefix) {
		ps = append(ps, agreement.Problem{What: "IAM role", At: at, Got: name, Other: t.IdentityAt,
			Want: stack + "-Role1-…"})
	}
	return ps
}

// proxyPod returns a running, ready proxy pod and the port Milvus listens
// on in it.
func (k *Kube) proxyPod(ctx context.Context, t *Target) (*corev1.Pod, int, error) {
	sel := fmt.Sprintf("app.kubernetes.io/instance=%s,app.kubernetes.io/name=%s,component in (proxy,standalone)", t.Release, t.Name)
	list, err := k.Client.CoreV1().Pods(t.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, 0, k.explain(err, "the proxy pods of "+t.Namespace+"/"+t.Release, "")
	}
	pods := list.Items
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	for i := range pods {
		if !podReady(&pods[i]) {
			continue
		}
		port := defaultPort
		for _, c := range pods[i].Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == "milvus" {
					port = int(cp.ContainerPort)
				}
			}
		}
		return &pods[i], port, nil
	}
	return nil, 0, fmt.Errorf("no ready proxy pod (%s) in namespace %s to port-forward to (%d found)", sel, t.Namespace, len(pods))
}

// forward port-forwards a local port on 127.0.0.1 to port of the pod, the
// way kubectl port-forward does (WebSocket, falling back to SPDY). It
// returns the local address and a function that stops forwarding.
func (k *Kube) forward(ctx context.Context, pod *corev1.Pod, port int) (string, func(), error) {
	req := k.Client.CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("portforward")
	transport, upgrader, err := spdy.RoundTripperFor(k.Config)
	if err != nil {
		return "", nil, err
	}
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, req.URL())
	if ws, err := portforward.NewSPDYOverWebsocketDialer(req.URL(), k.Config); err == nil {
		dialer = portforward.NewFallbackDialer(ws, dialer, func(err error) bool {
			return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
		})
	}
	// Forwarding outlives ctx: the collection is dropped through it after
	// the run's deadline.
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ready := make(chan struct{})
	errOut := &lastLine{}
	fw, err := portforward.NewOnAddressesWithContext(fctx, dialer, []string{"127.0.0.1"}, []string{"0:" + strconv.Itoa(port)}, ready, io.Discard, errOut)
	if err != nil {
		cancel()
		return "", nil, err
	}
	done := make(chan error, 1)
	go func() { done <- fw.ForwardPorts() }()
	what := fmt.Sprintf("port-forwarding to pod %s/%s port %d", pod.Namespace, pod.Name, port)
	select {
	case <-ready:
	case err := <-done:
		cancel()
		if err == nil {
			err = errors.New("stopped")
		}
		return "", nil, fmt.Errorf("%s: %w", what, err)
	case <-ctx.Done():
		cancel()
		return "", nil, fmt.Errorf("%s: %w", what, ctx.Err())
	}
	ports, err := fw.GetPorts()
	if err != nil || len(ports) == 0 {
		cancel()
		return "", nil, fmt.Errorf("%s: no local port: %v", what, err)
	}
	stop := func() {
		cancel()
		<-done
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(int(ports[0].Local))), stop, nil
}

// lastLine keeps the last line written, port-forwarding's error output.
type lastLine struct{ s string }

func (l *lastLine) Write(p []byte) (int, error) {
	if s := strings.TrimSpace(string(p)); s != "" {
		l.s = s
	}
	return len(p), nil
}
