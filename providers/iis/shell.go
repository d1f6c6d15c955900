package iis

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"

	"github.com/smtpverbs/smtpverbs/providers"
)

// Connection defaults, used when the host's connection leaves them zero.
const (
	defaultTimeout          = 60 * time.Second
	defaultOperationTimeout = 20 * time.Second
	envelopeSize            = 153600
)

// cmdResult is what one remote command printed and returned.
type cmdResult struct {
	Stdout, Stderr string
	Exit           int
}

// remoteShell runs command lines in one remote cmd.exe shell.
type remoteShell interface {
	// Run runs cmdline and returns when it has finished or ctx is done.
	Run(ctx context.Context, cmdline string) (cmdResult, error)

	// Requests is the number of WinRM requests sent so far.
	Requests() int

	// Close deletes the remote shell and closes the connections.
	Close() error
}

// winrmShell is a remoteShell over masterzen/winrm.
//
// masterzen/winrm builds the requests and carries them (TLS, Basic or NTLM
// authentication); winrmShell sends them itself in the order masterzen's
// Shell and Command would - Create, then Command, Receive until done and
// Signal per command line, and Delete - and reads the answers with
// readAnswer. That keeps the wire traffic the same while sparing, per
// answer, masterzen's XPath evaluation (it parses each answer into a tree
// and walks it once per query) and, per command, its output goroutine and
// pipes.
//
// masterzen/winrm takes no context, so every call runs in a goroutine and
// the caller waits for it or for ctx. When ctx ends first, the shell is
// abandoned: its connections are closed and no new ones may be dialled, so
// the goroutine's HTTP request fails at once and the goroutine ends. Should
// a request not notice, it still ends within Connection.Timeout, because
// every connection read and write carries that deadline. An abandoned shell
// refuses further calls, and its remote shell is left for the host to expire
// (WinRM's IdleTimeout), because deleting it would need the connection that
// was just given up.
//
// TODO: an abandoned shell stays open on the host until its IdleTimeout
// (Windows' default is hours). That is acceptable while only Ctrl-C or a
// deadline abandons one, since Windows allows many shells per user; sending
// Delete on a fresh connection with a short timeout would clean it up.
type winrmShell struct {
	client    *winrm.Client
	transport *countingTransport
	url       string // the endpoint URL, as masterzen writes it in a:To
	id        string // the remote shell's ShellId
	conns     *connTracker
	timeout   time.Duration
	requests  atomic.Int64

	mu     sync.Mutex
	broken error
}

// openShell connects to addr and creates the remote shell.
func openShell(ctx context.Context, addr string, c providers.Connection) (*winrmShell, error) {
	ep, params, err := endpoint(addr, c)
	if err != nil {
		return nil, err
	}
	s := &winrmShell{
		url:     endpointURL(ep),
		conns:   &connTracker{timeout: ep.Timeout},
		timeout: ep.Timeout,
	}

	// Count every request at the transport, whatever the authentication.
	params.TransportDecorator = func() winrm.Transporter {
		var inner winrm.Transporter = winrm.NewClientWithDial(s.conns.dial)
		if strings.EqualFold(c.Auth, "ntlm") {
			inner = winrm.NewClientNTLMWithDial(s.conns.dial)
		}
		s.transport = &countingTransport{inner: inner, n: &s.requests}
		return s.transport
	}
	s.client, err = winrm.NewClientWithParameters(ep, c.Username, c.Password, params)
	if err != nil {
		return nil, fmt.Errorf("set up the WinRM client: %w", err)
	}

	s.id, err = call(ctx, s, s.create)
	if err != nil {
		s.conns.closeAll()
		return nil, fmt.Errorf("open a shell: %w", err)
	}
	return s, nil
}

// create sends Create and returns the new shell's id.
func (s *winrmShell) create() (string, error) {
	a, err := s.send(winrm.NewOpenShellRequest(s.url, &s.client.Parameters))
	if err != nil {
		return "", err
	}
	if a.shellID == "" {
		return "", errors.New("the host's answer to Create holds no ShellId")
	}
	return a.shellID, nil
}

