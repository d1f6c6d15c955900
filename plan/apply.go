package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/smtpverbs/smtpverbs/providers"
)

// ApplyOptions control Apply. Options.Provider is required.
type ApplyOptions struct {
	Options

	// NoRollback leaves a host with its new values when verification
	// fails, instead of writing the previous values back.
	NoRollback bool

	// Batches, when set, applies the hosts that will change in rolling
	// batches of these sizes, taken in plan order; the last size repeats
	// until every host has a batch. A batch starts only when every host of
	// the one before has finished. Nil applies every host in one batch.
	Batches []BatchSize

	// MaxFail, when set, is the failure budget: once the hosts that count
	// as failed in finished batches exceed it, no further batch starts.
	// Without Batches it implies batches of Parallelism hosts, so that the
	// budget is checked at all. Nil means no limit.
	MaxFail *FailLimit
}

// rolling reports whether o asks for batches or a failure budget, the
// cases in which Apply reports batches.
func (o ApplyOptions) rolling() bool {
	return o.Batches != nil || o.MaxFail != nil
}

// batchSizes returns the batch sizes Apply uses: nil for one batch.
func (o ApplyOptions) batchSizes() []BatchSize {
	if o.Batches == nil && o.MaxFail != nil {
		return []BatchSize{{N: o.Parallelism}}
	}
	return o.Batches
}

// Apply carries out p. For each host that will change it opens a session
// (or reuses the one Make kept), re-reads the host and skips it as stale if
// any value differs from what the plan saw, writes the target values,
// restarts SMTPSVC as the server's policy says, and, when a probe is set and
// the service was restarted, checks over SMTP that no disabled verb is still
// offered. A host that fails verification gets its previous values back
// unless NoRollback is set.
//
// Hosts are independent: a failure never stops the others, unless a
// failure budget (ApplyOptions.MaxFail) is exceeded, in which case no
// further batch starts. Within a batch up to Parallelism hosts run at once.
// When ctx is cancelled no new host is started, and hosts in flight finish
// the step they are in and stop before the next one; every host still gets
// an outcome. Apply closes the sessions Make kept.
func Apply(ctx context.Context, p *Plan, opts ApplyOptions) *Result {
	opts.Options = opts.Options.withDefaults()
	a := &applier{opts: opts, em: newEmitter(opts.Events, opts.Now)}
	r := &Result{Hosts: make([]*HostResult, len(p.Hosts))}

	// Hosts with nothing to write get the outcome their plan status
	// implies; the others are applied batch by batch, in plan order.
	var todo []*HostResult
	for i, h := range p.Hosts {
		hr := &HostResult{Host: h}
		r.Hosts[i] = hr
		if h.Status != StatusChange {
			hr.fromStatus(h)
			continue
		}
		todo = append(todo, hr)
	}
	a.applyBatches(ctx, r, splitBatches(todo, opts.batchSizes()))

	_ = p.Close() // sessions of hosts that were not applied
	r.Interrupted = ctx.Err() != nil
	r.Summary = summarizeResult(r.Hosts)
	return r
}

// The reasons and remedy of hosts that were never started.
const (
	reasonInterrupted = "not started: the apply was interrupted; nothing was changed"
	skipRemedy        = "Run smtpverbs apply again to finish."
	remedyHalted      = "Find out why the hosts of the earlier batches failed (see their " +
		"outcomes), fix the cause, then run smtpverbs plan and apply again."
)

// applyBatch applies the hosts of one batch, up to Parallelism at once, and
// returns when every one has finished.
func (a *applier) applyBatch(ctx context.Context, batch []*HostResult) {
	g := new(errgroup.Group)
	g.SetLimit(a.opts.Parallelism)
	for _, hr := range batch {
		if ctx.Err() != nil {
			hr.skip(reasonInterrupted)
			a.done(hr)
			continue
		}
		g.Go(func() error {
			// A bug must not take the other hosts down, nor leave this one
			// unreported: it may have been written already.
			defer func() {
				if r := recover(); r != nil {
					hr.finish(OutcomeFailed, fmt.Sprintf("internal error while applying "+
						"(the host may have been written): %v", r), bugRemedy)
					a.done(hr)
				}
			}()
			a.applyHost(ctx, hr.Host, hr)
			return nil
		})
	}
	_ = g.Wait() // applyHost records failures in its HostResult
}

