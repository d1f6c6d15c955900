package scan

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer serves every connection to a loopback listener with handle,
// and counts the connections.
func fakeServer(t *testing.T, handle func(c net.Conn)) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		n  atomic.Int32
		wg sync.WaitGroup
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	return ln.Addr().String(), &n
}

// hang waits until the client goes away.
func hang(c net.Conn) {
	_, _ = io.Copy(io.Discard, c)
}

// script is a scripted SMTP server: each command's first word, in upper
// case, maps to the raw reply (CRLF-separated lines). Unknown commands get
// a 500. STARTTLS with cert set starts TLS.
type script struct {
	banner  string
	replies map[string]string
	cert    *tls.Certificate
	maxTLS  uint16
	badTLS  bool // answer STARTTLS with 220, then garbage
}

func (s script) serve(c net.Conn) {
	var conn net.Conn = c
	r := bufio.NewReader(conn)
	send := func(reply string) bool {
		_, err := io.WriteString(conn, reply+"\r\n")
		return err == nil
	}
	if !send(s.banner) {
		return
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		name = strings.ToUpper(name)

		switch {
		case name == "QUIT":
			send("221 bye")
			return
		case name == "STARTTLS" && s.badTLS:
			send("220 go ahead")
			// Wait for the ClientHello, then answer with something else.
			_, _ = r.Read(make([]byte, 1))
			_, _ = io.WriteString(conn, "this is not TLS\r\n")
			return
		case name == "STARTTLS" && s.cert != nil:
			send("220 2.0.0 Ready to start TLS")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{*s.cert},
				MinVersion: tls.VersionTLS10, MaxVersion: s.maxTLS})
			if tc.Handshake() != nil {
				return
			}
			conn, r = tc, bufio.NewReader(tc)
			continue
		}

		reply, ok := s.replies[name]
		if !ok {
			reply = "500 5.5.1 Command unrecognized"
		}
		if !send(reply) {
			return
		}
		// A server that accepts TURN becomes the client: this one just stops.
		if (name == "TURN" || name == "ATRN") && strings.HasPrefix(reply, "2") {
			hang(conn)
			return
		}
	}
}

