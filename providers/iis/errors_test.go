package iis

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/providers"
)

const secret = "Pa55-w0rd!x"

func TestClassify(t *testing.T) {
	opErr := func(errno syscall.Errno) error {
		return &url.Error{Op: "Post", URL: "http://127.0.0.1:5985/wsman", Err: &net.OpError{
			Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}}
	}
	tests := []struct {
		name       string
		conn       providers.Connection
		err        error
		wantKind   providers.Kind
		wantRemedy string
	}{
		{"refused", providers.Connection{Port: 5985}, opErr(syscall.ECONNREFUSED),
			providers.KindUnreachable, "WinRM listens on port 5985"},
		{"no route", providers.Connection{}, opErr(syscall.EHOSTUNREACH),
			providers.KindUnreachable, "no route"},
		{"network unreachable", providers.Connection{}, opErr(syscall.ENETUNREACH),
			providers.KindUnreachable, "no route"},
		{"dns", providers.Connection{}, &net.DNSError{Err: "no such host", Name: "mail01"},
			providers.KindUnreachable, "does not resolve"},
		{"deadline", providers.Connection{}, fmt.Errorf("read: %w", context.DeadlineExceeded),
			providers.KindUnreachable, "raise the timeout"},
		{"header timeout", providers.Connection{}, &url.Error{Op: "Post", URL: "u",
			Err: timeoutErr{}}, providers.KindUnreachable, "raise the timeout"},
		{"basic 401", providers.Connection{Auth: "basic"},
			errors.New("http response error: 401 - invalid content type"),
			providers.KindAuth, `auth = "ntlm"`},
		{"ntlm 401", providers.Connection{Auth: "ntlm"},
			errors.New("http response error: 401 - invalid content type"),
			providers.KindAuth, `DOMAIN\user`},
		{"unknown CA", providers.Connection{HTTPS: true},
			&url.Error{Op: "Post", URL: "u", Err: x509.UnknownAuthorityError{}},
			providers.KindFailed, "ca_file"},
		{"wrong name", providers.Connection{HTTPS: true},
			&url.Error{Op: "Post", URL: "u", Err: x509.HostnameError{
				Certificate: &x509.Certificate{}, Host: "10.0.0.5"}},
			providers.KindFailed, "tls_server_name"},
		{"plain HTTP port", providers.Connection{HTTPS: true, Port: 5985},
			errors.New("tls: first record does not look like a TLS handshake"),
			providers.KindFailed, "https = false"},
		{"fault", providers.Connection{}, errors.New("http error 500: <s:Fault>"),
			providers.KindFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			he := classify("mail01", tt.conn, tt.err)
			if he.Kind != tt.wantKind || !strings.Contains(he.Remedy, tt.wantRemedy) ||
				he.Host != "mail01" {
				t.Errorf("wrong result\ngot: %s, remedy %q\nwant: %s, remedy %q",
					he.Kind, he.Remedy, tt.wantKind, tt.wantRemedy)
			}
		})
	}
}