// applier applies hosts with one set of options.
type applier struct {
	opts ApplyOptions
	em   *emitter
}

// applyHost applies the plan of one host, recording everything in hr.
func (a *applier) applyHost(ctx context.Context, h *Host, hr *HostResult) {
	if ctx.Err() != nil {
		hr.skip(reasonInterrupted)
		a.done(hr)
		return
	}
	if a.opts.Provider == nil || h.server == nil {
		hr.finish(OutcomeFailed, "the plan is not bound to a configuration", "")
		return
	}

	// Steps run to completion even when the user interrupts; ctx is only
	// consulted between them.
	work := context.WithoutCancel(ctx)
	a.em.emit(Event{Type: EventApplyStart, Host: h, Message: h.Name + ": applying"})

	// Compare and swap: the host must still hold what the plan saw.
	sess, obs, err := a.connectAndRead(work, h, hr)
	if sess != nil {
		defer func() {
			_ = sess.Close() // the shell ends with the server's idle timeout otherwise
			hr.Requests = sess.Requests()
		}()
	}
	if err != nil {
		a.failed(hr, err)
		a.done(hr)
		return
	}
	if stale := staleness(h, obs); stale != "" {
		hr.finish(OutcomeStale, stale, "The host changed after the plan was made. Run "+
			"smtpverbs plan again, review the new plan and apply it.")
		a.done(hr)
		return
	}
	if !obs.Manageable {
		hr.finish(OutcomeCannotChange, obs.Reason, obs.Remedy)
		a.done(hr)
		return
	}
	if ctx.Err() != nil {
		hr.skip("interrupted before writing; nothing was changed")
		a.done(hr)
		return
	}

	// Write, restart and re-read in one remote command.
	var res *providers.WriteResult
	err = a.step(hr, "write", func() error {
		var err error
		res, err = sess.Write(work, writeRequest(h, false))
		return err
	})
	if res != nil {
		hr.Transcript = scrub(res.Transcript, a.opts.Secrets)
		hr.Restarted = res.Restarted
	}
	if err != nil {
		a.failed(hr, fmt.Errorf("write: %w", err))
		a.rollback(work, sess, h, hr)
		a.done(hr)
		return
	}
	a.em.emit(Event{Type: EventApplyWrite, Host: h, Elapsed: last(hr).Elapsed,
		Message: fmt.Sprintf("%s: wrote the new values", h.Name)})
	if res.Restarted {
		a.em.emit(Event{Type: EventApplyRestart, Host: h, Message: h.Name + ": SMTPSVC restarted"})
	}

	a.verifyAndFinish(ctx, work, sess, h, hr)
}

// verifyAndFinish proves the result over SMTP when it can, rolling back
// when a disabled verb is still offered, and records the outcome.
func (a *applier) verifyAndFinish(ctx, work context.Context, sess providers.Session,
	h *Host, hr *HostResult) {
	switch {
	case !hr.Restarted:
		hr.Note = joinNote(hr.Note, "SMTPSVC was not restarted (restart = false, or the "+
			"service is stopped): the running service keeps its old verbs until its next start")
	case a.opts.Probe == nil:
		hr.Note = joinNote(hr.Note, "not verified over SMTP")
	case ctx.Err() != nil:
		hr.Note = joinNote(hr.Note, "not verified over SMTP: the apply was interrupted")
	default:
		problems := a.verify(work, h, hr)
		a.em.emit(Event{Type: EventApplyVerify, Host: h, Elapsed: last(hr).Elapsed,
			Message: h.Name + ": " + verifyMessage(problems)})
		if len(problems) > 0 {
			hr.finish(OutcomeFailed, strings.Join(problems, "; "), "The metabase holds the "+
				"new value but the SMTP service does not reflect it. Check the service "+
				"with smtpverbs scan and the probe transcript.")
			a.rollback(work, sess, h, hr)
			a.done(hr)
			return
		}
		hr.Verified = true
	}
	hr.Outcome = OutcomeApplied
	a.done(hr)
}

