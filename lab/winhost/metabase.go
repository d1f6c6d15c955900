package winhost

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/smtpverbs/smtpverbs/verb"
)

// dataType is a metabase data type, named as Mdutil's -dtype switch names it.
type dataType int

const (
	typeDWORD dataType = iota
	typeSTRING
	typeBINARY
	typeEXPANDSZ
	typeMULTISZ
)

var dataTypeNames = map[dataType]string{
	typeDWORD: "DWORD", typeSTRING: "STRING", typeBINARY: "BINARY",
	typeEXPANDSZ: "EXPANDSZ", typeMULTISZ: "MULTISZ",
}

func (t dataType) String() string { return dataTypeNames[t] }

// userType is a metabase user type, named as Mdutil's -utype switch names it.
type userType int

const (
	utServer userType = iota
	utFile
	utWAM
	utApp
)

var userTypeNames = map[userType]string{
	utServer: "UT_SERVER", utFile: "UT_FILE", utWAM: "UT_WAM", utApp: "UT_APP",
}

// letter is the user type's letter in Mdutil's attribute column ("[IS]").
// The letters for UT_WAM and UT_APP are assumptions.
func (u userType) letter() string {
	return [...]string{"S", "F", "W", "A"}[u]
}

// xmlName is the user type as MetaBase.xml spells it in a Custom element.
func (u userType) xmlName() string {
	return [...]string{"IIS_MD_UT_SERVER", "IIS_MD_UT_FILE", "IIS_MD_UT_WAM",
		"ASP_MD_UT_APP"}[u]
}

// propDef is what the schema (and the tools' name tables) know about one
// property ID.
type propDef struct {
	id uint32

	// adsi is the ADSI name adsutil.vbs and MetaBase.xml use.
	adsi string

	// mdutil is the name Mdutil prints instead of the ID; "" means Mdutil
	// has no name for it and prints the number (true of every SMTP
	// property).
	mdutil string

	typ     dataType
	boolean bool // a DWORD that ADSI presents as a BOOLEAN
	inherit bool // the schema's default INHERIT attribute

	// volatile properties (live state) are not written to MetaBase.xml.
	volatile bool

	// custom properties are written as <Custom> elements in MetaBase.xml.
	custom bool
}

// The property IDs the simulated metabase uses. General IIS IDs are from
// iiscnfg.h; the SMTP ones from the IIS 6.0 SDK (iis-smtp.md 1.1 and 1.3).
const (
	idKeyType            = 1002
	idConnectionTimeout  = 1013
	idMaxConnections     = 1014
	idServerComment      = 1015
	idServerState        = 1016
	idServerAutoStart    = 1017
	idServerSize         = 1018
	idServerBindings     = 1023
	idWin32Error         = 1099
	idMajorVersion       = 1101
	idMinorVersion       = 1102
	idAuthFlags          = 6000
	idMaxHistoryFiles    = 9995
	idEnableHistory      = 9996
	idEditWhileRunning   = 9998
	idShouldPipelineIn   = 36902
	idInboundOptions     = verb.PropertyID
	idOutboundOptions    = 36999
	serverStateStarted   = 2
	serverStateStopped   = 4
	defaultOutboundValue = 7
)

var catalog = []propDef{
	{id: idKeyType, adsi: "KeyType", mdutil: "KeyType", typ: typeSTRING},
	{id: idConnectionTimeout, adsi: "ConnectionTimeout", mdutil: "ConnectionTimeout",
		inherit: true},
	{id: idMaxConnections, adsi: "MaxConnections", mdutil: "MaxConnections", inherit: true},
	{id: idServerComment, adsi: "ServerComment", mdutil: "ServerComment", typ: typeSTRING,
		inherit: true},
	{id: idServerState, adsi: "ServerState", mdutil: "ServerState", volatile: true},
	{id: idServerAutoStart, adsi: "ServerAutoStart", mdutil: "ServerAutoStart",
		boolean: true, inherit: true},
	{id: idServerSize, adsi: "ServerSize", mdutil: "ServerSize", inherit: true},
	{id: idServerBindings, adsi: "ServerBindings", mdutil: "ServerBindings",
		typ: typeMULTISZ, inherit: true},
	{id: idWin32Error, adsi: "Win32Error", mdutil: "Win32Error", volatile: true},
	{id: idMajorVersion, adsi: "MajorIIsVersionNumber", mdutil: "MajorVersion"},
	{id: idMinorVersion, adsi: "MinorIIsVersionNumber", mdutil: "MinorVersion"},
	{id: idAuthFlags, adsi: "AuthFlags", inherit: true, custom: true},
	{id: idMaxHistoryFiles, adsi: "MaxHistoryFiles"},
	{id: idEnableHistory, adsi: "EnableHistory"},
	{id: idEditWhileRunning, adsi: "EnableEditWhileRunning"},
	{id: idShouldPipelineIn, adsi: "ShouldPipelineIn", boolean: true, inherit: true},
	{id: idInboundOptions, adsi: verb.PropertyName, inherit: true},
	{id: idOutboundOptions, adsi: "SmtpOutboundCommandSupportOptions", inherit: true},
}

