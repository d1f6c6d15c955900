package iis

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/smtpverbs/smtpverbs/verb"
)

// Metabase property IDs the provider reads.
const (
	propKeyType        = 1002
	propServerState    = 1016
	propServerBindings = 1023
)

// propNames maps the ADSI names that adsutil.vbs prints (and mdutil prints
// for IDs it knows) to property IDs, in lower case.
var propNames = map[string]int{
	"keytype":                                propKeyType,
	"serverstate":                            propServerState,
	"serverbindings":                         propServerBindings,
	strings.ToLower(verb.PropertyName):       verb.PropertyID,
	"md_key_type":                            propKeyType,
	"md_server_state":                        propServerState,
	"md_server_bindings":                     propServerBindings,
	"msexchsmtpinboundcommandsupportoptions": verb.PropertyID,
}

// errNotSet is returned by parseGet when the property is not set at the
// node asked for.
var errNotSet = errors.New("not set at this node")

var (
	hexRe     = regexp.MustCompile(`0[xX]([0-9a-fA-F]+)`)
	bracesRe  = regexp.MustCompile(`\{(\d+)\}`)
	decimalRe = regexp.MustCompile(`(?:^|[\s=:])(-?\d+)(?:$|\s)`)
	quotedRe  = regexp.MustCompile(`"([^"]*)"`)
	typeRe    = regexp.MustCompile(`\(([A-Za-z_]+)\)`)
	attrRe    = regexp.MustCompile(`^\s*\[[A-Za-z ]*\]`)
)

// lines splits tool output into lines without their CR or LF.
func lines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