func verifyMessage(problems []string) string {
	if len(problems) == 0 {
		return "verified over SMTP"
	}
	return "verification failed: " + strings.Join(problems, "; ")
}

// connectAndRead opens a session, or takes the one Make kept, and reads the
// host. A kept session that fails is replaced once by a new one, since a
// shell can time out while the user reads the plan.
func (a *applier) connectAndRead(ctx context.Context, h *Host,
	hr *HostResult) (providers.Session, *providers.Observation, error) {
	if sess := h.session; sess != nil {
		h.session = nil
		var obs *providers.Observation
		err := a.step(hr, "read", func() error {
			var err error
			obs, err = sess.Read(ctx)
			return err
		})
		if err == nil {
			return sess, obs, nil
		}
		_ = sess.Close() // replaced below
	}

	ph, err := providerHost(h.server)
	if err != nil {
		return nil, nil, err
	}
	var sess providers.Session
	err = a.step(hr, "connect", func() error {
		var err error
		sess, err = a.opts.open(ctx, ph, func(msg string) {
			hr.Note = joinNote(hr.Note, msg)
		})
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var obs *providers.Observation
	err = a.step(hr, "read", func() error {
		var err error
		obs, err = sess.Read(ctx)
		return err
	})
	return sess, obs, err
}

// verify probes every written instance and lists what is still offered.
func (a *applier) verify(ctx context.Context, h *Host, hr *HostResult) []string {
	var problems []string
	_ = a.step(hr, "verify", func() error {
		for _, in := range h.Instances {
			addr := probeAddr(h, in)
			if len(in.Changes) == 0 || addr == "" {
				continue
			}
			r, err := a.opts.Probe(ctx, addr)
			if err != nil {
				problems = append(problems, fmt.Sprintf("SMTP probe of %s failed: %v", addr, err))
				continue
			}
			hr.Probes = append(hr.Probes, scrubProbe(r, a.opts.Secrets))
			if offered := stillOffered(h, in.Target, r); len(offered) > 0 {
				problems = append(problems, fmt.Sprintf("%s still offers %s after the restart",
					addr, strings.Join(offered, ", ")))
			}
		}
		if len(problems) > 0 {
			return errors.New(strings.Join(problems, "; "))
		}
		return nil
	})
	for i := range problems {
		problems[i] = scrub(problems[i], a.opts.Secrets)
	}
	return problems
}

// rollback restores what the plan observed, restarting SMTPSVC as the
// failed write did, so that a failed apply leaves the host as it was: an
// explicit value is written back at its instance key, and the key of an
// instance that inherited its value (or had the schema default) loses the
// value written there, so it inherits again.
func (a *applier) rollback(ctx context.Context, sess providers.Session, h *Host,
	hr *HostResult) {
	if a.opts.NoRollback {
		hr.Note = joinNote(hr.Note,
			"rollback disabled (-no-rollback): the host keeps the new values")
		return
	}
	req := writeRequest(h, true)
	req.Restart = h.Restart || hr.Restarted
	err := a.step(hr, "rollback", func() error {
		_, err := sess.Write(ctx, req)
		return err
	})
	if err != nil {
		hr.RollbackError = scrub(err.Error(), a.opts.Secrets)
		return
	}
	hr.RolledBack = true
}

// writeRequest lists the target values of h's changing instances, or with
// previous set what restores the observed ones: the observed value where it
// was explicit, a delete where it was inherited or the schema default.
func writeRequest(h *Host, previous bool) providers.WriteRequest {
	req := providers.WriteRequest{Restart: h.Restart}
	for _, in := range h.Instances {
		if len(in.Changes) == 0 {
			continue
		}
		w := providers.Write{Instance: in.ID, Value: in.Target}
		if previous {
			w.Value = in.Observed
			w.Delete = in.Source != providers.SourceExplicit
		}
		req.Writes = append(req.Writes, w)
	}
	return req
}

// staleness compares a fresh observation with what the plan saw and says
// how it differs; "" means it does not.
func staleness(h *Host, obs *providers.Observation) string {
	live := map[int]providers.Instance{}
	for _, in := range obs.Instances {
		live[in.ID] = in
	}
	var diffs []string
	for _, in := range h.Instances {
		li, ok := live[in.ID]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s no longer exists", in.Path))
		case li.Value != in.Observed:
			diffs = append(diffs, fmt.Sprintf("%s is now %s, the plan saw %s", in.Path,
				li.Value, in.Observed))
		case in.Source != "" && li.Source != in.Source:
			// The same value from elsewhere: a rollback would not restore it.
			diffs = append(diffs, fmt.Sprintf("%s now has its value %s, the plan saw it %s",
				in.Path, sourceWords(li.Source), sourceWords(in.Source)))
		}
	}
	return strings.Join(diffs, "; ")
}

// step runs fn as a named, timed step of hr.
func (a *applier) step(hr *HostResult, name string, fn func() error) error {
	start := a.opts.Now()
	err := fn()
	st := Step{Name: name, Start: start, Elapsed: a.opts.Now().Sub(start)}
	if err != nil {
		st.Err = scrub(err.Error(), a.opts.Secrets)
	}
	hr.Steps = append(hr.Steps, st)
	return err
}

// last returns the latest step of hr.
func last(hr *HostResult) Step {
	if len(hr.Steps) == 0 {
		return Step{}
	}
	return hr.Steps[len(hr.Steps)-1]
}

// failed records err as hr's outcome.
func (a *applier) failed(hr *HostResult, err error) {
	status, reason, remedy := classify(hr.Host, err)
	outcome := OutcomeFailed
	switch status {
	case StatusUnreachable:
		outcome = OutcomeUnreachable
	case StatusAuthFailed:
		outcome = OutcomeAuthFailed
	case StatusCannotChange:
		outcome = OutcomeCannotChange
	}
	hr.finish(outcome, scrub(reason, a.opts.Secrets), scrub(remedy, a.opts.Secrets))
}

// done reports hr's outcome.
func (a *applier) done(hr *HostResult) {
	e := Event{Host: hr.Host, Outcome: hr.Outcome}
	if hr.Outcome == OutcomeApplied {
		e.Type = EventApplyComplete
		e.Message = hr.Host.Name + ": applied"
	} else {
		e.Type = EventApplyErrored
		e.Message = fmt.Sprintf("%s: %s: %s", hr.Host.Name, hr.Outcome.Label(), hr.Reason)
	}
	a.em.emit(e)
}

func (hr *HostResult) finish(o Outcome, reason, remedy string) {
	hr.Outcome, hr.Reason, hr.Remedy = o, reason, remedy
}

func (hr *HostResult) skip(reason string) {
	hr.finish(OutcomeSkipped, reason, skipRemedy)
}

// fromStatus gives a host that had nothing to apply the outcome its plan
// status implies.
func (hr *HostResult) fromStatus(h *Host) {
	o := OutcomeFailed
	switch h.Status {
	case StatusCompliant:
		o = OutcomeUnchanged
	case StatusCannotChange:
		o = OutcomeCannotChange
	case StatusUnreachable:
		o = OutcomeUnreachable
	case StatusAuthFailed:
		o = OutcomeAuthFailed
	}
	hr.finish(o, h.Reason, h.Remedy)
}

// scrubProbe returns r with secrets removed from its transcript.
func scrubProbe(r *ProbeResult, secrets []string) *ProbeResult {
	out := *r
	out.Transcript = make([]string, len(r.Transcript))
	for i, l := range r.Transcript {
		out.Transcript[i] = scrub(l, secrets)
	}
	return &out
}

// sourceWords says where a value comes from, for a sentence.
func sourceWords(s providers.Source) string {
	switch s {
	case providers.SourceExplicit:
		return "set at the instance"
	case providers.SourceService:
		return "inherited from /LM/SmtpSvc"
	case providers.SourceDefault:
		return "as the schema default"
	}
	return string(s)
}
