package versions

import (
	"fmt"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// State is what the upgrade rules compare: one deployment's Milvus
// version, chart, coordinator layout and message queue, read from a spec
// (StateOf) or from a rendered tree.
type State struct {
	Chart        string `json:"chart"`
	Milvus       string `json:"milvus"`
	Coordinators string `json:"coordinators"`
	MessageQueue string `json:"messageQueue"`
}

// StateOf is the state a spec renders.
func StateOf(s *model.Spec) State {
	co := s.Milvus.Coordinators
	if co == "" {
		co = model.CoordinatorsMix
	}
	return State{Chart: s.Milvus.ChartVersion, Milvus: MilvusVersion(s), Coordinators: co, MessageQueue: s.Milvus.MessageQueue}
}

// Refusal is a change the upgrade rules forbid: the spec field that makes
// it, why, and the path to take instead.
type Refusal struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Fix    string `json:"fix"`
}

func (r Refusal) String() string { return r.Path + ": " + r.Reason + "; " + r.Fix }

// Check applies the upgrade rules to a change from one state to another
// and returns every refusal (none for a legal change or no version
// change). Rules: no downgrade; the message queue stays while the version
// moves; a minor with a stepping stone is reached only from that stone
// (version and coordinator layout); no minor is skipped.
func Check(from, to State) []Refusal {
	if from.Milvus == "" || to.Milvus == "" || from.Milvus == to.Milvus {
		return nil
	}
	var out []Refusal
	if Less(to.Milvus, from.Milvus) {
		return []Refusal{{"milvus.version", fmt.Sprintf("Milvus %s → %s is a downgrade, which Milvus does not support (metadata %s wrote may not be readable by %s)", from.Milvus, to.Milvus, from.Milvus, to.Milvus),
			fmt.Sprintf("keep %s, or restore a backup taken on %s into a new cluster", from.Milvus, to.Milvus)}}
	}
	if from.MessageQueue != "" && to.MessageQueue != "" && from.MessageQueue != to.MessageQueue {
		out = append(out, Refusal{"milvus.messageQueue", fmt.Sprintf("the message queue changes (%s → %s) in the same change as the Milvus version (%s → %s)", from.MessageQueue, to.MessageQueue, from.Milvus, to.Milvus),
			fmt.Sprintf("keep messageQueue: %q through the upgrade; Milvus 2.6 cannot switch its WAL (milvus-io/milvus#42798)", from.MessageQueue)})
	}
	fm, tm := Minor(from.Milvus), Minor(to.Milvus)
	if fm == tm {
		return out
	}
	for _, st := range Steps() {
		stoneMinor := Minor(st.From)
		// The rule guards every move that reaches st.To or beyond from
		// below st.To.
		if Less(to.Milvus, st.To+".0") || !Less(from.Milvus, st.To+".0") {
			continue
		}
		switch {
		case fm != stoneMinor || tm != st.To:
			out = append(out, Refusal{"milvus.version", fmt.Sprintf("Milvus %s → %s jumps past the stepping stone %s: %s is reached only from %s or later", from.Milvus, to.Milvus, st.From, st.To, st.From),
				fmt.Sprintf("upgrade to %s first (%s); see `milvusgen upgrade plan --to %s`", st.From, chartsFor(st.From), to.Milvus)})
		case Less(from.Milvus, st.From):
			out = append(out, Refusal{"milvus.version", fmt.Sprintf("Milvus %s → %s: %s is reached only from %s or later", from.Milvus, to.Milvus, st.To, st.From),
				fmt.Sprintf("upgrade to %s first (%s), check it, then move to %s; see `milvusgen upgrade plan --to %s`", st.From, chartsFor(st.From), to.Milvus, to.Milvus)})
		case from.Coordinators != "" && from.Coordinators != st.Coordinators:
			out = append(out, Refusal{"milvus.coordinators", fmt.Sprintf("Milvus %s → %s: the cluster runs %s coordinators; %s is reached only from %s", from.Milvus, to.Milvus, from.Coordinators, st.To, st.Coordinators),
				fmt.Sprintf("set milvus.coordinators: %q on %s first, check it, then move to %s", st.Coordinators, from.Milvus, to.Milvus)})
		}
	}
	return out
}

// StateOfValues reads the state a rendered Milvus release installs: the
// chart version and its values (image.all.tag, mixCoordinator.enabled,
// the queue flags as render/values writes them). ok is false when the
// chart is not one of the table's and the values name no version.
func StateOfValues(chart string, values map[string]any) (State, bool) {
	st := State{Chart: chart, Coordinators: "mixCoordinator"}
	if c, ok := Lookup(chart); ok {
		st.Milvus = c.Milvus
	}
	if all, ok := values["image"].(map[string]any); ok {
		if a, ok := all["all"].(map[string]any); ok {
			if tag, ok := a["tag"].(string); ok && Valid(strings.TrimPrefix(tag, "v")) {
				st.Milvus = strings.TrimPrefix(tag, "v")
			}
		}
	}
	on := func(key string) (bool, bool) {
		m, ok := values[key].(map[string]any)
		if !ok {
			return false, false
		}
		b, ok := m["enabled"].(bool)
		return b, ok
	}
	if b, ok := on("mixCoordinator"); ok && !b {
		st.Coordinators = "separate"
	}
	switch {
	case first(on("externalKafka")):
		st.MessageQueue = model.ExternalKafka
	case first(on("kafka")):
		st.MessageQueue = "kafka"
	case first(on("woodpecker")):
		st.MessageQueue = "woodpecker"
	default:
		if b, ok := on("pulsarv3"); b || !ok {
			st.MessageQueue = "pulsar"
		}
	}
	return st, st.Milvus != ""
}

func first(a, _ bool) bool { return a }
