package lab

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/smtpverbs/smtpverbs/lab/smtpd"
	"github.com/smtpverbs/smtpverbs/lab/winhost"
	"github.com/smtpverbs/smtpverbs/lab/wsman"
)

// Options say where a lab serves and where it writes its files.
type Options struct {
	// Base is the first host address, e.g. 127.0.1.1; hosts take the
	// following addresses in turn. Empty picks a free block 127.N.0.1 at
	// random, retrying when a port is taken, which lets tests run labs side
	// by side.
	Base string

	// HTTPPort, HTTPSPort and SMTPPort are the ports every host serves on.
	// Zero means 5985, 5986 and 25. When port 25 cannot be bound (no
	// privilege, or another mail server holds it), the lab uses
	// FallbackSMTPPort instead and says so in Lab.Notes.
	HTTPPort, HTTPSPort, SMTPPort int

	// Dir receives ca.pem, lab.json and lab.smtp.hcl. Empty writes nothing
	// but ca.pem into a new temporary directory.
	Dir string

	// Username and Password are the default account of every host; empty
	// means Administrator and a random password.
	Username, Password string
}

// FallbackSMTPPort is where SMTP listens when port 25 cannot be bound.
const FallbackSMTPPort = 2525

// Lab is a running fleet of simulated hosts.
type Lab struct {
	// Hosts are in spec order.
	Hosts []*Host

	// Dir holds the lab's files; CAFile is the PEM of the CA that signed
	// every host certificate.
	Dir    string
	CAFile string

	// SMTPPort is the port instance 1 of every host listens on.
	SMTPPort int

	// Notes are facts the user should know, such as a port fallback.
	Notes []string

	ca      *authority
	servers []*http.Server
	hosts   map[string]*Host
	closed  sync.Once
}

// Host is one running simulated host.
type Host struct {
	Name    string
	Address string

	// WinRMHTTP and WinRMHTTPS are the endpoint URLs, ending in /wsman.
	WinRMHTTP  string
	WinRMHTTPS string
	HTTPPort   int
	HTTPSPort  int

	// SMTP is address:port of virtual server 1.
	SMTP string

	// Username and Password are what lab.json advertises. With the
	// WrongCredentials fault the host accepts a different password.
	Username string
	Password string

	// Machine is the simulated Windows host and WinRM its WS-Management
	// server, for tests and tools that inspect or change them.
	Machine *winhost.Host
	WinRM   *wsman.Handler

	Spec HostSpec

	mu          sync.Mutex
	smtp        map[int]*smtpd.Server
	smtpFailure error
	ctx         context.Context
}

// Start brings up every host of spec and returns when all are listening.
// Cancelling ctx does not stop the lab; Close does.
func Start(ctx context.Context, spec Spec, opts Options) (*Lab, error) {
	for i := range spec.Hosts {
		if err := spec.Hosts[i].check(); err != nil {
			return nil, fmt.Errorf("lab spec: %w", err)
		}
	}
	opts = opts.withDefaults()

	ca, err := newAuthority()
	if err != nil {
		return nil, err
	}

	// A random block may collide with another lab; try a few.
	tries := 1
	if opts.Base == "" {
		tries = 8
	}
	for attempt := 0; ; attempt++ {
		o := opts
		if o.Base == "" {
			o.Base = randomBase()
		}
		l, err := start(ctx, spec, o, ca)
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) || attempt+1 >= tries {
			return l, err
		}
	}
}

func (o Options) withDefaults() Options {
	if o.HTTPPort == 0 {
		o.HTTPPort = 5985
	}
	if o.HTTPSPort == 0 {
		o.HTTPSPort = 5986
	}
	if o.SMTPPort == 0 {
		o.SMTPPort = 25
	}
	if o.Username == "" {
		o.Username = "Administrator"
	}
	if o.Password == "" {
		o.Password = randomPassword()
	}
	return o
}

