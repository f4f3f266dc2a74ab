package values

import (
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// externalKafka points Milvus at a Kafka cluster it does not run (Amazon
// MSK or your own) through the chart's externalKafka values, which
// config.tpl writes into milvus.yaml's kafka section (brokerList,
// securityProtocol, saslMechanisms). No in-cluster queue is deployed:
// kafka (with its ZooKeeper), pulsarv3 and woodpecker are all off, so
// milvus.yaml gets one mq block. The SASL username and password are not
// values: the chart would write them into milvus.yaml, a ConfigMap. They
// reach Milvus from their Secret as environment variables (kafkaEnv).
func externalKafka(s *model.Spec, streaming bool) map[string]any {
	k := s.Milvus.ExternalKafka
	ext := map[string]any{
		"enabled":          true,
		"brokerList":       strings.Join(k.Brokers, ","),
		"securityProtocol": k.SecurityProtocol,
	}
	if k.SASL != nil {
		ext["sasl"] = map[string]any{"mechanisms": k.SASL.Mechanism}
	}
	return map[string]any{
		"externalKafka": ext,
		"kafka":         map[string]any{"enabled": false},
		"pulsarv3":      map[string]any{"enabled": false},
		"woodpecker":    map[string]any{"enabled": false},
		"streaming":     map[string]any{"enabled": streaming},
	}
}

// kafkaEnv is the environment that carries an external Kafka's SASL
// credentials from their Secret (secretKeyRef) into every Milvus
// component: each one produces to or consumes from the WAL. Milvus reads
// the variables as kafka.saslUsername and kafka.saslPassword
// (model.KafkaUsernameEnv). Nil without SASL.
func kafkaEnv(s *model.Spec) []any {
	k := s.Milvus.ExternalKafka
	if s.Milvus.MessageQueue != model.ExternalKafka || k == nil || k.SASL == nil {
		return nil
	}
	ref := func(name, key string) any {
		return map[string]any{
			"name": name,
			"valueFrom": map[string]any{"secretKeyRef": map[string]any{
				"name": k.SASL.SecretName,
				"key":  key,
			}},
		}
	}
	return []any{ref(model.KafkaUsernameEnv, k.SASL.UsernameKey), ref(model.KafkaPasswordEnv, k.SASL.PasswordKey)}
}

// kafkaCA mounts an external Kafka's private CA into every Milvus pod and
// makes librdkafka verify the brokers with it. It is set through the
// producer and consumer pass-through groups (kafka.producer.*,
// kafka.consumer.*, Milvus 2.2 and later), which both the 2.5 message
// stream and the 2.6 WAL apply: Milvus's own kafka.ssl switch also sets
// the client certificate and key locations, which one-way TLS lacks, and
// librdkafka refuses an empty location. Nil without a private CA.
func kafkaCA(s *model.Spec) (user map[string]any, volume, mount any) {
	k := s.Milvus.ExternalKafka
	if s.Milvus.MessageQueue != model.ExternalKafka || k == nil || k.TLS == nil {
		return nil, nil, nil
	}
	const name = "kafka-ca"
	path := model.KafkaCAMountPath + "/" + k.TLS.CASecret.Key
	ca := map[string]any{"ssl.ca.location": path}
	user = map[string]any{"kafka": map[string]any{"producer": ca, "consumer": clone(ca)}}
	volume = map[string]any{"name": name, "secret": map[string]any{
		"secretName": k.TLS.CASecret.Name,
		"items":      []any{map[string]any{"key": k.TLS.CASecret.Key, "path": k.TLS.CASecret.Key}},
	}}
	mount = map[string]any{"name": name, "mountPath": model.KafkaCAMountPath, "readOnly": true}
	return user, volume, mount
}

// milvusBlocks are the value blocks of the Milvus Deployments the spec
// runs on its chart: the coordinators of its layout and the components.
func milvusBlocks(s *model.Spec) []string {
	c := versions.Of(s)
	var out []string
	if s.Milvus.Coordinators == model.CoordinatorsSeparate && len(c.Coordinators) > 1 {
		out = append(out, coordinatorBlocks...)
	} else {
		out = append(out, "mixCoordinator")
	}
	return append(out, c.Components...)
}