// defByID and defByName index the catalog; names are upper-cased.
var (
	defByID   = map[uint32]*propDef{}
	defByName = map[string]*propDef{}
)

func init() {
	for i := range catalog {
		d := &catalog[i]
		defByID[d.id] = d
		defByName[strings.ToUpper(d.adsi)] = d
		if d.mdutil != "" {
			defByName[strings.ToUpper(d.mdutil)] = d
		}
	}
}

// attribute bits of a stored property.
const (
	attrInherit = 1 << iota
	attrSecure
	attrVolatile
)

// property is one value stored at a key.
type property struct {
	id    uint32
	typ   dataType
	utype userType
	attrs int
	dword uint32
	str   string   // STRING and EXPANDSZ
	multi []string // MULTISZ
	bin   []byte   // BINARY
}

// def returns the property's catalog entry, or nil.
func (p *property) def() *propDef { return defByID[p.id] }

// clone returns a deep copy of p.
func (p *property) clone() *property {
	c := *p
	c.multi = append([]string(nil), p.multi...)
	c.bin = append([]byte(nil), p.bin...)
	return &c
}

// key is one metabase node.
type key struct {
	name     string // the last path element as stored, e.g. "SmtpSvc"
	path     string // canonical path, e.g. "/LM/SmtpSvc/1"
	keyType  string
	props    map[uint32]*property
	children []*key
	parent   *key
}

// child finds a direct child by name, ignoring case.
func (k *key) child(name string) *key {
	for _, c := range k.children {
		if strings.EqualFold(c.name, name) {
			return c
		}
	}
	return nil
}

