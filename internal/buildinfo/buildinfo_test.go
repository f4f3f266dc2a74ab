package buildinfo

import (
	"os"
	"regexp"
	"testing"
)

func TestReleaseVersion(t *testing.T) {
	for _, tc := range []struct{ module, want string }{
		{"v1.2.3", "v1.2.3"},
		{"v2.0.0-rc.1", "v2.0.0-rc.1"},
		{"v1.2.3+incompatible", "v1.2.3"},
		{"v1.2.3+dirty", Dev},
		{"(devel)", Dev},
		{"", Dev},
		{"v0.0.0-20261201021000-7fef97b1a2b3", Dev},
		{"v0.0.0-20261201021000-7fef97b1a2b3+dirty", Dev},
		{"v1.2.4-0.20261201021000-7fef97b1a2b3", Dev},
		{"v1.3.0-rc.1.0.20261201021000-7fef97b1a2b3", Dev},
	} {
		if got := releaseVersion(tc.module); got != tc.want {
			t.Errorf("releaseVersion(%q) = %q, want %q", tc.module, got, tc.want)
		}
	}
	release = "v9.9.9"
	defer func() { release = "" }()
	if got := releaseVersion("(devel)"); got != "v9.9.9" {
		t.Errorf("with -X release: %q", got)
	}
}

func TestRead(t *testing.T) {
	info := Read()
	if info.Go == "" {
		t.Error("no Go version")
	}
	// Deps holds only linked modules: cmd/milvusgen's tests check them.
	if Version() != Dev {
		t.Errorf("a test binary's version is %q, want %q", Version(), Dev)
	}
}

func TestEksctlCheckedMatchesGoMod(t *testing.T) {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(Eksctl) + `\s+(\S+)`).FindSubmatch(data)
	if m == nil || string(m[1]) != EksctlChecked {
		t.Errorf("go.mod requires %s %q, EksctlChecked is %q", Eksctl, m, EksctlChecked)
	}
}