// basicReplies answers like a small ESMTP server with ETRN hidden.
var basicReplies = map[string]string{
	"EHLO": "250-fake.test.example\r\n250-PIPELINING\r\n250 8BITMIME",
	"HELO": "250 fake.test.example",
	"HELP": "214 See RFC 5321",
	"ETRN": "250 Queuing started",
	"VRFY": "252 2.0.0 maybe",
	"EXPN": "502 5.5.1 no",
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestProbe_failures(t *testing.T) {
	quick := Options{Timeout: 300 * time.Millisecond, STARTTLS: true}
	tests := []struct {
		name     string
		handle   func(c net.Conn)
		wantErr  string
		banner   string
		findings []string
	}{
		{"stall before banner", hang, "greeting: no complete reply within 300ms", "", nil},
		{"stall mid banner", func(c net.Conn) {
			_, _ = io.WriteString(c, "220-fake.test.example hello\r\n220-more")
			hang(c)
		}, "greeting: no complete reply within 300ms", "220-fake.test.example hello", nil},
		{"stall mid EHLO", func(c net.Conn) {
			r := bufio.NewReader(c)
			_, _ = io.WriteString(c, "220 fake.test.example ESMTP\r\n")
			_, _ = r.ReadString('\n')
			_, _ = io.WriteString(c, "250-fake.test.example\r\n250-ETRN\r\n")
			hang(c)
		}, "EHLO: no complete reply within 300ms", "220 fake.test.example ESMTP", nil},
		{"421 at greeting", func(c net.Conn) {
			_, _ = io.WriteString(c, "421 4.3.2 Service not available, closing channel\r\n")
		}, "server refused the session: 421 4.3.2 Service not available",
			"421 4.3.2 Service not available, closing channel", nil},
		{"554 at greeting", func(c net.Conn) {
			_, _ = io.WriteString(c, "554 5.7.1 No SMTP service here\r\n")
			hang(c)
		}, "server refused the session: 554", "554 5.7.1 No SMTP service here", nil},
		{"garbage", func(c net.Conn) {
			_, _ = io.WriteString(c, "\x00\x01\x02 HTTP/1.1 400 Bad Request\r\n")
			hang(c)
		}, "greeting: malformed reply line", "", nil},
		{"endless line", func(c net.Conn) {
			junk := strings.Repeat("x", 1024)
			for range 64 {
				if _, err := io.WriteString(c, junk); err != nil {
					return
				}
			}
			hang(c)
		}, "greeting: reply line longer than 4096 bytes", "", nil},
		{"closed after EHLO", func(c net.Conn) {
			r := bufio.NewReader(c)
			_, _ = io.WriteString(c, "220 fake.test.example ESMTP\r\n")
			_, _ = r.ReadString('\n')
			_, _ = io.WriteString(c, "250-fake.test.example\r\n250 TURN\r\n")
		}, "HELP: server closed the connection", "220 fake.test.example ESMTP",
			[]string{"SV-TURN", "SV-NOTLS"}},
		{"421 mid-session", script{banner: "220 fake.test.example ESMTP",
			replies: map[string]string{
				"EHLO": "250-fake.test.example\r\n250 ETRN",
				"HELP": "214 no help",
				"ETRN": "421 4.7.0 fake.test.example Too many errors",
			}}.serve,
			"ETRN test.example: server is closing the session: 421 4.7.0",
			"220 fake.test.example ESMTP", []string{"SV-ETRN", "SV-NOTLS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := fakeServer(t, tt.handle)
			r := Probe(context.Background(), addr, quick)
			if r.Err == nil || !strings.Contains(r.Err.Error(), tt.wantErr) {
				t.Fatalf("wrong error\ngot:  %v\nwant: containing %q\n%s", r.Err, tt.wantErr,
					transcript(r))
			}
			if r.Banner != tt.banner {
				t.Errorf("wrong banner\ngot:  %q\nwant: %q", r.Banner, tt.banner)
			}
			if got := ids(r); !slices.Equal(got, tt.findings) {
				t.Errorf("wrong findings\ngot:  %v\nwant: %v", got, tt.findings)
			}
		})
	}
}

func TestProbe_connectFailure(t *testing.T) {
	r := Probe(context.Background(), closedPort(t), Options{})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "connect to 127.0.0.1:") ||
		r.Server.Family != FamilyUnknown || len(r.Findings) != 0 {
		t.Errorf("wrong result\ngot:  %v %+v %v\nwant: a connect error and nothing else",
			r.Err, r.Server, r.Findings)
	}
}

