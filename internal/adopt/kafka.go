package adopt

import (
	"fmt"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// TODOKafkaSecret stands for the Secret of an external Kafka's SASL
// credentials, which a release holding them in values does not have.
const TODOKafkaSecret = "TODO: the Secret holding the Kafka username and password"

// externalKafka maps the chart's externalKafka values onto
// milvus.externalKafka: the brokers, the protocol and the mechanism as
// the chart writes them into milvus.yaml, and the credentials' Secret from
// the variables milvusgen renders (KAFKA_SASLUSERNAME and
// KAFKA_SASLPASSWORD as secretKeyRef). A username or password in values is
// not mapped, and never shown.
func (st *state) externalKafka() {
	st.set("milvus.messageQueue", model.ExternalKafka)
	if v, ok := st.take("externalKafka.brokerList"); ok {
		var brokers []any
		for _, b := range strings.Split(fmt.Sprint(v), ",") {
			if b = strings.TrimSpace(b); b != "" {
				brokers = append(brokers, b)
			}
		}
		st.set("milvus.externalKafka.brokers", brokers)
	}
	protocol, _ := st.effective("externalKafka.securityProtocol")
	st.take("externalKafka.securityProtocol")
	st.set("milvus.externalKafka.securityProtocol", protocol)
	mechanism, _ := st.effective("externalKafka.sasl.mechanisms")
	st.take("externalKafka.sasl.mechanisms")
	for _, p := range []string{"externalKafka.sasl.username", "externalKafka.sasl.password"} {
		if v, ok := st.take(p); ok && v != "" {
			st.note(NotMapped, p, "a credential in values; milvusgen reads the Kafka username and password from a Secret (milvus.externalKafka.sasl.secretName); value not shown")
		}
	}
	secret := st.kafkaEnv()
	if !model.UsesSASL(fmt.Sprint(protocol)) {
		return
	}
	st.set("milvus.externalKafka.sasl.mechanism", mechanism)
	if secret == nil {
		st.set("milvus.externalKafka.sasl.secretName", TODOKafkaSecret)
		st.note(TODO, "milvus.externalKafka.sasl.secretName", "create a Secret with the Kafka username and password and name it here")
		return
	}
	st.set("milvus.externalKafka.sasl.secretName", secret.SecretName)
	st.set("milvus.externalKafka.sasl.usernameKey", secret.UsernameKey)
	st.set("milvus.externalKafka.sasl.passwordKey", secret.PasswordKey)
}

// kafkaEnv takes the SASL variables out of every block's extraEnv and
// returns the Secret they reference, or nil when they reference none.
func (st *state) kafkaEnv() *model.KafkaSASL {
	var out *model.KafkaSASL
	blocks := []string{"mixCoordinator", "rootCoordinator", "queryCoordinator", "dataCoordinator", "indexCoordinator", "proxy", "queryNode", "dataNode", "streamingNode", "indexNode"}
	isSASL := func(name any) bool { return name == model.KafkaUsernameEnv || name == model.KafkaPasswordEnv }
	st.takeEnv(blocks, isSASL, func(block string, name any, m map[string]any) {
		ref, ok := lookup(m, []string{"valueFrom", "secretKeyRef"})
		r, _ := ref.(map[string]any)
		if !ok || r == nil {
			st.note(NotMapped, fmt.Sprintf("%s.extraEnv.%s", block, name), "a Kafka credential in values; milvusgen reads it from a Secret (milvus.externalKafka.sasl.secretName); value not shown")
			return
		}
		if out == nil {
			out = &model.KafkaSASL{UsernameKey: "username", PasswordKey: "password"}
		}
		out.SecretName = fmt.Sprint(r["name"])
		if name == model.KafkaUsernameEnv {
			out.UsernameKey = fmt.Sprint(r["key"])
		} else {
			out.PasswordKey = fmt.Sprint(r["key"])
		}
	})
	return out
}
