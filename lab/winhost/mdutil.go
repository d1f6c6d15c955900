package winhost

import (
	"fmt"
	"strconv"
	"strings"
)

// mdutilUsage is printed for a missing or unknown command. It is written
// for the simulation (same shape as the real help, not its text).
var mdutilUsage = []string{
	"Metabase command line utility",
	"",
	"Usage: mdutil COMMAND [path] [-path:PATH] [-prop:ID|NAME] [-value:VALUE ...]",
	"              [-dtype:TYPE] [-utype:UTYPE] [-attrib:ATTRIB ...]",
	"",
	" mdutil GET      path             - show one property",
	" mdutil SET      path value ...   - write one property",
	" mdutil ENUM     path             - list the properties and subkeys of a key",
	" mdutil ENUM_ALL path             - list a key and every key below it",
	" mdutil DELETE   path             - remove a property or a key",
	"",
	"  Paths are relative to /LM (smtpsvc/1). Without -prop the last element of",
	"  the path is the property, as in: mdutil GET smtpsvc/1/36998",
	"  TYPE: DWORD STRING BINARY EXPANDSZ MULTISZ",
	"  UTYPE: UT_SERVER UT_FILE UT_WAM UT_APP",
	"  ATTRIB: INHERIT SECURE VOLATILE NO_ATTRIBUTES",
	"",
}

// HRESULTs Mdutil reports, with the name it prints.
const (
	hresDataNotFound = "HRES(0x800cc801) MD_ERROR_DATA_NOT_FOUND"
	hresPathNotFound = "HRES(0x80070003) ERROR_PATH_NOT_FOUND"
	hresAccessDenied = "HRES(0x80070005) ERROR_ACCESS_DENIED"
)

// mdutilArgs is a parsed Mdutil command line.
type mdutilArgs struct {
	command string
	path    string
	prop    string
	values  []string
	dtype   string
	utype   string
	attribs []string
}

// parseMdutil splits Mdutil's arguments into positional words and
// -switch:value pairs ("/" works as well as "-").
func parseMdutil(args []string) mdutilArgs {
	var a mdutilArgs
	var words []string
	for _, arg := range args {
		if len(arg) > 1 && (arg[0] == '-' || arg[0] == '/') {
			name, value, _ := strings.Cut(arg[1:], ":")
			switch strings.ToLower(name) {
			case "path":
				a.path = value
			case "prop":
				a.prop = value
			case "value":
				a.values = append(a.values, value)
			case "dtype":
				a.dtype = value
			case "utype":
				a.utype = value
			case "attrib":
				a.attribs = append(a.attribs, value)
			}
			continue
		}
		words = append(words, arg)
	}
	if len(words) > 0 {
		a.command = strings.ToUpper(words[0])
	}
	if len(words) > 1 && a.path == "" {
		a.path = words[1]
		words = words[2:]
	} else if len(words) > 1 {
		words = words[1:]
	} else {
		words = nil
	}
	a.values = append(a.values, words...)
	return a
}

// mdutil runs mdutil.exe. Exit code: 0 on success, 1 on any error.
func (sh *shell) mdutil(args []string) int {
	a := parseMdutil(args)
	h := sh.h
	h.mu.Lock()
	h.ensureIISAdmin()
	out, errText, code := h.mdutilLocked(a)
	h.unlock()

	// Mdutil prints its errors on stdout, like its results (assumption:
	// console tools of its time used printf for both).
	if errText != "" {
		out = append(out, errText)
	}
	writeLines(sh.stdout, out...)
	return code
}

