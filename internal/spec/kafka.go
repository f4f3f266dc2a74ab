package spec

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/milvusgen/milvusgen/internal/model"
)

// The field rules of milvus.externalKafka. Each is an allowlist of what
// Milvus's Kafka client takes: Milvus hands librdkafka (1.9.1 in Milvus
// 2.5 and 2.6, through confluent-kafka-go) bootstrap.servers,
// security.protocol, and sasl.mechanisms with sasl.username and
// sasl.password (pkg/mq/msgstream/mqwrapper/kafka/kafka_client.go
// GetBasicConfig, and the 2.6 WAL's builder.go), nothing else of SASL.
func init() {
	stringRules["milvus.externalKafka.securityProtocol"] = kafkaProtocolRule
	stringRules["milvus.externalKafka.sasl.mechanism"] = kafkaMechanismRule
	stringRules["milvus.externalKafka.sasl.secretName"] = dnsSubdomain
	stringRules["milvus.externalKafka.sasl.usernameKey"] = secretDataKey
	stringRules["milvus.externalKafka.sasl.passwordKey"] = secretDataKey
	stringRules["milvus.externalKafka.tls.caSecret.name"] = dnsSubdomain
	stringRules["milvus.externalKafka.tls.caSecret.key"] = secretDataKey
	listRules["milvus.externalKafka.brokers.*"] = kafkaBrokerRule
}

// checkKafkaFields refuses an empty broker list with its own message
// (the schema's would be about list lengths).
func checkKafkaFields(r *report, user cue.Value) {
	const at = "milvus.externalKafka.brokers"
	if l := user.LookupPath(cue.ParsePath(at)); l.Exists() && l.IncompleteKind() == cue.ListKind {
		if n, err := l.Len().Int64(); err == nil && n == 0 {
			r.errorf(at, "must list at least one broker (host:port); Amazon MSK shows them as the cluster's bootstrap brokers")
		}
	}
}

var kafkaProtocols = []string{model.KafkaSASLSSL, model.KafkaSSL, model.KafkaSASLPlaintext, model.KafkaPlaintext}

func kafkaProtocolRule(s string) string {
	if slices.Contains(kafkaProtocols, s) {
		return ""
	}
	if slices.Contains(kafkaProtocols, strings.ToUpper(s)) {
		return fmt.Sprintf("write it as %q; got %q", strings.ToUpper(s), s)
	}
	return fmt.Sprintf("must be one of %s (librdkafka's security.protocol); got %q", quoteList(kafkaProtocols), s)
}

// kafkaMechanisms are the SASL mechanisms that work with a username and a
// password, the only credentials Milvus passes to librdkafka.
var kafkaMechanisms = []string{"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"}

func kafkaMechanismRule(s string) string {
	u := strings.ToUpper(s)
	switch {
	case slices.Contains(kafkaMechanisms, s):
		return ""
	case slices.Contains(kafkaMechanisms, u):
		return fmt.Sprintf("write it as %q; got %q", u, s)
	case u == "AWS_MSK_IAM" || u == "OAUTHBEARER" || u == "IAM":
		return fmt.Sprintf("Amazon MSK's IAM authentication needs a SigV4 token signer inside the Kafka client; Milvus's client (librdkafka) has none and Milvus passes it only a username and password. Turn on SASL/SCRAM on the MSK cluster, store the user in AWS Secrets Manager, and use mechanism \"SCRAM-SHA-512\" with the brokers on port 9096; got %q", s)
	case u == "GSSAPI":
		return fmt.Sprintf("Kerberos (GSSAPI) needs a keytab and krb5.conf in the Milvus pods, which Milvus does not configure; use \"SCRAM-SHA-512\" or \"SCRAM-SHA-256\"; got %q", s)
	}
	return fmt.Sprintf("must be one of %s (the mechanisms Milvus's Kafka client takes a username and password for); got %q", quoteList(kafkaMechanisms), s)
}

func secretDataKey(s string) string {
	if errs := validation.IsConfigMapKey(s); len(errs) > 0 {
		return fmt.Sprintf("must be a Kubernetes Secret key (letters, digits, '-', '_' or '.', at most 253 characters, not \".\" or \"..\"): %s; got %q", strings.Join(errs, "; "), s)
	}
	return ""
}

// kafkaBrokerRule takes one bootstrap broker: host:port, as librdkafka's
// bootstrap.servers lists them (the chart joins the list with ',').
func kafkaBrokerRule(b string) string {
	const want = "must be one broker as host:port, such as \"b-1.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096\""
	switch {
	case strings.Contains(b, "://"):
		return fmt.Sprintf("%s, without a scheme (securityProtocol says how to connect); got %q", want, b)
	case strings.ContainsAny(b, ", \t"):
		return fmt.Sprintf("%s: give each broker of a bootstrap string (split at ',') as its own list item; got %q", want, b)
	}
	host, port, err := net.SplitHostPort(b)
	if err != nil || host == "" {
		return fmt.Sprintf("%s; got %q", want, b)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("%s: the port must be 1-65535; got %q", want, b)
	}
	if net.ParseIP(host) == nil && len(validation.IsDNS1123Subdomain(strings.ToLower(host))) > 0 {
		return fmt.Sprintf("%s: %q is neither a DNS name nor an IP address; got %q", want, host, b)
	}
	return ""
}

// reMSKBroker matches the broker host names of Amazon MSK (provisioned
// and Serverless), capturing the cluster kind and the region.
var reMSKBroker = regexp.MustCompile(`(?i)\.kafka(-serverless)?\.([a-z]{2,4}(?:-[a-z]+)+-[0-9]+)\.amazonaws\.com(?:\.cn)?$`)

