package iis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/smtpverbs/smtpverbs/providers"
)

// provider opens sessions to IIS SMTP hosts over WinRM.
type provider struct{}

// New returns the IIS provider.
func New() providers.Provider {
	return provider{}
}

// Open validates host, connects to it and creates the session's remote
// shell, so bad credentials and unreachable hosts show up here. Errors are
// *providers.HostError values.
func (provider) Open(ctx context.Context, host providers.Host) (providers.Session, error) {
	name := host.Name
	if name == "" {
		name = host.Address
	}
	fail := func(err error) error {
		return &providers.HostError{Host: name, Kind: providers.KindFailed,
			Err: redact(err, host.Connection.Password)}
	}
	if strings.TrimSpace(host.Address) == "" {
		return nil, fail(errors.New("no address to connect to: set address"))
	}
	t, err := toolsFor(host)
	if err != nil {
		return nil, fail(err)
	}
	if _, _, err := endpoint(host.Address, host.Connection); err != nil {
		return nil, fail(err)
	}

	c := host.Connection
	debugLog().Debug("winrm: open", "host", name, "address", host.Address, "https", c.HTTPS,
		"port", c.Port, "auth", c.Auth, "user", c.Username, "password_set", c.Password != "")
	sh, err := openShell(ctx, host.Address, c)
	if err != nil {
		return nil, classify(name, c, fmt.Errorf("connect to %s: %w", host.Address, err))
	}
	return &session{name: name, host: host, tools: t, shell: sh}, nil
}

// session is an open WinRM shell on one IIS host.
type session struct {
	name  string
	host  providers.Host
	tools tools
	shell remoteShell

	// last is the latest observation, which Write needs to know the
	// method, whether SMTPSVC runs and whether the host may be written.
	last *providers.Observation
}

// Read observes the host in one remote command.
func (s *session) Read(ctx context.Context) (*providers.Observation, error) {
	res, err := s.run(ctx, "read", readCommand(s.tools))
	if err != nil {
		return nil, err
	}
	obs, err := observe(sections(res.Stdout), res.Stderr, s.tools, s.host.VirtualServers)
	if err != nil {
		return nil, s.hostError(fmt.Errorf("read %s: %w", s.name, err))
	}
	s.last = obs
	return obs, nil
}

// Write sets the requested values at their instance keys (or deletes them
// there), restarts SMTPSVC when asked and it was running, and re-reads, all
// in one remote command. When the command ran, the result is returned even
// with an error, so its transcript can be shown. Write reads the host first
// when the session has not read it yet.
func (s *session) Write(ctx context.Context, req providers.WriteRequest) (*providers.WriteResult,
	error) {

	if len(req.Writes) == 0 {
		return nil, s.hostError(errors.New("write: no values to write"))
	}
	if s.last == nil {
		if _, err := s.Read(ctx); err != nil {
			return nil, err
		}
	}
	before := s.last
	if !before.Manageable {
		return nil, &providers.HostError{Host: s.name, Kind: providers.KindUnmanageable,
			Err: errors.New(before.Reason), Remedy: before.Remedy}
	}
	if err := checkInstances(before, req.Writes); err != nil {
		return nil, s.hostError(err)
	}

	// A delete of a value the instance does not hold is already done, and
	// mdutil would fail it with MD_ERROR_DATA_NOT_FOUND.
	writes := pending(before, req.Writes)
	restart := req.Restart && before.SMTPState == "RUNNING"
	cmd := writeCommand(s.tools, before.Method, writes, restart)
	res, err := s.run(ctx, "write", cmd)
	if err != nil {
		// The write may or may not have happened: the next Write re-reads.
		s.last = nil
		return nil, err
	}

	secs := sections(res.Stdout)
	result := &providers.WriteResult{Transcript: transcript(cmd, res)}
	_, result.Restarted = secs[secStarted]
	after, readErr := observe(secs, res.Stderr, s.tools, s.host.VirtualServers)
	if readErr == nil {
		result.After = after
		s.last = after
	} else {
		// The host changed in an unknown way: the next Write must re-read.
		s.last = nil
	}

	if err := writeOutcome(secs, res.Stderr, writes, restart); err != nil {
		return result, s.hostError(err)
	}
	if readErr != nil {
		return result, s.hostError(fmt.Errorf("re-read after the write: %w", readErr))
	}
	if err := stuck(after, req.Writes); err != nil {
		return result, s.hostError(err)
	}
	return result, nil
}

// Requests returns the number of WinRM requests the session has sent.
func (s *session) Requests() int {
	return s.shell.Requests()
}

// Close deletes the remote shell.
func (s *session) Close() error {
	if err := s.shell.Close(); err != nil {
		return s.hostError(err)
	}
	return nil
}

// run runs one remote command and classifies its failure.
func (s *session) run(ctx context.Context, what, cmd string) (cmdResult, error) {
	start := time.Now()
	res, err := s.shell.Run(ctx, cmd)
	debugLog().Debug("winrm: command", "host", s.name, "step", what, "bytes", len(cmd),
		"exit", res.Exit, "stdout_bytes", len(res.Stdout), "requests", s.shell.Requests(),
		"took", time.Since(start), "err", err)
	if err != nil {
		return res, classify(s.name, s.host.Connection, fmt.Errorf("%s %s: %w", what, s.name, err))
	}
	return res, nil
}

