package plan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// DefaultParallelism is how many hosts are worked on at once when Options
// does not say.
const DefaultParallelism = 10

// Options control Make and Apply.
type Options struct {
	// Parallelism bounds how many hosts are worked on at once; zero means
	// DefaultParallelism.
	Parallelism int

	// Provider opens sessions to hosts. It is required.
	Provider providers.Provider

	// Probe, when set, checks over SMTP what a live service offers: Make
	// uses it to find pending restarts, Apply to verify a change.
	Probe ProbeFunc

	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Events, when set, receives one event per host step. It is called from
	// one goroutine at a time.
	Events func(Event)

	// ToolVersion and Targets are recorded in the plan.
	ToolVersion string
	Targets     []string

	// KeepSessions keeps the session of each host that will change open
	// after Make, so that an interactive Apply reuses its remote shell.
	// Plan.Close ends them.
	KeepSessions bool

	// ConnectRetries is how many more times a session is opened when a try
	// fails in a way that may pass: a timeout, or a connection reset or cut
	// short. Refused connections, names that do not resolve and refused
	// credentials are never retried. RetryDelay is the wait before the
	// first retry, doubled for each further one; zero means
	// DefaultRetryDelay.
	ConnectRetries int
	RetryDelay     time.Duration

	// Secrets are scrubbed from every text the engine records (reasons,
	// transcripts, diagnostics), as a second line of defence behind the
	// provider. config.Config.Secrets gives them.
	Secrets []string
}

