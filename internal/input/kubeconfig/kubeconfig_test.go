package kubeconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "config")
	os.WriteFile(good, []byte("apiVersion: v1\nkind: Config\n"), 0o600)
	for _, tc := range []struct {
		explicit, env string
		want          string
	}{
		{explicit: good},
		{explicit: "/dev/zero", want: "reading kubeconfig /dev/zero failed: it is a character device"},
		{env: good + string(filepath.ListSeparator) + "/dev/zero", want: "reading kubeconfig /dev/zero failed"},
		{env: filepath.Join(dir, "missing")}, // client-go skips missing files, as kubectl does
	} {
		t.Setenv("KUBECONFIG", tc.env)
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		rules.ExplicitPath = tc.explicit
		err := Check(rules)
		if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Check(%q, KUBECONFIG=%q) = %v, want %q", tc.explicit, tc.env, err, tc.want)
		}
	}
}

func TestInline(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n"), 0o600)
	cfg := &rest.Config{TLSClientConfig: rest.TLSClientConfig{CAFile: ca}}
	if err := Inline(cfg); err != nil || cfg.CAFile != "" || string(cfg.CAData) != "-----BEGIN CERTIFICATE-----\n" {
		t.Errorf("Inline = %v, CAFile %q, CAData %q", err, cfg.CAFile, cfg.CAData)
	}
	cfg = &rest.Config{TLSClientConfig: rest.TLSClientConfig{KeyFile: "/dev/zero"}}
	if err := Inline(cfg); err == nil || !strings.Contains(err.Error(), "reading kubeconfig client-key /dev/zero failed: it is a character device") {
		t.Errorf("Inline with a key file /dev/zero = %v", err)
	}
}
