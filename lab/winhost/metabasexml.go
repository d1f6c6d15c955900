package winhost

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// metabaseNamespace is the default namespace of MetaBase.xml on IIS 6.0 and
// later.
const metabaseNamespace = "urn:microsoft-catalog:XML_Metabase_V64_0"

// metabaseXML renders the live metabase as %SystemRoot%\System32\inetsrv\
// MetaBase.xml, with CRLF line ends and tab indentation. One element per
// key, named by its key type; Location first with the space before "=" that
// real files have, then the properties as attributes sorted by name; volatile
// properties (ServerState, Win32Error) are left out, and properties outside
// the class schema are <Custom> children.
//
// TODO: IIS writes the file about a minute after a change and when IISADMIN
// stops; the simulation always shows the live state, which is what a reader
// sees after a flush. Simulating the delay would need a per-host timer and
// gains nothing for the tests that read this file.
func (h *Host) metabaseXML() string {
	h.mu.Lock()
	defer h.mu.Unlock()

	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\r\n") }
	line(`<?xml version ="1.0"?>`)
	line(`<configuration xmlns="` + metabaseNamespace + `">`)
	line(`<MBProperty>`)
	line("<IIs_Global\tLocation =\".\"")
	line(fmt.Sprintf("\t\tChangeNumber=\"%d\"", 100+h.mb.changes))
	line("\t\tHistoryMajorVersionNumber=\"1\"")
	line("\t\tXMLSchemaTimeStamp=\"9bb6ba7f1cb0c801\"")
	line("\t>")
	line("</IIs_Global>")
	writeKeyXML(&b, h.mb.root)
	line(`</MBProperty>`)
	line(`</configuration>`)
	return b.String()
}

// writeKeyXML writes one key element and then its children, depth first.
func writeKeyXML(b *strings.Builder, k *key) {
	type attr struct{ name, value string }
	var attrs []attr
	var custom []*property
	for _, p := range k.sortedProps() {
		def := p.def()
		switch {
		case p.id == idKeyType:
		case def != nil && def.volatile:
		case def == nil || def.custom:
			custom = append(custom, p)
		default:
			attrs = append(attrs, attr{def.adsi, xmlValue(def, p)})
		}
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].name < attrs[j].name })

	fmt.Fprintf(b, "<%s\tLocation =\"%s\"\r\n", k.keyType, k.path)
	for _, a := range attrs {
		fmt.Fprintf(b, "\t\t%s=\"%s\"\r\n", a.name, xmlEscape(a.value))
	}
	b.WriteString("\t>\r\n")
	for _, p := range custom {
		writeCustomXML(b, p)
	}
	fmt.Fprintf(b, "</%s>\r\n", k.keyType)

	for _, c := range k.children {
		writeKeyXML(b, c)
	}
}

// writeCustomXML writes a property the class schema does not define.
func writeCustomXML(b *strings.Builder, p *property) {
	name := "UnknownName_" + strconv.Itoa(int(p.id))
	value := xmlValue(nil, p)
	if d := p.def(); d != nil {
		name = d.adsi
		if p.id == idAuthFlags {
			value = authFlagsText(p.dword)
		}
	}
	attributes := "NO_ATTRIBUTES"
	if p.attrs&attrInherit != 0 {
		attributes = "INHERIT"
	}
	fields := []string{
		"Name", name, "ID", strconv.Itoa(int(p.id)), "Value", value,
		"Type", p.typ.String(), "UserType", p.utype.xmlName(), "Attributes", attributes,
	}
	b.WriteString("\t<Custom\r\n")
	for i := 0; i < len(fields); i += 2 {
		fmt.Fprintf(b, "\t\t%s=\"%s\"\r\n", fields[i], xmlEscape(fields[i+1]))
	}
	b.WriteString("\t/>\r\n")
}

// xmlValue renders a property value as MetaBase.xml does: DWORDs in
// unsigned decimal, Booleans as TRUE/FALSE, multi-strings one per line.
func xmlValue(def *propDef, p *property) string {
	switch p.typ {
	case typeDWORD:
		if def != nil && def.boolean {
			if p.dword != 0 {
				return "TRUE"
			}
			return "FALSE"
		}
		return strconv.FormatUint(uint64(p.dword), 10)
	case typeMULTISZ:
		return strings.Join(p.multi, "\r\n\t\t\t")
	case typeBINARY:
		return fmt.Sprintf("%x", p.bin)
	}
	return p.str
}

// authFlagsText names the bits of AuthFlags in the order Microsoft's
// Exchange documentation shows them.
func authFlagsText(v uint32) string {
	var names []string
	for _, f := range []struct {
		bit  uint32
		name string
	}{{2, "AuthBasic"}, {1, "AuthAnonymous"}, {4, "AuthNTLM"}} {
		if v&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return "0"
	}
	return strings.Join(names, " | ")
}

// xmlEscape escapes the characters that cannot appear in an attribute.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").
		Replace(s)
}
