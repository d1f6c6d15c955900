package wsman

import (
	"context"
	"io"
	"time"
)

// Runner executes one command line as cmd.exe would, writing to stdout and
// stderr as it goes and returning the exit code. Writes may come over time
// (for example while a service restarts); each one becomes visible to the
// client's next Receive.
//
// stdin delivers what the client sends with Send and reaches EOF when the
// client sends End="true"; most commands ignore it. ctx is cancelled when
// the client terminates the command or closes the shell, or when the
// Handler is closed: Run should then return promptly.
type Runner interface {
	Run(ctx context.Context, cmdline string, stdin io.Reader, stdout, stderr io.Writer) int
}

// RunnerFunc adapts a plain function to the Runner interface.
type RunnerFunc func(ctx context.Context, cmdline string, stdin io.Reader,
	stdout, stderr io.Writer) int

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, cmdline string, stdin io.Reader,
	stdout, stderr io.Writer) int {
	return f(ctx, cmdline, stdin, stdout, stderr)
}

// Config is what a Handler accepts and how it misbehaves. Change it on a
// running Handler with Handler.SetConfig.
type Config struct {
	// Username and Password are the one account the server accepts. The
	// user name matches case-insensitively and may arrive as DOMAIN\user or
	// user@domain; the password must match exactly.
	Username, Password string

	// Basic offers Basic authentication (WWW-Authenticate: Basic
	// realm="WSMAN").
	Basic bool

	// NTLM offers NTLMv2 through WWW-Authenticate: Negotiate. It needs the
	// connection state that Handler.Server sets up.
	NTLM bool

	// Computer is the computer name: it goes into the NTLM target info and
	// the Machine attribute of faults. Empty means "WINHOST".
	Computer string

	// Domain is the NetBIOS domain in the NTLM challenge. Empty means
	// "WORKGROUP".
	Domain string

	// Latency is added before every answer, including 401s.
	Latency time.Duration

	// Fault, when not nil, makes the server answer some requests with a
	// WS-Management fault instead of serving them.
	Fault *Fault

	// MaxHold caps how long a Receive waits for output before answering
	// with the OperationTimeout fault. Zero means 5 seconds. The hold is
	// always shorter than the request's OperationTimeout.
	MaxHold time.Duration
}

// Fault makes the server answer one kind of request with a WS-Management
// fault (HTTP 500, a SOAP fault body with a WSManFault code and message)
// instead of serving it. The request has no other effect.
type Fault struct {
	// Op is the operation to fail: "Create", "Command", "Send", "Receive",
	// "Signal" or "Delete".
	Op string

	// Nth is 1-based: only the Nth request of that Op (counted per Handler
	// since it was created, as Stats shows) fails. Zero fails every one.
	Nth int

	// Code is the WSManFault Code. Zero means 2147942405 (access denied).
	Code uint32

	// Message is the fault text. Empty means the text Windows uses for
	// Code, or a generic one when the code is not known here.
	Message string
}

// Stats counts the requests a Handler has seen since it was created.
type Stats struct {
	// Total counts every HTTP request, answered or not.
	Total int

	// Unauthorized counts 401 answers, including the first leg of every
	// NTLM handshake.
	Unauthorized int

	// Faults counts SOAP fault answers (HTTP 500), including
	// OperationTimeout and injected faults.
	Faults int

	// Timeouts counts OperationTimeout faults answered to Receive.
	Timeouts int

	// Create, Command, Send, Receive, Signal and Delete count authenticated
	// requests by operation, including those answered with a fault.
	Create, Command, Send, Receive, Signal, Delete int
}

const (
	defaultComputer = "WINHOST"
	defaultDomain   = "WORKGROUP"
	defaultMaxHold  = 5 * time.Second
)

// clone returns a deep copy of c, so that a caller's later changes to the
// Fault it pointed at cannot race with requests.
func (c Config) clone() *Config {
	if c.Fault != nil {
		f := *c.Fault
		c.Fault = &f
	}
	return &c
}

// computer is the computer name with its default applied.
func (c *Config) computer() string {
	if c.Computer == "" {
		return defaultComputer
	}
	return c.Computer
}

// domain is the NetBIOS domain with its default applied.
func (c *Config) domain() string {
	if c.Domain == "" {
		return defaultDomain
	}
	return c.Domain
}

// maxHold is the Receive hold cap with its default applied.
func (c *Config) maxHold() time.Duration {
	if c.MaxHold <= 0 {
		return defaultMaxHold
	}
	return c.MaxHold
}
