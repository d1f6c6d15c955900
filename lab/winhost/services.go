package winhost

import (
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// Service states, numbered as the service control manager numbers them.
const (
	stateStopped      = 1
	stateStartPending = 2
	stateStopPending  = 3
	stateRunning      = 4
)

var stateNames = map[int]string{
	stateStopped: "STOPPED", stateStartPending: "START_PENDING",
	stateStopPending: "STOP_PENDING", stateRunning: "RUNNING",
}

// Win32 exit codes a service reports.
const (
	errNeverStarted     = 1077 // ERROR_SERVICE_NEVER_STARTED
	errProcessTerminate = 1067 // ERROR_PROCESS_ABORTED
)

// service is one Windows service.
type service struct {
	name    string // short name as sc prints it, e.g. "SMTPSVC"
	display string
	shared  bool // WIN32_SHARE_PROCESS (20) rather than WIN32_OWN_PROCESS (10)

	// pausable services accept pause and continue.
	pausable bool

	// dependsOn names the services that must run first.
	dependsOn []string

	state    int
	exitCode uint32

	// done is closed when a pending transition completes.
	done chan struct{}
}

// initServices creates the host's services: IISADMIN and SMTPSVC, plus the
// Exchange 2000/2003 services on Exchange hosts. h.mu need not be held (the
// host is not shared yet).
func (h *Host) initServices() {
	h.services = map[string]*service{}
	add := func(s *service) {
		s.state = stateStopped
		s.exitCode = errNeverStarted
		h.services[s.name] = s
		h.order = append(h.order, s.name)
	}

	add(&service{name: "IISADMIN", display: "IIS Admin Service", shared: true})
	add(&service{name: "SMTPSVC", display: "Simple Mail Transfer Protocol (SMTP)",
		shared: true, pausable: true, dependsOn: []string{"IISADMIN"}})
	if h.settings.Exchange == "" {
		return
	}

	// Exchange's own services run from the start; the routing engine lives
	// in inetinfo and so needs IISADMIN.
	exchange := []*service{
		{name: "MSExchangeSA", display: "Microsoft Exchange System Attendant"},
		{name: "MSExchangeIS", display: "Microsoft Exchange Information Store",
			dependsOn: []string{"MSExchangeSA"}},
		{name: "MSExchangeMTA", display: "Microsoft Exchange MTA Stacks",
			dependsOn: []string{"MSExchangeSA"}},
		{name: "RESvc", display: "Microsoft Exchange Routing Engine", shared: true,
			dependsOn: []string{"IISADMIN"}},
	}
	for _, s := range exchange {
		add(s)
		s.state, s.exitCode = stateRunning, 0
	}
	h.services["IISADMIN"].state = stateRunning
	h.services["IISADMIN"].exitCode = 0
}

// lookupService finds a service by short or display name, ignoring case;
// h.mu must be held.
func (h *Host) lookupService(name string) *service {
	for _, n := range h.order {
		s := h.services[n]
		if equalFold(s.name, name) || equalFold(s.display, name) {
			return s
		}
	}
	return nil
}

// dependents lists the services that depend on s and are not stopped, in
// listing order; h.mu must be held.
func (h *Host) dependents(s *service) []*service {
	var out []*service
	for _, n := range h.order {
		d := h.services[n]
		if d.state == stateStopped {
			continue
		}
		for _, dep := range d.dependsOn {
			if dep == s.name {
				out = append(out, d)
			}
		}
	}
	return out
}

// ServiceState returns the state of a service by short or display name
// ("RUNNING", "STOPPED", "START_PENDING", "STOP_PENDING"), or "" when the
// host has no such service.
func (h *Host) ServiceState(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.lookupService(name)
	if s == nil {
		return ""
	}
	return stateNames[s.state]
}

// delayFor returns how long a start or stop of s takes; h.mu must be held.
func (h *Host) delayFor(s *service) time.Duration {
	if s.name == "SMTPSVC" {
		return h.faults.RestartDelay
	}
	return 0
}

// beginStart moves a stopped service to START_PENDING and schedules the end
// of the start; h.mu must be held. The returned channel is closed when the
// service has started or failed. Dependencies must already run.
func (h *Host) beginStart(s *service) <-chan struct{} {
	s.state = stateStartPending
	s.done = make(chan struct{})
	done := s.done
	h.after(h.delayFor(s), func() { h.finishStart(s) })
	return done
}

// beginStop moves a running service to STOP_PENDING and schedules the end
// of the stop; h.mu must be held.
func (h *Host) beginStop(s *service) <-chan struct{} {
	s.state = stateStopPending
	s.done = make(chan struct{})
	done := s.done
	h.after(h.delayFor(s), func() { h.finishStop(s) })
	return done
}

// after runs fn with h.mu held after d, or at once when d is zero (the
// caller then holds h.mu already).
func (h *Host) after(d time.Duration, fn func()) {
	if d <= 0 {
		fn()
		return
	}
	time.AfterFunc(d, func() {
		h.mu.Lock()
		fn()
		h.unlock()
	})
}

// finishStart completes a start; h.mu is held.
func (h *Host) finishStart(s *service) {
	defer close(s.done)
	if s.name == "SMTPSVC" && h.faults.StartFails {
		s.state, s.exitCode = stateStopped, errProcessTerminate
		return
	}
	s.state, s.exitCode = stateRunning, 0
	if s.name == "SMTPSVC" {
		h.takeConfig()
		h.changed = true
	}
}

// finishStop completes a stop; h.mu is held.
func (h *Host) finishStop(s *service) {
	defer close(s.done)
	s.state, s.exitCode = stateStopped, 0
	if s.name == "SMTPSVC" {
		h.running = SMTPState{}
		for _, k := range h.mb.instanceKeys() {
			k.set(dword(idServerState, 0, serverStateStopped))
		}
		h.changed = true
	}
}

// takeConfig is what SMTPSVC does as it starts: on Exchange hosts DS2MB
// first copies the directory values to the instance keys, then every
// virtual server with ServerAutoStart takes its effective value. h.mu must
// be held.
func (h *Host) takeConfig() {
	if h.settings.Exchange != "" {
		h.ds2mb()
	}
	h.running = SMTPState{Running: true}
	for _, k := range h.mb.instanceKeys() {
		auto, _ := k.props[idServerAutoStart]
		if auto != nil && auto.dword == 0 {
			continue
		}
		h.startInstance(k)
	}
}

// startInstance starts one virtual server: it takes its configuration and
// joins the running state. h.mu must be held.
func (h *Host) startInstance(k *key) {
	id := instanceID(k)
	v, _ := effective(k, idInboundOptions)
	flags := verb.Flags(v)
	if first, ok := h.first[id]; ok && h.faults.FrozenSMTP {
		flags = first
	}
	if _, ok := h.first[id]; !ok {
		h.first[id] = flags
	}

	port := 25
	if ps := ports(k); len(ps) > 0 {
		port = ps[0]
	}
	h.stopInstance(id)
	h.running.Instances = append(h.running.Instances,
		RunningInstance{ID: id, Port: port, Flags: flags})
	sortRunning(h.running.Instances)
	k.set(dword(idServerState, 0, serverStateStarted))
}

// stopInstance removes a virtual server from the running state; h.mu must
// be held.
func (h *Host) stopInstance(id int) {
	kept := h.running.Instances[:0]
	for _, in := range h.running.Instances {
		if in.ID != id {
			kept = append(kept, in)
		}
	}
	h.running.Instances = kept
}

func sortRunning(in []RunningInstance) {
	for i := 1; i < len(in); i++ {
		for j := i; j > 0 && in[j].ID < in[j-1].ID; j-- {
			in[j], in[j-1] = in[j-1], in[j]
		}
	}
}

// ds2mb copies each instance's directory value (or the schema default when
// it has none) over its metabase value, as Exchange's DS2MB does when
// SMTPSVC starts. h.mu must be held.
func (h *Host) ds2mb() {
	dir := map[int]uint32{}
	for _, in := range h.settings.Instances {
		v := uint32(verb.SchemaDefault)
		if in.DirectoryValue != nil {
			v = *in.DirectoryValue
		}
		dir[in.ID] = v
	}
	for _, k := range h.mb.instanceKeys() {
		if v, ok := dir[instanceID(k)]; ok {
			k.set(dword(idInboundOptions, attrInherit, v))
		}
	}
	h.mb.changes++
}

// ensureIISAdmin starts IISADMIN if it is stopped, as COM activation of the
// admin base object does when a metabase tool runs; h.mu must be held.
func (h *Host) ensureIISAdmin() {
	if s := h.services["IISADMIN"]; s.state == stateStopped {
		s.state, s.exitCode = stateRunning, 0
	}
}
