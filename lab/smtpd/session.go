package smtpd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// errQuit ends a session after its last reply has been written.
var errQuit = errors.New("session over")

// session is one SMTP conversation. It is used by a single goroutine.
type session struct {
	srv *Server
	cfg Config
	c   net.Conn
	r   *bufio.Reader
	w   *bufio.Writer
	ip  string

	// The envelope: hello seen, sender given, recipients accepted.
	hello bool
	from  string
	rcpts int
}

func newSession(s *Server, c net.Conn) *session {
	ip, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		ip = c.RemoteAddr().String()
	}
	return &session{
		srv: s,
		cfg: s.cfg,
		c:   c,
		r:   bufio.NewReaderSize(c, MaxLine),
		w:   bufio.NewWriter(c),
		ip:  ip,
	}
}

// run greets the client and answers commands until QUIT, an idle timeout,
// or a broken connection.
func (s *session) run() {
	if s.reply(banner(s.cfg, time.Now())) != nil || s.flush() != nil {
		return
	}

	for {
		_ = s.c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		line, err := s.readLine()

		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			_ = s.reply(fmt.Sprintf("421 4.4.2 %s Connection timed out", s.cfg.Hostname))
			_ = s.flush()
			return
		case errors.Is(err, bufio.ErrBufferFull):
			err = s.reply(replyLineTooLong)
		case err != nil:
			return
		default:
			err = s.command(line)
		}

		// Hold replies back while pipelined commands are waiting.
		if s.r.Buffered() == 0 || err != nil {
			if s.flush() != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// readLine reads one command line without its line ending. A line longer
// than MaxLine is read to its end and discarded, and bufio.ErrBufferFull is
// returned for it.
func (s *session) readLine() (string, error) {
	b, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = s.r.ReadSlice('\n')
		}
		if err != nil {
			return "", err
		}
		return "", bufio.ErrBufferFull
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// reply queues lines for the client.
func (s *session) reply(lines ...string) error {
	_ = s.c.SetWriteDeadline(time.Now().Add(s.cfg.IdleTimeout))
	for _, l := range lines {
		if _, err := s.w.WriteString(l + "\r\n"); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) flush() error {
	return s.w.Flush()
}

// command answers one command line. It returns errQuit after QUIT and any
// write or read error that ends the session.
func (s *session) command(line string) error {
	name, arg, _ := strings.Cut(line, " ")
	name = strings.ToUpper(name)
	arg = strings.TrimSpace(arg)
	f := s.cfg.Flags

	switch name {
	case "HELO":
		return s.helo(arg, false)
	case "EHLO":
		return s.helo(arg, true)
	case "HELP":
		return s.reply(helpReply(s.cfg)...)
	case "MAIL":
		return s.mail(arg)
	case "RCPT":
		return s.rcpt(arg)
	case "DATA":
		return s.data()
	case "BDAT":
		if !f.Has(verb.CHUNKING) {
			return s.reply(replyUnrecognized)
		}
		return s.bdat(arg)
	case "RSET":
		s.from, s.rcpts = "", 0
		return s.reply(replyReset)
	case "NOOP":
		return s.reply(replyNoop)
	case "QUIT":
		_ = s.reply(fmt.Sprintf("221 2.0.0 %s Service closing transmission channel",
			s.cfg.Hostname))
		return errQuit
	case "VRFY":
		return s.vrfy(arg)
	case "TURN":
		if !f.Has(verb.TURN) {
			return s.reply(replyUnrecognized)
		}
		return s.reply(replyNotAuth) // ASSUMPTION: IIS only does authenticated TURN.
	case "ATRN":
		if !s.cfg.Exchange || !f.Has(verb.ATRN) {
			return s.reply(replyUnrecognized)
		}
		return s.reply(replyNotAuth) // ASSUMPTION: ATRN always needs AUTH (RFC 2645).
	case "ETRN":
		if !f.Has(verb.ETRN) {
			return s.reply(replyUnrecognized)
		}
		return s.etrn(arg)
	case "AUTH":
		if !s.cfg.Exchange {
			return s.reply(replyUnrecognized)
		}
		return s.reply(replyAuthType)
	default:
		// EXPN and STARTTLS land here too: see the package documentation.
		return s.reply(replyUnrecognized)
	}
}

func (s *session) helo(arg string, extended bool) error {
	if arg == "" {
		return s.reply(replyBadAddress)
	}
	s.hello = true
	s.from, s.rcpts = "", 0
	if !extended {
		return s.reply(fmt.Sprintf("250 %s Hello [%s]", s.cfg.Hostname, s.ip))
	}
	return s.reply(ehloReply(s.cfg, s.ip)...)
}

func (s *session) mail(arg string) error {
	switch {
	case !s.hello:
		return s.reply(replyNeedHello)
	case s.from != "":
		return s.reply(replyNestedMail)
	}

	addr, params, ok := parsePath(arg, "FROM:")
	if !ok {
		return s.reply(replyBadAddress)
	}
	if size, ok := sizeParam(params); ok && size > MaxMessageSize {
		return s.reply(replyTooBig)
	}
	if addr == "" {
		addr = "<>"
	}
	s.from = addr
	return s.reply(fmt.Sprintf("250 2.1.0 %s....Sender OK", addr))
}

func (s *session) rcpt(arg string) error {
	if s.from == "" {
		return s.reply(replyNeedMail)
	}

	addr, _, ok := parsePath(arg, "TO:")
	if !ok || addr == "" {
		return s.reply(replyBadAddress)
	}
	local := true
	if _, domain, found := strings.Cut(addr, "@"); found {
		local = s.srv.isLocal(domain)
	}
	if !local && !s.cfg.OpenRelay {
		return s.reply(fmt.Sprintf("550 5.7.1 Unable to relay for %s", addr))
	}
	s.rcpts++
	return s.reply("250 2.1.5 " + addr)
}

// data reads message content up to the lone dot and throws it away.
func (s *session) data() error {
	if s.rcpts == 0 {
		return s.reply(replyNeedRcpt)
	}
	if err := s.reply(replyStartData); err != nil {
		return err
	}
	if err := s.flush(); err != nil {
		return err
	}

	// midLine is true while the rest of an overlong line is being read,
	// so that its tail is never taken for the final dot.
	size, midLine := 0, false
	for {
		_ = s.c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		b, err := s.r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
		if err == nil && !midLine && strings.TrimRight(string(b), "\r\n") == "." {
			break
		}
		midLine = err != nil
		size += len(b)
	}

	s.from, s.rcpts = "", 0
	if size > MaxMessageSize {
		return s.reply(replyTooBig)
	}
	return s.reply(s.queued())
}

// bdat reads one BDAT chunk (RFC 3030) and throws it away.
func (s *session) bdat(arg string) error {
	fields := strings.Fields(arg)
	n, err := strconv.Atoi(firstOr(fields, ""))
	if err != nil || n < 0 || len(fields) > 2 ||
		(len(fields) == 2 && !strings.EqualFold(fields[1], "LAST")) {
		return s.reply("501 5.5.4 Invalid arguments") // ASSUMPTION
	}

	// The chunk follows the command whatever the state, so read it first.
	_ = s.c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
	if _, err := io.CopyN(io.Discard, s.r, int64(n)); err != nil {
		return err
	}
	if s.rcpts == 0 {
		return s.reply(replyNeedRcpt)
	}
	if len(fields) == 1 {
		return s.reply(fmt.Sprintf("250 2.0.0 %d bytes received", n)) // ASSUMPTION
	}
	s.from, s.rcpts = "", 0
	return s.reply(s.queued())
}

// queued returns the reply to a complete message, with a queue id in the
// style of IIS.
func (s *session) queued() string {
	host, _, _ := strings.Cut(s.cfg.Hostname, ".")
	id := fmt.Sprintf("%s%016X", strings.ToUpper(host), s.srv.nextID.Add(1))
	return fmt.Sprintf("250 2.6.0 <%s@%s> Queued mail for delivery", id, s.cfg.Hostname)
}

func (s *session) vrfy(arg string) error {
	if arg == "" {
		return s.reply(replyBadAddress)
	}
	addr := strings.Trim(arg, "<>")
	if !strings.Contains(addr, "@") {
		addr += "@" + s.cfg.Hostname
	}
	return s.reply(fmt.Sprintf("252 2.1.5 Cannot VRFY user, but will take message for <%s>",
		addr))
}

func (s *session) etrn(arg string) error {
	if arg == "" {
		return s.reply("501 5.5.4 Syntax: ETRN domain") // ASSUMPTION
	}
	// UNCONFIRMED text: see the package documentation.
	return s.reply(fmt.Sprintf("250 2.0.0 Queuing for %s started", arg))
}

// parsePath parses "FROM:<a@b> PARAMS" (or TO:) and returns the address
// without brackets and the parameters. ok is false when the prefix or the
// brackets are missing.
func parsePath(arg, prefix string) (addr string, params []string, ok bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", nil, false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		// IIS accepts a bare address too.
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return "", nil, false
		}
		return fields[0], fields[1:], true
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", nil, false
	}
	return rest[1:end], strings.Fields(rest[end+1:]), true
}

// sizeParam returns the value of a SIZE= parameter.
func sizeParam(params []string) (int, bool) {
	for _, p := range params {
		k, v, found := strings.Cut(p, "=")
		if found && strings.EqualFold(k, "SIZE") {
			n, err := strconv.Atoi(v)
			return n, err == nil
		}
	}
	return 0, false
}

func firstOr(s []string, def string) string {
	if len(s) == 0 {
		return def
	}
	return s[0]
}
