package lab

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Spec describes a fleet of simulated hosts.
type Spec struct {
	Hosts []HostSpec
}

// HostSpec describes one simulated Windows host. The zero value of every
// optional field means the realistic default named in its comment.
type HostSpec struct {
	// Name is the host's name in lab.json and lab.smtp.hcl (lower case);
	// the computer name is its upper-case form.
	Name string

	// Address is the loopback address to serve on; empty means the next
	// free one of the lab's block.
	Address string

	// Windows is the version: 2000, 2003, 2008, 2008R2, 2012, 2012R2, 2016,
	// 2019 or 2022. The default is 2019, or the version Exchange needs when
	// Exchange is set.
	Windows string

	// Domain is the DNS domain of the host (default corp.example).
	Domain string

	// MdutilPath and AdsutilPath are where the tools are installed. Empty
	// means the default location; "none" means not installed.
	MdutilPath  string
	AdsutilPath string

	// Exchange is "", "2000" or "2003".
	Exchange string

	// OpenRelay makes the SMTP service relay for anyone.
	OpenRelay bool

	// ServiceValue is SmtpInboundCommandSupportOptions at /LM/SmtpSvc; nil
	// means not set there.
	ServiceValue *uint32

	// VirtualServers are the SMTP instances; empty means one instance, 1,
	// that inherits its value.
	VirtualServers []VirtualServerSpec

	// SMTPStopped starts the host with SMTPSVC stopped.
	SMTPStopped bool

	// Username and Password are the account WinRM accepts (defaults: the
	// lab's). Auth lists the schemes offered: "basic", "ntlm" (default both).
	Username string
	Password string
	Auth     []string

	Faults FaultSpec
}

// VirtualServerSpec is one SMTP instance /LM/SmtpSvc/N.
type VirtualServerSpec struct {
	ID int

	// Value is set at the instance key; nil means inherited.
	Value *uint32

	// Port is the SMTP port; 0 means the lab's SMTP port for instance 1
	// and that port plus N-1 for instance N.
	Port int

	// DirectoryValue is the Exchange directory copy that DS2MB writes back
	// at every start (Exchange hosts only); nil means the schema default.
	DirectoryValue *uint32
}

// FaultSpec injects failures into one host.
type FaultSpec struct {
	// Latency is added before every WinRM answer.
	Latency time.Duration

	// Unreachable serves nothing on the host's address: connections are
	// refused.
	Unreachable bool

	// WrongCredentials makes the host refuse the credentials lab.json and
	// lab.smtp.hcl advertise.
	WrongCredentials bool

	// WinRMFaultOp and WinRMFaultNth answer the Nth request of that
	// operation (Create, Command, Send, Receive, Signal, Delete; 0 = every
	// one) with a WS-Management fault.
	WinRMFaultOp  string
	WinRMFaultNth int

	// WriteDenied fails metabase writes with access denied; WriteNotSticky
	// reports success but keeps the old value.
	WriteDenied    bool
	WriteNotSticky bool

	// StartFails makes SMTPSVC fail to start; RestartDelay is how long each
	// stop and each start of it takes.
	StartFails   bool
	RestartDelay time.Duration

	// FrozenSMTP makes the SMTP service keep offering what it offered at
	// the first start, whatever the metabase says.
	FrozenSMTP bool
}

// The places the tools are installed when a spec does not say.
const (
	DefaultMdutilPath  = `C:\Windows\System32\inetsrv\mdutil.exe`
	DefaultAdsutilPath = `C:\Inetpub\AdminScripts\adsutil.vbs`
)

var windowsVersions = []string{"2000", "2003", "2008", "2008R2", "2012", "2012R2", "2016",
	"2019", "2022"}

// specFile is the HCL form of a Spec.
type specFile struct {
	Hosts []hostBlock `hcl:"host,block"`
}

