package smtpd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// MaxLine is the longest command line, CRLF included, that the lab service
// reads as a command. RFC 5321 asks for at least 512; the lab is more
// generous so that ESMTP parameters fit.
const MaxLine = 2048

// MaxMessageSize is the SIZE the lab advertises: IIS's default
// MaxMessageSize of 2 MiB.
const MaxMessageSize = 2097152

// DefaultIdleTimeout is how long a session may wait for a command when
// Config.IdleTimeout is zero: IIS's default connection time-out of ten
// minutes.
const DefaultIdleTimeout = 10 * time.Minute

// Config describes one simulated SMTP virtual server.
type Config struct {
	// Hostname is the fully qualified name the server gives in its banner
	// and replies, e.g. "mail01.corp.example". It must not be empty.
	Hostname string

	// Version is the file version in the banner, e.g. "10.0.17763.1697". An
	// empty Version gives the Exchange 2007 and later banner, which has no
	// "Version:" part.
	Version string

	// Flags is the running value of SmtpInboundCommandSupportOptions; it
	// decides which of TURN, ETRN, DSN, ENHANCEDSTATUSCODES, 8bitmime,
	// BINARYMIME and CHUNKING the server offers.
	Flags verb.Flags

	// Exchange adds what the Exchange 2000/2003 event sinks add to the
	// SMTP service: ATRN (when the TURN bit is set), X-EXPS, AUTH, XEXCH50
	// and X-LINK2STATE.
	Exchange bool

	// OpenRelay accepts recipients in any domain. Without it, recipients
	// outside LocalDomains get "550 5.7.1 Unable to relay".
	OpenRelay bool

	// LocalDomains are the domains whose recipients are accepted without
	// relaying, compared case-insensitively. Empty means the Hostname and
	// the domain it is in (the Hostname without its first label).
	LocalDomains []string

	// IdleTimeout ends a session that sends no command for this long.
	// Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
}

// Server is a running lab SMTP listener. Its methods are safe for
// concurrent use.
type Server struct {
	cfg      Config
	ln       net.Listener
	sessions atomic.Int64
	nextID   atomic.Uint64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
	stop   func() bool
}

// Listen binds addr (host:port; port 0 picks a free one) and serves SMTP on
// it until Close is called or ctx is cancelled. Cancelling ctx has the same
// effect as Close.
func Listen(ctx context.Context, addr string, cfg Config) (*Server, error) {
	if strings.TrimSpace(cfg.Hostname) == "" {
		return nil, errors.New("smtpd: Config.Hostname is empty: " +
			"give the FQDN the server announces, e.g. mail01.corp.example")
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if len(cfg.LocalDomains) == 0 {
		cfg.LocalDomains = defaultDomains(cfg.Hostname)
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for smtp on %s: %w", addr, err)
	}

	s := &Server{cfg: cfg, ln: ln, conns: map[net.Conn]struct{}{}}
	s.stop = context.AfterFunc(ctx, func() { _ = s.Close() })
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// defaultDomains returns host and, when host has more than one label, the
// domain it belongs to.
func defaultDomains(host string) []string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	out := []string{host}
	if _, domain, ok := strings.Cut(host, "."); ok && strings.Contains(domain, ".") {
		out = append(out, domain)
	}
	return out
}

// Addr returns the address the server listens on, as host:port.
func (s *Server) Addr() string {
	return s.ln.Addr().String()
}

// Sessions returns the number of connections accepted so far.
func (s *Server) Sessions() int {
	return int(s.sessions.Load())
}

// Close stops listening, ends every open session and waits until their
// goroutines are gone. Calling it again does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()

	s.stop()
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("close smtp listener %s: %w", s.ln.Addr(), err)
	}
	return nil
}

// serve accepts connections until the listener is closed.
func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// The listener is closed (or broken beyond use): stop.
			return
		}

		if !s.track(c) {
			_ = c.Close()
			return
		}
		s.sessions.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			newSession(s, c).run()
		}()
	}
}

// track registers c as open so Close can end it, and counts its goroutine.
// It returns false when the server is already closed.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

// untrack closes c and forgets it.
func (s *Server) untrack(c net.Conn) {
	_ = c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// isLocal reports whether domain is one the server accepts mail for.
func (s *Server) isLocal(domain string) bool {
	for _, d := range s.cfg.LocalDomains {
		if strings.EqualFold(strings.TrimSuffix(d, "."), domain) {
			return true
		}
	}
	return false
}
