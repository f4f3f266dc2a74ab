package model

// KafkaCluster is a Kafka cluster Milvus uses as its WAL but does not run,
// such as Amazon MSK. Only what Milvus's Kafka client (librdkafka through
// confluent-kafka-go) reads from milvus.yaml's kafka section is modelled.
type KafkaCluster struct {
	// Brokers are the bootstrap brokers, host:port each.
	Brokers []string `json:"brokers"`
	// SecurityProtocol is librdkafka's security.protocol: PLAINTEXT, SSL,
	// SASL_PLAINTEXT or SASL_SSL.
	SecurityProtocol string `json:"securityProtocol"`
	// SASL authenticates Milvus to the brokers; nil without SASL.
	SASL *KafkaSASL `json:"sasl,omitempty"`
	// TLS holds a private CA for the brokers' certificates; nil trusts the
	// image's public CAs (Amazon MSK's certificates chain to them).
	TLS *KafkaTLS `json:"tls,omitempty"`
}

// KafkaSASL is a SASL mechanism and the Secret holding its credentials.
type KafkaSASL struct {
	Mechanism   string `json:"mechanism"`
	SecretName  string `json:"secretName"`
	UsernameKey string `json:"usernameKey"`
	PasswordKey string `json:"passwordKey"`
}

// KafkaTLS is the CA certificate that verifies the brokers.
type KafkaTLS struct {
	CASecret SecretKey `json:"caSecret"`
}

// Kafka security protocols (librdkafka's security.protocol values).
const (
	KafkaPlaintext     = "PLAINTEXT"
	KafkaSSL           = "SSL"
	KafkaSASLPlaintext = "SASL_PLAINTEXT"
	KafkaSASLSSL       = "SASL_SSL"
)

// UsesSASL reports whether protocol authenticates with SASL.
func UsesSASL(protocol string) bool {
	return protocol == KafkaSASLPlaintext || protocol == KafkaSASLSSL
}

// UsesTLS reports whether protocol encrypts with TLS.
func UsesTLS(protocol string) bool { return protocol == KafkaSSL || protocol == KafkaSASLSSL }

// The environment variables that carry the SASL credentials from their
// Secret into Milvus. Milvus reads environment variables as config
// overrides (see RootPasswordEnv), so these are kafka.saslUsername and
// kafka.saslPassword; neither is ever written to milvus.yaml.
const (
	KafkaUsernameEnv = "KAFKA_SASLUSERNAME"
	KafkaPasswordEnv = "KAFKA_SASLPASSWORD"
)

// KafkaCAMountPath is where the private CA of an external Kafka is mounted.
const KafkaCAMountPath = "/milvus/kafka-ca"

// InClusterKafka reports whether the chart's Kafka and ZooKeeper run.
func (s *Spec) InClusterKafka() bool { return s.Milvus.MessageQueue == Kafka }
