package views

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/smtpverbs/smtpverbs/plan"
)

// UIVersion is the version of the -json event stream of plan and apply.
// Adding fields is compatible; renaming or removing one needs a new
// version.
const UIVersion = "1.0"

// JSONStream writes the -json output of plan and apply: one JSON object per
// line, first a "version" message, then one message per host step, then a
// "change_summary". Every message has "@level", "@message", "@timestamp"
// and "type", as Terraform's machine-readable UI does. It is safe for
// concurrent use.
type JSONStream struct {
	mu  sync.Mutex
	enc *json.Encoder
	now func() time.Time
}

// NewJSONStream returns a stream writing to w, stamping its own messages
// with now.
func NewJSONStream(w io.Writer, now func() time.Time) *JSONStream {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONStream{enc: enc, now: now}
}

// jsonMessage is one line of the stream. Only the fields of its type are
// set.
type jsonMessage struct {
	Level     string `json:"@level"`
	Message   string `json:"@message"`
	Timestamp string `json:"@timestamp"`
	Type      string `json:"type"`

	// version
	Tool string `json:"smtpverbs,omitempty"`
	UI   string `json:"ui,omitempty"`

	// host events
	Host    *jsonHost  `json:"host,omitempty"`
	Change  *plan.Host `json:"change,omitempty"`
	Elapsed *float64   `json:"elapsed_seconds,omitempty"`
	Outcome string     `json:"outcome,omitempty"`

	// batch_start, batch_complete
	Batch *jsonBatch `json:"batch,omitempty"`

	// diagnostic
	Diagnostic *jsonDiagnostic `json:"diagnostic,omitempty"`

	// change_summary
	Changes any `json:"changes,omitempty"`
}

type jsonHost struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Host     string `json:"host,omitempty"`
}

// planChanges is the change_summary of a plan.
type planChanges struct {
	Operation string `json:"operation"`
	plan.Summary
}

// applyChanges is the change_summary of an apply.
type applyChanges struct {
	Operation string `json:"operation"`
	plan.ApplySummary
	Interrupted bool `json:"interrupted"`
}

func (s *JSONStream) write(m jsonMessage) {
	if m.Level == "" {
		m.Level = "info"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A write error means the reader went away; there is nobody to tell.
	_ = s.enc.Encode(m)
}

func (s *JSONStream) stamp() string {
	return s.now().UTC().Format(time.RFC3339Nano)
}

// Version writes the first message of the stream.
func (s *JSONStream) Version(toolVersion string) {
	s.write(jsonMessage{Message: "smtpverbs " + toolVersion, Timestamp: s.stamp(),
		Type: string(plan.EventVersionMessage), Tool: toolVersion, UI: UIVersion})
}

// Event writes one engine event.
func (s *JSONStream) Event(e plan.Event) {
	m := jsonMessage{Message: e.Message, Timestamp: e.Time.UTC().Format(time.RFC3339Nano),
		Type: string(e.Type)}
	if e.Host != nil {
		m.Host = &jsonHost{Name: e.Host.Name, Address: e.Host.Address}
	}

	switch e.Type {
	case plan.EventPlannedChange, plan.EventHostCompliant:
		m.Change = e.Host
	case plan.EventDiagnostic:
		m.Level = "error"
		if e.Severity == "warning" {
			m.Level = "warn"
		}
		m.Diagnostic = &jsonDiagnostic{Severity: e.Severity, Summary: e.Message}
		if e.Host != nil {
			m.Diagnostic.Host = e.Host.Name
		}
	case plan.EventApplyErrored:
		m.Level = "error"
	}
	if e.Outcome != "" {
		m.Outcome = string(e.Outcome)
	}
	if e.Batch != nil {
		m.Batch = newJSONBatch(e.Batch)
		if e.Batch.Halted {
			m.Level = "error"
		}
	}
	if isApplyStep(e.Type) {
		secs := e.Elapsed.Seconds()
		m.Elapsed = &secs
	}
	s.write(m)
}

func isApplyStep(t plan.EventType) bool {
	switch t {
	case plan.EventApplyWrite, plan.EventApplyVerify:
		return true
	}
	return false
}

// PlanSummary writes the change_summary of a plan.
func (s *JSONStream) PlanSummary(p *plan.Plan) {
	sum := p.Summary
	s.write(jsonMessage{Message: PlanSummaryLine(sum), Timestamp: s.stamp(),
		Type:    string(plan.EventChangeSummary),
		Changes: planChanges{Operation: "plan", Summary: sum}})
}

// ApplySummary writes the change_summary of an apply.
func (s *JSONStream) ApplySummary(r *plan.Result) {
	sum := r.Summary
	s.write(jsonMessage{Message: ApplySummaryLine(sum), Timestamp: s.stamp(),
		Type: string(plan.EventChangeSummary),
		Changes: applyChanges{Operation: "apply", ApplySummary: sum,
			Interrupted: r.Interrupted}})
}

// Error writes a diagnostic that is about the run, not one host.
func (s *JSONStream) Error(msg string) {
	s.write(jsonMessage{Level: "error", Message: msg, Timestamp: s.stamp(),
		Type:       string(plan.EventDiagnostic),
		Diagnostic: &jsonDiagnostic{Severity: "error", Summary: msg}})
}