// endpoint validates a connection and turns it into masterzen/winrm terms.
func endpoint(addr string, c providers.Connection) (*winrm.Endpoint, *winrm.Parameters, error) {
	port := c.Port
	if port == 0 {
		port = 5985
		if c.HTTPS {
			port = 5986
		}
	}
	timeout, opTimeout := c.Timeout, c.OperationTimeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	if opTimeout <= 0 {
		opTimeout = min(defaultOperationTimeout, timeout/2)
	}

	// An answer held for the whole OperationTimeout must still arrive
	// before the HTTP timeout fires, or the call fails instead of retrying.
	if opTimeout >= timeout {
		return nil, nil, fmt.Errorf("operation_timeout (%s) must be shorter than timeout (%s)",
			opTimeout, timeout)
	}
	switch strings.ToLower(c.Auth) {
	case "", "basic", "ntlm":
	default:
		return nil, nil, fmt.Errorf("auth %q is not supported: write \"basic\" or \"ntlm\"", c.Auth)
	}
	if len(c.CACert) > 0 && !validCA(c.CACert) {
		return nil, nil, errors.New("ca_file holds no PEM certificate: give the CA " +
			"certificate in PEM form (-----BEGIN CERTIFICATE-----)")
	}

	// masterzen/winrm formats host:port itself, so an IPv6 literal needs
	// its brackets.
	if strings.Contains(addr, ":") && !strings.HasPrefix(addr, "[") {
		addr = "[" + addr + "]"
	}
	ep := winrm.NewEndpoint(addr, port, c.HTTPS, c.Insecure, c.CACert, nil, nil, timeout)
	ep.TLSServerName = c.TLSServerName
	params := winrm.NewParameters(isoDuration(opTimeout), "en-US", envelopeSize)
	return ep, params, nil
}

// lastValidCA is a copy of the CA certificate content validCA last found
// valid.
var lastValidCA atomic.Pointer[[]byte]

// validCA reports whether pemData holds a PEM certificate. Hosts usually
// share one ca_file, and masterzen/winrm parses it again for every shell,
// so the content last found valid is remembered and not parsed again.
func validCA(pemData []byte) bool {
	if last := lastValidCA.Load(); last != nil && bytes.Equal(*last, pemData) {
		return true
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pemData) {
		return false
	}
	valid := bytes.Clone(pemData)
	lastValidCA.Store(&valid)
	return true
}

