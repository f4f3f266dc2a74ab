package runbook

import "github.com/milvusgen/milvusgen/internal/model"

// kafkaSecretVars name the Secrets of an external Kafka: the SASL
// credentials' and the private CA's, when the spec has them.
func kafkaSecretVars(s *model.Spec) []variable {
	k := s.Milvus.ExternalKafka
	if s.Milvus.MessageQueue != model.ExternalKafka || k == nil {
		return nil
	}
	var out []variable
	if k.SASL != nil {
		out = append(out,
			variable{"KAFKA_SECRET", k.SASL.SecretName},
			variable{"KAFKA_USERNAME_KEY", k.SASL.UsernameKey},
			variable{"KAFKA_PASSWORD_KEY", k.SASL.PasswordKey})
	}
	if k.TLS != nil {
		out = append(out,
			variable{"KAFKA_CA_SECRET", k.TLS.CASecret.Name},
			variable{"KAFKA_CA_KEY", k.TLS.CASecret.Key})
	}
	return out
}

// bootstrapKafkaSecrets checks, before the GitOps engine starts Milvus,
// that the Secrets of its external Kafka exist with their keys: every
// Milvus pod reads them (secretKeyRef, a volume) and none starts without
// them. bootstrap.sh never creates them, as it has no business holding
// Kafka credentials; it says what to create and stops. The check reads
// whether a key is there, never its value.
func bootstrapKafkaSecrets(w *script, s *model.Spec, n string) {
	w.f(`
step "%s external Kafka Secrets"
# Milvus's pods read the Kafka credentials (and the brokers' CA) from
# these Secrets and do not start without them.
if ! kubectl get namespace "$MILVUS_NAMESPACE" >/dev/null 2>&1; then
  kubectl create namespace "$MILVUS_NAMESPACE"
fi
# has_key SECRET KEY: the Secret holds KEY (its value is not read out).
has_key() {
  [ "$(kubectl -n "$MILVUS_NAMESPACE" get secret "$1" -o "go-template={{if index .data \"$2\"}}yes{{end}}" 2>/dev/null)" = yes ]
}
kafka_missing=0`, n)
	k := s.Milvus.ExternalKafka
	if k.SASL != nil {
		w.raw(`if ! has_key "$KAFKA_SECRET" "$KAFKA_USERNAME_KEY" || ! has_key "$KAFKA_SECRET" "$KAFKA_PASSWORD_KEY"; then
  kafka_missing=1
  echo "bootstrap.sh: secret $KAFKA_SECRET in namespace $MILVUS_NAMESPACE must hold the Kafka SASL username ($KAFKA_USERNAME_KEY) and password ($KAFKA_PASSWORD_KEY). Create it from files, so the values stay off command lines:" >&2
  echo "  kubectl -n $MILVUS_NAMESPACE create secret generic $KAFKA_SECRET --from-file=$KAFKA_USERNAME_KEY=./username --from-file=$KAFKA_PASSWORD_KEY=./password" >&2
  echo "  (Amazon MSK: the user of the AmazonMSK_ secret in AWS Secrets Manager associated with the cluster; the External Secrets Operator can sync it)" >&2
fi
`)
	}
	if k.TLS != nil {
		w.raw(`if ! has_key "$KAFKA_CA_SECRET" "$KAFKA_CA_KEY"; then
  kafka_missing=1
  echo "bootstrap.sh: secret $KAFKA_CA_SECRET in namespace $MILVUS_NAMESPACE must hold the CA certificate of the Kafka brokers ($KAFKA_CA_KEY):" >&2
  echo "  kubectl -n $MILVUS_NAMESPACE create secret generic $KAFKA_CA_SECRET --from-file=$KAFKA_CA_KEY=./ca.crt" >&2
fi
`)
	}
	w.raw(`if [ "$kafka_missing" = 1 ]; then
  echo "bootstrap.sh: create the Secrets above, then run bootstrap.sh again" >&2
  exit 1
fi
echo "external Kafka Secrets present"
`)
}