func TestProbe_scripted(t *testing.T) {
	valid := selfSigned(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	expired := selfSigned(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	withTLS := func(r map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range r {
			out[k] = v
		}
		out["EHLO"] = "250-fake.test.example\r\n250-PIPELINING\r\n250 STARTTLS"
		return out
	}

	tests := []struct {
		name     string
		s        script
		opts     Options
		sessions int32
		findings []string
		check    func(t *testing.T, r *Result)
	}{
		{"hidden ETRN", script{banner: "220 fake.test.example ESMTP", replies: basicReplies},
			Options{}, 1, []string{"SV-ETRN-HIDDEN"}, nil},
		{"EHLO refused", script{banner: "220 fake.test.example Sendmail 8.15.2/8.15.2; ready",
			replies: map[string]string{"EHLO": "502 5.5.2 Error: command not recognized",
				"HELO": "250 fake.test.example", "VRFY": "250 2.1.5 <postmaster@x>"}},
			Options{STARTTLS: true}, 1, []string{"SV-VRFY", "SV-NOTLS"},
			func(t *testing.T, r *Result) {
				if !r.UsedHELO || r.EHLO != nil || r.Server.Family != FamilySendmail ||
					r.Server.Version != "8.15.2" {
					t.Errorf("wrong result\ngot:  HELO %v EHLO %q server %+v", r.UsedHELO,
						r.EHLO, r.Server)
				}
				if !strings.Contains(r.Findings[0].Remedy, "novrfy") {
					t.Errorf("wrong remedy for Sendmail\ngot:  %q", r.Findings[0].Remedy)
				}
			}},
		// ATRN is accepted, so its session is dropped and TURN gets a second.
		{"TURN accepted", script{banner: "220 fake.test.example ESMTP", replies: map[string]string{
			"EHLO": "250-fake.test.example\r\n250 HELP", "HELP": "214 HELO EHLO TURN ETRN",
			"TURN": "250 OK, turning", "ATRN": "250 OK, turning"}},
			Options{}, 2, []string{"SV-TURN-HIDDEN", "SV-ATRN-HIDDEN", "SV-HELP-VERBS"},
			func(t *testing.T, r *Result) {
				want := "S: 214 HELO EHLO TURN ETRN\nC: ETRN test.example\n" +
					"S: 500 5.5.1 Command unrecognized"
				if r.Findings[2].Evidence != want {
					t.Errorf("wrong evidence\ngot:  %q\nwant: %q", r.Findings[2].Evidence, want)
				}
			}},
		{"STARTTLS works", script{banner: "220 fake.test.example ESMTP Postfix",
			replies: withTLS(nil), cert: &valid},
			Options{STARTTLS: true}, 1, nil,
			func(t *testing.T, r *Result) {
				if r.TLS == nil || r.TLS.Version != "TLS 1.3" ||
					r.TLS.Subject != "CN=fake.test.example" || r.TLS.NotAfter.IsZero() ||
					r.TLS.Error != "" {
					t.Errorf("wrong TLS info\ngot:  %+v", r.TLS)
				}
				last := r.Transcript[len(r.Transcript)-1].String()
				if last != "S: 221 bye" {
					t.Errorf("wrong end of transcript\ngot:  %q\nwant: S: 221 bye", last)
				}
			}},
		{"STARTTLS old and expired", script{banner: "220 fake.test.example ESMTP",
			replies: withTLS(nil), cert: &expired, maxTLS: tls.VersionTLS11},
			Options{STARTTLS: true}, 1, []string{"SV-TLS-OLD", "SV-TLS-EXPIRED"}, nil},
		{"STARTTLS broken", script{banner: "220 fake.test.example ESMTP",
			replies: withTLS(nil), badTLS: true},
			Options{STARTTLS: true}, 1, []string{"SV-TLS-FAIL"},
			func(t *testing.T, r *Result) {
				if r.Err != nil || r.TLS == nil || !strings.HasPrefix(r.TLS.Error, "handshake: ") {
					t.Errorf("wrong result\ngot:  err %v TLS %+v", r.Err, r.TLS)
				}
			}},
		{"STARTTLS refused", script{banner: "220 fake.test.example ESMTP",
			replies: withTLS(map[string]string{"STARTTLS": "454 4.7.0 TLS not available"})},
			Options{STARTTLS: true}, 1, []string{"SV-TLS-FAIL"}, nil},
		{"STARTTLS not asked", script{banner: "220 fake.test.example ESMTP",
			replies: withTLS(nil), badTLS: true}, Options{}, 1, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, n := fakeServer(t, tt.s.serve)
			tt.opts.Timeout = 5 * time.Second
			r := Probe(context.Background(), addr, tt.opts)
			if tt.name != "STARTTLS broken" && r.Err != nil {
				t.Fatalf("Probe: %v\n%s", r.Err, transcript(r))
			}
			if got := ids(r); !slices.Equal(got, tt.findings) {
				t.Errorf("wrong findings\ngot:  %v\nwant: %v\n%s", got, tt.findings, transcript(r))
			}
			if got := n.Load(); got != tt.sessions {
				t.Errorf("wrong session count\ngot:  %d\nwant: %d", got, tt.sessions)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestProbe_cancel(t *testing.T) {
	addr, _ := fakeServer(t, hang)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *Result)
	go func() { done <- Probe(ctx, addr, Options{Timeout: time.Hour}) }()

	cancel()
	r := <-done
	if r.Err == nil || !strings.Contains(r.Err.Error(), "context canceled") {
		t.Errorf("wrong result\ngot:  %v\nwant: context canceled", r.Err)
	}
}

// selfSigned makes a certificate for fake.test.example valid between the
// given times.
func selfSigned(t *testing.T, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "fake.test.example"},
		DNSNames:     []string{"fake.test.example"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
