package plan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// The fake below stands in for a provider in unit tests of the engine's
// pure logic. It counts requests as the IIS provider does: one to open, three
// per command, one to close.

// fakeProvider serves fake hosts by address.
type fakeProvider struct {
	mu    sync.Mutex
	hosts map[string]*fakeHost
}

func newFakeProvider(hosts ...*fakeHost) *fakeProvider {
	p := &fakeProvider{hosts: map[string]*fakeHost{}}
	for _, h := range hosts {
		p.hosts[h.address] = h
	}
	return p
}

func (p *fakeProvider) host(addr string) *fakeHost {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hosts[addr]
}

func (p *fakeProvider) Open(ctx context.Context, h providers.Host) (providers.Session, error) {
	fh := p.host(h.Address)
	if fh == nil {
		return nil, &providers.HostError{Host: h.Name, Kind: providers.KindUnreachable,
			Err: fmt.Errorf("dial tcp %s:5986: connect: connection refused", h.Address)}
	}
	fh.mu.Lock()
	defer fh.mu.Unlock()
	fh.opens++
	if fh.openErr != nil {
		return nil, fh.openErr
	}
	return &fakeSession{h: fh, requests: 1}, nil
}

// fakeHost is one simulated host: its metabase, its running SMTP service
// and the faults to inject.
type fakeHost struct {
	mu      sync.Mutex
	name    string
	address string

	// obs is what Read returns; Write updates its instance values.
	obs providers.Observation

	// running is what the SMTP service offers per instance ID.
	running map[int]verb.Flags

	openErr   error
	readErr   error
	writeErr  error
	notSticky bool // writes succeed but keep the old value
	frozen    bool // restarts do not change what SMTP offers

	// beforeWrite runs before each write without the lock held.
	beforeWrite func()

	opens  int
	writes []providers.WriteRequest
}

// newFakeHost returns a healthy host with instances at the given values,
// all explicit, running what the metabase says.
func newFakeHost(name, addr string, values ...verb.Flags) *fakeHost {
	h := &fakeHost{name: name, address: addr, running: map[int]verb.Flags{}}
	h.obs = providers.Observation{
		Hostname: upper(name), OS: "Microsoft Windows [Version 10.0.17763.1697]",
		SMTPState: "RUNNING", Method: "mdutil", Manageable: true,
	}
	for i, v := range values {
		id := i + 1
		h.obs.Instances = append(h.obs.Instances, providers.Instance{
			ID: id, Path: "/LM/SmtpSvc/" + strconv.Itoa(id), Value: v,
			Source: providers.SourceExplicit, Ports: []int{24 + id},
		})
		h.running[id] = v
	}
	return h
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// set changes an instance's value behind the engine's back.
func (h *fakeHost) set(id int, v verb.Flags) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.obs.Instances {
		if h.obs.Instances[i].ID == id {
			h.obs.Instances[i].Value = v
		}
	}
}

func (h *fakeHost) value(id int) verb.Flags {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, in := range h.obs.Instances {
		if in.ID == id {
			return in.Value
		}
	}
	return 0
}

func (h *fakeHost) writeCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.writes)
}

// snapshot copies the observation so the engine never shares our slices.
func (h *fakeHost) snapshot() *providers.Observation {
	o := h.obs
	o.Instances = append([]providers.Instance(nil), h.obs.Instances...)
	return &o
}

// fakeSession is an open session to a fakeHost.
type fakeSession struct {
	h        *fakeHost
	requests int
	closed   bool
}

func (s *fakeSession) Read(ctx context.Context) (*providers.Observation, error) {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.requests += 3
	if s.h.readErr != nil {
		return nil, s.h.readErr
	}
	return s.h.snapshot(), nil
}

