package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// The JSON form of a plan file. Field names are part of format version 1:
// add fields freely, but renaming or removing one needs a new version.
type (
	fileJSON struct {
		FormatVersion string              `json:"format_version"`
		ToolVersion   string              `json:"tool_version"`
		CreatedAt     time.Time           `json:"created_at"`
		ConfigDigest  string              `json:"config_digest"`
		Targets       []string            `json:"targets"`
		Connections   map[string]connJSON `json:"connections"`
		Hosts         []hostJSON          `json:"hosts"`
		Summary       Summary             `json:"summary"`
	}

	connJSON struct {
		Transport     string `json:"transport"`
		Port          int    `json:"port"`
		Auth          string `json:"auth"`
		Username      string `json:"username,omitempty"`
		TLSServerName string `json:"tls_server_name,omitempty"`
		Insecure      bool   `json:"insecure"`
	}

	hostJSON struct {
		Name           string          `json:"name"`
		Address        string          `json:"address"`
		Connection     string          `json:"connection"`
		Status         Status          `json:"status"`
		Reason         string          `json:"reason,omitempty"`
		Remedy         string          `json:"remedy,omitempty"`
		Restart        bool            `json:"restart"`
		PendingRestart bool            `json:"pending_restart"`
		PendingReason  string          `json:"pending_reason,omitempty"`
		SMTPPort       int             `json:"smtp_port,omitempty"`
		Hostname       string          `json:"hostname,omitempty"`
		OS             string          `json:"os,omitempty"`
		SMTPState      string          `json:"smtp_state,omitempty"`
		Method         string          `json:"method,omitempty"`
		Enable         []string        `json:"enable"`
		Disable        []string        `json:"disable"`
		Instances      []instanceJSON  `json:"instances"`
		Exceptions     []exceptionJSON `json:"exceptions,omitempty"`
		Diagnostics    []string        `json:"diagnostics,omitempty"`
	}

	instanceJSON struct {
		ID              int          `json:"id"`
		Path            string       `json:"path"`
		Observed        string       `json:"observed"`
		ObservedDecimal uint32       `json:"observed_decimal"`
		Source          string       `json:"source"`
		Target          string       `json:"target"`
		TargetDecimal   uint32       `json:"target_decimal"`
		Changes         []changeJSON `json:"changes"`
		UnmanagedBits   string       `json:"unmanaged_bits"`
		Ports           []int        `json:"ports,omitempty"`
	}

	changeJSON struct {
		Verb   string `json:"verb"`
		Action Action `json:"action"`
	}

	exceptionJSON struct {
		Name          string `json:"name"`
		Verb          string `json:"verb"`
		Justification string `json:"justification"`
		ApprovedBy    string `json:"approved_by,omitempty"`
		Expires       string `json:"expires"`
		Active        bool   `json:"active"`
	}
)

// dateLayout is how exception expiry dates are written, as in the
// configuration.
const dateLayout = "2006-01-02"

