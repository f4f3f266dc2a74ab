// Package kubeconfig puts client-go's kubeconfig loading behind the
// bounded reader (internal/input): client-go reads the kubeconfig files
// and the certificate files they name with plain reads, so /dev/zero or a
// FIFO there would hang or exhaust it.
package kubeconfig

import (
	"errors"
	"io/fs"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/milvusgen/milvusgen/internal/input"
)

// Check reads every kubeconfig file rules would load through the bounded
// reader, before client-go does: a device, a silent FIFO or an oversize
// file is refused with its path. Missing files are left to client-go,
// which skips them as kubectl does (an explicit path that is missing is
// its error too).
func Check(rules *clientcmd.ClientConfigLoadingRules) error {
	paths := rules.GetLoadingPrecedence()
	if rules.ExplicitPath != "" {
		paths = []string{rules.ExplicitPath}
	}
	for _, p := range paths {
		if _, err := input.ReadFile(p, input.Kubeconfig); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return input.Named("kubeconfig", err)
		}
	}
	return nil
}

// Inline reads the certificate and key files cfg names through the
// bounded reader and puts their bytes in cfg, so client-go does not read
// them again. A token file is only checked: client-go rereads it as it
// rotates.
func Inline(cfg *rest.Config) error {
	for _, f := range []struct {
		path *string
		data *[]byte
		what string
	}{
		{&cfg.TLSClientConfig.CAFile, &cfg.TLSClientConfig.CAData, "kubeconfig certificate-authority"},
		{&cfg.TLSClientConfig.CertFile, &cfg.TLSClientConfig.CertData, "kubeconfig client-certificate"},
		{&cfg.TLSClientConfig.KeyFile, &cfg.TLSClientConfig.KeyData, "kubeconfig client-key"},
	} {
		if *f.path == "" {
			continue
		}
		data, err := input.ReadFile(*f.path, input.PEM)
		if err != nil {
			return input.Named(f.what, err)
		}
		if len(*f.data) == 0 {
			*f.data = data
		}
		*f.path = ""
	}
	if cfg.BearerTokenFile != "" {
		if _, err := input.ReadFile(cfg.BearerTokenFile, input.PEM); err != nil {
			return input.Named("kubeconfig token file", err)
		}
	}
	return nil
}
