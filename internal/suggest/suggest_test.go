package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3},
		{"ouput", "output", 1}, {"kitten", "sitting", 3}, {"replicas", "replcias", 2},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestClose(t *testing.T) {
	for _, tc := range []struct {
		d, n int
		want bool
	}{{2, 3, true}, {3, 3, false}, {3, 9, true}, {4, 9, false}} {
		if got := Close(tc.d, tc.n); got != tc.want {
			t.Errorf("Close(%d, %d) = %v, want %v", tc.d, tc.n, got, tc.want)
		}
	}
}