// Marshal returns the plan file form of p: indented JSON ending in a
// newline. It holds no password: connections are described by transport,
// port, auth and user name only.
func Marshal(p *Plan) ([]byte, error) {
	f := fileJSON{
		FormatVersion: p.FormatVersion,
		ToolVersion:   p.ToolVersion,
		CreatedAt:     p.CreatedAt.UTC(),
		ConfigDigest:  p.ConfigDigest,
		Targets:       nonNil(p.Targets),
		Connections:   map[string]connJSON{},
		Hosts:         make([]hostJSON, 0, len(p.Hosts)),
		Summary:       p.Summary,
	}
	for name, c := range p.Connections {
		f.Connections[name] = connJSON(c)
	}
	for _, h := range p.Hosts {
		f.Hosts = append(f.Hosts, hostToJSON(h))
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return buf.Bytes(), nil
}

func hostToJSON(h *Host) hostJSON {
	hj := hostJSON{
		Name: h.Name, Address: h.Address, Connection: h.Connection, Status: h.Status,
		Reason: h.Reason, Remedy: h.Remedy, Restart: h.Restart,
		PendingRestart: h.PendingRestart, PendingReason: h.PendingReason,
		SMTPPort: h.SMTPPort, Hostname: h.Hostname, OS: h.OS, SMTPState: h.SMTPState,
		Method: h.Method, Enable: nonNil(h.Enable), Disable: nonNil(h.Disable),
		Instances: []instanceJSON{}, Diagnostics: h.Diagnostics,
	}
	for _, in := range h.Instances {
		ij := instanceJSON{
			ID: in.ID, Path: in.Path,
			Observed: in.Observed.String(), ObservedDecimal: uint32(in.Observed),
			Source: string(in.Source),
			Target: in.Target.String(), TargetDecimal: uint32(in.Target),
			Changes:       []changeJSON{},
			UnmanagedBits: in.Unmanaged().String(),
			Ports:         in.Ports,
		}
		for _, c := range in.Changes {
			ij.Changes = append(ij.Changes, changeJSON(c))
		}
		hj.Instances = append(hj.Instances, ij)
	}
	for _, e := range h.Exceptions {
		hj.Exceptions = append(hj.Exceptions, exceptionJSON{
			Name: e.Name, Verb: e.Verb, Justification: e.Justification,
			ApprovedBy: e.ApprovedBy, Expires: e.Expires.Format(dateLayout), Active: e.Active,
		})
	}
	return hj
}

// WriteFile saves p to path, replacing it whole or not at all.
func WriteFile(path string, p *Plan) error {
	data, err := Marshal(p)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".smtpverbs-plan-*")
	if err != nil {
		return fmt.Errorf("write plan file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed

	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write plan file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write plan file %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write plan file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write plan file %s: %w", path, err)
	}
	return nil
}

// ReadFile reads and validates the plan file at path.
func ReadFile(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan file: %w", err)
	}
	p, err := Unmarshal(data)
	if err != nil {
		return nil, fmt.Errorf("read plan file %s: %w", path, err)
	}
	return p, nil
}

// errNotPlan is the advice for a file that is not a plan at all.
const errNotPlan = "it is not a smtpverbs plan file; make one with smtpverbs plan -out=FILE"

// Unmarshal parses and validates a plan file. It rejects a file of another
// format version, one without a config digest, and one whose verb changes
// do not follow from its observed and target values (an edited file).
func Unmarshal(data []byte) (*Plan, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty; " + errNotPlan)
	}
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not valid plan JSON (%v); %s", err, errNotPlan)
	}

	switch {
	case f.FormatVersion == "":
		return nil, errors.New("no format_version; " + errNotPlan)
	case f.FormatVersion != FormatVersion:
		return nil, fmt.Errorf("format_version is %q but this smtpverbs reads %q; make the "+
			"plan again with this version of smtpverbs", f.FormatVersion, FormatVersion)
	case f.ConfigDigest == "":
		return nil, errors.New("no config_digest: the file is incomplete or was edited; " +
			"make a new plan with smtpverbs plan -out=FILE")
	case f.CreatedAt.IsZero():
		return nil, errors.New("no created_at: the file is incomplete or was edited; " +
			"make a new plan with smtpverbs plan -out=FILE")
	}

	p := &Plan{
		FormatVersion: f.FormatVersion,
		ToolVersion:   f.ToolVersion,
		CreatedAt:     f.CreatedAt,
		ConfigDigest:  f.ConfigDigest,
		Targets:       f.Targets,
		Connections:   map[string]Connection{},
	}
	for name, c := range f.Connections {
		p.Connections[name] = Connection(c)
	}
	for i, hj := range f.Hosts {
		h, err := hostFromJSON(hj)
		if err != nil {
			return nil, fmt.Errorf("host %d (%q): %w", i+1, hj.Name, err)
		}
		p.Hosts = append(p.Hosts, h)
	}
	p.Summary = summarize(p.Hosts)
	return p, nil
}

