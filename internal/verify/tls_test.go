package verify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/milvusgen/milvusgen/internal/model"

	"github.com/milvusgen/milvusgen/internal/verify/milvustest"
)

// pki is a CA with a server certificate for 127.0.0.1 and a client
// certificate, as PEM.
type pki struct {
	ca, serverCert, serverKey, clientCert, clientKey []byte
	pool                                             *x509.CertPool
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	key := func() (*ecdsa.PrivateKey, []byte) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return k, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	}
	cert := func(tmpl, parent *x509.Certificate, pub, signer any) ([]byte, *x509.Certificate) {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), c
	}
	now := time.Now()
	caKey, _ := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	p := &pki{}
	var ca *x509.Certificate
	p.ca, ca = cert(caTmpl, caTmpl, &caKey.PublicKey, caKey)
	sk, skPEM := key()
	p.serverCert, _ = cert(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "milvus"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, &sk.PublicKey, caKey)
	p.serverKey = skPEM
	ck, ckPEM := key()
	p.clientCert, _ = cert(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "verify"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, &ck.PublicKey, caKey)
	p.clientKey = ckPEM
	p.pool = x509.NewCertPool()
	p.pool.AddCert(ca)
	return p
}

func (p *pki) server(t *testing.T, mutual bool) grpc.ServerOption {
	pair, err := tls.X509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	if mutual {
		// Milvus's tlsMode 2: client certificates signed by ca.crt.
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, p.pool
	}
	return grpc.Creds(credentials.NewTLS(cfg))
}

// TLS modes 1 and 2 of the spec: the proxies' certificate is checked
// against the CA; mode 2 presents the client certificate.
func TestTLS(t *testing.T) {
	p := newPKI(t)
	for _, mode := range []int{1, 2} {
		tg := runbookTarget(t, func(s *model.Spec) { s.Milvus.TLS = model.TLS{Mode: mode, SecretName: "milvus-tls"} })
		m := milvustest.New(testPassword)
		addr := serve(t, m, p.server(t, mode == 2))
		o := testOptions(tg, addr)
		o.TLSCA = p.ca
		if mode == 2 {
			o.TLSCert, o.TLSKey = p.clientCert, p.clientKey
		}
		r := Run(context.Background(), o)
		if err := r.Err(); err != nil {
			t.Fatalf("mode %d: %v", mode, err)
		}
		if s := stepOf(r, "credentials"); !strings.Contains(s.Detail, "TLS mode") {
			t.Errorf("mode %d: credentials %q", mode, s.Detail)
		}
	}

	// Another CA: the proxies' certificate is refused at connect.
	other := newPKI(t)
	tg := runbookTarget(t, func(s *model.Spec) { s.Milvus.TLS = model.TLS{Mode: 1, SecretName: "milvus-tls"} })
	addr := serve(t, milvustest.New(testPassword), p.server(t, false))
	o := testOptions(tg, addr)
	o.TLSCA, o.Timeout = other.ca, 5*time.Second
	if err := Run(context.Background(), o).Err(); err == nil || !strings.Contains(err.Error(), `step "connect"`) ||
		!strings.Contains(err.Error(), "certificate") {
		t.Errorf("wrong CA: %v", err)
	}

	// Mode 2 without a client certificate is refused before connecting.
	tg = runbookTarget(t, func(s *model.Spec) { s.Milvus.TLS = model.TLS{Mode: 2, SecretName: "milvus-tls"} })
	o = testOptions(tg, addr)
	o.TLSCA = p.ca
	if err := Run(context.Background(), o).Err(); err == nil || !strings.Contains(err.Error(), `step "credentials"`) ||
		!strings.Contains(err.Error(), "--tls-cert FILE --tls-key FILE") {
		t.Errorf("mode 2 without a client certificate: %v", err)
	}
}

// TLS mode 1 with a publicly issued certificate: no --tls-ca and no ca.crt
// to read, the proxies' certificate is checked against the system roots
// (here a pool holding the test CA), never accepted unchecked.
func TestTLSSystemRoots(t *testing.T) {
	p := newPKI(t)
	tg := runbookTarget(t, func(s *model.Spec) { s.Milvus.TLS = model.TLS{Mode: 1, SecretName: "milvus-tls"} })
	addr := serve(t, milvustest.New(testPassword), p.server(t, false))

	o := testOptions(tg, addr)
	o.SystemRoots = p.pool
	r := Run(context.Background(), o)
	if err := r.Err(); err != nil {
		t.Fatalf("system roots holding the CA: %v", err)
	}
	if s := stepOf(r, "credentials"); !strings.Contains(s.Detail, "CA from the system roots (no --tls-ca and no cluster access)") {
		t.Errorf("credentials: %q", s.Detail)
	}

	// System roots without the CA: refused at connect, saying where the CA
	// came from and how to give one.
	o = testOptions(tg, addr)
	o.SystemRoots, o.Timeout = newPKI(t).pool, 5*time.Second
	err := Run(context.Background(), o).Err()
	if err == nil || !strings.Contains(err.Error(), `step "connect"`) || !strings.Contains(err.Error(), "checked against the system roots") ||
		!strings.Contains(err.Error(), "pass --tls-ca FILE") {
		t.Errorf("system roots without the CA: %v", err)
	}
}
