package scan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Options tune a probe. The zero value is usable: every field has a
// default.
type Options struct {
	// Timeout bounds the connect and each command's complete reply
	// (default 10s).
	Timeout time.Duration

	// HeloName is the name sent with EHLO and HELO (default
	// "smtpverbs.invalid").
	HeloName string

	// ETRNDomain is the domain of the ETRN try. The default is the domain
	// of the host name in the server's banner (the name without its first
	// label), else "example.com".
	ETRNDomain string

	// Relay runs the relay test: MAIL FROM and RCPT TO with addresses
	// outside the server's domains, then RSET. DATA is never sent.
	Relay bool

	// STARTTLS negotiates TLS when the server offers it and records the
	// version and the certificate. Without it, TLS is not looked at and
	// no TLS finding is made.
	STARTTLS bool

	// Parallelism is how many targets ScanAll probes at once (default 50).
	Parallelism int
}

// Defaults for Options.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultHeloName    = "smtpverbs.invalid"
	DefaultParallelism = 50
)

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.HeloName == "" {
		o.HeloName = DefaultHeloName
	}
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	return o
}

// Probe talks SMTP to target (host or host:port; port 25 by default) and
// reports what it offers: banner, EHLO keywords, HELP, the replies to TURN,
// ATRN, ETRN, VRFY and EXPN, optionally the relay test and STARTTLS, and the
// findings. It never sends DATA.
//
// Probe always returns a Result. A failure to connect, a refusal, a stall
// or garbage ends the probe with Result.Err set; what was seen before it is
// kept, findings included.
func Probe(ctx context.Context, target string, opts Options) *Result {
	p := &prober{opts: opts.withDefaults(), res: &Result{Target: target}}
	p.res.Err = p.safeRun(ctx)
	if p.c != nil {
		p.c.close()
	}

	p.res.Server = identify(p.res)
	p.res.Findings = findings(p.res, p.opts)
	return p.res
}

// prober holds the state of one probe.
type prober struct {
	opts Options
	res  *Result
	c    *conn

	// turned is set when the server accepted TURN or ATRN: the roles are
	// reversed and the session cannot be used any more.
	turned bool
}

// safeRun is run with a guard, so that a bug met on one target's strange
// replies becomes that target's error instead of ending a fleet scan.
func (p *prober) safeRun(ctx context.Context) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error while probing %s (please report it): %v",
				p.res.Target, v)
		}
	}()
	return p.run(ctx)
}

// run performs the probe's steps in order and stops at the first failure.
func (p *prober) run(ctx context.Context) error {
	addr, err := normalizeTarget(p.res.Target)
	if err != nil {
		return err
	}
	p.res.Addr = addr

	if err := p.open(ctx, true); err != nil {
		return err
	}

	// Passive: what the server says it supports.
	rep, err := p.c.cmd("HELP")
	if err != nil && !errors.Is(err, errClosing) {
		return fmt.Errorf("HELP: %w", err)
	}
	p.res.HELPRaw = rep.Lines
	if err != nil {
		return fmt.Errorf("HELP: %w", err)
	}

	// Active: what it really does. TURN and ATRN go last because a server
	// that accepts them stops being a server.
	p.res.Verbs = map[string]Reply{}
	tries := []struct{ key, line string }{
		{"ETRN", "ETRN " + p.etrnDomain()},
		{"VRFY", "VRFY postmaster"},
		{"EXPN", "EXPN postmaster"},
	}
	for _, t := range tries {
		if err := p.try(t.key, t.line); err != nil {
			return err
		}
	}
	if p.opts.Relay {
		if err := p.relay(); err != nil {
			return err
		}
	}
	for _, v := range []string{"ATRN", "TURN"} {
		if err := p.turn(ctx, v); err != nil {
			return err
		}
	}

	if p.opts.STARTTLS && p.res.Advertises("STARTTLS") {
		if err := p.startTLS(ctx); err != nil {
			return err
		}
	}
	if p.c != nil {
		_, _ = p.c.cmd("QUIT")
	}
	return nil
}

// open connects, reads the greeting and says hello. The first session
// records banner and EHLO; a later one (after TURN) only repeats them.
func (p *prober) open(ctx context.Context, first bool) error {
	c, err := dial(ctx, p.res.Addr, p.opts.Timeout, p.res)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("connect to %s: %w", p.res.Addr, err)
	}
	p.c = c

	greet, err := c.greeting()
	if first && len(greet.Lines) > 0 {
		p.res.Banner = greet.Lines[0]
	}
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if greet.Code != 220 {
		return fmt.Errorf("server refused the session: %s", greet.Lines[0])
	}

	return p.hello(first)
}

// hello sends EHLO, or HELO when EHLO is refused.
func (p *prober) hello(first bool) error {
	if !first && p.res.UsedHELO {
		return p.expect("HELO "+p.opts.HeloName, 250)
	}

	rep, err := p.c.cmd("EHLO " + p.opts.HeloName)
	if err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if rep.Code == 250 {
		if first {
			p.res.EHLORaw = rep.Lines
			p.res.EHLO = keywords(rep)
		}
		return nil
	}

	if first {
		p.res.UsedHELO = true
	}
	return p.expect("HELO "+p.opts.HeloName, 250)
}

// expect sends line and fails unless the reply has code want.
func (p *prober) expect(line string, want int) error {
	rep, err := p.c.cmd(line)
	if err != nil {
		return fmt.Errorf("%s: %w", line, err)
	}
	if rep.Code != want {
		return fmt.Errorf("server refused %s: %s", line, rep.Lines[0])
	}
	return nil
}

