package smtpd

import (
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// pciFlags is the schema default with TURN/ATRN and ETRN cleared.
const pciFlags = verb.SchemaDefault &^ 0x480

// start runs a lab server on a free loopback port for the test's lifetime.
func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Hostname == "" {
		cfg.Hostname = "mail01.corp.example"
	}
	srv, err := Listen(context.Background(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// client is a raw SMTP client that keeps every reply line as received.
type client struct {
	t  *testing.T
	tp *textproto.Conn
}

// dial connects to srv and returns the client and the banner line.
func dial(t *testing.T, srv *Server) (*client, string) {
	t.Helper()
	tp, err := textproto.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatalf("dial %s: %v", srv.Addr(), err)
	}
	t.Cleanup(func() { _ = tp.Close() })
	c := &client{t: t, tp: tp}
	return c, c.read()[0]
}

// read returns the lines of one reply.
func (c *client) read() []string {
	c.t.Helper()
	var lines []string
	for {
		l, err := c.tp.ReadLine()
		if err != nil {
			c.t.Fatalf("read reply after %q: %v", lines, err)
		}
		lines = append(lines, l)
		if len(l) < 4 || l[3] != '-' {
			return lines
		}
	}
}

// raw sends s exactly as given.
func (c *client) raw(s string) {
	c.t.Helper()
	if _, err := c.tp.W.WriteString(s); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
	if err := c.tp.W.Flush(); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
}

// do sends one command line and returns its reply.
func (c *client) do(line string) []string {
	c.t.Helper()
	if err := c.tp.PrintfLine("%s", line); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
	return c.read()
}

func TestServer_banner(t *testing.T) {
	tests := []struct {
		name    string
		version string
		want    string
	}{
		{"iis", "10.0.17763.1697", `^220 mail01\.corp\.example Microsoft ESMTP MAIL Service, ` +
			`Version: 10\.0\.17763\.1697 ready at  [A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} ` +
			`\d\d:\d\d:\d\d [+-]\d{4}$`},
		{"exchange 2007+", "", `^220 mail01\.corp\.example Microsoft ESMTP MAIL Service ` +
			`ready at [A-Z][a-z]{2}, `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, Config{Version: tt.version})
			_, got := dial(t, srv)
			if !regexp.MustCompile(tt.want).MatchString(got) {
				t.Errorf("wrong result\ngot:  %q\nwant: match %s", got, tt.want)
			}
		})
	}
}

func TestServer_ehlo(t *testing.T) {
	tests := []struct {
		name     string
		flags    verb.Flags
		exchange bool
		want     []string
	}{
		{"schema default", verb.SchemaDefault, false, []string{
			"250-mail01.corp.example Hello [127.0.0.1]", "250-TURN", "250-SIZE 2097152",
			"250-ETRN", "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES",
			"250-8bitmime", "250-BINARYMIME", "250-CHUNKING", "250-VRFY", "250 OK"}},
		{"pci baseline", pciFlags, false, []string{
			"250-mail01.corp.example Hello [127.0.0.1]", "250-SIZE 2097152",
			"250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES",
			"250-8bitmime", "250-BINARYMIME", "250-CHUNKING", "250-VRFY", "250 OK"}},
		{"nothing", 0, false, []string{
			"250-mail01.corp.example Hello [127.0.0.1]", "250-SIZE 2097152",
			"250-PIPELINING", "250-VRFY", "250 OK"}},
		{"exchange 2003 default", verb.SchemaDefault, true, []string{
			"250-mail01.corp.example Hello [127.0.0.1]", "250-TURN", "250-ATRN",
			"250-SIZE 2097152", "250-ETRN", "250-PIPELINING", "250-DSN",
			"250-ENHANCEDSTATUSCODES", "250-8bitmime", "250-BINARYMIME", "250-CHUNKING",
			"250-VRFY", "250-X-EXPS GSSAPI NTLM LOGIN", "250-X-EXPS=LOGIN",
			"250-AUTH GSSAPI NTLM LOGIN", "250-AUTH=LOGIN", "250-XEXCH50",
			"250-X-LINK2STATE", "250 OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, Config{Version: "10.0.17763.1697", Flags: tt.flags,
				Exchange: tt.exchange})
			c, _ := dial(t, srv)
			if got := c.do("EHLO scanner.example"); !slices.Equal(got, tt.want) {
				t.Errorf("wrong result\ngot:  %q\nwant: %q", got, tt.want)
			}
		})
	}
}

// exchange is one command and the reply it must get.
type exchange struct {
	send string
	want []string
}