type hostBlock struct {
	Name           string       `hcl:"name,label"`
	Address        *string      `hcl:"address,optional"`
	Windows        *string      `hcl:"windows,optional"`
	Domain         *string      `hcl:"domain,optional"`
	Mdutil         *string      `hcl:"mdutil,optional"`
	Adsutil        *string      `hcl:"adsutil,optional"`
	Exchange       *string      `hcl:"exchange,optional"`
	OpenRelay      *bool        `hcl:"open_relay,optional"`
	ServiceValue   *int64       `hcl:"service_value,optional"`
	SMTPStopped    *bool        `hcl:"smtp_stopped,optional"`
	Username       *string      `hcl:"username,optional"`
	Password       *string      `hcl:"password,optional"`
	Auth           []string     `hcl:"auth,optional"`
	VirtualServers []vsBlock    `hcl:"virtual_server,block"`
	Faults         *faultsBlock `hcl:"faults,block"`
	Body           hcl.Body     `hcl:",body"`
	DefRange       hcl.Range    `hcl:",def_range"`
}

type vsBlock struct {
	ID             string   `hcl:"id,label"`
	Value          *int64   `hcl:"value,optional"`
	Port           *int     `hcl:"port,optional"`
	DirectoryValue *int64   `hcl:"directory_value,optional"`
	Body           hcl.Body `hcl:",body"`
}

type faultsBlock struct {
	Latency          *string  `hcl:"latency,optional"`
	Unreachable      *bool    `hcl:"unreachable,optional"`
	WrongCredentials *bool    `hcl:"wrong_credentials,optional"`
	WinRMFault       *string  `hcl:"winrm_fault,optional"`
	WinRMFaultNth    *int     `hcl:"winrm_fault_nth,optional"`
	WriteDenied      *bool    `hcl:"write_denied,optional"`
	WriteNotSticky   *bool    `hcl:"write_not_sticky,optional"`
	StartFails       *bool    `hcl:"start_fails,optional"`
	RestartDelay     *string  `hcl:"restart_delay,optional"`
	FrozenSMTP       *bool    `hcl:"frozen_smtp,optional"`
	Body             hcl.Body `hcl:",body"`
}

// LoadSpec reads a fleet spec file. Problems are HCL diagnostics with file,
// line and column; files holds the parsed source for rendering them.
func LoadSpec(path string) (spec Spec, files map[string]*hcl.File, diags hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read lab spec",
			Detail:   fmt.Sprintf("%s. Pass an existing file to --spec, or use --hosts N.", err),
		}}
	}
	parser := hclparse.NewParser()
	spec, diags = parseSpec(parser, src, path)
	return spec, parser.Files(), diags
}

// ParseSpec parses the HCL text of a fleet spec; filename is used in
// diagnostics.
func ParseSpec(src []byte, filename string) (Spec, hcl.Diagnostics) {
	return parseSpec(hclparse.NewParser(), src, filename)
}

func parseSpec(parser *hclparse.Parser, src []byte, filename string) (Spec, hcl.Diagnostics) {
	file, diags := parser.ParseHCL(src, filename)
	if diags.HasErrors() {
		return Spec{}, diags
	}

	var sf specFile
	diags = append(diags, gohcl.DecodeBody(file.Body, nil, &sf)...)
	if diags.HasErrors() {
		return Spec{}, diags
	}

	var spec Spec
	for _, hb := range sf.Hosts {
		h, hd := hb.spec()
		diags = append(diags, hd...)
		spec.Hosts = append(spec.Hosts, h)
	}
	if diags.HasErrors() {
		return Spec{}, diags
	}
	return spec, append(diags, spec.validate(file.Body)...)
}