func (s *fakeSession) Write(ctx context.Context,
	req providers.WriteRequest) (*providers.WriteResult, error) {
	if fn := s.h.beforeWrite; fn != nil {
		fn()
	}
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.requests += 3
	s.h.writes = append(s.h.writes, req)
	if !s.h.obs.Manageable {
		return nil, &providers.HostError{Host: s.h.name, Kind: providers.KindUnmanageable,
			Err: errors.New("refusing to write")}
	}
	if s.h.writeErr != nil {
		return nil, s.h.writeErr
	}

	for _, w := range req.Writes {
		for i := range s.h.obs.Instances {
			in := &s.h.obs.Instances[i]
			switch {
			case in.ID != w.Instance || s.h.notSticky:
			case w.Delete && s.h.obs.ServiceSet:
				in.Value, in.Source = s.h.obs.Service, providers.SourceService
			case w.Delete:
				in.Value, in.Source = verb.SchemaDefault, providers.SourceDefault
			default:
				in.Value, in.Source = w.Value, providers.SourceExplicit
			}
		}
	}
	res := &providers.WriteResult{Transcript: "set ok"}
	if req.Restart && s.h.obs.SMTPState == "RUNNING" {
		res.Restarted = true
		if !s.h.frozen {
			for _, in := range s.h.obs.Instances {
				s.h.running[in.ID] = in.Value
			}
		}
	}
	res.After = s.h.snapshot()
	if s.h.notSticky {
		return res, &providers.HostError{Host: s.h.name, Kind: providers.KindFailed,
			Err: errors.New("value did not stick")}
	}
	return res, nil
}

func (s *fakeSession) Requests() int { return s.requests }

func (s *fakeSession) Close() error {
	if !s.closed {
		s.closed = true
		s.requests++
	}
	return nil
}

// probe is a ProbeFunc over the provider's hosts: instance N listens on
// port 24+N and advertises the verbs its running value has on (ATRN only
// as Exchange would, so never here).
func (p *fakeProvider) probe(ctx context.Context, addr string) (*ProbeResult, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	fh := p.host(host)
	if fh == nil {
		return nil, fmt.Errorf("dial tcp %s: connection refused", addr)
	}
	n, _ := strconv.Atoi(port)
	fh.mu.Lock()
	defer fh.mu.Unlock()
	flags, ok := fh.running[n-24]
	if !ok {
		return nil, fmt.Errorf("dial tcp %s: connection refused", addr)
	}
	r := &ProbeResult{Addr: addr, Transcript: []string{"S: 220 ready", "C: EHLO x"}}
	for _, v := range flags.Enabled() {
		if v != verb.ATRN {
			r.Advertised = append(r.Advertised, v.Name)
		}
	}
	return r, nil
}

// Test fixtures: a configuration with one connection and the PCI policy.

const testPassword = "Hunter2-S3cret!"

var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testConnection() *config.Connection {
	return &config.Connection{
		Name: "corp", HTTPS: true, Port: 5986, Auth: "ntlm", Username: `CORP\svc-smtpverbs`,
		Password: testPassword, Timeout: 60 * time.Second, OperationTimeout: 20 * time.Second,
	}
}

// testServer is a server with the PCI baseline at addr.
func testServer(name, addr string) *config.Server {
	return &config.Server{
		Name: name, Address: addr, Connection: testConnection(),
		Baselines: []string{"pci"}, Off: verb.Mask(verb.PCI), Method: "auto",
		Restart: true, SMTPPort: 25,
	}
}

func testConfig(servers ...*config.Server) *config.Config {
	return &config.Config{Dir: ".", Digest: "sha256:0123456789abcdef0123456789abcdef",
		Servers: servers}
}

func testOptions(p *fakeProvider) Options {
	return Options{Provider: p, Now: func() time.Time { return fixedNow },
		ToolVersion: "0.1.0-test", Secrets: []string{testPassword}}
}

// cfgServersFor returns n PCI servers named m00, m01, ... at 127.0.1.x,
// calling each with the index and address so the caller can build hosts.
func cfgServersFor(n int, each func(i int, addr string)) []*config.Server {
	var out []*config.Server
	for i := 0; i < n; i++ {
		addr := fmt.Sprintf("127.0.1.%d", i+1)
		out = append(out, testServer(fmt.Sprintf("m%02d", i), addr))
		if each != nil {
			each(i, addr)
		}
	}
	return out
}
