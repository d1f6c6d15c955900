package scan

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// errClosing is returned for a 421 reply: the server is ending the session.
var errClosing = errors.New("server is closing the session")

// conn is one SMTP session from the scanner's side. Every line that passes
// through it is added to the result's transcript.
type conn struct {
	nc      net.Conn
	r       *bufio.Reader
	res     *Result
	timeout time.Duration
	ctx     context.Context
	stop    func() bool
}

// dial opens a session to addr and arranges for ctx's cancellation to
// unblock any read or write in progress.
func dial(ctx context.Context, addr string, timeout time.Duration, res *Result) (*conn, error) {
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}

	c := &conn{nc: nc, r: bufio.NewReaderSize(nc, MaxReplyLine), res: res,
		timeout: timeout, ctx: ctx}
	c.stop = context.AfterFunc(ctx, func() {
		_ = c.nc.SetDeadline(time.Unix(1, 0))
	})
	return c, nil
}

// close ends the session without QUIT.
func (c *conn) close() {
	c.stop()
	_ = c.nc.Close()
}

// greeting reads the server's first reply.
func (c *conn) greeting() (Reply, error) {
	_ = c.nc.SetDeadline(time.Now().Add(c.timeout))
	return c.read("")
}

// cmd sends line and reads the reply. The whole exchange must finish within
// the timeout, so a server that stalls in the middle of a reply cannot hold
// the scanner longer than that. A 421 reply is returned together with
// errClosing.
func (c *conn) cmd(line string) (Reply, error) {
	_ = c.nc.SetDeadline(time.Now().Add(c.timeout))
	c.res.Transcript = append(c.res.Transcript, Line{Dir: "C", Text: line})
	if _, err := c.nc.Write([]byte(line + "\r\n")); err != nil {
		return Reply{Command: line}, c.explain(err)
	}

	rep, err := c.read(line)
	if err == nil && rep.Code == 421 {
		err = fmt.Errorf("%w: %s", errClosing, rep.Lines[0])
	}
	return rep, err
}

// read reads one reply, line by line, checking each.
func (c *conn) read(command string) (Reply, error) {
	rep := Reply{Command: command}
	for {
		b, err := c.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			c.res.Transcript = append(c.res.Transcript, Line{Dir: "S",
				Text: clip(string(b)) + " [line too long]"})
			return rep, fmt.Errorf("reply line longer than %d bytes", MaxReplyLine)
		}
		if err != nil {
			if len(b) > 0 {
				c.res.Transcript = append(c.res.Transcript, Line{Dir: "S",
					Text: string(b) + " [incomplete]"})
			}
			return rep, c.explain(err)
		}

		line := strings.TrimRight(string(b), "\r\n")
		c.res.Transcript = append(c.res.Transcript, Line{Dir: "S", Text: line})
		if err := rep.add(line); err != nil {
			return rep, err
		}
		if done, _ := rep.complete(); done {
			return rep, nil
		}
	}
}

// explain turns a network error into one a user can act on.
func (c *conn) explain(err error) error {
	if c.ctx.Err() != nil {
		return c.ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("no complete reply within %s", c.timeout)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) {
		return errors.New("server closed the connection")
	}
	return err
}

// startTLS runs the TLS handshake on the session after the server agreed to
// STARTTLS, and describes what was negotiated. The certificate is recorded,
// not verified: the scanner reports on it instead.
func (c *conn) startTLS(serverName string) *TLSInfo {
	_ = c.nc.SetDeadline(time.Now().Add(c.timeout))
	if c.r.Buffered() > 0 {
		// RFC 3207: nothing may follow the 220 before the handshake.
		return &TLSInfo{Error: "server sent data before the TLS handshake"}
	}

	tc := tls.Client(c.nc, &tls.Config{
		ServerName: serverName,
		// Recording, not trusting: the findings judge the certificate.
		InsecureSkipVerify: true, //nolint:gosec // see above
		MinVersion:         tls.VersionTLS10,
	})
	if err := tc.HandshakeContext(c.ctx); err != nil {
		return &TLSInfo{Error: "handshake: " + c.explain(err).Error()}
	}
	c.nc = tc
	c.r = bufio.NewReaderSize(tc, MaxReplyLine)

	st := tc.ConnectionState()
	info := &TLSInfo{
		Version:     tls.VersionName(st.Version),
		CipherSuite: tls.CipherSuiteName(st.CipherSuite),
	}
	if len(st.PeerCertificates) > 0 {
		cert := st.PeerCertificates[0]
		info.Subject = cert.Subject.String()
		info.Issuer = cert.Issuer.String()
		info.DNSNames = cert.DNSNames
		info.NotBefore = cert.NotBefore.UTC()
		info.NotAfter = cert.NotAfter.UTC()
	}
	return info
}
