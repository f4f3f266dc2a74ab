// Package suggest finds the name a user probably meant, for "did you mean"
// hints on misspelt spec fields and command-line flags.
package suggest

// Distance is the Levenshtein edit distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Close reports whether a name d edits away from what the user typed (n
// bytes long) is near enough to be what they meant: two edits, or a third
// of the word for longer ones.
func Close(d, n int) bool { return d <= max(2, n/3) }
