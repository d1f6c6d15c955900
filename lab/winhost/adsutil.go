package winhost

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// adsutil.vbs reports failures by quitting with the error number, which
// becomes the process exit code (a negative HRESULT as a signed int32).
const (
	adsGeneralFailure = 2
	adsNotSet         = -2147463162 // 0x80005006, property not set
	adsBadPath        = -2147463168 // 0x80005000, no such schema object
	hrPathNotFound    = -2147024893 // 0x80070003
	hrAccessDenied    = -2147024891 // 0x80070005
	hrServiceInactive = -2147023834 // 0x80070426
	vbNotSupported    = 438         // "Object doesn't support this property or method"
)

// adsutilSpacer is the width adsutil pads property names to.
const adsutilSpacer = 32

// adsError is a failure as adsutil's ReportError prints it: a description,
// the error number in decimal and hex, then what was being done.
func adsError(desc string, num int, doing string) ([]string, int) {
	return []string{desc, fmt.Sprintf("ErrNumber: %d (0x%X)", num, uint32(int32(num))),
		doing}, num
}

// adsutil runs adsutil.vbs under cscript with the script's arguments. Its
// output is what the script echoes (all on stdout).
func (sh *shell) adsutil(args []string) int {
	var words []string
	for _, a := range args {
		// -s:server picks a remote machine; the simulation is always local.
		if !strings.HasPrefix(strings.ToLower(a), "-s:") {
			words = append(words, a)
		}
	}
	h := sh.h
	h.mu.Lock()
	h.ensureIISAdmin()
	out, code := h.adsutilLocked(words)
	h.unlock()
	writeLines(sh.stdout, out...)
	return code
}

// adsutilLocked runs one command; h.mu is held.
func (h *Host) adsutilLocked(w []string) ([]string, int) {
	if len(w) == 0 {
		return adsutilHelp, adsGeneralFailure
	}
	wrongArgs := func(cmd string) ([]string, int) {
		return []string{fmt.Sprintf("Error: Wrong number of Args for the %s command", cmd)},
			adsGeneralFailure
	}

	cmd := strings.ToUpper(w[0])
	switch cmd {
	case "GET":
		if len(w) != 2 {
			return wrongArgs(cmd)
		}
		return h.adsGet(w[1])
	case "SET":
		if len(w) < 3 {
			return wrongArgs(cmd)
		}
		return h.adsSet(w[1], w[2:])
	case "ENUM", "ENUM_ALL", "ENUMALL":
		// TODO: the /P (paths only) and /A (all settable data) options are
		// not simulated; no caller in this project uses them.
		if len(w) > 2 {
			return wrongArgs("ENUM")
		}
		path := ""
		if len(w) == 2 {
			path = w[1]
		}
		return h.adsEnum(path, cmd != "ENUM")
	case "DELETE":
		if len(w) != 2 {
			return wrongArgs(cmd)
		}
		return h.adsDelete(w[1])
	case "START_SERVER", "STOP_SERVER":
		if len(w) != 2 {
			return wrongArgs(cmd)
		}
		return h.adsServer(w[1], cmd == "START_SERVER")
	}
	return []string{"Command not recognized: " + w[0],
		`For help, just type "Cscript.exe adsutil.vbs".`}, adsGeneralFailure
}

// adsutilHelp is printed without a command. It is written for the
// simulation, in the shape of the script's help.
var adsutilHelp = []string{
	"",
	"Usage:",
	"      ADSUTIL.VBS <cmd> [<path> [<value>]]",
	"",
	"Commands simulated here:",
	"  GET, SET, ENUM, ENUM_ALL, DELETE, START_SERVER, STOP_SERVER",
	"",
	"Samples:",
	"  adsutil.vbs GET smtpsvc/1/SmtpInboundCommandSupportOptions",
	"  adsutil.vbs SET smtpsvc/1/SmtpInboundCommandSupportOptions 7696449",
}

// sanitize trims spaces and one leading and trailing slash, as the script
// does.
func sanitize(p string) string {
	p = strings.Trim(p, " ")
	p = strings.TrimPrefix(p, "/")
	return strings.TrimSuffix(p, "/")
}