func TestClassify_brief(t *testing.T) {
	// wrapped is a failure as masterzen/winrm and our steps wrap it.
	wrapped := func(inner error) error {
		return fmt.Errorf("connect to 127.0.0.6: open a shell: %w",
			fmt.Errorf("unknown error %w", &url.Error{Op: "Post",
				URL: "https://127.0.0.6:5986/wsman", Err: inner}))
	}
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 6), Port: 5986}
	tests := []struct {
		name  string
		err   error
		want  string
		cause error
	}{
		{"refused", wrapped(&net.OpError{Op: "dial", Net: "tcp", Addr: addr,
			Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
			"dial tcp 127.0.0.6:5986: connection refused", syscall.ECONNREFUSED},
		{"no route", wrapped(&net.OpError{Op: "dial", Net: "tcp", Addr: addr,
			Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}),
			"dial tcp 127.0.0.6:5986: no route to host", syscall.EHOSTUNREACH},
		{"timeout", wrapped(&net.OpError{Op: "dial", Net: "tcp", Addr: addr,
			Err: timeoutErr{}}),
			"dial tcp 127.0.0.6:5986: net/http: timeout awaiting response headers", nil},
		{"dns", wrapped(&net.DNSError{Err: "no such host", Name: "mail01"}),
			"lookup mail01: no such host", nil},
		{"auth keeps its text", errors.New("http response error: 401 - invalid content type"),
			"http response error: 401 - invalid content type", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			he := classify("mail01", providers.Connection{Password: secret}, tt.err)
			if got := he.Err.Error(); got != tt.want {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
			if tt.cause != nil && !errors.Is(he, tt.cause) {
				t.Errorf("wrong result\ngot:  %v does not unwrap to %v\nwant: it does", he,
					tt.cause)
			}
		})
	}
}

// timeoutErr is a net.Error that timed out, like net/http's header timeout.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "net/http: timeout awaiting response headers" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassify_redactsPassword(t *testing.T) {
	conn := providers.Connection{Password: secret}
	err := classify("mail01", conn, fmt.Errorf("dial user:%s@host: %w", secret,
		errors.New("refused")))
	text := err.Error()
	if strings.Contains(text, secret) || !strings.Contains(text, "(sensitive value)") {
		t.Errorf("wrong result\ngot: %s\nwant: the password replaced", err)
	}
	if u := errors.Unwrap(err); u != nil && strings.Contains(fmt.Sprint(u), secret) {
		t.Errorf("the unwrapped error still holds the password: %v", u)
	}
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// hostFor returns a host that connects to the server at rawURL.
func hostFor(t *testing.T, rawURL string, conn providers.Connection) providers.Host {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn.Port, _ = strconv.Atoi(u.Port())
	conn.Username, conn.Password = "administrator", secret
	conn.Timeout = 30 * time.Second
	return providers.Host{Name: "mail01", Address: u.Hostname(), Connection: conn}
}

// TestOpen_realSockets checks failure classification against real loopback
// servers: nothing listening, a server refusing the credentials, TLS
// certificates not trusted or not matching, and a server that never answers.
func TestOpen_realSockets(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="WSMAN"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer refuse.Close()
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw})

	// silent accepts connections and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	tests := []struct {
		name       string
		host       providers.Host
		ctxTimeout time.Duration
		wantKind   providers.Kind
		wantRemedy string
	}{
		{"nothing listening",
			hostFor(t, "http://127.0.0.1:"+strconv.Itoa(freePort(t)), providers.Connection{}),
			0, providers.KindUnreachable, "WinRM listens"},
		{"credentials refused", hostFor(t, refuse.URL, providers.Connection{}), 0,
			providers.KindAuth, "username and password"},
		{"credentials refused over NTLM", hostFor(t, refuse.URL,
			providers.Connection{Auth: "ntlm"}), 0, providers.KindAuth, "username and password"},
		{"untrusted certificate", hostFor(t, tlsSrv.URL, providers.Connection{HTTPS: true}), 0,
			providers.KindFailed, "ca_file"},
		{"certificate for another name", hostFor(t, tlsSrv.URL, providers.Connection{
			HTTPS: true, CACert: caPEM, TLSServerName: "mail01.corp.example"}), 0,
			providers.KindFailed, "tls_server_name"},
		{"HTTPS to a plain port", hostFor(t, refuse.URL, providers.Connection{HTTPS: true}), 0,
			providers.KindFailed, "https = false"},
		{"no answer before the deadline",
			hostFor(t, "http://"+silent.Addr().String(), providers.Connection{}),
			200 * time.Millisecond, providers.KindUnreachable, "did not answer in time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}
			s, err := New().Open(ctx, tt.host)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			var he *providers.HostError
			if !errors.As(err, &he) || he.Kind != tt.wantKind ||
				!strings.Contains(he.Remedy, tt.wantRemedy) {
				t.Errorf("wrong error\ngot: %v (remedy %q)\nwant: %s, remedy %q",
					err, remedyOf(err), tt.wantKind, tt.wantRemedy)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(he.Remedy, secret) {
				t.Errorf("the error holds the password: %v", err)
			}
		})
	}
}

// TestOpen_unreachableText checks the whole text of a refused connection
// over a real socket: the cause, without the client library's wrapping.
func TestOpen_unreachableText(t *testing.T) {
	port := freePort(t)
	for _, https := range []bool{false, true} {
		t.Run(fmt.Sprintf("https=%v", https), func(t *testing.T) {
			host := hostFor(t, "http://127.0.0.1:"+strconv.Itoa(port),
				providers.Connection{HTTPS: https})
			s, err := New().Open(context.Background(), host)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			want := fmt.Sprintf("mail01: unreachable: dial tcp 127.0.0.1:%d: connection refused",
				port)
			if err.Error() != want || !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("wrong result\ngot:  %v\nwant: %s", err, want)
			}
		})
	}
}

func remedyOf(err error) string {
	var he *providers.HostError
	if errors.As(err, &he) {
		return he.Remedy
	}
	return ""
}

func TestOpen_badSettings(t *testing.T) {
	base := providers.Host{Name: "mail01", Address: "127.0.0.1"}
	tests := []struct {
		name    string
		mutate  func(*providers.Host)
		wantErr string
	}{
		{"no address", func(h *providers.Host) { h.Address = "" }, "set address"},
		{"bad auth", func(h *providers.Host) { h.Connection.Auth = "kerberos" },
			`write "basic" or "ntlm"`},
		{"operation timeout too long", func(h *providers.Host) {
			h.Connection.Timeout, h.Connection.OperationTimeout = 10*time.Second, 10*time.Second
		}, "operation_timeout (10s) must be shorter than timeout (10s)"},
		{"bad CA", func(h *providers.Host) { h.Connection.CACert = []byte("junk") },
			"ca_file holds no PEM certificate"},
		{"bad method", func(h *providers.Host) { h.Method = "xml" }, `"auto", "mdutil"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := base
			tt.mutate(&h)
			_, err := New().Open(context.Background(), h)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("wrong error\ngot: %v\nwant text: %s", err, tt.wantErr)
			}
		})
	}
}

func TestIsoDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		20 * time.Second: "PT20S", 1500 * time.Millisecond: "PT1.5S", time.Minute: "PT60S",
	} {
		if got := isoDuration(d); got != want {
			t.Errorf("wrong result for %s\ngot: %s\nwant: %s", d, got, want)
		}
	}
}
