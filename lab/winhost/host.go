package winhost

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// Settings describe one simulated Windows host.
type Settings struct {
	// Computer is the computer name, e.g. "MAIL01": hostname prints it and
	// the SMTP banner uses it.
	Computer string

	// Domain is the DNS domain for the SMTP banner's FQDN, e.g.
	// "corp.example"; it may be empty.
	Domain string

	// Windows is the version: "2000", "2003", "2008", "2008R2", "2012",
	// "2012R2", "2016", "2019" or "2022".
	Windows string

	// MdutilPath is where mdutil.exe is installed, e.g.
	// `C:\Tools\mdutil.exe`; "" means it is absent.
	MdutilPath string

	// AdsutilPath is where adsutil.vbs is installed, e.g.
	// `C:\Inetpub\AdminScripts\adsutil.vbs`; "" means it is absent.
	AdsutilPath string

	// Exchange is "", "2000" or "2003". With Exchange the Exchange services
	// exist, and every start of SMTPSVC resets the instance values from
	// their directory copy (DS2MB).
	Exchange string

	// OpenRelay makes the SMTP service relay for anyone. The host only
	// carries it for the lab's SMTP listener.
	OpenRelay bool

	// ServiceValue is SmtpInboundCommandSupportOptions at /LM/SmtpSvc; nil
	// means not set there.
	ServiceValue *uint32

	// Instances are the SMTP virtual servers, /LM/SmtpSvc/N.
	Instances []InstanceSettings

	// SMTPRunning is the initial state of SMTPSVC. IISADMIN runs when
	// anything needs it (SMTPSVC or Exchange's routing engine).
	SMTPRunning bool

	Faults Faults
}

// InstanceSettings describe one SMTP virtual server.
type InstanceSettings struct {
	// ID is N of /LM/SmtpSvc/N.
	ID int

	// Value is SmtpInboundCommandSupportOptions at the instance key; nil
	// means not set there (the instance inherits).
	Value *uint32

	// Port is the TCP port in ServerBindings (":25:"); 0 means 25.
	Port int

	// DirectoryValue is msExchSmtpInboundCommandSupportOptions in Active
	// Directory (Exchange hosts only); DS2MB copies it to the instance key
	// at every start of SMTPSVC. nil means the schema default.
	DirectoryValue *uint32
}

// Faults make the host misbehave on purpose.
type Faults struct {
	// WriteDenied makes metabase writes fail with access denied
	// (E_ACCESSDENIED, HRESULT 0x80070005).
	WriteDenied bool

	// WriteNotSticky makes writes report success while the metabase keeps
	// the old value.
	WriteNotSticky bool

	// StartFails makes `net start smtpsvc` fail with system error 1067.
	StartFails bool

	// RestartDelay is how long each stop and each start of SMTPSVC takes.
	RestartDelay time.Duration

	// FrozenSMTP makes the running SMTP service ignore the metabase at
	// start and keep offering what it offered first.
	FrozenSMTP bool
}

// SMTPState is what the SMTP service runs with now.
type SMTPState struct {
	Running   bool
	Instances []RunningInstance
}

// RunningInstance is one started virtual server and the verb flags it took
// when it started.
type RunningInstance struct {
	ID, Port int
	Flags    verb.Flags
}

// Host is one simulated Windows host: a metabase, services, a few files and
// a cmd.exe interpreter over them. All methods are safe for concurrent use.
type Host struct {
	settings Settings
	rel      release

	// mu guards everything below.
	mu       sync.Mutex
	faults   Faults
	mb       *metabase
	services map[string]*service
	order    []string // service names in sc's listing order
	running  SMTPState
	first    map[int]verb.Flags // flags of the first start, for FrozenSMTP
	disk     map[string]*file   // lower-case path -> file
	dirs     map[string]bool    // lower-case directories that hold no file

	// changed records that SMTPSVC or a virtual server started or stopped
	// while h.mu was held; unlock then calls the callbacks.
	changed bool

	// cbMu serialises change callbacks so they arrive in order.
	cbMu      sync.Mutex
	callbacks []func(SMTPState)
}

var computerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,14}$`)

// New validates s and builds the host. SMTPSVC is started (taking its
// configuration, and on Exchange hosts the directory values) when
// s.SMTPRunning is set.
func New(s Settings) (*Host, error) {
	s = cloneSettings(s)
	rel, err := validate(&s)
	if err != nil {
		return nil, err
	}

	h := &Host{
		settings: s,
		rel:      rel,
		faults:   s.Faults,
		mb:       newMetabase(s, rel),
		first:    map[int]verb.Flags{},
	}
	h.initFiles()
	h.initServices()
	if s.SMTPRunning {
		for _, name := range []string{"IISADMIN", "SMTPSVC"} {
			h.services[name].state, h.services[name].exitCode = stateRunning, 0
		}
		h.takeConfig()
	}
	return h, nil
}

// validate checks s, fills defaults and returns its release.
func validate(s *Settings) (release, error) {
	rel, ok := lookupRelease(s.Windows)
	if !ok {
		return rel, fmt.Errorf("windows version %q is not supported; use one of %s",
			s.Windows, strings.Join(windowsVersions, ", "))
	}
	s.Windows = strings.ToUpper(strings.TrimSpace(s.Windows))

	if !computerName.MatchString(s.Computer) {
		return rel, fmt.Errorf("computer name %q is not a NetBIOS name: use 1 to 15 "+
			"letters, digits or hyphens, e.g. MAIL01", s.Computer)
	}
	if err := validateTools(s); err != nil {
		return rel, err
	}

	switch s.Exchange {
	case "":
	case "2000":
		if s.Windows != "2000" {
			return rel, fmt.Errorf("Exchange 2000 runs on Windows 2000 only, not %s: "+
				"set Windows to 2000", s.Windows)
		}
	case "2003":
		if s.Windows != "2000" && s.Windows != "2003" {
			return rel, fmt.Errorf("Exchange 2003 runs on Windows 2000 or 2003, not %s: "+
				"set Windows to 2003", s.Windows)
		}
	default:
		return rel, fmt.Errorf("exchange %q is not supported: use \"\", \"2000\" or "+
			"\"2003\" (later Exchange versions do not use IIS SMTP)", s.Exchange)
	}

	return rel, validateInstances(s)
}

// validateTools checks the tool paths are absolute Windows paths with the
// right extension.
func validateTools(s *Settings) error {
	tools := []struct{ name, path, ext string }{
		{"mdutil", s.MdutilPath, ".exe"},
		{"adsutil", s.AdsutilPath, ".vbs"},
	}
	for _, t := range tools {
		if t.path == "" {
			continue
		}
		if !isAbsWindowsPath(t.path) || !strings.HasSuffix(strings.ToLower(t.path), t.ext) {
			// %q would double the backslashes of a Windows path.
			return fmt.Errorf("%s path \"%s\" must be an absolute Windows path ending in %s, "+
				`e.g. C:\Tools\%s%s`, t.name, t.path, t.ext, t.name, t.ext)
		}
	}
	return nil
}

// validateInstances checks instance IDs and ports and fills default ports.
func validateInstances(s *Settings) error {
	ids := map[int]bool{}
	ports := map[int]int{}
	for i := range s.Instances {
		in := &s.Instances[i]
		if in.ID < 1 {
			return fmt.Errorf("virtual server ID %d is invalid: IDs start at 1", in.ID)
		}
		if ids[in.ID] {
			return fmt.Errorf("virtual server %d is listed twice", in.ID)
		}
		ids[in.ID] = true

		if in.Port == 0 {
			in.Port = 25
		}
		if in.Port < 1 || in.Port > 65535 {
			return fmt.Errorf("virtual server %d: port %d is out of range 1-65535",
				in.ID, in.Port)
		}
		if other, ok := ports[in.Port]; ok {
			return fmt.Errorf("virtual servers %d and %d both bind port %d: give each "+
				"its own port", other, in.ID, in.Port)
		}
		ports[in.Port] = in.ID

		if in.DirectoryValue != nil && s.Exchange == "" {
			return fmt.Errorf("virtual server %d has a directory value but the host has "+
				"no Exchange: set Exchange or drop DirectoryValue", in.ID)
		}
	}
	sort.Slice(s.Instances, func(i, j int) bool { return s.Instances[i].ID < s.Instances[j].ID })
	return nil
}

// isAbsWindowsPath reports whether p looks like `C:\dir\file`.
func isAbsWindowsPath(p string) bool {
	return len(p) > 3 && p[1] == ':' && p[2] == '\\' &&
		(p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')
}

// cloneSettings deep-copies s so the caller's pointers are not shared.
func cloneSettings(s Settings) Settings {
	s.ServiceValue = cloneU32(s.ServiceValue)
	s.Instances = append([]InstanceSettings(nil), s.Instances...)
	for i := range s.Instances {
		s.Instances[i].Value = cloneU32(s.Instances[i].Value)
		s.Instances[i].DirectoryValue = cloneU32(s.Instances[i].DirectoryValue)
	}
	return s
}

func cloneU32(p *uint32) *uint32 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Settings returns a copy of the host's settings, with the faults in force
// now. Values are the ones the host was created with, not the live
// metabase: use Value for that.
func (h *Host) Settings() Settings {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := cloneSettings(h.settings)
	s.Faults = h.faults
	return s
}

// FQDN returns the name the SMTP banner uses: the computer name in lower
// case, with the domain when there is one.
func (h *Host) FQDN() string {
	name := strings.ToLower(h.settings.Computer)
	if h.settings.Domain == "" {
		return name
	}
	return name + "." + strings.ToLower(h.settings.Domain)
}

// SetFaults replaces the host's faults at run time.
func (h *Host) SetFaults(f Faults) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = f
}

// Value returns the effective SmtpInboundCommandSupportOptions of instance
// id and where it comes from: "/LM/SmtpSvc/1", "/LM/SmtpSvc" or "default".
// For an instance that does not exist it returns 0 and "".
func (h *Host) Value(id int) (v uint32, source string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := h.mb.find(fmt.Sprintf("SmtpSvc/%d", id))
	if k == nil || k.keyType != "IIsSmtpServer" {
		return 0, ""
	}
	return effective(k, idInboundOptions)
}

// SetValue sets SmtpInboundCommandSupportOptions at a metabase path such as
// "/LM/SmtpSvc" or "/LM/SmtpSvc/1" directly, bypassing faults; nil deletes
// it. Like any metabase change, it does not alter Running until SMTPSVC
// restarts.
func (h *Host) SetValue(path string, v *uint32) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := h.mb.find(path)
	if k == nil || k == h.mb.root {
		return fmt.Errorf("set value at %s: no such metabase key; use /LM/SmtpSvc or "+
			"/LM/SmtpSvc/N", path)
	}
	if v == nil {
		delete(k.props, idInboundOptions)
	} else {
		k.set(dword(idInboundOptions, attrInherit, *v))
	}
	h.mb.changes++
	return nil
}

// Running returns what the SMTP service runs with now.
func (h *Host) Running() SMTPState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.snapshot()
}

// snapshot copies the running state; h.mu must be held.
func (h *Host) snapshot() SMTPState {
	s := SMTPState{Running: h.running.Running}
	s.Instances = append([]RunningInstance(nil), h.running.Instances...)
	return s
}

// OnSMTPChange registers fn to be called, outside the host's locks and in
// order, whenever SMTPSVC or one of its virtual servers starts or stops. fn
// receives the state at the time of the call.
func (h *Host) OnSMTPChange(fn func(SMTPState)) {
	h.cbMu.Lock()
	defer h.cbMu.Unlock()
	h.callbacks = append(h.callbacks, fn)
}

// notify calls the change callbacks with the current state. It must be
// called without h.mu held.
func (h *Host) notify() {
	h.cbMu.Lock()
	defer h.cbMu.Unlock()
	state := h.Running()
	for _, fn := range h.callbacks {
		fn(state)
	}
}

// unlock releases h.mu and, when the SMTP service changed meanwhile, calls
// the change callbacks.
func (h *Host) unlock() {
	changed := h.changed
	h.changed = false
	h.mu.Unlock()
	if changed {
		h.notify()
	}
}
