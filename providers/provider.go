// Package providers defines how smtpverbs talks to a kind of mail server: a
// Provider opens a Session to one host, and the session reads the host's
// verb configuration, writes new values and restarts the mail service.
//
// The plan and apply engine only sees these types, so it stays ignorant of
// WinRM, metabase paths and command-line tools. The IIS provider lives in
// providers/iis.
package providers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// Provider opens sessions to hosts of one kind.
type Provider interface {
	// Open connects to host. The session holds one remote shell for all of
	// its commands and must be closed.
	Open(ctx context.Context, host Host) (Session, error)
}

// Session is an open connection to one host. Its methods are not safe for
// concurrent use.
type Session interface {
	// Read observes everything a plan needs in one remote command: virtual
	// servers, the value at the service key and at each instance, the SMTP
	// service state, the tools installed and whether Exchange owns the
	// metabase.
	Read(ctx context.Context) (*Observation, error)

	// Write sets (or, with Write.Delete, removes) the given instance
	// values, restarts SMTPSVC when req.Restart is true, and re-reads, all
	// in one remote command. It fails with a *HostError of kind KindFailed
	// when a value did not stick.
	Write(ctx context.Context, req WriteRequest) (*WriteResult, error)

	// Requests is the number of WinRM requests this session has made.
	Requests() int

	// Close ends the remote shell.
	Close() error
}

// Host says how to reach one host and how to manage it.
type Host struct {
	// Name is the configuration's name for the host; Address is what is
	// dialled.
	Name    string
	Address string

	Connection Connection

	// Method is "auto", "mdutil" or "adsutil".
	Method      string
	MdutilPath  string
	AdsutilPath string

	// VirtualServers restricts the instances read; nil means all.
	VirtualServers []int
}

// Connection holds WinRM settings. Password is a secret and must never be
// printed or logged.
type Connection struct {
	HTTPS         bool
	Port          int
	Auth          string // "basic" or "ntlm"
	Username      string
	Password      string
	CACert        []byte // PEM; nil means the system roots
	TLSServerName string
	Insecure      bool

	// Timeout bounds each HTTP request; OperationTimeout is sent to the
	// server as the WS-Management OperationTimeout.
	Timeout          time.Duration
	OperationTimeout time.Duration
}

// Source says where an instance's value comes from.
type Source string

// The places a value can come from, as INHERIT resolves them.
const (
	SourceExplicit Source = "explicit"       // set at /LM/SmtpSvc/N
	SourceService  Source = "inherited"      // set at /LM/SmtpSvc
	SourceDefault  Source = "schema default" // set nowhere
)

// Observation is what Read saw on a host.
type Observation struct {
	// Hostname is the computer name the host reports.
	Hostname string

	// OS is the Windows version as `ver` prints it.
	OS string

	// Service is the value at /LM/SmtpSvc and whether it is set there.
	Service    verb.Flags
	ServiceSet bool

	// Instances are the virtual servers read, in numeric order.
	Instances []Instance

	// SMTPState is the SMTPSVC service state: "RUNNING", "STOPPED", ...
	SMTPState string

	// Method is the tool the session uses: "mdutil" or "adsutil"; empty
	// when neither is installed.
	Method string

	// Manageable is false when smtpverbs must not write to this host;
	// Reason and Remedy then say why and what to do instead.
	Manageable bool
	Reason     string
	Remedy     string
}

// Instance is one SMTP virtual server.
type Instance struct {
	// ID is N in /LM/SmtpSvc/N.
	ID int

	// Path is the metabase path, e.g. /LM/SmtpSvc/1.
	Path string

	// Value is the effective value; Source says where it came from.
	Value  verb.Flags
	Source Source

	// Ports are the TCP ports from the instance's ServerBindings.
	Ports []int
}

// WriteRequest asks a session to set instance values.
type WriteRequest struct {
	Writes  []Write
	Restart bool
}

// Write sets one instance's value at its own key, or with Delete removes the
// value set there so that the instance inherits again.
type Write struct {
	Instance int

	// Value is written at /LM/SmtpSvc/N. It is ignored when Delete is set.
	Value verb.Flags

	// Delete removes the value at /LM/SmtpSvc/N instead of writing one, so
	// the instance takes the value of /LM/SmtpSvc or the schema default
	// again. Rollback uses it to restore an inherited value exactly. Deleting
	// a value that is not set at the instance is not an error.
	Delete bool
}

// WriteResult is what Write did and saw.
type WriteResult struct {
	// After is the observation re-read after the write and the restart.
	After *Observation

	// Restarted is true when SMTPSVC was restarted.
	Restarted bool

	// Transcript is the remote command's output, for evidence.
	Transcript string
}

// Kind classifies a host failure so the engine can report it and choose an
// exit code.
type Kind int

// The kinds of host failure.
const (
	KindFailed       Kind = iota // the host answered but a step failed
	KindUnreachable              // no connection could be made
	KindAuth                     // the credentials were refused
	KindUnmanageable             // smtpverbs must not write to this host
	KindStale                    // the value changed since the plan was made
)

func (k Kind) String() string {
	switch k {
	case KindUnreachable:
		return "unreachable"
	case KindAuth:
		return "authentication failed"
	case KindUnmanageable:
		return "cannot change"
	case KindStale:
		return "stale"
	default:
		return "failed"
	}
}

// HostError is a failure on one host, with a remedy for the user.
type HostError struct {
	Host   string
	Kind   Kind
	Err    error
	Remedy string
}

func (e *HostError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Host, e.Kind, e.Err)
}

func (e *HostError) Unwrap() error { return e.Err }

// KindOf returns the Kind of err, or KindFailed when err is no *HostError.
func KindOf(err error) Kind {
	var he *HostError
	if errors.As(err, &he) {
		return he.Kind
	}
	return KindFailed
}