func TestServer_commands(t *testing.T) {
	unrecognized := []string{"500 5.3.3 Unrecognized command"}
	notAuth := []string{"530 5.7.1 Client was not authenticated"}
	hello := exchange{"HELO scanner.example", []string{
		"250 mail01.corp.example Hello [127.0.0.1]"}}

	tests := []struct {
		name string
		cfg  Config
		talk []exchange
	}{
		{"verbs enabled", Config{Flags: verb.SchemaDefault}, []exchange{
			hello,
			{"TURN", notAuth},
			{"ATRN", unrecognized}, // ATRN is Exchange's
			{"ETRN corp.example", []string{"250 2.0.0 Queuing for corp.example started"}},
			{"etrn", []string{"501 5.5.4 Syntax: ETRN domain"}},
			{"HELP", []string{"214-This server supports the following commands:",
				"214 HELO EHLO RCPT DATA RSET MAIL QUIT HELP TURN ETRN BDAT VRFY"}},
		}},
		{"verbs disabled", Config{Flags: pciFlags}, []exchange{
			hello,
			{"TURN", unrecognized},
			{"ETRN corp.example", unrecognized},
			{"HELP", []string{"214-This server supports the following commands:",
				"214 HELO EHLO RCPT DATA RSET MAIL QUIT HELP BDAT VRFY"}},
		}},
		{"exchange", Config{Flags: verb.SchemaDefault, Exchange: true}, []exchange{
			hello,
			{"ATRN", notAuth},
			{"AUTH LOGIN", []string{"504 5.7.4 Unrecognized authentication type"}},
		}},
		{"other commands", Config{Flags: verb.SchemaDefault}, []exchange{
			{"MAIL FROM:<a@b.example>", []string{"503 5.5.2 Send hello first"}},
			{"EHLO", []string{"501 5.5.4 Invalid Address"}},
			hello,
			{"VRFY administrator", []string{"252 2.1.5 Cannot VRFY user, but will take " +
				"message for <administrator@mail01.corp.example>"}},
			{"VRFY <u@corp.example>", []string{"252 2.1.5 Cannot VRFY user, but will " +
				"take message for <u@corp.example>"}},
			{"EXPN staff", unrecognized},
			{"STARTTLS", unrecognized},
			{"AUTH LOGIN", unrecognized},
			{"XYZZY", unrecognized},
			{"", unrecognized},
			{"NOOP", []string{"250 2.0.0 OK"}},
			{"RCPT TO:<x@corp.example>", []string{"503 5.5.2 Need mail command"}},
			{"DATA", []string{"503 5.5.2 Need rcpt command"}},
			{"MAIL FROM:<a@b.example> SIZE=99999999", []string{
				"552 5.3.4 Message size exceeds fixed maximum message size"}},
			{"MAIL FROM:<a@b.example>", []string{"250 2.1.0 a@b.example....Sender OK"}},
			{"MAIL FROM:<c@d.example>", []string{"503 5.5.2 Sender already specified"}},
			{"RCPT TO:<x@other.example>", []string{
				"550 5.7.1 Unable to relay for x@other.example"}},
			{"RCPT TO:<x@corp.example>", []string{"250 2.1.5 x@corp.example"}},
			{"RCPT TO:<y@MAIL01.corp.example>", []string{"250 2.1.5 y@MAIL01.corp.example"}},
			{"RSET", []string{"250 2.0.0 Resetting"}},
			{"QUIT", []string{
				"221 2.0.0 mail01.corp.example Service closing transmission channel"}},
		}},
		{"open relay", Config{OpenRelay: true}, []exchange{
			hello,
			{"MAIL FROM:<>", []string{"250 2.1.0 <>....Sender OK"}},
			{"RCPT TO:<x@other.example>", []string{"250 2.1.5 x@other.example"}},
		}},
		{"local domains", Config{LocalDomains: []string{"shop.example"}}, []exchange{
			hello,
			{"MAIL FROM:<a@b.example>", []string{"250 2.1.0 a@b.example....Sender OK"}},
			{"RCPT TO:<x@corp.example>", []string{
				"550 5.7.1 Unable to relay for x@corp.example"}},
			{"RCPT TO:<x@Shop.Example>", []string{"250 2.1.5 x@Shop.Example"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := dial(t, start(t, tt.cfg))
			for _, ex := range tt.talk {
				if got := c.do(ex.send); !slices.Equal(got, ex.want) {
					t.Errorf("wrong result for %q\ngot:  %q\nwant: %q", ex.send, got, ex.want)
				}
			}
		})
	}
}

func TestServer_data(t *testing.T) {
	srv := start(t, Config{Flags: verb.SchemaDefault})
	c, _ := dial(t, srv)
	c.do("EHLO scanner.example")
	c.do("MAIL FROM:<a@b.example>")
	c.do("RCPT TO:<x@corp.example>")

	if got := c.do("DATA"); got[0] != "354 Start mail input; end with <CRLF>.<CRLF>" {
		t.Fatalf("wrong result\ngot:  %q\nwant: 354 Start mail input...", got)
	}
	// A line longer than the reader's buffer whose tail is a dot must not end
	// the message.
	body := "Subject: t\r\n\r\n" + strings.Repeat("x", MaxLine) + ".\r\n..\r\n"
	got := c.do(body + ".")
	want := regexp.MustCompile(`^250 2\.6\.0 <MAIL01[0-9A-F]{16}@mail01\.corp\.example> ` +
		`Queued mail for delivery$`)
	if len(got) != 1 || !want.MatchString(got[0]) {
		t.Errorf("wrong result\ngot:  %q\nwant: match %s", got, want)
	}

	// BDAT: a chunk, then the last one.
	c.do("MAIL FROM:<a@b.example>")
	c.do("RCPT TO:<x@corp.example>")
	c.raw("BDAT 5\r\nhello")
	if got := c.read(); !slices.Equal(got, []string{"250 2.0.0 5 bytes received"}) {
		t.Errorf("wrong result\ngot:  %q\nwant: 250 2.0.0 5 bytes received", got)
	}
	c.raw("BDAT 3 LAST\r\nabc")
	if got := c.read(); len(got) != 1 || !want.MatchString(got[0]) {
		t.Errorf("wrong result\ngot:  %q\nwant: match %s", got, want)
	}
}

func TestServer_pipelining(t *testing.T) {
	c, _ := dial(t, start(t, Config{Flags: verb.SchemaDefault}))
	c.do("EHLO scanner.example")

	// All commands in one write; the replies must come back in order.
	batch := "MAIL FROM:<a@b.example>\r\nRCPT TO:<x@corp.example>\r\n" +
		"RCPT TO:<y@far.example>\r\nRSET\r\nNOOP"
	if err := c.tp.PrintfLine("%s", batch); err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 5 {
		got = append(got, c.read()...)
	}
	want := []string{"250 2.1.0 a@b.example....Sender OK", "250 2.1.5 x@corp.example",
		"550 5.7.1 Unable to relay for y@far.example", "250 2.0.0 Resetting", "250 2.0.0 OK"}
	if !slices.Equal(got, want) {
		t.Errorf("wrong result\ngot:  %q\nwant: %q", got, want)
	}
}

func TestServer_lineTooLong(t *testing.T) {
	c, _ := dial(t, start(t, Config{}))
	got := c.do("HELO " + strings.Repeat("a", 5*MaxLine))
	if want := []string{"500 5.5.2 Line too long"}; !slices.Equal(got, want) {
		t.Errorf("wrong result\ngot:  %q\nwant: %q", got, want)
	}
	// The session goes on.
	if got := c.do("NOOP"); !slices.Equal(got, []string{"250 2.0.0 OK"}) {
		t.Errorf("wrong result after a long line\ngot:  %q\nwant: 250 2.0.0 OK", got)
	}
}

func TestServer_idleTimeout(t *testing.T) {
	c, _ := dial(t, start(t, Config{IdleTimeout: 50 * time.Millisecond}))
	got := c.read()
	want := []string{"421 4.4.2 mail01.corp.example Connection timed out"}
	if !slices.Equal(got, want) {
		t.Errorf("wrong result\ngot:  %q\nwant: %q", got, want)
	}
	if _, err := c.tp.ReadLine(); !errors.Is(err, io.EOF) {
		t.Errorf("wrong result after 421\ngot:  %v\nwant: EOF", err)
	}
}

func TestServer_Close(t *testing.T) {
	srv := start(t, Config{})
	c, _ := dial(t, srv)
	c2, _ := dial(t, srv)
	c2.do("QUIT")

	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := c.tp.ReadLine(); err == nil {
		t.Errorf("wrong result\ngot:  a line from a closed server\nwant: an error")
	}
	if _, err := net.Dial("tcp", srv.Addr()); err == nil {
		t.Errorf("wrong result\ngot:  a connection after Close\nwant: refused")
	}
	if got := srv.Sessions(); got != 2 {
		t.Errorf("wrong result\ngot:  %d sessions\nwant: 2", got)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestListen_context(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Listen(ctx, "127.0.0.1:0", Config{Hostname: "mail01.corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	// Close waits for the shutdown that the cancellation started.
	_ = srv.Close()
	if _, err := net.Dial("tcp", srv.Addr()); err == nil {
		t.Errorf("wrong result\ngot:  a connection after cancel\nwant: refused")
	}
}

func TestListen_errors(t *testing.T) {
	tests := []struct {
		name string
		addr string
		cfg  Config
		want string
	}{
		{"no hostname", "127.0.0.1:0", Config{}, "Config.Hostname is empty"},
		{"bad address", "127.0.0.1:x", Config{Hostname: "h"}, "listen for smtp on 127.0.0.1:x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Listen(context.Background(), tt.addr, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("wrong result\ngot:  %v\nwant: an error containing %q", err, tt.want)
			}
		})
	}
}