// firstLine returns the first non-blank line of s, trimmed.
func firstLine(s string) string {
	for _, l := range lines(s) {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}

// parseVer returns the line `ver` prints, such as
// "Microsoft Windows [Version 10.0.17763.1697]".
func parseVer(out string) string {
	for _, l := range lines(out) {
		t := strings.TrimSpace(l)
		if strings.Contains(strings.ToLower(t), "windows") || strings.Contains(t, "[Version") {
			return t
		}
	}
	return firstLine(out)
}

// windowsVersion returns the version number inside a `ver` line, such as
// "5.2.3790", or "" when there is none.
func windowsVersion(ver string) string {
	i := strings.Index(strings.ToLower(ver), "version ")
	if i < 0 {
		return ""
	}
	rest := ver[i+len("version "):]
	if j := strings.IndexAny(rest, "] "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// serviceQuery is what `sc query NAME` said about one service.
type serviceQuery struct {
	// Installed is false when sc reported error 1060 or printed no state.
	Installed bool

	// State is the state name, e.g. "RUNNING" or "STOPPED".
	State string
}

// parseSCQuery reads the output of `sc query NAME`. sc prints the state as
// `STATE              : 4  RUNNING`; an unknown service gives
// `[SC] EnumQueryServicesStatus:OpenService FAILED 1060:` instead.
func parseSCQuery(out string) serviceQuery {
	for _, l := range lines(out) {
		key, val, ok := strings.Cut(l, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "STATE") {
			continue
		}

		// The value is "<number>  <NAME>", possibly followed by flags.
		fields := strings.Fields(val)
		for _, f := range fields {
			if _, err := strconv.Atoi(f); err != nil {
				return serviceQuery{Installed: true, State: strings.ToUpper(f)}
			}
		}
		if len(fields) > 0 {
			return serviceQuery{Installed: true, State: stateName(fields[0])}
		}
	}
	return serviceQuery{}
}

// stateName maps a numeric SERVICE_STATE to the name sc prints beside it.
func stateName(n string) string {
	names := map[string]string{
		"1": "STOPPED", "2": "START_PENDING", "3": "STOP_PENDING", "4": "RUNNING",
		"5": "CONTINUE_PENDING", "6": "PAUSE_PENDING", "7": "PAUSED",
	}
	if s, ok := names[n]; ok {
		return s
	}
	return n
}

// mbValue is one metabase property value as a tool printed it.
type mbValue struct {
	// Num is the value of a DWORD (or adsutil INTEGER) property; HasNum says
	// whether one was found.
	Num    uint32
	HasNum bool

	// Strings are the quoted strings of a STRING or MULTISZ property.
	Strings []string

	// Attrs are mdutil's attribute letters, e.g. "IS" for INHERIT and
	// UT_SERVER; HasAttrs is false for adsutil, which does not print them.
	Attrs    string
	HasAttrs bool
}

// inherits reports whether keys below may inherit the value: mdutil shows
// INHERIT as the letter I; adsutil shows nothing, and SMTP properties are
// written with INHERIT.
func (v *mbValue) inherits() bool {
	return !v.HasAttrs || strings.ContainsAny(v.Attrs, "Ii")
}

// mbNode is one metabase key and the properties set at it.
type mbNode struct {
	// Path is the normalised path, e.g. "/lm/smtpsvc/1".
	Path  string
	Props map[int]*mbValue
}

// metabase is an enumeration of metabase keys.
type metabase struct {
	Nodes map[string]*mbNode

	// Errors are the error lines the tool printed.
	Errors []string
}

// normPath turns the many spellings of a metabase path (smtpsvc/1,
// /SMTPSVC/1, /LM/SmtpSvc/1/) into one: /lm/smtpsvc/1.
func normPath(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	p = strings.Trim(strings.ReplaceAll(p, "\\", "/"), "/")
	if p != "lm" && !strings.HasPrefix(p, "lm/") {
		p = "lm/" + p
	}
	return "/" + p
}

// parseEnum reads the output of `mdutil enum_all -path:smtpsvc` or
// `adsutil.vbs ENUM_ALL smtpsvc`. Both print the properties set at the
// starting key, then for each key below it a `[/smtpsvc/1]` header followed
// by that key's properties. Property lines are `NAME-OR-ID : [ATTR] (TYPE)
// VALUE` (mdutil) or `NAME : (TYPE) VALUE` (adsutil) with any padding; list
// values may continue on lines that hold only quoted strings.
func parseEnum(out, start string) *metabase {
	mb := &metabase{Nodes: map[string]*mbNode{}}
	cur := mb.node(normPath(start))
	var last *mbValue

	for _, raw := range lines(out) {
		t := strings.TrimSpace(raw)
		switch {
		case t == "":
			continue
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") && !strings.Contains(t, ":"):
			cur, last = mb.node(normPath(t[1:len(t)-1])), nil
			continue
		case strings.HasPrefix(t, `"`) && last != nil:
			last.Strings = append(last.Strings, quotedStrings(t)...)
			continue
		case isErrorLine(t):
			mb.Errors = append(mb.Errors, t)
			continue
		}

		name, rest, ok := strings.Cut(t, ":")
		if !ok {
			continue
		}
		id, known := propID(name)
		if !known {
			last = nil
			continue
		}
		last = parseValue(rest)
		cur.Props[id] = last
	}
	return mb
}

// node returns the node at path, creating it.
func (mb *metabase) node(path string) *mbNode {
	n, ok := mb.Nodes[path]
	if !ok {
		n = &mbNode{Path: path, Props: map[int]*mbValue{}}
		mb.Nodes[path] = n
	}
	return n
}

// isErrorLine reports whether a line is an error report of mdutil, adsutil
// or cscript rather than a property.
func isErrorLine(t string) bool {
	l := strings.ToLower(t)
	return strings.HasPrefix(l, "error") || strings.HasPrefix(l, "errnumber") ||
		strings.Contains(l, "hres(") || strings.HasPrefix(l, "input error")
}

// propID finds the property ID in the name part of a property line: a
// number, or a name that propNames knows.
func propID(name string) (int, bool) {
	tokens := strings.FieldsFunc(name, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
	for _, tok := range tokens {
		if n, err := strconv.Atoi(tok); err == nil {
			return n, true
		}
		if id, ok := propNames[strings.ToLower(tok)]; ok {
			return id, true
		}
	}
	return 0, false
}

// parseValue reads the part of a property line after the colon.
func parseValue(rest string) *mbValue {
	v := &mbValue{}
	if m := attrRe.FindString(rest); m != "" {
		v.Attrs = strings.Trim(strings.TrimSpace(m), "[] ")
		v.HasAttrs = true
		rest = rest[len(m):]
	}

	typ := ""
	if m := typeRe.FindStringSubmatchIndex(rest); m != nil {
		typ = strings.ToUpper(rest[m[2]:m[3]])
		rest = rest[m[1]:]
	}

	v.Strings = quotedStrings(rest)
	switch typ {
	case "STRING", "MULTISZ", "EXPANDSZ", "LIST", "BINARY":
		return v
	case "":
		if len(v.Strings) > 0 {
			return v
		}
	}
	v.Num, v.HasNum = parseNumber(rest)
	return v
}

// parseNumber finds a DWORD in a value: mdutil prints 0x7574c1={7697601},
// adsutil prints 7697601.
func parseNumber(s string) (uint32, bool) {
	if m := hexRe.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseUint(m[1], 16, 32)
		return uint32(n), err == nil
	}
	if m := bracesRe.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseUint(m[1], 10, 32)
		return uint32(n), err == nil
	}
	if m := decimalRe.FindStringSubmatch(" " + strings.TrimSpace(s) + " "); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n < -1<<31 || n > 1<<32-1 {
			return 0, false
		}
		// adsutil prints a DWORD above 0x7fffffff as a negative Long.
		return uint32(n), true
	}
	return 0, false
}

// quotedStrings returns the contents of every double-quoted string in s.
func quotedStrings(s string) []string {
	var out []string
	for _, m := range quotedRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// parseGet reads the output of `mdutil get -path:P -prop:36998` (or its
// SET, which echoes the value) or `adsutil.vbs GET P/NAME`. It returns
// errNotSet when the tool said the property is not set at that node.
func parseGet(out string) (verb.Flags, error) {
	var errs []string
	for _, raw := range lines(out) {
		t := strings.TrimSpace(raw)
		l := strings.ToLower(t)
		switch {
		case t == "":
			continue
		case strings.Contains(l, "md_error_data_not_found") || strings.Contains(l, "0x800cc801") ||
			strings.Contains(l, "not set at this node"):
			return 0, errNotSet
		case isErrorLine(t):
			errs = append(errs, t)
			continue
		}

		name, rest, ok := strings.Cut(t, ":")
		if !ok {
			continue
		}
		if id, known := propID(name); !known || id != verb.PropertyID {
			continue
		}
		if v := parseValue(rest); v.HasNum {
			return verb.Flags(v.Num), nil
		}
	}
	if len(errs) > 0 {
		return 0, errors.New(strings.Join(errs, "; "))
	}
	return 0, fmt.Errorf("no %s value in the output", verb.PropertyName)
}

// accessDenied reports whether tool or net output says the account may not
// do what it tried.
func accessDenied(out string) bool {
	l := strings.ToLower(out)
	return strings.Contains(l, "0x80070005") || strings.Contains(l, "access is denied") ||
		strings.Contains(l, "e_accessdenied") || strings.Contains(l, "-2147024891") ||
		strings.Contains(l, "system error 5 ")
}

// netFailure returns the lines of `net stop` / `net start` output that
// explain a failure ("...could not be started.", "System error 1067 has
// occurred.", "The process terminated unexpectedly."), leaving out the
// progress and success lines; "" when nothing is left.
func netFailure(out string) string {
	var keep []string
	for _, raw := range lines(out) {
		t := strings.TrimSpace(raw)
		l := strings.ToLower(t)
		if strings.Trim(t, ". ") == "" || strings.HasSuffix(l, "is starting.") ||
			strings.HasSuffix(l, "is stopping.") || strings.Contains(l, "successfully") {
			continue
		}
		keep = append(keep, t)
	}
	return strings.Join(keep, " ")
}

// bindingPorts returns the TCP ports of ServerBindings entries such as
// ":25:" or "10.0.0.5:2525:mail.example".
func bindingPorts(bindings []string) []int {
	var ports []int
	seen := map[int]bool{}
	for _, b := range bindings {
		parts := strings.Split(b, ":")
		if len(parts) < 2 {
			continue
		}
		p, err := strconv.Atoi(strings.TrimSpace(parts[1]))
		if err != nil || p <= 0 || p > 65535 || seen[p] {
			continue
		}
		seen[p] = true
		ports = append(ports, p)
	}
	return ports
}