// spec converts one host block, checking each value where it stands.
func (hb *hostBlock) spec() (HostSpec, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	h := HostSpec{
		Name:        hb.Name,
		Address:     deref(hb.Address),
		Windows:     deref(hb.Windows),
		Domain:      deref(hb.Domain),
		MdutilPath:  deref(hb.Mdutil),
		AdsutilPath: deref(hb.Adsutil),
		Exchange:    deref(hb.Exchange),
		OpenRelay:   hb.OpenRelay != nil && *hb.OpenRelay,
		SMTPStopped: hb.SMTPStopped != nil && *hb.SMTPStopped,
		Username:    deref(hb.Username),
		Password:    deref(hb.Password),
		Auth:        hb.Auth,
	}
	if hb.ServiceValue != nil {
		v, d := dword(*hb.ServiceValue, hb.Body, "service_value")
		diags = append(diags, d...)
		h.ServiceValue = &v
	}

	for _, vb := range hb.VirtualServers {
		id, err := strconv.Atoi(vb.ID)
		if err != nil || id < 1 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid virtual server number",
				Detail: fmt.Sprintf("The label %q must be a positive whole number, as in "+
					"virtual_server \"1\" for /LM/SmtpSvc/1.", vb.ID),
				Subject: blockRange(vb.Body),
			})
			continue
		}
		vs := VirtualServerSpec{ID: id}
		if vb.Value != nil {
			v, d := dword(*vb.Value, vb.Body, "value")
			diags = append(diags, d...)
			vs.Value = &v
		}
		if vb.DirectoryValue != nil {
			v, d := dword(*vb.DirectoryValue, vb.Body, "directory_value")
			diags = append(diags, d...)
			vs.DirectoryValue = &v
		}
		if vb.Port != nil {
			if *vb.Port < 1 || *vb.Port > 65535 {
				diags = append(diags, attrDiag(vb.Body, "port", "Invalid port",
					"A port is a number from 1 to 65535."))
			}
			vs.Port = *vb.Port
		}
		h.VirtualServers = append(h.VirtualServers, vs)
	}

	if fb := hb.Faults; fb != nil {
		f, d := fb.spec()
		diags = append(diags, d...)
		h.Faults = f
	}
	return h, diags
}

func (fb *faultsBlock) spec() (FaultSpec, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	f := FaultSpec{
		Unreachable:      isTrue(fb.Unreachable),
		WrongCredentials: isTrue(fb.WrongCredentials),
		WinRMFaultOp:     deref(fb.WinRMFault),
		WriteDenied:      isTrue(fb.WriteDenied),
		WriteNotSticky:   isTrue(fb.WriteNotSticky),
		StartFails:       isTrue(fb.StartFails),
		FrozenSMTP:       isTrue(fb.FrozenSMTP),
	}
	if fb.WinRMFaultNth != nil {
		f.WinRMFaultNth = *fb.WinRMFaultNth
	}
	f.Latency = duration(fb.Latency, fb.Body, "latency", &diags)
	f.RestartDelay = duration(fb.RestartDelay, fb.Body, "restart_delay", &diags)
	if f.WinRMFaultOp != "" && !validOp(f.WinRMFaultOp) {
		diags = append(diags, attrDiag(fb.Body, "winrm_fault", "Unknown WinRM operation",
			fmt.Sprintf("%q is not a WinRS operation. Write one of Create, Command, Send, "+
				"Receive, Signal or Delete.", f.WinRMFaultOp)))
	}
	return f, diags
}

// validate checks what involves several hosts or several fields.
func (s *Spec) validate(body hcl.Body) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	addrs := map[string]string{}
	for i := range s.Hosts {
		h := &s.Hosts[i]
		bad := func(summary, detail string) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: summary, Detail: detail,
				Subject: hostRange(body, i),
			})
		}
		if seen[h.Name] {
			bad("Duplicate host", fmt.Sprintf("Host %q is declared twice; names must be "+
				"unique.", h.Name))
		}
		seen[h.Name] = true
		if err := h.check(); err != nil {
			bad("Invalid host "+strconv.Quote(h.Name), err.Error())
		}
		if h.Address != "" {
			if other, ok := addrs[h.Address]; ok {
				bad("Duplicate address", fmt.Sprintf("Hosts %q and %q both use %s.",
					other, h.Name, h.Address))
			}
			addrs[h.Address] = h.Name
		}
	}
	return diags
}

