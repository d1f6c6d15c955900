package plan

import (
	"sync"
	"time"
)

// EventType names a progress event. The names are those of the -json event
// stream.
type EventType string

// The progress events, one per host step.
const (
	EventHostRead       EventType = "host_read"      // a host's configuration was read
	EventPlannedChange  EventType = "planned_change" // a host will change (or cannot)
	EventHostCompliant  EventType = "host_compliant" // a host needs no change
	EventApplyStart     EventType = "apply_start"    // apply began on a host
	EventApplyWrite     EventType = "apply_write"    // the new values were written
	EventApplyRestart   EventType = "apply_restart"  // SMTPSVC was restarted
	EventApplyVerify    EventType = "apply_verify"   // the SMTP probe checked the result
	EventApplyComplete  EventType = "apply_complete" // a host was applied
	EventApplyErrored   EventType = "apply_errored"  // a host's apply did not succeed
	EventDiagnostic     EventType = "diagnostic"     // an error or warning about a host
	EventChangeSummary  EventType = "change_summary" // emitted by renderers, not the engine
	EventVersionMessage EventType = "version"        // emitted by renderers, not the engine
)

// Event reports one step on one host, or the start or end of a batch of a
// rolling apply.
type Event struct {
	Type EventType
	Time time.Time

	// Host is the planned host the event is about.
	Host *Host

	// Message is one sentence for a human.
	Message string

	// Severity is "error" or "warning" for diagnostics, "" otherwise.
	Severity string

	// Elapsed is how long the step took, for apply steps.
	Elapsed time.Duration

	// Outcome is set on apply_complete and apply_errored.
	Outcome Outcome

	// Batch is set on batch_start and batch_complete.
	Batch *BatchProgress
}

// emitter calls an Events callback from one goroutine at a time.
type emitter struct {
	mu  sync.Mutex
	fn  func(Event)
	now func() time.Time
}

func newEmitter(fn func(Event), now func() time.Time) *emitter {
	return &emitter{fn: fn, now: now}
}

// emit stamps e with the time and passes it on.
func (em *emitter) emit(e Event) {
	if em.fn == nil {
		return
	}
	e.Time = em.now()
	em.mu.Lock()
	defer em.mu.Unlock()
	em.fn(e)
}