func start(ctx context.Context, spec Spec, opts Options, ca *authority) (*Lab, error) {
	base, err := netip.ParseAddr(opts.Base)
	if err != nil || !base.Is4() || !base.IsLoopback() {
		return nil, fmt.Errorf("lab base address %q must be an IPv4 loopback address "+
			"such as 127.0.1.1", opts.Base)
	}

	l := &Lab{ca: ca, hosts: map[string]*Host{}, Dir: opts.Dir}
	if l.Dir == "" {
		if l.Dir, err = os.MkdirTemp("", "smtpverbs-lab-"); err != nil {
			return nil, fmt.Errorf("create lab directory: %w", err)
		}
	} else if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create lab directory: %w", err)
	}
	l.CAFile = filepath.Join(l.Dir, "ca.pem")
	if err := os.WriteFile(l.CAFile, ca.pem, 0o644); err != nil {
		return nil, fmt.Errorf("write CA certificate: %w", err)
	}

	// Decide the SMTP port once, on the first address, so every host
	// agrees with lab.smtp.hcl.
	l.SMTPPort = opts.SMTPPort
	if opts.SMTPPort == 25 {
		if ln, err := net.Listen("tcp", net.JoinHostPort(base.String(), "25")); err != nil {
			l.SMTPPort = FallbackSMTPPort
			l.Notes = append(l.Notes, fmt.Sprintf("SMTP listens on port %d: port 25 "+
				"could not be bound (%v).", FallbackSMTPPort, errors.Unwrap(err)))
		} else {
			ln.Close()
		}
	}

	addr := base
	used := map[string]bool{}
	for _, hs := range spec.Hosts {
		if hs.Address != "" {
			used[hs.Address] = true
		}
	}
	for _, hs := range spec.Hosts {
		if hs.Address == "" {
			for used[addr.String()] || !usable(addr) {
				addr = addr.Next()
			}
			hs.Address = addr.String()
			used[hs.Address] = true
		}
		h, err := l.startHost(ctx, hs, opts)
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("start host %s: %w", hs.Name, err)
		}
		l.Hosts = append(l.Hosts, h)
		l.hosts[h.Name] = h
	}

	if opts.Dir != "" {
		if err := l.writeFiles(); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// usable reports whether a loopback address may be handed to a host: not a
// network or broadcast-looking address, and not 127.0.0.1, which other
// programs on the machine use.
func usable(a netip.Addr) bool {
	b := a.As4()
	return b[3] != 0 && b[3] != 255 && a != netip.MustParseAddr("127.0.0.1")
}

func (l *Lab) startHost(ctx context.Context, hs HostSpec, opts Options) (*Host, error) {
	h := &Host{
		Name:      hs.Name,
		Address:   hs.Address,
		HTTPPort:  opts.HTTPPort,
		HTTPSPort: opts.HTTPSPort,
		Username:  firstNonEmpty(hs.Username, opts.Username),
		Password:  firstNonEmpty(hs.Password, opts.Password),
		Spec:      hs,
		smtp:      map[int]*smtpd.Server{},
		ctx:       context.WithoutCancel(ctx),
	}
	h.WinRMHTTP = fmt.Sprintf("http://%s/wsman", net.JoinHostPort(h.Address,
		strconv.Itoa(opts.HTTPPort)))
	h.WinRMHTTPS = fmt.Sprintf("https://%s/wsman", net.JoinHostPort(h.Address,
		strconv.Itoa(opts.HTTPSPort)))
	h.SMTP = net.JoinHostPort(h.Address, strconv.Itoa(l.SMTPPort))

	machine, err := winhost.New(l.machineSettings(hs))
	if err != nil {
		return nil, err
	}
	h.Machine = machine

	accepted := h.Password
	if hs.Faults.WrongCredentials {
		// The host's real password is one nobody was told.
		accepted = randomPassword()
	}
	h.WinRM = wsman.NewHandler(wsman.Config{
		Username: h.Username,
		Password: accepted,
		Basic:    len(hs.Auth) == 0 || contains(hs.Auth, "basic"),
		NTLM:     len(hs.Auth) == 0 || contains(hs.Auth, "ntlm"),
		Computer: strings.ToUpper(hs.Name),
		Latency:  hs.Faults.Latency,
		Fault:    winrmFault(hs.Faults),
	}, machine)

	if hs.Faults.Unreachable {
		// Nothing listens: connections are refused, as for a host that is
		// down. SMTP stays closed too.
		return h, nil
	}

	// SMTP follows SMTPSVC: listeners open when it starts and close when it
	// stops.
	machine.OnSMTPChange(h.syncSMTP)
	h.syncSMTP(machine.Running())
	if err := h.smtpErr(); err != nil {
		return nil, err
	}

	cert, err := l.ca.issue(net.ParseIP(h.Address), h.fqdn())
	if err != nil {
		return nil, err
	}
	if err := l.serve(h, opts.HTTPPort, nil); err != nil {
		return nil, err
	}
	// Windows offers classic ECDHE groups only; leaving out the post-quantum
	// hybrid also keeps handshakes cheap for fleets of thousands of hosts.
	tlsConf := &tls.Config{
		Certificates:     []tls.Certificate{cert},
		MinVersion:       tls.VersionTLS12,
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256},
	}
	if err := l.serve(h, opts.HTTPSPort, tlsConf); err != nil {
		return nil, err
	}
	return h, nil
}

