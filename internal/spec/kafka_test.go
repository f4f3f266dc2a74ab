package spec

import (
	"reflect"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
)

// TestExternalKafkaDefaults: an Amazon MSK spec names the brokers and the
// Secret; the rest defaults to MSK's SASL/SCRAM listener.
func TestExternalKafkaDefaults(t *testing.T) {
	res, err := load(t, "spec.yaml", base+`milvus:
  messageQueue: externalKafka
  externalKafka:
    brokers: [b-1.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096, b-2.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096]
    sasl: {secretName: msk-milvus}
`)
	if err != nil {
		t.Fatal(details(err))
	}
	want := &model.KafkaCluster{
		Brokers:          []string{"b-1.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096", "b-2.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096"},
		SecurityProtocol: "SASL_SSL",
		SASL:             &model.KafkaSASL{Mechanism: "SCRAM-SHA-512", SecretName: "msk-milvus", UsernameKey: "username", PasswordKey: "password"},
	}
	if got := res.Spec.Milvus.ExternalKafka; !reflect.DeepEqual(got, want) {
		t.Errorf("externalKafka = %+v, want %+v", got, want)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %v", res.Warnings)
	}
}

// TestExternalKafkaWarnings: specs that are valid but worth a second look.
func TestExternalKafkaWarnings(t *testing.T) {
	for _, tc := range []struct{ name, kafka, want string }{
		{"plaintext", `{brokers: ["k1.example.com:9092"], securityProtocol: PLAINTEXT}`,
			"milvus.externalKafka.securityProtocol: PLAINTEXT leaves the WAL traffic between Milvus and Kafka unencrypted"},
		{"scram in clear", `{brokers: ["k1.example.com:9092"], securityProtocol: SASL_PLAINTEXT, sasl: {mechanism: SCRAM-SHA-256, secretName: kafka}}`,
			"SASL_PLAINTEXT leaves the WAL traffic"},
		{"other region", `{brokers: ["b-1.m.abc.c2.kafka.us-west-2.amazonaws.com:9096"], sasl: {secretName: kafka}}`,
			"the MSK cluster is in us-west-2 and the EKS cluster in us-east-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := load(t, "spec.yaml", base+"milvus: {messageQueue: externalKafka, externalKafka: "+tc.kafka+"}\n")
			if err != nil {
				t.Fatal(details(err))
			}
			var got []string
			for _, w := range res.Warnings {
				got = append(got, w.Error())
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Errorf("warnings %q, want one containing %q", got, tc.want)
			}
		})
	}
}

// TestExternalKafkaPrivateCA: a private CA for SSL, with its default key.
func TestExternalKafkaPrivateCA(t *testing.T) {
	res, err := load(t, "spec.yaml", base+`milvus: {chartVersion: 4.2.58, messageQueue: externalKafka, externalKafka: {brokers: ["10.0.1.5:9093"], securityProtocol: SSL, tls: {caSecret: {name: kafka-ca}}}}
`)
	if err != nil {
		t.Fatal(details(err))
	}
	k := res.Spec.Milvus.ExternalKafka
	if k.TLS == nil || k.TLS.CASecret != (model.SecretKey{Name: "kafka-ca", Key: "ca.crt"}) || k.SASL != nil {
		t.Errorf("externalKafka = %+v", k)
	}
}