// sortedProps returns the properties at k in ascending ID order.
func (k *key) sortedProps() []*property {
	out := make([]*property, 0, len(k.props))
	for _, p := range k.props {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// metabase is the in-memory IIS metabase below /LM.
type metabase struct {
	root *key // /LM

	// changes counts writes, shown as ChangeNumber in MetaBase.xml.
	changes int
}

// newMetabase builds the metabase of a freshly installed SMTP service for
// the given settings.
func newMetabase(s Settings, r release) *metabase {
	lm := &key{name: "LM", path: "/LM", keyType: "IIsComputer", props: map[uint32]*property{}}
	mb := &metabase{root: lm}
	lm.set(dword(idMaxHistoryFiles, 0, 10))
	lm.set(dword(idEnableHistory, 0, 1))
	lm.set(dword(idEditWhileRunning, 0, 0))

	svc := mb.addKey(lm, "SmtpSvc", "IIsSmtpService")
	svc.set(dword(idConnectionTimeout, attrInherit, 600))
	svc.set(dword(idMaxConnections, attrInherit, 2000000000))
	svc.set(dword(idAuthFlags, attrInherit, 7))
	svc.set(dword(idOutboundOptions, attrInherit, defaultOutboundValue))
	if s.ServiceValue != nil {
		svc.set(dword(idInboundOptions, attrInherit, *s.ServiceValue))
	}

	info := mb.addKey(svc, "Info", "IIsSmtpInfo")
	info.set(dword(idMajorVersion, 0, r.iisMajor))
	info.set(dword(idMinorVersion, 0, r.iisMinor))

	for _, in := range s.Instances {
		mb.addInstance(in)
	}
	return mb
}

// addInstance creates /LM/SmtpSvc/N with the properties IIS gives a new
// virtual server.
func (mb *metabase) addInstance(in InstanceSettings) {
	svc := mb.root.child("SmtpSvc")
	k := mb.addKey(svc, strconv.Itoa(in.ID), "IIsSmtpServer")
	comment := fmt.Sprintf("[SMTP Virtual Server #%d]", in.ID)
	if in.ID == 1 {
		comment = "Default SMTP Virtual Server"
	}
	k.set(&property{id: idServerComment, typ: typeSTRING, attrs: attrInherit, str: comment})
	k.set(dword(idServerState, 0, serverStateStopped))
	k.set(dword(idServerAutoStart, attrInherit, 1))
	k.set(dword(idServerSize, attrInherit, 1))
	k.set(dword(idWin32Error, 0, 0))
	k.set(&property{id: idServerBindings, typ: typeMULTISZ, attrs: attrInherit,
		multi: []string{fmt.Sprintf(":%d:", in.Port)}})
	if in.Value != nil {
		k.set(dword(idInboundOptions, attrInherit, *in.Value))
	}
}

// addKey appends a child key below parent, keeping children in the order
// IIS enumerates them (creation order).
func (mb *metabase) addKey(parent *key, name, keyType string) *key {
	k := &key{
		name: name, path: parent.path + "/" + name, keyType: keyType,
		props: map[uint32]*property{}, parent: parent,
	}
	k.set(&property{id: idKeyType, typ: typeSTRING, str: keyType})
	parent.children = append(parent.children, k)
	return k
}

// set stores p at k, replacing any value with the same ID.
func (k *key) set(p *property) {
	k.props[p.id] = p
}

// dword makes a DWORD server property.
func dword(id uint32, attrs int, v uint32) *property {
	return &property{id: id, typ: typeDWORD, attrs: attrs, dword: v}
}

// find returns the key at a path relative to /LM ("smtpsvc/1") or absolute
// ("/LM/SmtpSvc/1"), or nil.
func (mb *metabase) find(path string) *key {
	k := mb.root
	for _, part := range splitPath(path) {
		if k = k.child(part); k == nil {
			return nil
		}
	}
	return k
}

// splitPath splits a metabase path into its elements below /LM, accepting
// both slashes, a leading slash and a leading "LM".
func splitPath(path string) []string {
	path = strings.ReplaceAll(path, `\`, "/")
	var parts []string
	for _, p := range strings.Split(path, "/") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) > 0 && strings.EqualFold(parts[0], "LM") {
		parts = parts[1:]
	}
	return parts
}

// instanceKeys returns the SMTP virtual servers (/LM/SmtpSvc/N with key
// type IIsSmtpServer) in ascending numeric order.
func (mb *metabase) instanceKeys() []*key {
	svc := mb.root.child("SmtpSvc")
	if svc == nil {
		return nil
	}
	var out []*key
	for _, c := range svc.children {
		if _, err := strconv.Atoi(c.name); err == nil && c.keyType == "IIsSmtpServer" {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return instanceID(out[i]) < instanceID(out[j]) })
	return out
}

// instanceID returns N of /LM/SmtpSvc/N.
func instanceID(k *key) int {
	n, _ := strconv.Atoi(k.name)
	return n
}

// effective resolves INHERIT for property id at k: the value set at k, else
// at the nearest ancestor where it is set with the INHERIT attribute, else
// the schema default. source is the path where the value was found, or
// "default".
func effective(k *key, id uint32) (v uint32, source string) {
	for at := k; at != nil; at = at.parent {
		p, ok := at.props[id]
		if !ok || (at != k && p.attrs&attrInherit == 0) {
			continue
		}
		return p.dword, at.path
	}
	return uint32(verb.SchemaDefault), "default"
}

// ports returns the TCP ports of the key's ServerBindings (":25:",
// "10.0.0.1:25:host").
func ports(k *key) []int {
	p, ok := k.props[idServerBindings]
	if !ok {
		return nil
	}
	var out []int
	for _, b := range p.multi {
		parts := strings.Split(b, ":")
		if len(parts) < 2 {
			continue
		}
		if n, err := strconv.Atoi(parts[1]); err == nil {
			out = append(out, n)
		}
	}
	return out
}
