package iis

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/smtpverbs/smtpverbs/providers"
)

// statusRe finds the HTTP status in masterzen/winrm errors, which read
// "http response error: 401 - invalid content type" or "http error 500: ...".
var statusRe = regexp.MustCompile(`http (?:response )?error:? (\d{3})`)

// classify turns an error of a WinRM call into a *providers.HostError whose
// kind tells the engine what happened and whose remedy tells the user what
// to do. The text never holds the password.
func classify(host string, c providers.Connection, err error) *providers.HostError {
	var he *providers.HostError
	if errors.As(err, &he) {
		return he
	}
	kind, remedy := kindOf(c, err)
	if b := brief(err); b != nil && kind == providers.KindUnreachable {
		// The full error stays reachable by errors.Is, but never with the
		// password in it.
		b.err = redact(b.err, c.Password)
		err = b
	}
	return &providers.HostError{
		Host:   host,
		Kind:   kind,
		Err:    redact(err, c.Password),
		Remedy: redactText(remedy, c.Password),
	}
}

// briefError is a network failure told in its own words. masterzen/winrm
// wraps a failed dial as `unknown error Post "URL": dial tcp ADDR: connect:
// connection refused` and our steps add "connect to HOST: open a shell:" in
// front; a user only needs the last part. It unwraps to the full error, so
// errors.Is still sees the cause.
type briefError struct {
	msg string
	err error
}

func (e *briefError) Error() string { return e.msg }
func (e *briefError) Unwrap() error { return e.err }

// brief returns err told as the network failure inside it, such as "dial
// tcp 127.0.0.1:5986: connection refused" or "lookup mail01: no such host",
// or nil when err holds no such failure.
func brief(err error) *briefError {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &briefError{msg: dnsErr.Error(), err: err}
	}

	var op *net.OpError
	if !errors.As(err, &op) {
		return nil
	}
	msg := op.Op
	if op.Net != "" {
		msg += " " + op.Net
	}
	if op.Addr != nil {
		msg += " " + op.Addr.String()
	}

	// The syscall name ("connect: ") says nothing the operation does not.
	cause := op.Err
	var sys *os.SyscallError
	if errors.As(cause, &sys) {
		cause = sys.Err
	}
	if cause != nil {
		msg += ": " + cause.Error()
	}
	return &briefError{msg: msg, err: err}
}

// kindOf picks the kind and remedy for a WinRM failure.
func kindOf(c providers.Connection, err error) (providers.Kind, string) {
	where := fmt.Sprintf("port %d", c.Port)
	listener := "check that the host is up, that WinRM listens on " + where +
		" (winrm quickconfig; winrm enumerate winrm/config/listener) and that no " +
		"firewall blocks it"

	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return providers.KindUnreachable, "the host did not answer in time: " + listener +
			", or raise the timeout"
	case errors.Is(err, context.Canceled):
		return providers.KindFailed, ""
	case errors.Is(err, syscall.ECONNREFUSED):
		return providers.KindUnreachable, listener
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return providers.KindUnreachable, "no route to the host: check the address and the network"
	case errors.As(err, &dnsErr):
		return providers.KindUnreachable, "the host name does not resolve: check the address"
	case tlsVerifyFailed(err):
		return providers.KindFailed, "the host's WinRM certificate was not trusted: set ca_file " +
			"to the PEM file of the CA that issued it, and tls_server_name to a name the " +
			"certificate holds when the address is not one of them"
	case strings.Contains(err.Error(), "first record does not look like a TLS handshake"),
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return providers.KindFailed, where + " answers plain HTTP: set https = false, " +
			"or use the HTTPS listener's port (5986 by default)"
	case errors.As(err, &netErr) && netErr.Timeout():
		return providers.KindUnreachable, "the host did not answer in time: " + listener +
			", or raise the timeout"
	}

	var fault *faultError
	if errors.As(err, &fault) && fault.Code == faultAccessDenied {
		return providers.KindAuth, "the account signed in but may not use WinRM: make it a " +
			"member of the host's local Administrators group"
	}

	switch httpStatus(err) {
	case 401:
		return providers.KindAuth, authRemedy(c)
	case 400:
		if !c.HTTPS {
			return providers.KindFailed, "the server refused the request; if " + where +
				" is an HTTPS listener, set https = true"
		}
	}
	return providers.KindFailed, ""
}

// authRemedy says what to check when credentials were refused.
func authRemedy(c providers.Connection) string {
	if strings.EqualFold(c.Auth, "ntlm") {
		return "check the username and password (DOMAIN\\user for a domain account) and " +
			"that the account is a local Administrator"
	}
	return "check the username and password; Basic authentication also needs " +
		`winrm set winrm/config/service/auth @{Basic="true"} on the host and works ` +
		`only with local accounts; for a domain account use auth = "ntlm"`
}

// httpStatus returns the HTTP status a masterzen/winrm error reports, or 0.
func httpStatus(err error) int {
	m := statusRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// tlsVerifyFailed reports whether err is a failed certificate check.
func tlsVerifyFailed(err error) bool {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cerr x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) ||
		errors.As(err, &cerr)
}

// redactedError is an error whose text had the password cut out. It does
// not unwrap: the original's text is the thing that must not escape.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// redact returns err unchanged unless its text holds the password, and then
// an error whose text replaces each occurrence with a placeholder.
func redact(err error, password string) error {
	if err == nil || password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return &redactedError{msg: redactText(err.Error(), password)}
}

// redactText replaces each occurrence of password in s.
func redactText(s, password string) string {
	if password == "" {
		return s
	}
	return strings.ReplaceAll(s, password, "(sensitive value)")
}