func hostFromJSON(hj hostJSON) (*Host, error) {
	if hj.Name == "" || hj.Address == "" {
		return nil, errors.New("name or address missing: the file was edited or is corrupt")
	}
	if !hj.Status.valid() {
		return nil, fmt.Errorf("unknown status %q: the file was edited or is corrupt", hj.Status)
	}
	h := &Host{
		Name: hj.Name, Address: hj.Address, Connection: hj.Connection, Status: hj.Status,
		Reason: hj.Reason, Remedy: hj.Remedy, Restart: hj.Restart,
		PendingRestart: hj.PendingRestart, PendingReason: hj.PendingReason,
		SMTPPort: hj.SMTPPort, Hostname: hj.Hostname, OS: hj.OS, SMTPState: hj.SMTPState,
		Method: hj.Method, Enable: hj.Enable, Disable: hj.Disable, Diagnostics: hj.Diagnostics,
	}

	changes := 0
	for _, ij := range hj.Instances {
		in, err := instanceFromJSON(ij)
		if err != nil {
			return nil, fmt.Errorf("instance %d: %w", ij.ID, err)
		}
		changes += len(in.Changes)
		h.Instances = append(h.Instances, in)
	}
	if (h.Status == StatusChange && changes == 0) ||
		(h.Status == StatusCompliant && changes > 0) {
		return nil, fmt.Errorf("status %q does not match its %d verb changes: the file "+
			"was edited or is corrupt", h.Status, changes)
	}

	for _, ej := range hj.Exceptions {
		exp, err := time.Parse(dateLayout, ej.Expires)
		if err != nil {
			return nil, fmt.Errorf("exception %q: expires %q is not a YYYY-MM-DD date",
				ej.Name, ej.Expires)
		}
		h.Exceptions = append(h.Exceptions, Exception{
			Name: ej.Name, Verb: ej.Verb, Justification: ej.Justification,
			ApprovedBy: ej.ApprovedBy, Expires: exp, Active: ej.Active,
		})
	}
	return h, nil
}

func instanceFromJSON(ij instanceJSON) (*Instance, error) {
	observed, err := parseHex("observed", ij.Observed)
	if err != nil {
		return nil, err
	}
	target, err := parseHex("target", ij.Target)
	if err != nil {
		return nil, err
	}
	if uint32(observed) != ij.ObservedDecimal || uint32(target) != ij.TargetDecimal {
		return nil, errors.New("hex and decimal values differ: the file was edited or " +
			"is corrupt")
	}

	in := &Instance{
		ID: ij.ID, Path: ij.Path, Observed: observed, Target: target,
		Source: providers.Source(ij.Source), Ports: ij.Ports,
	}
	for _, cj := range ij.Changes {
		in.Changes = append(in.Changes, Change(cj))
	}

	// A reviewer reads the changes but apply writes the target: they must
	// agree.
	var want []Change
	for _, c := range verb.Diff(observed, target) {
		want = append(want, changeOf(c))
	}
	if !slices.Equal(in.Changes, want) {
		return nil, fmt.Errorf("the listed changes do not follow from %s -> %s: the file "+
			"was edited or is corrupt", observed, target)
	}
	return in, nil
}

// parseHex parses a value written as 0x7574c1.
func parseHex(field, s string) (verb.Flags, error) {
	digits, ok := strings.CutPrefix(strings.ToLower(s), "0x")
	v, err := strconv.ParseUint(digits, 16, 32)
	if !ok || err != nil {
		return 0, fmt.Errorf("%s %q is not a hex value such as 0x7574c1", field, s)
	}
	return verb.Flags(v), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Bind attaches the servers of cfg to a plan read from a file, so that
// Apply can reach its hosts with the configuration's credentials. It refuses
// a configuration other than the one the plan was made from, and a server
// whose address changed through a variable.
func (p *Plan) Bind(cfg *config.Config) error {
	if cfg.Digest != p.ConfigDigest {
		return fmt.Errorf("the configuration changed after the plan was made (plan: %s, "+
			"now: %s); run smtpverbs plan -out=FILE again and review the new plan",
			shortDigest(p.ConfigDigest), shortDigest(cfg.Digest))
	}
	byName := map[string]*config.Server{}
	for _, s := range cfg.Servers {
		byName[s.Name] = s
	}
	for _, h := range p.Hosts {
		s, ok := byName[h.Name]
		switch {
		case !ok && h.Status == StatusChange:
			return fmt.Errorf("server %q of the plan is not in the configuration; make a "+
				"new plan", h.Name)
		case !ok:
			continue
		case s.Address != h.Address:
			return fmt.Errorf("server %q now has address %s but the plan was made for %s; "+
				"make a new plan", h.Name, s.Address, h.Address)
		}
		h.server = s
	}
	return nil
}

// shortDigest abbreviates "sha256:<hex>" for messages.
func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}

// Age is how long ago p was made.
func (p *Plan) Age(now time.Time) time.Duration {
	return now.Sub(p.CreatedAt)
}

// MarshalJSON encodes h as it appears in a plan file.
func (h *Host) MarshalJSON() ([]byte, error) {
	return json.Marshal(hostToJSON(h))
}