// withDefaults fills in the zero fields of o.
func (o Options) withDefaults() Options {
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Make reads every server of servers (all of cfg's when servers is nil) and
// returns the plan. Hosts are independent: a host that cannot be read gets a
// status that says why, and the others are planned as usual.
//
// When ctx is cancelled, hosts not yet started are marked as not planned and
// Make returns the partial plan together with an error.
func Make(ctx context.Context, cfg *config.Config, servers []*config.Server,
	opts Options) (*Plan, error) {
	if cfg == nil {
		return nil, errors.New("make plan: no configuration")
	}
	if opts.Provider == nil {
		return nil, errors.New("make plan: no provider")
	}
	opts = opts.withDefaults()
	if servers == nil {
		servers = cfg.Servers
	}

	p := &Plan{
		FormatVersion: FormatVersion,
		ToolVersion:   opts.ToolVersion,
		CreatedAt:     opts.Now().UTC(),
		ConfigDigest:  cfg.Digest,
		Targets:       opts.Targets,
		Connections:   connections(servers),
		Hosts:         make([]*Host, len(servers)),
	}

	m := &maker{opts: opts, em: newEmitter(opts.Events, opts.Now)}
	g := new(errgroup.Group)
	g.SetLimit(opts.Parallelism)
	for i, s := range servers {
		p.Hosts[i] = newHost(s)
		if ctx.Err() != nil {
			p.Hosts[i].setStatus(StatusError, "not planned: interrupted", "")
			continue
		}
		g.Go(func() error {
			h := p.Hosts[i]
			defer func() {
				if r := recover(); r != nil {
					h.setStatus(StatusError, fmt.Sprintf("internal error while planning: %v", r),
						bugRemedy)
				}
			}()
			m.planHost(ctx, h)
			return nil
		})
	}
	_ = g.Wait() // planHost records failures in the host; it never returns one

	p.Summary = summarize(p.Hosts)
	if err := ctx.Err(); err != nil {
		return p, fmt.Errorf("make plan: interrupted: %w", err)
	}
	return p, nil
}

// bugRemedy is the remedy of a host on which smtpverbs itself failed.
const bugRemedy = "This is a bug in smtpverbs: please report it with the command you ran. " +
	"Plan again to see the host's state."

// maker plans hosts with one set of options.
type maker struct {
	opts Options
	em   *emitter
}

// planHost reads one host and fills in h.
func (m *maker) planHost(ctx context.Context, h *Host) {
	if ctx.Err() != nil {
		h.setStatus(StatusError, "not planned: interrupted", "")
		return
	}

	ph, err := providerHost(h.server)
	if err != nil {
		m.fail(h, err)
		return
	}
	sess, err := m.opts.open(ctx, ph, func(msg string) {
		h.Diagnostics = append(h.Diagnostics, msg)
	})
	if err != nil {
		m.fail(h, err)
		return
	}

	obs, err := sess.Read(ctx)
	if err != nil {
		closeCounting(h, sess)
		m.fail(h, err)
		return
	}
	h.observe(obs, h.server)
	m.em.emit(Event{Type: EventHostRead, Host: h,
		Message: fmt.Sprintf("%s: read %d virtual server(s)", h.Name, len(h.Instances))})

	if m.opts.Probe != nil {
		m.checkPending(ctx, h)
	}

	// Keep the shell for Apply only where there is something to write.
	if m.opts.KeepSessions && h.Status == StatusChange {
		h.session = sess
		h.Requests = sess.Requests()
	} else {
		closeCounting(h, sess)
	}

	switch h.Status {
	case StatusCompliant:
		m.em.emit(Event{Type: EventHostCompliant, Host: h,
			Message: h.Name + ": compliant"})
	default:
		m.em.emit(Event{Type: EventPlannedChange, Host: h,
			Message: h.Name + ": " + h.Status.Label()})
	}
}

// closeCounting closes sess and records the requests it made, the closing
// one included.
func closeCounting(h *Host, sess providers.Session) {
	_ = sess.Close() // a failed close leaves the shell to the server's idle timeout
	h.Requests = sess.Requests()
}

// fail records err as h's status and reports it.
func (m *maker) fail(h *Host, err error) {
	status, reason, remedy := classify(h, err)
	h.setStatus(status, scrub(reason, m.opts.Secrets), scrub(remedy, m.opts.Secrets))
	m.em.emit(Event{Type: EventDiagnostic, Host: h, Severity: "error",
		Message: fmt.Sprintf("%s: %s: %s", h.Name, status.Label(), h.Reason)})
}

// checkPending probes each instance of a running service and marks h as
// pending a restart when the live service offers a different set of verbs
// than the metabase value implies, in either direction: a verb off in the
// metabase but still offered, or one on in the metabase that EHLO does not
// advertise (see ehloVisible for the verbs that can be seen).
func (m *maker) checkPending(ctx context.Context, h *Host) {
	if h.SMTPState != "RUNNING" {
		return
	}
	var diffs []string
	for _, in := range h.Instances {
		addr := probeAddr(h, in)
		if addr == "" {
			continue
		}
		r, err := m.opts.Probe(ctx, addr)
		if err != nil {
			msg := scrub(fmt.Sprintf("SMTP probe of %s failed: %v", addr, err), m.opts.Secrets)
			h.Diagnostics = append(h.Diagnostics, msg)
			m.em.emit(Event{Type: EventDiagnostic, Host: h, Severity: "warning",
				Message: h.Name + ": " + msg})
			continue
		}
		offered, missing := liveDiff(in.Observed, r)
		if d := pendingText(addr, in.Path, offered, missing); d != "" {
			diffs = append(diffs, d)
		}
	}
	if len(diffs) > 0 {
		h.PendingRestart = true
		h.PendingReason = scrub(strings.Join(diffs, "; ")+": "+pendingCause, m.opts.Secrets)
	}
}

// newHost starts the plan of server s from its configuration alone.
func newHost(s *config.Server) *Host {
	h := &Host{
		Name:     s.Name,
		Address:  s.Address,
		Restart:  s.Restart,
		SMTPPort: s.SMTPPort,
		Enable:   verbNames(s.On),
		Disable:  verbNames(s.Off),
		server:   s,
	}
	if s.Connection != nil {
		h.Connection = s.Connection.Name
	}
	for _, ae := range s.Exceptions {
		if ae.Exception == nil {
			continue
		}
		h.Exceptions = append(h.Exceptions, Exception{
			Name:          ae.Name,
			Verb:          ae.Verb.Name,
			Justification: ae.Justification,
			ApprovedBy:    ae.ApprovedBy,
			Expires:       ae.Expires,
			Active:        ae.Active,
		})
	}
	return h
}

// observe fills in h from what the host reported and the policy of s.
func (h *Host) observe(obs *providers.Observation, s *config.Server) {
	h.Hostname = obs.Hostname
	h.OS = obs.OS
	h.SMTPState = obs.SMTPState
	h.Method = obs.Method

	h.Instances = h.Instances[:0]
	changes := 0
	for _, oi := range obs.Instances {
		in := &Instance{
			ID:       oi.ID,
			Path:     oi.Path,
			Observed: oi.Value,
			Source:   oi.Source,
			Target:   oi.Value.Apply(s.On, s.Off),
			Ports:    oi.Ports,
		}
		for _, c := range verb.Diff(in.Observed, in.Target) {
			in.Changes = append(in.Changes, changeOf(c))
		}
		changes += len(in.Changes)
		h.Instances = append(h.Instances, in)
	}

	// Compliance is never claimed for a host whose values were not read.
	switch {
	case len(h.Instances) == 0 && !obs.Manageable:
		h.setStatus(StatusCannotChange, obs.Reason, obs.Remedy)
	case len(h.Instances) == 0:
		h.setStatus(StatusError, "no SMTP virtual server found under /LM/SmtpSvc",
			"Check that the SMTP service of IIS is installed on the host, and that "+
				"virtual_servers names instances that exist.")
	case changes == 0:
		h.Status = StatusCompliant
	case !obs.Manageable:
		h.setStatus(StatusCannotChange, obs.Reason, obs.Remedy)
	default:
		h.Status = StatusChange
	}
}

func (h *Host) setStatus(s Status, reason, remedy string) {
	h.Status, h.Reason, h.Remedy = s, reason, remedy
}

func changeOf(c verb.Change) Change {
	if c.Enabled {
		return Change{Verb: c.Verb.Name, Action: ActionEnable}
	}
	return Change{Verb: c.Verb.Name, Action: ActionDisable}
}

// classify turns a host error into a status, a reason and a remedy,
// supplying a remedy where the provider gave none.
func classify(h *Host, err error) (Status, string, string) {
	reason, remedy := err.Error(), ""
	var he *providers.HostError
	if errors.As(err, &he) {
		if he.Err != nil {
			reason = he.Err.Error()
		}
		remedy = he.Remedy
	}

	switch providers.KindOf(err) {
	case providers.KindUnreachable:
		if remedy == "" {
			remedy = fmt.Sprintf("Check that %s is up, that WinRM listens on it "+
				"(winrm quickconfig) and that no firewall blocks the port.", h.Address)
		}
		return StatusUnreachable, reason, remedy
	case providers.KindAuth:
		if remedy == "" {
			remedy = fmt.Sprintf("Check the username and password of connection %q and "+
				"that the account is a local Administrator of %s.", h.Connection, h.Name)
		}
		return StatusAuthFailed, reason, remedy
	case providers.KindUnmanageable:
		return StatusCannotChange, reason, remedy
	}
	return StatusError, reason, remedy
}

// providerHost builds what the provider needs to reach s.
func providerHost(s *config.Server) (providers.Host, error) {
	h := providers.Host{
		Name:           s.Name,
		Address:        s.Address,
		Method:         s.Method,
		MdutilPath:     s.MdutilPath,
		AdsutilPath:    s.AdsutilPath,
		VirtualServers: s.VirtualServers,
	}
	c := s.Connection
	if c == nil {
		return h, fmt.Errorf("server %s has no connection", s.Name)
	}
	h.Connection = providers.Connection{
		HTTPS:            c.HTTPS,
		Port:             c.Port,
		Auth:             c.Auth,
		Username:         c.Username,
		Password:         c.Password,
		TLSServerName:    c.TLSServerName,
		Insecure:         c.Insecure,
		Timeout:          c.Timeout,
		OperationTimeout: c.OperationTimeout,
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return h, fmt.Errorf("read ca_file of connection %q: %w", c.Name, err)
		}
		h.Connection.CACert = pem
	}
	return h, nil
}

// connections describes the connection profiles servers use, without
// secrets.
func connections(servers []*config.Server) map[string]Connection {
	out := map[string]Connection{}
	for _, s := range servers {
		c := s.Connection
		if c == nil {
			continue
		}
		transport := "http"
		if c.HTTPS {
			transport = "https"
		}
		out[c.Name] = Connection{
			Transport:     transport,
			Port:          c.Port,
			Auth:          c.Auth,
			Username:      c.Username,
			TLSServerName: c.TLSServerName,
			Insecure:      c.Insecure,
		}
	}
	return out
}

// verbNames lists the verbs whose bit is set in f.
func verbNames(f verb.Flags) []string {
	var out []string
	for _, v := range f.Enabled() {
		out = append(out, v.Name)
	}
	return out
}

// scrub replaces every secret in s with config.Redacted.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, config.Redacted)
		}
	}
	return s
}
