package model

// How a Milvus component's replicas are spread over nodes and zones under
// highAvailability (milvus.spread).
const (
	// SpreadRequired: a node or zone never holds two more replicas of a
	// component than another (topology spread, DoNotSchedule).
	SpreadRequired = "required"
	// SpreadPreferred: as even as free room allows (ScheduleAnyway).
	SpreadPreferred = "preferred"
)

// LoadReplicas is the number of in-memory replicas a collection is loaded
// with when the load names none: dataset.replicas when a dataset is given
// (the schema defaults it to milvus.inMemoryReplicas), else
// milvus.inMemoryReplicas; for a spec built without the schema, 2 under
// highAvailability and 1 without.
func (s *Spec) LoadReplicas() int {
	switch m := s.Milvus; {
	case m.Dataset != nil && m.Dataset.Replicas > 0:
		return m.Dataset.Replicas
	case m.InMemoryReplicas > 0:
		return m.InMemoryReplicas
	case m.HighAvailability:
		return 2
	}
	return 1
}

// StrictSpread reports whether the Milvus components' replicas are spread
// with DoNotSchedule: under highAvailability, unless milvus.spread is
// "preferred".
func (s *Spec) StrictSpread() bool {
	return s.Milvus.HighAvailability && s.Milvus.Spread != SpreadPreferred
}
