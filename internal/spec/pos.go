package spec

import (
	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"
)

// Pos is where the user's files set the dotted spec path
// ("storage.policyName"), and whether they set it at all. When they did not,
// the position is that of the closest ancestor they wrote, so an error about
// a default still points into the right file. Callers that compare many
// specs (fleets) use it to say which file set a colliding value.
func (r *Result) Pos(path string) (token.Pos, bool) {
	// The user's value lives in the shared context; see Load.
	sc := compiled()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !r.user.Exists() {
		return token.NoPos, false
	}
	p := splitPath(path)
	set := r.user.LookupPath(cue.MakePath(selectors(p)...)).Exists()
	return posOf(r.user, p, r.first), set
}
