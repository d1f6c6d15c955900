// Package config loads smtpverbs configurations: every *.smtp.hcl file of a
// directory, with variables, connection profiles, baselines, servers and
// exceptions, resolved into one desired verb policy per server.
//
// Loading never contacts a host. Every problem is reported as an HCL
// diagnostic that names the file, line and column and says what to write
// instead.
//
// Variables take their value, later winning, from the default in their
// variable block, the environment variable SMTPVERBS_VAR_<name>, each
// -var-file in the order given, and each -var in the order given: the order
// Terraform uses. A variable left without a value is an error.
//
// A server's policy is its baselines in the order listed, then its own
// enable and disable lists, later settings winning. An active exception
// then takes its verb out of the disabled set without enabling it, so
// smtpverbs leaves that verb as the host has it; TURN and ATRN share one
// bit, so an exception for either allows both. An exception holds through
// its expiry date; after that it is a warning and has no effect.
//
// Sensitive values (sensitive variables, passwords) are collected in
// Config.Secrets; Redact and RedactFiles keep them out of every diagnostic.
package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/smtpverbs/smtpverbs/verb"
)

// Config is a loaded, validated configuration.
type Config struct {
	// Dir is the directory the files were read from.
	Dir string

	// Files maps each file name read to its parsed form, for rendering
	// diagnostics with source snippets.
	Files map[string]*hcl.File

	// Digest is "sha256:<hex>" over the names and bytes of every file read,
	// in name order. Plan files record it so a reviewer can tell which
	// configuration produced them. Variable values are not part of it.
	Digest string

	// Connections are the connection profiles by name.
	Connections map[string]*Connection

	// Baselines are the named verb policies by name.
	Baselines map[string]*Baseline

	// Servers are the server instances in declaration order, with for_each
	// expanded.
	Servers []*Server

	// Exceptions are all declared exceptions, expired ones included.
	Exceptions []*Exception

	// Warnings are non-fatal diagnostics (insecure TLS, expired exceptions,
	// deprecated spellings) to show on every run.
	Warnings hcl.Diagnostics

	// secrets are the sensitive values loaded; see Secrets.
	secrets []string

	// blocks maps each server block label to where it is declared, so a
	// for_each block with no instances can still be targeted.
	blocks map[string]hcl.Range
}

// Connection is a WinRM connection profile.
type Connection struct {
	Name string

	// HTTPS selects WinRM over HTTPS (the default) rather than plain HTTP.
	HTTPS bool

	// Port is the WinRM port: 5986 for HTTPS and 5985 for HTTP by default.
	Port int

	// Auth is "basic" or "ntlm".
	Auth string

	Username string

	// Password is the secret. It must never be printed, logged or written to
	// a file; Redacted reports whether it is set.
	Password string

	// CAFile is the PEM bundle to trust, resolved against the
	// configuration directory; empty means the system roots.
	CAFile string

	// TLSServerName overrides the name checked in the server certificate.
	TLSServerName string

	// Insecure skips certificate verification. Every run warns about it.
	Insecure bool

	// Timeout bounds each WinRM HTTP request; OperationTimeout is the
	// WS-Management OperationTimeout sent to the server and is kept below
	// Timeout.
	Timeout          time.Duration
	OperationTimeout time.Duration

	DeclRange hcl.Range
}

// Baseline is a named, reusable verb policy. Verbs it does not name are left
// as each host has them.
type Baseline struct {
	Name      string
	Enable    []verb.Verb
	Disable   []verb.Verb
	DeclRange hcl.Range
}

// Server is one managed host after for_each expansion and policy
// resolution.
type Server struct {
	// Name is the instance address: the block label, or label["key"] for
	// for_each instances.
	Name string

	// Address is the host name or IP address that WinRM and SMTP connect to.
	Address string

	Connection *Connection

	// Baselines are the names of the baselines applied, in order.
	Baselines []string

	// On and Off are the resolved desired bits: baselines in order, then
	// the server's own enable/disable, then active exceptions. An active
	// exception removes its verb's bit from Off without adding it to On:
	// the verb is allowed, neither forced off nor on. Bits in neither are
	// left as the host has them.
	On, Off verb.Flags

	// Exceptions are the exceptions naming this server, with whether each
	// is active at load time.
	Exceptions []AppliedException

	// VirtualServers lists the instance numbers to manage; nil means every
	// instance found on the host.
	VirtualServers []int

	// Method is "auto", "mdutil" or "adsutil".
	Method string

	// MdutilPath and AdsutilPath override where the tools are looked for.
	MdutilPath  string
	AdsutilPath string

	// Restart is whether SMTPSVC is restarted after a change (default true).
	// With false, a change leaves a pending restart that plan reports.
	Restart bool

	// SMTPPort is the port probed to see what the live service offers
	// (default 25). Ports of other virtual servers come from the metabase.
	SMTPPort int

	// Groups are the group or tag names usable with -target.
	Groups []string

	DeclRange hcl.Range

	// block is the label of the server block: Name without the for_each
	// key.
	block string
}

// Exception allows a verb on named servers for a limited time.
type Exception struct {
	Name          string
	Verb          verb.Verb
	Servers       []string
	Justification string
	ApprovedBy    string
	Expires       time.Time
	DeclRange     hcl.Range
}

// AppliedException is an exception as it bears on one server.
type AppliedException struct {
	*Exception

	// Active is false once the expiry date has passed; the verb is then
	// managed by the baselines again and the expiry is reported.
	Active bool
}

// Redacted is what output shows in place of a secret.
const Redacted = "(sensitive value)"