// adsSplit splits "smtpsvc/1/Prop" into the object path and the property.
func adsSplit(p string) (string, string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 || i == len(p)-1 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// adsGet prints one property set at the node.
func (h *Host) adsGet(arg string) ([]string, int) {
	objPath, param := adsSplit(sanitize(arg))
	k := h.mb.find(objPath)
	if k == nil {
		return adsError("The path requested could not be found.", hrPathNotFound,
			"Error Trying To GET the Object (GetObject Failed): "+objPath)
	}
	def := defByName[strings.ToUpper(param)]
	if def == nil {
		return adsError("", adsBadPath, "Error Trying To GET the Schema of the property: "+
			"IIS://localhost/Schema/"+param)
	}
	p, ok := k.props[def.id]
	if !ok {
		return []string{fmt.Sprintf(`The parameter "%s" is not set at this node.`,
			def.adsi)}, adsNotSet
	}

	head := adsHead(def.adsi, syntax(def, p), typeName(def, p))
	if p.typ == typeMULTISZ {
		out := []string{head + fmt.Sprintf(" (%d Items)", len(p.multi))}
		for _, v := range p.multi {
			out = append(out, `  "`+v+`"`)
		}
		return out, 0
	}
	return []string{head + adsValue(def, p)}, 0
}

// adsHead is the start of a GET or SET line: the name padded to 32
// columns and the schema syntax, or for longer names the name and the
// VBScript type name of the value (`SmtpInboundCommandSupportOptions:
// (Long) `).
func adsHead(name, syntax, vbType string) string {
	if len(name) < adsutilSpacer {
		return fmt.Sprintf("%-32s: (%s) ", name, syntax)
	}
	return fmt.Sprintf("%s: (%s) ", name, vbType)
}

// syntax is the ADSI schema syntax of a property, as adsutil prints it.
func syntax(def *propDef, p *property) string {
	switch {
	case def != nil && def.boolean:
		return "BOOLEAN"
	case p.typ == typeDWORD:
		return "INTEGER"
	case p.typ == typeMULTISZ:
		return "LIST"
	case p.typ == typeEXPANDSZ:
		return "EXPANDSZ"
	case p.typ == typeBINARY:
		return "BINARY"
	}
	return "STRING"
}

// typeName is the VBScript TypeName of a property's value.
func typeName(def *propDef, p *property) string {
	switch syntax(def, p) {
	case "BOOLEAN":
		return "Boolean"
	case "INTEGER":
		return "Long"
	case "LIST", "BINARY":
		return "Variant()"
	}
	return "String"
}

// adsValue formats a single value: integers as signed decimal, Booleans as
// True or False, strings quoted.
func adsValue(def *propDef, p *property) string {
	switch syntax(def, p) {
	case "BOOLEAN":
		if p.dword != 0 {
			return "True"
		}
		return "False"
	case "INTEGER":
		return strconv.Itoa(int(int32(p.dword)))
	}
	return `"` + p.str + `"`
}

// adsSet writes one property and echoes it.
func (h *Host) adsSet(arg string, values []string) ([]string, int) {
	objPath, param := adsSplit(sanitize(arg))
	k := h.mb.find(objPath)
	if k == nil {
		return adsError("The path requested could not be found.", hrPathNotFound,
			"Error Trying To Get the Object: "+objPath)
	}
	def := defByName[strings.ToUpper(param)]
	if def == nil {
		return adsError("", adsBadPath, "Error Trying To GET the Schema of the property: "+
			"IIS://localhost/Schema/"+param)
	}

	p := &property{id: def.id, typ: def.typ}
	if def.inherit {
		p.attrs = attrInherit
	}
	if old, ok := k.props[def.id]; ok {
		p.utype, p.attrs = old.utype, old.attrs
	}
	if err := adsParse(def, p, values); err != nil {
		return adsError(err.Error(), 13, "Error Trying To SET the Property: "+def.adsi)
	}
	if h.faults.WriteDenied {
		return adsError("Access is denied for the requested path or property.",
			hrAccessDenied, "Error Trying To SET the Property: "+def.adsi)
	}
	if !h.faults.WriteNotSticky {
		k.set(p)
		h.mb.changes++
	}

	head := adsHead(def.adsi, syntax(def, p), typeName(def, p))
	if p.typ == typeMULTISZ {
		var b strings.Builder
		for _, v := range p.multi {
			b.WriteString(`"` + v + `" `)
		}
		return []string{head + b.String()}, 0
	}
	return []string{head + adsValue(def, p)}, 0
}

// adsParse converts the command-line values as the script does: CLng for
// integers (0x hex accepted), CBool for Booleans, the list as given.
func adsParse(def *propDef, p *property, values []string) error {
	switch syntax(def, p) {
	case "INTEGER":
		v := values[0]
		if strings.HasPrefix(strings.ToLower(v), "0x") {
			n, err := strconv.ParseUint(v[2:], 16, 32)
			if err != nil {
				return fmt.Errorf("Type mismatch")
			}
			p.dword = uint32(n)
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			// CLng overflows above 2147483647 and rejects words.
			return fmt.Errorf("Type mismatch")
		}
		p.dword = uint32(int32(n))
	case "BOOLEAN":
		switch strings.ToLower(values[0]) {
		case "true", "-1", "1":
			p.dword = 1
		case "false", "0":
			p.dword = 0
		default:
			return fmt.Errorf("Type mismatch")
		}
	case "LIST":
		p.multi = append([]string(nil), values...)
	default:
		p.str = values[0]
	}
	return nil
}

// adsEnum lists the properties set at a node, then its children; with all
// it recurses into each child after naming it.
func (h *Host) adsEnum(arg string, all bool) ([]string, int) {
	objPath := sanitize(arg)
	k := h.mb.find(objPath)
	if k == nil {
		out, code := adsError("The path requested could not be found.", hrPathNotFound,
			"Error Trying To ENUM the Object (GetObject Failed): "+objPath)
		return append([]string{""}, out...), code
	}
	return adsEnumKey(k, objPath, all), 0
}

// adsEnumKey renders one node: KeyType first (the class's mandatory
// property), the others alphabetically, each child as [/path], and a blank
// line at the end.
func adsEnumKey(k *key, objPath string, all bool) []string {
	props := k.sortedProps()
	sort.SliceStable(props, func(i, j int) bool {
		return adsSortKey(props[i]) < adsSortKey(props[j])
	})

	var out []string
	for _, p := range props {
		def := p.def()
		name := strconv.Itoa(int(p.id))
		if def != nil {
			name = def.adsi
		}
		sep := ": "
		if len(name) >= adsutilSpacer {
			sep = " : "
		}
		head := fmt.Sprintf("%-32s%s(%s) ", name, sep, syntax(def, p))
		if len(name) >= adsutilSpacer {
			head = name + sep + "(" + syntax(def, p) + ") "
		}
		if p.typ == typeMULTISZ {
			out = append(out, head+fmt.Sprintf("(%d Items)", len(p.multi)))
			for _, v := range p.multi {
				out = append(out, `  "`+v+`"`)
			}
			out = append(out, "")
			continue
		}
		out = append(out, head+adsValue(def, p))
	}

	for _, c := range k.children {
		childPath := "/" + strings.TrimPrefix(objPath+"/"+c.name, "/")
		out = append(out, "["+childPath+"]")
		if all {
			out = append(out, adsEnumKey(c, sanitize(childPath), true)...)
		}
	}
	return append(out, "")
}

// adsSortKey orders KeyType first and the rest by name.
func adsSortKey(p *property) string {
	if p.id == idKeyType {
		return ""
	}
	if d := p.def(); d != nil {
		return strings.ToUpper(d.adsi)
	}
	return "~" + strconv.Itoa(int(p.id))
}

// adsDelete clears a property, or deletes the node when the path ends in a
// slash or names no property.
func (h *Host) adsDelete(arg string) ([]string, int) {
	pathOnly := strings.HasSuffix(strings.TrimSpace(arg), "/")
	objPath, param := adsSplit(sanitize(arg))
	k := h.mb.find(objPath)
	failed := func(num int, desc string) ([]string, int) {
		out, code := adsError(desc, num, "Error deleting the object: "+objPath+"/"+param)
		return append([]string{""}, out...), code
	}
	if k == nil {
		return failed(hrPathNotFound, "The path requested could not be found.")
	}
	if h.faults.WriteDenied {
		return failed(hrAccessDenied, "Access is denied for the requested path or property.")
	}

	if def := defByName[strings.ToUpper(param)]; def != nil && !pathOnly {
		if !h.faults.WriteNotSticky {
			delete(k.props, def.id)
			h.mb.changes++
		}
		return []string{fmt.Sprintf(`deleted property "%s"`, param)}, 0
	}

	child := k.child(param)
	if child == nil {
		return failed(hrPathNotFound, "The path requested could not be found.")
	}
	if !h.faults.WriteNotSticky {
		h.mdutilDeleteKey(child)
	}
	return []string{fmt.Sprintf(`deleted path "%s/%s"`, objPath, param)}, 0
}

// adsServer starts or stops one virtual server inside the running SMTP
// service. A started server takes its configuration as it starts.
func (h *Host) adsServer(arg string, start bool) ([]string, int) {
	objPath := sanitize(arg)
	k := h.mb.find(objPath)
	if k == nil {
		return adsError("The path requested could not be found.", hrPathNotFound,
			"Error trying to open the object: "+objPath)
	}
	verbName, done := "STOP", "STOPPED"
	if start {
		verbName, done = "START", "STARTED"
	}
	if k.keyType != "IIsSmtpServer" {
		return adsError("Object doesn't support this property or method", vbNotSupported,
			fmt.Sprintf("Error trying to %s the server: %s", verbName, objPath))
	}
	if h.services["SMTPSVC"].state != stateRunning {
		return adsError("The service has not been started.", hrServiceInactive,
			fmt.Sprintf("Error trying to %s the server: %s", verbName, objPath))
	}

	if start {
		h.startInstance(k)
	} else {
		h.stopInstance(instanceID(k))
		k.set(dword(idServerState, 0, serverStateStopped))
	}
	h.changed = true
	return []string{fmt.Sprintf("Server %s Successfully %s", objPath, done)}, 0
}