// mdutilLocked carries out a parsed command; h.mu is held. It returns the
// output lines, an error line and the exit code.
func (h *Host) mdutilLocked(a mdutilArgs) (out []string, errText string, code int) {
	switch a.command {
	case "ENUM", "ENUM_ALL":
		k := h.mb.find(h.localPath(a.path))
		if k == nil {
			return nil, "Error: OpenKey - " + hresPathNotFound, 1
		}
		display := "/" + strings.Trim(strings.ReplaceAll(a.path, `\`, "/"), "/")
		if display == "/" {
			display = ""
		}
		return mdutilEnum(k, display, a.command == "ENUM_ALL"), "", 0
	case "GET", "SET", "DELETE":
	default:
		return mdutilUsage, "", 1
	}

	keyPath, prop := a.path, a.prop
	if prop == "" {
		if a.command == "DELETE" {
			if k := h.mb.find(h.localPath(keyPath)); k != nil && k != h.mb.root {
				return h.mdutilDeleteKey(k)
			}
		}
		keyPath, prop = splitLast(keyPath)
	}
	id, ok := propID(prop)
	if !ok {
		return nil, fmt.Sprintf("Error: property %q is not known; give its numeric ID, "+
			"e.g. -prop:36998", prop), 1
	}
	k := h.mb.find(h.localPath(keyPath))
	if k == nil {
		return nil, "Error: OpenKey - " + hresPathNotFound, 1
	}

	switch a.command {
	case "GET":
		p, ok := k.props[id]
		if !ok {
			return nil, "Error: GetData - " + hresDataNotFound, 1
		}
		return []string{mdutilLine(p, false)}, "", 0
	case "SET":
		return h.mdutilSet(k, id, a)
	}
	return h.mdutilDelete(k, id)
}

// localPath strips a leading computer name ("MAIL01/smtpsvc/1" and
// "localhost/smtpsvc/1" address this host).
func (h *Host) localPath(path string) string {
	parts := splitPath(path)
	if len(parts) > 0 && (strings.EqualFold(parts[0], h.settings.Computer) ||
		strings.EqualFold(parts[0], "localhost")) {
		parts = parts[1:]
	}
	return strings.Join(parts, "/")
}

// splitLast splits "smtpsvc/1/36998" into "smtpsvc/1" and "36998".
func splitLast(path string) (string, string) {
	p := strings.TrimRight(strings.ReplaceAll(path, `\`, "/"), "/")
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// propID turns "36998" or a known name into a property ID.
func propID(s string) (uint32, bool) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(n), true
	}
	if d, ok := defByName[strings.ToUpper(s)]; ok {
		return d.id, true
	}
	return 0, false
}

// mdutilEnum lists a key's properties and then its subkeys; with all set,
// each subkey follows with its own properties, depth first.
func mdutilEnum(k *key, display string, all bool) []string {
	var out []string
	for _, p := range k.sortedProps() {
		out = append(out, mdutilLine(p, true))
	}
	for _, c := range k.children {
		childDisplay := display + "/" + c.name
		out = append(out, "["+childDisplay+"]")
		if all {
			out = append(out, mdutilEnum(c, childDisplay, true)...)
		}
	}
	return out
}

// mdutilLine formats one property. GET and SET print it compactly, as KB
// 262168 quotes them: `36998 : [IS] (DWORD) 0x7574c1={7697601}`; ENUM
// pads the columns and indents by two, as captured ENUM output shows.
func mdutilLine(p *property, padded bool) string {
	name := strconv.FormatUint(uint64(p.id), 10)
	if d := p.def(); d != nil && d.mdutil != "" {
		name = d.mdutil
	}
	attrs := "["
	if p.attrs&attrInherit != 0 {
		attrs += "I"
	}
	attrs += p.utype.letter() + "]"
	typ := "(" + p.typ.String() + ")"
	if padded {
		return fmt.Sprintf("  %-30s: %-8s%-8s %s", name, attrs, typ, mdutilValue(p))
	}
	return fmt.Sprintf("%s : %s %s %s", name, attrs, typ, mdutilValue(p))
}

// Symbolic DWORD values Mdutil prints for a few properties.
var (
	serverStates = map[uint32]string{1: "Starting", 2: "Started", 3: "Stopping",
		4: "Stopped", 5: "Pausing", 6: "Paused", 7: "Continuing"}
	serverSizes = map[uint32]string{0: "Small", 1: "Medium", 2: "Large"}
)

// mdutilValue formats a property's value: DWORDs as hex and signed decimal
// (or a name), strings quoted, binary as hex bytes.
func mdutilValue(p *property) string {
	switch p.typ {
	case typeDWORD:
		dec := strconv.Itoa(int(int32(p.dword)))
		switch p.id {
		case idServerState:
			if s, ok := serverStates[p.dword]; ok {
				dec = s
			}
		case idServerSize:
			if s, ok := serverSizes[p.dword]; ok {
				dec = s
			}
		}
		return fmt.Sprintf("0x%x={%s}", p.dword, dec)
	case typeMULTISZ:
		q := make([]string, len(p.multi))
		for i, s := range p.multi {
			q[i] = `"` + s + `"`
		}
		return strings.Join(q, " ")
	case typeBINARY:
		hex := make([]string, len(p.bin))
		for i, b := range p.bin {
			hex[i] = fmt.Sprintf("%02x", b)
		}
		return "0x" + strings.Join(hex, " ")
	}
	return `"` + p.str + `"`
}

// mdutilSet writes one property and echoes it as stored.
func (h *Host) mdutilSet(k *key, id uint32, a mdutilArgs) ([]string, string, int) {
	if h.faults.WriteDenied {
		return nil, "Error: SetData - " + hresAccessDenied, 1
	}
	if len(a.values) == 0 {
		return nil, "Error: no value given; add -value:VALUE", 1
	}

	p, err := newProperty(k.props[id], id, a)
	if err != nil {
		return nil, "Error: " + err.Error(), 1
	}
	if !h.faults.WriteNotSticky {
		k.set(p)
		h.mb.changes++
	}
	return []string{mdutilLine(p, false)}, "", 0
}

// newProperty builds the property a SET writes: the data type, user type
// and attributes come from the switches, else from the value being
// replaced, else from the schema.
func newProperty(old *property, id uint32, a mdutilArgs) (*property, error) {
	p := &property{id: id, typ: typeSTRING}
	def := defByID[id]
	switch {
	case old != nil:
		p.typ, p.utype, p.attrs = old.typ, old.utype, old.attrs
	case def != nil:
		p.typ = def.typ
		if def.inherit {
			p.attrs = attrInherit
		}
	case isNumber(a.values[0]):
		p.typ = typeDWORD
	}

	if a.dtype != "" {
		t, ok := parseDataType(a.dtype)
		if !ok {
			return nil, fmt.Errorf("data type %q is not one of DWORD, STRING, BINARY, "+
				"EXPANDSZ, MULTISZ", a.dtype)
		}
		p.typ = t
	}
	if a.utype != "" {
		u, ok := parseUserType(a.utype)
		if !ok {
			return nil, fmt.Errorf("user type %q is not one of UT_SERVER, UT_FILE, "+
				"UT_WAM, UT_APP", a.utype)
		}
		p.utype = u
	}
	if len(a.attribs) > 0 {
		attrs, err := parseAttribs(a.attribs)
		if err != nil {
			return nil, err
		}
		p.attrs = attrs
	}
	return p, setValue(p, a.values)
}

// setValue parses the values into p according to its type.
func setValue(p *property, values []string) error {
	switch p.typ {
	case typeDWORD:
		v, err := parseDWORD(values[0])
		if err != nil {
			return err
		}
		p.dword = v
	case typeMULTISZ:
		p.multi = append([]string(nil), values...)
	case typeBINARY:
		// TODO: binary values are kept as their text; nothing in the lab
		// writes binary properties.
		p.bin = []byte(values[0])
	default:
		p.str = values[0]
	}
	return nil
}

// parseDWORD accepts decimal (also negative, as a signed DWORD) and 0x hex.
func parseDWORD(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(strings.ToLower(s), "0x") {
		v, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return 0, fmt.Errorf("value %q is not a DWORD: write decimal or 0x hex", s)
		}
		return uint32(v), nil
	}
	if v, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(v), nil
	}
	if v, err := strconv.ParseInt(s, 10, 32); err == nil {
		return uint32(int32(v)), nil
	}
	return 0, fmt.Errorf("value %q is not a DWORD: write decimal or 0x hex", s)
}

func isNumber(s string) bool {
	_, err := parseDWORD(s)
	return err == nil
}

func parseDataType(s string) (dataType, bool) {
	for t, n := range dataTypeNames {
		if strings.EqualFold(n, s) {
			return t, true
		}
	}
	return 0, false
}

func parseUserType(s string) (userType, bool) {
	for u, n := range userTypeNames {
		if strings.EqualFold(n, s) || strings.EqualFold(n[3:], s) {
			return u, true
		}
	}
	return 0, false
}

// parseAttribs turns -attrib: values into attribute bits.
func parseAttribs(list []string) (int, error) {
	attrs := 0
	for _, item := range list {
		for _, a := range strings.Split(item, ",") {
			switch strings.ToUpper(strings.TrimSpace(a)) {
			case "INHERIT":
				attrs |= attrInherit
			case "SECURE":
				attrs |= attrSecure
			case "VOLATILE":
				attrs |= attrVolatile
			case "NO_ATTRIBUTES", "":
			default:
				return 0, fmt.Errorf("attribute %q is not one of INHERIT, SECURE, "+
					"VOLATILE, NO_ATTRIBUTES", a)
			}
		}
	}
	return attrs, nil
}

// mdutilDelete removes one property.
func (h *Host) mdutilDelete(k *key, id uint32) ([]string, string, int) {
	if h.faults.WriteDenied {
		return nil, "Error: DeleteData - " + hresAccessDenied, 1
	}
	if _, ok := k.props[id]; !ok {
		return nil, "Error: DeleteData - " + hresDataNotFound, 1
	}
	if !h.faults.WriteNotSticky {
		delete(k.props, id)
		h.mb.changes++
	}
	return nil, "", 0
}

// mdutilDeleteKey removes a key and everything below it. A running virtual
// server keeps running until SMTPSVC restarts.
func (h *Host) mdutilDeleteKey(k *key) ([]string, string, int) {
	if h.faults.WriteDenied {
		return nil, "Error: DeleteKey - " + hresAccessDenied, 1
	}
	if !h.faults.WriteNotSticky {
		kept := k.parent.children[:0]
		for _, c := range k.parent.children {
			if c != k {
				kept = append(kept, c)
			}
		}
		k.parent.children = kept
		h.mb.changes++
	}
	return nil, "", 0
}
