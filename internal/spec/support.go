package spec

import "time"

// Support is a Kubernetes version's EKS support on a day.
type Support int

// Support states, in the order a version passes through them.
const (
	// UnknownVersion is a version the table does not hold.
	UnknownVersion Support = iota
	// StandardSupport is billed at the standard control-plane price.
	StandardSupport
	// ExtendedSupport is billed at the extended price.
	ExtendedSupport
	// EndOfSupport is past extended support: EKS upgrades it on its own.
	EndOfSupport
)

// KubernetesSupport says where a Kubernetes version is in EKS's support
// windows on day, from the schema's one table of versions (#Compatibility).
// The cost estimate prices the control plane by it.
func KubernetesSupport(version string, day time.Time) Support {
	s, ok := compat().Kubernetes[version]
	if !ok {
		return UnknownVersion
	}
	ok, extended := s.supportedOn(day)
	switch {
	case !ok:
		return EndOfSupport
	case extended:
		return ExtendedSupport
	}
	return StandardSupport
}
