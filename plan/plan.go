package plan

import (
	"time"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// FormatVersion is the version of the plan file format this package writes
// and reads.
const FormatVersion = "1"

// Plan is what Make found on every selected host and what Apply would do.
// It is also the content of a plan file.
type Plan struct {
	// FormatVersion is FormatVersion when the plan was made by this
	// package.
	FormatVersion string

	// ToolVersion is the smtpverbs version that made the plan.
	ToolVersion string

	// CreatedAt is when the plan was made.
	CreatedAt time.Time

	// ConfigDigest is config.Config.Digest of the configuration the plan
	// was made from. Apply of a saved plan refuses a configuration with
	// another digest.
	ConfigDigest string

	// Targets are the -target values the servers were selected with; empty
	// means every server.
	Targets []string

	// Connections describe the connection profiles the hosts use, without
	// their passwords.
	Connections map[string]Connection

	// Hosts are the planned hosts in the order the servers were given.
	Hosts []*Host

	// Summary counts the hosts by status.
	Summary Summary
}

// Status is what a plan found a host to be.
type Status string

// The statuses a planned host can have.
const (
	StatusCompliant    Status = "compliant"     // every instance has its target value
	StatusChange       Status = "change"        // some instance needs a write
	StatusCannotChange Status = "cannot_change" // a write is needed but must not be made
	StatusUnreachable  Status = "unreachable"   // no WinRM connection could be made
	StatusAuthFailed   Status = "auth_failed"   // the credentials were refused
	StatusError        Status = "error"         // the host answered but a step failed
)

// Label is the status as the human plan shows it.
func (s Status) Label() string {
	switch s {
	case StatusChange:
		return "will change"
	case StatusCannotChange:
		return "cannot change"
	case StatusAuthFailed:
		return "authentication failed"
	default:
		return string(s)
	}
}

// valid reports whether s is one of the known statuses.
func (s Status) valid() bool {
	switch s {
	case StatusCompliant, StatusChange, StatusCannotChange, StatusUnreachable,
		StatusAuthFailed, StatusError:
		return true
	}
	return false
}

// Host is the plan for one server of the configuration.
type Host struct {
	// Name is the server's name in the configuration; Address is what was
	// dialled.
	Name    string
	Address string

	// Connection names the connection profile used; see Plan.Connections.
	Connection string

	Status Status

	// Reason says why the host cannot change or failed; Remedy says what to
	// do about it. Both are empty for compliant and changing hosts.
	Reason string
	Remedy string

	// Restart is the server's policy: SMTPSVC is restarted after a write.
	Restart bool

	// PendingRestart is true when the live SMTP service offers a different
	// set of verbs than the metabase value implies: a verb the metabase has
	// off is still offered, or one it has on is not advertised. Usually the
	// service has not been restarted since the value was written.
	// PendingReason says what differs and where.
	PendingRestart bool
	PendingReason  string

	// SMTPPort is the port probed for the first virtual server.
	SMTPPort int

	// Hostname, OS, SMTPState and Method are what the host reported: its
	// computer name, Windows version, SMTPSVC state and the metabase tool
	// used.
	Hostname  string
	OS        string
	SMTPState string
	Method    string

	// Enable and Disable are the verbs the policy turns on and off.
	Enable  []string
	Disable []string

	// Instances are the virtual servers read, in numeric order.
	Instances []*Instance

	// Exceptions are the configuration's exceptions for this server,
	// expired ones included.
	Exceptions []Exception

	// Diagnostics are warnings about the host that do not change its
	// status, such as an SMTP probe that could not connect.
	Diagnostics []string

	// Requests is the number of WinRM requests planning the host took. It
	// is not saved in a plan file.
	Requests int

	// server is the configuration the host was planned from; nil for a plan
	// read from a file until Bind attaches one.
	server *config.Server

	// session is kept open after planning when Options.KeepSessions is set,
	// so that Apply reuses the remote shell.
	session providers.Session
}

// Instance is the plan for one SMTP virtual server of a host.
type Instance struct {
	// ID is N in /LM/SmtpSvc/N; Path is the metabase path.
	ID   int
	Path string

	// Observed is the effective value read and Source where it came from.
	Observed verb.Flags
	Source   providers.Source

	// Target is the value the policy asks for: Observed with the policy's
	// bits cleared and set, all other bits kept.
	Target verb.Flags

	// Changes are the verbs Target turns on or off, in EHLO order.
	Changes []Change

	// Ports are the TCP ports the virtual server listens on.
	Ports []int
}

// Unmanaged returns the bits of the observed value that no verb occupies;
// every write keeps them.
func (in *Instance) Unmanaged() verb.Flags {
	return in.Observed.Unmanaged()
}

// Action is what a change does to a verb.
type Action string

// The two actions on a verb.
const (
	ActionEnable  Action = "enable"
	ActionDisable Action = "disable"
)

// Change is one verb an instance's new value turns on or off.
type Change struct {
	Verb   string
	Action Action
}

// Exception is a configured exception as it bears on one host.
type Exception struct {
	Name          string
	Verb          string
	Justification string
	ApprovedBy    string
	Expires       time.Time

	// Active is false once the expiry date has passed; the verb is then
	// managed by the baselines again.
	Active bool
}

// Connection is a connection profile without its secret.
type Connection struct {
	Transport     string // "https" or "http"
	Port          int
	Auth          string // "basic" or "ntlm"
	Username      string
	TLSServerName string
	Insecure      bool
}

// Summary counts the hosts of a plan by status.
//
// Its JSON form is shared by plan files and the change_summary event of the
// -json stream.
type Summary struct {
	Hosts          int `json:"hosts"`
	Change         int `json:"change"`
	VerbChanges    int `json:"verb_changes"` // over all instances of changing hosts
	Compliant      int `json:"compliant"`
	CannotChange   int `json:"cannot_change"`
	Unreachable    int `json:"unreachable"`
	AuthFailed     int `json:"auth_failed"`
	Errored        int `json:"error"`
	PendingRestart int `json:"pending_restart"`
}

// summarize counts hosts by status.
func summarize(hosts []*Host) Summary {
	s := Summary{Hosts: len(hosts)}
	for _, h := range hosts {
		switch h.Status {
		case StatusCompliant:
			s.Compliant++
		case StatusChange:
			s.Change++
			for _, in := range h.Instances {
				s.VerbChanges += len(in.Changes)
			}
		case StatusCannotChange:
			s.CannotChange++
		case StatusUnreachable:
			s.Unreachable++
		case StatusAuthFailed:
			s.AuthFailed++
		default:
			s.Errored++
		}
		if h.PendingRestart {
			s.PendingRestart++
		}
	}
	return s
}

// Changed reports whether the plan would write to any host.
func (p *Plan) Changed() bool {
	return p.Summary.Change > 0
}

// Close ends the sessions Make kept open for Apply. It is safe to call more
// than once and on a plan read from a file.
func (p *Plan) Close() error {
	var first error
	for _, h := range p.Hosts {
		if h.session == nil {
			continue
		}
		if err := h.session.Close(); err != nil && first == nil {
			first = err
		}
		h.session = nil
	}
	return first
}

// ExitCode is the process exit code for a plan: 1 when a host failed with
// an error, 3 when a host could not be reached or refused the credentials,
// 2 with detailed set when some host is not compliant (it would change,
// cannot be changed or awaits a restart), and 0 otherwise. Without detailed
// a plan with changes exits 0, as Terraform's does.
func (p *Plan) ExitCode(detailed bool) int {
	s := p.Summary
	switch {
	case s.Errored > 0:
		return 1
	case s.Unreachable+s.AuthFailed > 0:
		return 3
	case detailed && s.Change+s.CannotChange+s.PendingRestart > 0:
		return 2
	}
	return 0
}