// hostError makes err a *providers.HostError of kind KindFailed for this
// host, with the remedy of a remedyError inside it and without the password.
func (s *session) hostError(err error) error {
	pw := s.host.Connection.Password
	he := &providers.HostError{Host: s.name, Kind: providers.KindFailed, Err: redact(err, pw)}
	var re *remedyError
	if errors.As(err, &re) {
		he.Remedy = redactText(re.remedy, pw)
	}
	return he
}

// remedyError is a failure that knows what the user should do about it.
type remedyError struct {
	err    error
	remedy string
}

func (e *remedyError) Error() string { return e.err.Error() }
func (e *remedyError) Unwrap() error { return e.err }

// checkInstances refuses writes to instances the last read did not see.
func checkInstances(obs *providers.Observation, writes []providers.Write) error {
	have := map[int]bool{}
	var found []string
	for _, in := range obs.Instances {
		have[in.ID] = true
		found = append(found, in.Path)
	}
	for _, w := range writes {
		if !have[w.Instance] {
			return fmt.Errorf("write: virtual server %s was not read on this host (found: %s)",
				instancePath(w.Instance), strings.Join(found, ", "))
		}
	}
	return nil
}

// writeOutcome checks the markers of a write command: every write done,
// and SMTPSVC stopped and started again when a restart was asked for.
func writeOutcome(secs map[string]string, stderr string, writes []providers.Write,
	restart bool) error {

	if _, ok := secs[secWritten]; !ok {
		out := secs[secWrite] + "\n" + stderr
		err := fmt.Errorf("write %s: %s", instancePaths(writes), summarise(out))
		if accessDenied(out) {
			return &remedyError{err: err, remedy: adminRemedy}
		}
		return err
	}
	if !restart {
		return nil
	}

	if _, ok := secs[secStopped]; !ok {
		out := secs[secWritten] + "\n" + stderr
		return &remedyError{
			err:    fmt.Errorf("net stop smtpsvc failed: %s", netText(out)),
			remedy: "the values are written; restart SMTPSVC on the host to apply them"}
	}
	if _, ok := secs[secStarted]; !ok {
		out := secs[secStopped] + "\n" + stderr
		return &remedyError{
			err: fmt.Errorf("SMTPSVC did not start again after the write: %s", netText(out)),
			remedy: "the service is stopped: read the System event log on the host, then " +
				"run net start smtpsvc"}
	}
	return nil
}

// netText is the failure part of net's output, or all of it.
func netText(out string) string {
	if t := netFailure(out); t != "" {
		return t
	}
	return summarise(out)
}

// pending drops the deletes of values that obs shows are not set at their
// instance key.
func pending(obs *providers.Observation, writes []providers.Write) []providers.Write {
	explicit := map[int]bool{}
	for _, in := range obs.Instances {
		explicit[in.ID] = in.Source == providers.SourceExplicit
	}
	var out []providers.Write
	for _, w := range writes {
		if w.Delete && !explicit[w.Instance] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// stuck checks that every written value is what the re-read found, and
// that every deleted value is gone from its instance key.
func stuck(after *providers.Observation, writes []providers.Write) error {
	got := map[int]providers.Instance{}
	for _, in := range after.Instances {
		got[in.ID] = in
	}
	for _, w := range writes {
		in, ok := got[w.Instance]
		switch {
		case !ok && w.Delete:
			return fmt.Errorf("delete did not stick on %s: the instance is gone",
				instancePath(w.Instance))
		case !ok:
			return fmt.Errorf("value did not stick on %s: wrote %s, the instance is gone",
				instancePath(w.Instance), w.Value)
		case w.Delete:
			if in.Source == providers.SourceExplicit {
				return fmt.Errorf("delete did not stick on %s: %s is still set there",
					in.Path, in.Value)
			}
			continue
		}
		if in.Value != w.Value || in.Source != providers.SourceExplicit {
			return fmt.Errorf("value did not stick on %s: wrote %s, read %s (%s)",
				in.Path, w.Value, in.Value, in.Source)
		}
	}
	return nil
}

// instancePaths lists the metabase keys of writes.
func instancePaths(writes []providers.Write) string {
	var paths []string
	for _, w := range writes {
		paths = append(paths, instancePath(w.Instance))
	}
	return strings.Join(paths, ", ")
}

// transcript is the evidence of one remote command.
func transcript(cmd string, res cmdResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s\n", cmd)
	b.WriteString(strings.ReplaceAll(res.Stdout, "\r\n", "\n"))
	if res.Stderr != "" {
		b.WriteString("[stderr]\n")
		b.WriteString(strings.ReplaceAll(res.Stderr, "\r\n", "\n"))
	}
	fmt.Fprintf(&b, "[exit %d]\n", res.Exit)
	return b.String()
}

// debugLog is the maintainer log: slog text on stderr when SMTPVERBS_LOG is
// set (debug, info, warn or error), and a discarding logger otherwise. It is
// built once, on first use. It never receives a password.
var debugLog = sync.OnceValue(func() *slog.Logger {
	lvl := strings.ToLower(os.Getenv("SMTPVERBS_LOG"))
	if lvl == "" {
		return slog.New(slog.DiscardHandler)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(lvl)); err != nil {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).
		With("component", "iis")
})