// check validates one host's values; Start calls it for specs built in Go.
func (h *HostSpec) check() error {
	if h.Name == "" || strings.ContainsAny(h.Name, " \t\"\\") {
		return fmt.Errorf("host name %q must be a non-empty word", h.Name)
	}
	if h.Windows != "" && !contains(windowsVersions, strings.ToUpper(h.Windows)) {
		return fmt.Errorf("windows = %q is not a supported version; write one of %s",
			h.Windows, strings.Join(windowsVersions, ", "))
	}
	switch h.Exchange {
	case "", "2000", "2003":
	default:
		return fmt.Errorf("exchange = %q: only Exchange 2000 and 2003 run on IIS SMTP; "+
			"write \"2000\", \"2003\" or leave it out", h.Exchange)
	}
	if h.Address != "" {
		a, err := netip.ParseAddr(h.Address)
		if err != nil || !a.Is4() || !a.IsLoopback() {
			return fmt.Errorf("address %q is not an IPv4 loopback address; the lab "+
				"serves 127.0.0.0/8 only (for example 127.0.1.5)", h.Address)
		}
	}
	for _, a := range h.Auth {
		if a != "basic" && a != "ntlm" {
			return fmt.Errorf("auth %q is not offered by the lab; write \"basic\" or \"ntlm\"", a)
		}
	}
	ids := map[int]bool{}
	for _, vs := range h.VirtualServers {
		if vs.ID < 1 || ids[vs.ID] {
			return fmt.Errorf("virtual server %d is invalid or declared twice", vs.ID)
		}
		ids[vs.ID] = true
	}
	if h.Faults.WinRMFaultOp != "" && !validOp(h.Faults.WinRMFaultOp) {
		return fmt.Errorf("winrm fault operation %q is unknown", h.Faults.WinRMFaultOp)
	}
	return nil
}

func validOp(op string) bool {
	return contains([]string{"Create", "Command", "Send", "Receive", "Signal", "Delete"}, op)
}

// duration parses an optional duration attribute, appending a diagnostic to
// diags when it is malformed.
func duration(src *string, body hcl.Body, name string, diags *hcl.Diagnostics) time.Duration {
	if src == nil {
		return 0
	}
	d, err := time.ParseDuration(*src)
	if err != nil || d < 0 {
		*diags = append(*diags, attrDiag(body, name, "Invalid duration",
			fmt.Sprintf("%q is not a duration. Write a number with a unit, such as "+
				"\"20ms\" or \"2s\".", *src)))
		return 0
	}
	return d
}

// dword checks that v fits a metabase DWORD.
func dword(v int64, body hcl.Body, name string) (uint32, hcl.Diagnostics) {
	if v < 0 || v > 0xFFFFFFFF {
		return 0, hcl.Diagnostics{attrDiag(body, name, "Value out of range",
			"A metabase DWORD is a whole number from 0 to 4294967295.")}
	}
	return uint32(v), nil
}

// attrDiag builds an error pointing at attribute name of body.
func attrDiag(body hcl.Body, name, summary, detail string) *hcl.Diagnostic {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if sb, ok := body.(*hclsyntax.Body); ok {
		if a, ok := sb.Attributes[name]; ok {
			d.Subject = a.SrcRange.Ptr()
		}
	}
	return d
}

func blockRange(body hcl.Body) *hcl.Range {
	if sb, ok := body.(*hclsyntax.Body); ok {
		return sb.SrcRange.Ptr()
	}
	return nil
}

// hostRange finds the header of the i-th host block.
func hostRange(body hcl.Body, i int) *hcl.Range {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	n := 0
	for _, b := range sb.Blocks {
		if b.Type != "host" {
			continue
		}
		if n == i {
			r := b.DefRange()
			return &r
		}
		n++
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func isTrue(p *bool) bool { return p != nil && *p }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
