package plan

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// EvidenceFormatVersion is the version of the evidence record format. It
// changes only when a field changes meaning or goes away; new fields may be
// added at any time.
const EvidenceFormatVersion = "1"

// evidenceJSON is the record apply -evidence writes: for every host, what was
// read before, what was asked, what happened step by step, the output of the
// remote commands and the SMTP conversations that proved the result. It is
// meant to be kept with a change record and handed to an auditor.
type evidenceJSON struct {
	FormatVersion string    `json:"format_version"`
	Kind          string    `json:"kind"`
	ToolVersion   string    `json:"tool_version"`
	PlanCreatedAt time.Time `json:"plan_created_at"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	ConfigDigest  string    `json:"config_digest"`
	Interrupted   bool      `json:"interrupted"`

	// Batches and Halted record a rolling apply: the batches that ran and,
	// when the failure budget was spent, why no further batch started.
	Batches []BatchResult `json:"batches,omitempty"`
	Halted  string        `json:"halted,omitempty"`

	Hosts   []evidenceHost `json:"hosts"`
	Summary ApplySummary   `json:"summary"`
}

type evidenceHost struct {
	Name          string             `json:"name"`
	Address       string             `json:"address"`
	Hostname      string             `json:"hostname,omitempty"`
	OS            string             `json:"os,omitempty"`
	Method        string             `json:"method,omitempty"`
	Outcome       Outcome            `json:"outcome"`
	Batch         int                `json:"batch,omitempty"`
	Reason        string             `json:"reason,omitempty"`
	Remedy        string             `json:"remedy,omitempty"`
	Note          string             `json:"note,omitempty"`
	Restarted     bool               `json:"restarted"`
	Verified      bool               `json:"verified"`
	RolledBack    bool               `json:"rolled_back"`
	RollbackError string             `json:"rollback_error,omitempty"`
	Instances     []evidenceInstance `json:"instances"`
	Steps         []evidenceStep     `json:"steps"`
	Requests      int                `json:"winrm_requests"`
	Transcript    string             `json:"winrm_transcript,omitempty"`
	Probes        []evidenceProbe    `json:"smtp_probes,omitempty"`
}

type evidenceInstance struct {
	Path     string   `json:"path"`
	Before   string   `json:"before"`
	Source   string   `json:"before_source"`
	Target   string   `json:"target"`
	Disabled []string `json:"disabled,omitempty"`
	Enabled  []string `json:"enabled,omitempty"`
}

type evidenceStep struct {
	Name      string    `json:"name"`
	Start     time.Time `json:"start"`
	ElapsedMS int64     `json:"elapsed_ms"`
	Error     string    `json:"error,omitempty"`
}

type evidenceProbe struct {
	Addr       string   `json:"address"`
	Advertised []string `json:"advertised"`
	Accepted   []string `json:"accepted"`
	Transcript []string `json:"transcript"`
}

// MarshalEvidence renders the evidence record of an apply of p that ran
// from started to finished with result r. Secrets were already removed from
// everything a Result holds; the record holds no credentials.
func MarshalEvidence(p *Plan, r *Result, toolVersion string, started,
	finished time.Time) ([]byte, error) {
	ev := evidenceJSON{
		FormatVersion: EvidenceFormatVersion,
		Kind:          "smtpverbs apply evidence",
		ToolVersion:   toolVersion,
		PlanCreatedAt: p.CreatedAt.UTC(),
		StartedAt:     started.UTC(),
		FinishedAt:    finished.UTC(),
		ConfigDigest:  p.ConfigDigest,
		Interrupted:   r.Interrupted,
		Batches:       r.Batches,
		Halted:        r.Halted,
		Summary:       r.Summary,
	}
	for _, hr := range r.Hosts {
		ev.Hosts = append(ev.Hosts, evidenceFor(hr))
	}
	data, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode evidence: %w", err)
	}
	return append(data, '\n'), nil
}

// WriteEvidence writes the evidence record to path, readable by its owner
// only, as it names hosts and their configuration.
func WriteEvidence(path string, p *Plan, r *Result, toolVersion string, started,
	finished time.Time) error {
	data, err := MarshalEvidence(p, r, toolVersion, started, finished)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write evidence: %w", err)
	}
	return nil
}

func evidenceFor(hr *HostResult) evidenceHost {
	h := hr.Host
	eh := evidenceHost{
		Name: h.Name, Address: h.Address, Hostname: h.Hostname, OS: h.OS, Method: h.Method,
		Outcome: hr.Outcome, Batch: hr.Batch, Reason: hr.Reason, Remedy: hr.Remedy, Note: hr.Note,
		Restarted: hr.Restarted, Verified: hr.Verified,
		RolledBack: hr.RolledBack, RollbackError: hr.RollbackError,
		Requests: hr.Requests, Transcript: hr.Transcript,
		Instances: []evidenceInstance{}, Steps: []evidenceStep{},
	}
	for _, in := range h.Instances {
		ei := evidenceInstance{
			Path: in.Path, Before: in.Observed.String(), Source: string(in.Source),
			Target: in.Target.String(),
		}
		for _, c := range in.Changes {
			if c.Action == ActionDisable {
				ei.Disabled = append(ei.Disabled, c.Verb)
			} else {
				ei.Enabled = append(ei.Enabled, c.Verb)
			}
		}
		eh.Instances = append(eh.Instances, ei)
	}
	for _, s := range hr.Steps {
		eh.Steps = append(eh.Steps, evidenceStep{
			Name: s.Name, Start: s.Start.UTC(), ElapsedMS: s.Elapsed.Milliseconds(), Error: s.Err,
		})
	}
	for _, pr := range hr.Probes {
		if pr == nil {
			continue
		}
		eh.Probes = append(eh.Probes, evidenceProbe{
			Addr: pr.Addr, Advertised: pr.Advertised, Accepted: pr.Accepted,
			Transcript: pr.Transcript,
		})
	}
	return eh
}
