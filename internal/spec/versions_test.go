package spec

import (
	"strings"
	"testing"
	"time"

	"github.com/milvusgen/milvusgen/internal/spec/spectest"
)

// TestKubernetesSupport judges versions on pinned dates: the advice is
// always a version in standard support on that date (or none), a version
// nearing its end of standard support is warned about, and with
// SupportWarnings nothing date-dependent is an error.
func TestKubernetesSupport(t *testing.T) {
	date := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, tc := range []struct {
		name, version, today string
		warnOnly             bool
		wantErr, wantWarn    string // substrings; "" wants none
		never                string // a substring no message may hold
	}{
		{name: "default today", version: "", today: "2026-12-01"},
		{name: "1.34 a day before its end", version: "1.34", today: "2026-12-01",
			wantWarn: `Kubernetes 1.34 leaves EKS standard support on 2026-12-02 (in 1 day); extended support then bills six times the standard control plane price; plan the upgrade to "1.35"`},
		{name: "1.34 in extended support", version: "1.34", today: "2026-12-02",
			wantWarn: `Kubernetes 1.34 is in EKS extended support (standard support ended 2026-12-02, extended ends 2027-12-02), billed at six times the standard control plane price; use "1.35", the newest version in EKS standard support on 2026-12-02`},
		{name: "1.35 nearing its end", version: "1.35", today: "2027-02-01",
			wantWarn: "Kubernetes 1.35 leaves EKS standard support on 2027-03-27 (in 54 days); extended support then bills six times the standard control plane price; no newer version this milvusgen knows is in standard support then; upgrade milvusgen"},
		{name: "1.35 well within support", version: "1.35", today: "2027-01-01"},
		// Past 1.35's extended support nothing milvusgen knows is
		// supported: it must not advise 1.35 (or 1.34).
		{name: "1.35 expired", version: "1.35", today: "2028-04-01",
			wantErr: "Kubernetes 1.35 left EKS extended support on 2028-03-27, so EKS can no longer create it and upgrades existing clusters automatically; no version this milvusgen knows is in EKS standard support on 2028-04-01; upgrade milvusgen for a newer one",
			never:   `use "1.3`},
		{name: "1.31 expired, 1.34 not advised", version: "1.31", today: "2026-12-02",
			wantErr: `use "1.35", the newest version in EKS standard support on 2026-12-02`, never: `"1.34"`},
		{name: "unknown version on a late date", version: "1.99", today: "2028-04-01",
			wantErr: "no version this milvusgen knows is in EKS standard support on 2028-04-01", never: `use "1.3`},
		{name: "expired, check mode", version: "1.35", today: "2028-12-01", warnOnly: true,
			wantWarn: "Kubernetes 1.35 left EKS extended support on 2028-03-27"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := spectest.Base
			if tc.version != "" {
				text = strings.Replace(text, "  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n  kubernetesVersion: \""+tc.version+"\"\n", 1)
			}
			res, err := Load([]Source{{Name: "spec.yaml", Data: []byte(text)}}, Options{Today: date(tc.today), SupportWarnings: tc.warnOnly})
			var msgs []string
			if err != nil {
				msgs = append(msgs, err.Error())
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %s", details(err))
			case tc.wantErr != "" && err == nil:
				t.Fatalf("no error, want %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(details(err), tc.wantErr):
				t.Errorf("error %s, want %q", details(err), tc.wantErr)
			}
			var warns []string
			if res != nil {
				for _, w := range res.Warnings {
					if strings.Contains(w.Error(), "kubernetesVersion") {
						warns = append(warns, w.Error())
					}
				}
			}
			msgs = append(msgs, warns...)
			switch {
			case tc.wantWarn == "" && len(warns) > 0:
				t.Errorf("unexpected warnings %q", warns)
			case tc.wantWarn != "" && (len(warns) != 1 || !strings.Contains(warns[0], tc.wantWarn)):
				t.Errorf("warnings %q, want one with %q", warns, tc.wantWarn)
			}
			for _, m := range msgs {
				if tc.never != "" && strings.Contains(m, tc.never) {
					t.Errorf("message %q advises %s", m, tc.never)
				}
			}
		})
	}
}

// TestDefaultKubernetesVersion: the schema's default is the constant, in
// standard support on the day it was chosen, and no newer than eksctl
// v0.230.0 knows.
func TestDefaultKubernetesVersion(t *testing.T) {
	res, err := Load([]Source{{Name: "spec.yaml", Data: []byte(spectest.Base)}}, Options{})
	if err != nil {
		t.Fatal(details(err))
	}
	if got := res.Spec.Cluster.KubernetesVersion; got != DefaultKubernetesVersion {
		t.Errorf("schema default %q, DefaultKubernetesVersion %q", got, DefaultKubernetesVersion)
	}
	if got := suggestVersion(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); got != DefaultKubernetesVersion {
		t.Errorf("newest version in standard support on 2026-12-01 = %q, want the default %q", got, DefaultKubernetesVersion)
	}
	if minorOf(DefaultKubernetesVersion) > minorOf(newestEksctlKubernetes) {
		t.Errorf("default %s is newer than eksctl v0.230.0 knows (%s)", DefaultKubernetesVersion, newestEksctlKubernetes)
	}
}