// serve starts the host's WinRM listener on port, with TLS when tlsConf is
// set.
func (l *Lab) serve(h *Host, port int, tlsConf *tls.Config) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(h.Address, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("listen for WinRM: %w", err)
	}
	srv := h.WinRM.Server(tlsConf)
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	l.servers = append(l.servers, srv)
	go srv.Serve(ln)
	return nil
}

func (l *Lab) machineSettings(hs HostSpec) winhost.Settings {
	s := winhost.Settings{
		Computer:     strings.ToUpper(hs.Name),
		Domain:       firstNonEmpty(hs.Domain, "corp.example"),
		Windows:      firstNonEmpty(strings.ToUpper(hs.Windows), defaultWindows(hs.Exchange)),
		MdutilPath:   toolPath(hs.MdutilPath, DefaultMdutilPath),
		AdsutilPath:  toolPath(hs.AdsutilPath, DefaultAdsutilPath),
		Exchange:     hs.Exchange,
		OpenRelay:    hs.OpenRelay,
		ServiceValue: hs.ServiceValue,
		SMTPRunning:  !hs.SMTPStopped,
		Faults: winhost.Faults{
			WriteDenied:    hs.Faults.WriteDenied,
			WriteNotSticky: hs.Faults.WriteNotSticky,
			StartFails:     hs.Faults.StartFails,
			RestartDelay:   hs.Faults.RestartDelay,
			FrozenSMTP:     hs.Faults.FrozenSMTP,
		},
	}
	vss := hs.VirtualServers
	if len(vss) == 0 {
		vss = []VirtualServerSpec{{ID: 1}}
	}
	for _, vs := range vss {
		port := vs.Port
		if port == 0 {
			port = l.SMTPPort + vs.ID - 1
		}
		s.Instances = append(s.Instances, winhost.InstanceSettings{
			ID: vs.ID, Value: vs.Value, Port: port, DirectoryValue: vs.DirectoryValue,
		})
	}
	return s
}

// defaultWindows is the version a host runs when its spec does not say:
// Exchange 2000 and 2003 only run on the Windows of their day.
func defaultWindows(exchange string) string {
	switch exchange {
	case "2000":
		return "2000"
	case "2003":
		return "2003"
	}
	return "2019"
}

func winrmFault(f FaultSpec) *wsman.Fault {
	if f.WinRMFaultOp == "" {
		return nil
	}
	return &wsman.Fault{Op: f.WinRMFaultOp, Nth: f.WinRMFaultNth}
}

func toolPath(p, def string) string {
	switch strings.ToLower(p) {
	case "":
		return def
	case "none":
		return ""
	}
	return p
}

// Host returns the host called name, or nil.
func (l *Lab) Host(name string) *Host {
	return l.hosts[name]
}

// Close stops every listener and session. It is safe to call more than
// once.
func (l *Lab) Close() error {
	l.closed.Do(func() {
		for _, s := range l.servers {
			s.Close()
		}
		for _, h := range l.Hosts {
			h.WinRM.Close()
			h.mu.Lock()
			for id, s := range h.smtp {
				s.Close()
				delete(h.smtp, id)
			}
			h.mu.Unlock()
		}
	})
	return nil
}

func (h *Host) fqdn() string {
	return h.Machine.FQDN()
}

func randomBase() string {
	var b [1]byte
	rand.Read(b[:])
	return fmt.Sprintf("127.%d.0.1", 16+int(b[0])%224)
}

func randomPassword() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	var b [16]byte
	rand.Read(b[:])
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = alphabet[int(c)%len(alphabet)]
	}
	return "Lab-" + string(out) + "!"
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