// try sends one active check and records its reply under key.
func (p *prober) try(key, line string) error {
	rep, err := p.c.cmd(line)
	if err == nil || errors.Is(err, errClosing) {
		p.res.Verbs[key] = rep
	}
	if err != nil {
		return fmt.Errorf("%s: %w", line, err)
	}
	return nil
}

// turn tries TURN or ATRN. A server that accepts one reverses the roles,
// so the session is dropped; the next step opens a new one.
func (p *prober) turn(ctx context.Context, v string) error {
	if p.turned {
		if err := p.open(ctx, false); err != nil {
			return fmt.Errorf("reconnect after a reversed session: %w", err)
		}
		p.turned = false
	}
	if err := p.try(v, v); err != nil {
		return err
	}

	if rep := p.res.Verbs[v]; rep.Code >= 200 && rep.Code < 300 {
		p.c.close()
		p.c, p.turned = nil, true
	}
	return nil
}

// relay runs the relay test: sender and recipient both outside the
// server's domains, then RSET.
func (p *prober) relay() error {
	from, to := relayAddresses(p.serverName())

	mail, err := p.c.cmd("MAIL FROM:<" + from + ">")
	if err != nil {
		return fmt.Errorf("relay test: MAIL FROM: %w", err)
	}
	p.res.Relay = &mail
	if !mail.Positive() {
		return nil
	}

	rcpt, err := p.c.cmd("RCPT TO:<" + to + ">")
	if err != nil {
		return fmt.Errorf("relay test: RCPT TO: %w", err)
	}
	p.res.Relay = &rcpt

	if _, err := p.c.cmd("RSET"); err != nil {
		return fmt.Errorf("relay test: RSET: %w", err)
	}
	return nil
}

// startTLS negotiates TLS and records the outcome. A failed handshake
// leaves the session unusable, so it is dropped without QUIT.
func (p *prober) startTLS(ctx context.Context) error {
	if p.turned {
		if err := p.open(ctx, false); err != nil {
			return fmt.Errorf("reconnect for STARTTLS: %w", err)
		}
		p.turned = false
	}

	rep, err := p.c.cmd("STARTTLS")
	if err != nil {
		return fmt.Errorf("STARTTLS: %w", err)
	}
	if rep.Code != 220 {
		p.res.TLS = &TLSInfo{Error: "STARTTLS refused: " + rep.Lines[0]}
		return nil
	}

	host, _, _ := net.SplitHostPort(p.res.Addr)
	if net.ParseIP(host) != nil {
		host = ""
	}
	p.res.TLS = p.c.startTLS(host)
	if p.res.TLS.Error != "" {
		p.c.close()
		p.c = nil
	}
	return nil
}

// serverName returns the host name the server gives in its banner, or "".
func (p *prober) serverName() string {
	f := strings.Fields(p.res.Banner)
	if len(f) < 2 || !strings.Contains(f[1], ".") || net.ParseIP(f[1]) != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(f[1], "."))
}

// etrnDomain returns the domain for the ETRN try.
func (p *prober) etrnDomain() string {
	if p.opts.ETRNDomain != "" {
		return p.opts.ETRNDomain
	}
	host := p.serverName()
	if host == "" {
		return "example.com"
	}
	if _, domain, ok := strings.Cut(host, "."); ok && strings.Contains(domain, ".") {
		return domain
	}
	return host
}

// relayAddresses returns a sender and a recipient in reserved example
// domains (RFC 2606) other than the server's own.
func relayAddresses(server string) (from, to string) {
	var outside []string
	for _, d := range []string{"example.org", "example.net", "example.com"} {
		if server != d && !strings.HasSuffix(server, "."+d) {
			outside = append(outside, d)
		}
	}
	return "smtpverbs-probe@" + outside[0], "smtpverbs-probe@" + outside[1]
}

// keywords returns the EHLO keywords of rep: the first token of every line
// after the greeting line, in upper case.
//
// IIS and Exchange end the reply with a bare "250 OK" line. It is no
// extension (no SMTP extension is called OK), so a last line that says only
// OK is left out rather than reported as a keyword.
func keywords(rep Reply) []string {
	var out []string
	lines := rep.Lines[1:]
	for i, l := range lines {
		text := strings.TrimSpace(l[min(4, len(l)):])
		if i == len(lines)-1 && strings.EqualFold(text, "OK") {
			break
		}
		if f := strings.Fields(text); len(f) > 0 {
			out = append(out, strings.ToUpper(f[0]))
		}
	}
	return out
}

// normalizeTarget turns host or host:port into host:port, port 25 by
// default. A bare IPv6 address is accepted without brackets.
func normalizeTarget(target string) (string, error) {
	t := strings.TrimSpace(target)
	switch {
	case t == "":
		return "", errors.New("empty target: give a host name or address, " +
			"optionally with :port")
	case strings.Contains(t, "/"):
		return "", fmt.Errorf("target %q: give host or host:port, not a URL", target)
	}

	if ip := net.ParseIP(strings.Trim(t, "[]")); ip != nil && strings.Count(t, ":") > 1 &&
		!strings.HasPrefix(t, "[") {
		return net.JoinHostPort(ip.String(), "25"), nil
	}
	host, port, err := net.SplitHostPort(t)
	if err != nil {
		if strings.Contains(err.Error(), "missing port") {
			return net.JoinHostPort(strings.Trim(t, "[]"), "25"), nil
		}
		return "", fmt.Errorf("target %q: %w", target, err)
	}
	if n, err := strconv.Atoi(port); host == "" || err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("target %q: give host or host:port with a port from 1 to 65535",
			target)
	}
	return net.JoinHostPort(host, port), nil
}