// mskListeners are Amazon MSK's client ports: what each one speaks
// (private and public access).
var mskListeners = map[int]string{
	9092: model.KafkaPlaintext,
	9094: model.KafkaSSL, 9194: model.KafkaSSL,
	9096: model.KafkaSASLSSL, 9196: model.KafkaSASLSSL,
	9098: "IAM", 9198: "IAM",
}

// checkExternalKafka checks milvus.externalKafka against the message queue
// and itself: SASL and TLS only with the protocols that use them,
// credentials never in clear text, and Amazon MSK's listeners and
// mechanism where the brokers are MSK's.
func checkExternalKafka(r *report, s *model.Spec) {
	const at = "milvus.externalKafka"
	k := s.Milvus.ExternalKafka
	if k == nil {
		return // required with messageQueue externalKafka: the schema says so
	}
	if s.Milvus.MessageQueue != model.ExternalKafka {
		r.errorf(at, "is only read with milvus.messageQueue: externalKafka (the message queue is %q); set messageQueue: externalKafka or remove externalKafka", s.Milvus.MessageQueue)
		return
	}
	p := k.SecurityProtocol
	switch {
	case model.UsesSASL(p) && k.SASL == nil:
		r.errorf(at+".securityProtocol", "%s authenticates with SASL: add sasl: {secretName: <the Secret holding the username and password>} (mechanism SCRAM-SHA-512 by default), or use SSL or PLAINTEXT", p)
	case !model.UsesSASL(p) && k.SASL != nil:
		r.errorf(at+".sasl", "is only used with securityProtocol SASL_SSL or SASL_PLAINTEXT (got %s); remove sasl or change the protocol", p)
	}
	if k.TLS != nil && !model.UsesTLS(p) {
		r.errorf(at+".tls", "is only used with securityProtocol SSL or SASL_SSL (got %s); remove tls or change the protocol", p)
	}
	if !model.UsesTLS(p) {
		if k.SASL != nil && k.SASL.Mechanism == "PLAIN" {
			r.errorf(at+".sasl.mechanism", "PLAIN over SASL_PLAINTEXT sends the Kafka password unencrypted; use securityProtocol SASL_SSL, or a SCRAM mechanism")
		} else {
			r.warnf(at+".securityProtocol", "%s leaves the WAL traffic between Milvus and Kafka unencrypted; use SASL_SSL or SSL unless the network is trusted", p)
		}
	}
	seen := map[string]int{}
	for i, b := range k.Brokers {
		bp := fmt.Sprintf("%s.brokers.%d", at, i)
		if j, dup := seen[strings.ToLower(b)]; dup {
			r.errorf(bp, "broker %s is also brokers[%d]; list each broker once", b, j)
			continue
		}
		seen[strings.ToLower(b)] = i
		checkMSKBroker(r, s, bp, b)
	}
}

// checkMSKBroker checks a broker of Amazon MSK: its port is the listener
// of the spec's protocol, SCRAM is SCRAM-SHA-512, and not Serverless or
// IAM, which only take IAM authentication.
func checkMSKBroker(r *report, s *model.Spec, path, broker string) {
	host, port, err := net.SplitHostPort(broker)
	if err != nil {
		return // the field rule says it
	}
	m := reMSKBroker.FindStringSubmatch(host)
	if m == nil {
		return
	}
	k := s.Milvus.ExternalKafka
	if m[1] != "" {
		r.errorf(path, "MSK Serverless authenticates only with IAM, which Milvus's Kafka client cannot do; use a provisioned MSK cluster with SASL/SCRAM (port 9096)")
		return
	}
	n, _ := strconv.Atoi(port)
	switch speaks, known := mskListeners[n]; {
	case !known:
		r.errorf(path, "port %d is not an Amazon MSK client port; SASL/SCRAM is 9096 (9196 public), TLS 9094 (9194), plaintext 9092", n)
	case speaks == "IAM":
		r.errorf(path, "port %d is Amazon MSK's IAM listener, and Milvus's Kafka client cannot authenticate with IAM; turn on SASL/SCRAM on the cluster and use its brokers on port 9096 with mechanism SCRAM-SHA-512", n)
	case speaks != k.SecurityProtocol:
		r.errorf(path, "port %d is Amazon MSK's %s listener, but securityProtocol is %s; use the brokers of port %s, or securityProtocol %s", n, speaks, k.SecurityProtocol, mskPortFor(k.SecurityProtocol), speaks)
	}
	if k.SASL != nil && k.SASL.Mechanism != "SCRAM-SHA-512" {
		r.errorf("milvus.externalKafka.sasl.mechanism", "Amazon MSK's SASL/SCRAM takes SCRAM-SHA-512 only; got %q", k.SASL.Mechanism)
	}
	if region := strings.ToLower(m[2]); region != s.AWS.Region {
		r.warnf(path, "the MSK cluster is in %s and the EKS cluster in %s: every write crosses regions (latency and inter-region transfer cost)", region, s.AWS.Region)
	}
}

// mskPortFor is MSK's private port of protocol, or says there is none.
func mskPortFor(protocol string) string {
	switch protocol {
	case model.KafkaSASLSSL:
		return "9096"
	case model.KafkaSSL:
		return "9094"
	case model.KafkaPlaintext:
		return "9092"
	}
	return "(none: MSK has no SASL_PLAINTEXT listener)"
}
