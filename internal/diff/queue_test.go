package diff

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/values"
)

// TestQueueOfRenderedValues: for every queue the spec may choose, diff
// reads the rendered values as that queue. validate refuses every raw
// values route to another one (internal/rawvalues), so validate and diff
// agree on the queue of any spec that validates (issue 19 item 2).
func TestQueueOfRenderedValues(t *testing.T) {
	for mq, want := range map[string]string{
		model.Woodpecker: "Woodpecker",
		model.Kafka:      "Kafka",
		model.Pulsar:     "Pulsar",
	} {
		s := modeltest.Runbook()
		s.Milvus.MessageQueue = mq
		hr := map[string]any{"spec": map[string]any{"values": values.Milvus(s)}}
		if got := mqOf(hr); got != want {
			t.Errorf("messageQueue %s: diff reads the rendered values as %s, want %s", mq, got, want)
		}
	}
}