// endpointURL is the URL masterzen/winrm posts to and writes in a:To.
func endpointURL(ep *winrm.Endpoint) string {
	scheme := "http"
	if ep.HTTPS {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s:%d/wsman", scheme, ep.Host, ep.Port)
}

// isoDuration formats d as an ISO 8601 duration in seconds, e.g. PT20S.
func isoDuration(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S"
}

// Run runs cmdline in the shell: Command, Receive until done, Signal.
func (s *winrmShell) Run(ctx context.Context, cmdline string) (cmdResult, error) {
	return call(ctx, s, func() (cmdResult, error) { return s.run(cmdline) })
}

// run does the work of Run without regard to a context.
func (s *winrmShell) run(cmdline string) (cmdResult, error) {
	params := &s.client.Parameters
	started, err := s.send(winrm.NewExecuteCommandRequest(s.url, s.id, cmdline, nil, params))
	if err != nil {
		return cmdResult{}, err
	}
	if started.commandID == "" {
		return cmdResult{}, errors.New("the host's answer to Command holds no CommandId")
	}

	var res cmdResult
	var stdout, stderr []byte
	for {
		body, err := s.post(winrm.NewGetOutputRequest(s.url, s.id, started.commandID,
			"stdout stderr", params))

		// An OperationTimeout only says the command printed nothing in
		// time: ask again, as masterzen does.
		if err != nil && strings.Contains(err.Error(), "OperationTimeout") {
			continue
		}
		var out answer
		if err == nil {
			out, err = readAnswer(body)
		}
		if err != nil {
			s.signal(started.commandID)
			return cmdResult{Stdout: string(stdout), Stderr: string(stderr)}, err
		}

		stdout, stderr = appendOutput(stdout, out.stdout), appendOutput(stderr, out.stderr)
		if out.done {
			res = cmdResult{Stdout: string(stdout), Stderr: string(stderr), Exit: out.exitCode}
			break
		}
	}
	s.signal(started.commandID)
	return res, nil
}

// appendOutput appends a chunk of output to what a command printed so far.
// Output usually arrives in one chunk, which then is not copied.
func appendOutput(sofar, chunk []byte) []byte {
	if sofar == nil {
		return chunk
	}
	return append(sofar, chunk...)
}

// signal sends Signal terminate for a command. It only tells the host it
// may forget the command, so its failure does not spoil the output.
func (s *winrmShell) signal(commandID string) {
	if _, err := s.post(winrm.NewSignalRequest(s.url, s.id, commandID,
		&s.client.Parameters)); err != nil {
		debugLog().Debug("winrm: signal failed", "err", err)
	}
}

// send posts a request and reads the answer.
func (s *winrmShell) send(m *soap.SoapMessage) (answer, error) {
	body, err := s.post(m)
	if err != nil {
		return answer{}, err
	}
	return readAnswer(body)
}

// post sends one request through the client's transport.
func (s *winrmShell) post(m *soap.SoapMessage) (string, error) {
	defer m.Free()
	return s.transport.Post(s.client, m)
}

// Requests returns the number of WinRM requests sent so far.
func (s *winrmShell) Requests() int {
	return int(s.requests.Load())
}

// Close deletes the remote shell, unless an earlier call was abandoned, and
// closes every connection.
func (s *winrmShell) Close() error {
	defer s.conns.closeAll()
	if s.err() != nil {
		return nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	_, err := call(ctx, s, func() (string, error) {
		return s.post(winrm.NewDeleteShellRequest(s.url, s.id, &s.client.Parameters))
	})
	if err != nil {
		return fmt.Errorf("delete the remote shell: %w", err)
	}
	return nil
}

// call runs fn in a goroutine and waits for it or for ctx. See winrmShell
// for what happens to fn when ctx ends first. Results travel over a channel,
// so an abandoned fn never races with the caller.
func call[T any](ctx context.Context, s *winrmShell, fn func() (T, error)) (T, error) {
	type outcome struct {
		v   T
		err error
	}
	var zero T
	if err := s.err(); err != nil {
		return zero, err
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}

	done := make(chan outcome, 1)
	go func() {
		// No panic of the client library may reach the user.
		defer func() {
			if r := recover(); r != nil {
				done <- outcome{err: fmt.Errorf("the WinRM client failed unexpectedly: %v", r)}
			}
		}()
		v, err := fn()
		done <- outcome{v, err}
	}()

	select {
	case o := <-done:
		return o.v, o.err
	case <-ctx.Done():
		s.abandon(ctx.Err())
		return zero, ctx.Err()
	}
}

// abandon gives up on the shell after a cancelled call.
func (s *winrmShell) abandon(cause error) {
	s.mu.Lock()
	if s.broken == nil {
		s.broken = fmt.Errorf("an earlier call on this session was given up (%w); "+
			"open a new session", cause)
	}
	s.mu.Unlock()
	s.conns.closeAll()
}

// err returns why the shell was abandoned, or nil.
func (s *winrmShell) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.broken
}

// countingTransport counts the WinRM requests that pass through it.
type countingTransport struct {
	inner winrm.Transporter
	n     *atomic.Int64
}

// Post sends one WinRM request and turns a fault answer into an error.
func (t *countingTransport) Post(c *winrm.Client, m *soap.SoapMessage) (string, error) {
	t.n.Add(1)
	body, err := t.inner.Post(c, m)
	if err != nil {
		return body, err
	}
	if err := soapFault(body); err != nil {
		return "", err
	}
	return body, nil
}

// Transport configures the inner transport for the endpoint.
func (t *countingTransport) Transport(ep *winrm.Endpoint) error {
	return t.inner.Transport(ep)
}

// connTracker dials the connections of one shell and can close them all.
// Every read and write on them must finish within timeout.
type connTracker struct {
	timeout time.Duration

	mu     sync.Mutex
	conns  map[*deadlineConn]struct{}
	closed bool
}

// dial opens a TCP connection, unless the tracker was closed.
func (t *connTracker) dial(network, addr string) (net.Conn, error) {
	if t.isClosed() {
		return nil, errors.New("the session was closed")
	}
	d := net.Dialer{Timeout: min(t.timeout, 30*time.Second), KeepAlive: 30 * time.Second}
	c, err := d.Dial(network, addr)
	if err != nil {
		return nil, err
	}

	dc := &deadlineConn{Conn: c, timeout: t.timeout, tracker: t}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		c.Close()
		return nil, errors.New("the session was closed")
	}
	if t.conns == nil {
		t.conns = map[*deadlineConn]struct{}{}
	}
	t.conns[dc] = struct{}{}
	return dc, nil
}

func (t *connTracker) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// closeAll closes every connection and refuses new ones.
func (t *connTracker) closeAll() {
	t.mu.Lock()
	t.closed = true
	conns := t.conns
	t.conns = nil
	t.mu.Unlock()
	for c := range conns {
		c.Conn.Close()
	}
}

// forget drops a closed connection.
func (t *connTracker) forget(c *deadlineConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, c)
}

// deadlineConn bounds each read and write by a timeout.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	tracker *connTracker
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

func (c *deadlineConn) Close() error {
	c.tracker.forget(c)
	return c.Conn.Close()
}
