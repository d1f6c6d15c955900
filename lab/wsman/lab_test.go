package wsman

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testUser and testPassword are the account of every test lab.
const (
	testUser     = "Administrator"
	testPassword = "Secr3t-pass!"
)

// testRunner is a tiny cmd.exe stand-in. A line is steps joined by " & ":
//
//	echo TEXT      TEXT and CRLF to stdout
//	err TEXT       TEXT and CRLF to stderr
//	exit N         stop with exit code N
//	sleep DUR      wait DUR (time.ParseDuration) or until cancelled
//	cat            copy stdin to stdout until EOF
//	big N          N bytes of a repeating pattern to stdout
//	line           the whole command line and CRLF to stdout
//	panic          panic
//
// Anything else fails like cmd.exe does for an unknown program. A cancelled
// step ends the line with exit code 1.
type testRunner struct {
	// started, when not nil, receives every command line as it starts.
	started chan string
}

// Run implements Runner.
func (tr *testRunner) Run(ctx context.Context, cmdline string, stdin io.Reader,
	stdout, stderr io.Writer) int {

	if tr.started != nil {
		tr.started <- cmdline
	}
	for _, step := range strings.Split(cmdline, " & ") {
		verb, arg, _ := strings.Cut(strings.TrimSpace(step), " ")
		switch strings.ToLower(verb) {
		case "echo":
			fmt.Fprintf(stdout, "%s\r\n", arg)
		case "err":
			fmt.Fprintf(stderr, "%s\r\n", arg)
		case "exit":
			n, _ := strconv.Atoi(arg)
			return n
		case "sleep":
			d, _ := time.ParseDuration(arg)
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return 1
			}
		case "cat":
			if _, err := io.Copy(stdout, stdin); err != nil {
				fmt.Fprintf(stderr, "%v\r\n", err)
				return 1
			}
		case "big":
			n, _ := strconv.Atoi(arg)
			_, _ = stdout.Write(pattern(n))
		case "line":
			fmt.Fprintf(stdout, "%s\r\n", cmdline)
		case "panic":
			panic("test runner told to panic")
		default:
			fmt.Fprintf(stderr, "'%s' is not recognized as an internal or external command,"+
				"\r\noperable program or batch file.\r\n", verb)
			return 1
		}
	}
	return 0
}

// pattern returns n bytes cycling through printable characters, so that a
// lost or reordered chunk shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('!' + i%89)
	}
	return b
}

// lab is one running Handler behind a real listener on 127.0.0.1.
type lab struct {
	h      *Handler
	host   string
	port   int
	https  bool
	caPEM  []byte // the CA that signed the server certificate (HTTPS only)
	runner *testRunner
}

// url is the WinRM endpoint URL of the lab.
func (l *lab) url() string {
	scheme := "http"
	if l.https {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s:%d/wsman", scheme, l.host, l.port)
}

// startLab serves a new Handler over HTTP, or HTTPS with a fresh CA when
// https is true, and stops both when the test ends.
func startLab(t testing.TB, cfg Config, https bool) *lab {
	t.Helper()
	if cfg.Username == "" {
		cfg.Username, cfg.Password = testUser, testPassword
	}
	l := &lab{runner: &testRunner{}, host: "127.0.0.1", https: https}
	l.h = NewHandler(cfg, l.runner)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	l.port = ln.Addr().(*net.TCPAddr).Port

	var tlsConf *tls.Config
	if https {
		var cert tls.Certificate
		l.caPEM, cert = newTestPKI(t)
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	srv := l.h.Server(tlsConf)
	go func() {
		var err error
		if https {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && err != http.ErrServerClosed {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		l.h.Close()
		_ = srv.Close()
	})
	return l
}

// newTestPKI creates a CA and a server certificate for 127.0.0.1 and
// localhost signed by it; it returns the CA in PEM and the server pair.
func newTestPKI(t testing.TB) ([]byte, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("CA key: %v", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "wsman test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatalf("CA certificate: %v", err)
	}
	caCert, _ := x509.ParseCertificate(caDER)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("server key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "winhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatalf("server certificate: %v", err)
	}

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
