package wsman

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// scanRequest is the fast path of parseRequest. It reads the XML that WinRM
// clients really send - ASCII text, prefixed or default namespaces, quoted
// attributes, the five predefined entities, CDATA sections and an XML
// declaration - straight from the bytes, without encoding/xml's tokens,
// interfaces and copies, which cost more than the rest of a request.
//
// On anything else (non-ASCII or control characters, carriage returns,
// comments, other processing instructions, DOCTYPEs, numeric character
// references, undeclared prefixes, malformed markup) it gives up and
// reports false, and parseRequest falls back to decodeRequest, which then
// decides and words any error. Whenever scanRequest succeeds, its request
// equals the one decodeRequest returns: FuzzParseRequest checks that.
func scanRequest(data []byte) (*request, bool) {
	s := &scanner{data: data}
	s.names, s.raw, s.bindings = s.namesBuf[:0], s.rawBuf[:0], s.bindingsBuf[:0]
	s.attrs, s.text = s.attrsBuf[:0], s.textBuf[:0]
	if !s.declaration() {
		return nil, false
	}
	for s.pos < len(s.data) {
		var ok bool
		switch i := bytes.IndexByte(s.data[s.pos:], '<'); {
		case i < 0:
			ok = s.chars(s.data[s.pos:])
			s.pos = len(s.data)
		case i > 0:
			ok = s.chars(s.data[s.pos : s.pos+i])
			s.pos += i
		case bytes.HasPrefix(s.data[s.pos:], []byte("</")):
			ok = s.endTag()
		case bytes.HasPrefix(s.data[s.pos:], []byte("<![CDATA[")):
			ok = s.cdata()
		default:
			ok = s.startTag()
		}
		if !ok {
			return nil, false
		}
	}
	if !s.rootDone || len(s.names) > 0 {
		return nil, false
	}
	return &s.req, true
}

// scanner is the state of scanRequest.
type scanner struct {
	data []byte
	pos  int
	req  request

	names    []xml.Name // open elements, namespaces resolved
	raw      [][]byte   // open elements as written, to match end tags
	bindings []binding  // namespace declarations in scope
	attrs    []xml.Attr // the attributes request.start may read
	text     []byte     // character data since the last tag
	rootDone bool       // the root element has ended

	// Room for what a usual envelope needs, so that reading one costs a
	// single allocation besides the strings it keeps.
	namesBuf    [12]xml.Name
	rawBuf      [12][]byte
	bindingsBuf [16]binding
	attrsBuf    [4]xml.Attr
	textBuf     [256]byte
}

// unknownName stands for every element name request never compares
// against; no element read from a request has an empty local name.
var unknownName = xml.Name{}

// binding is one namespace declaration: prefix ("" for the default
// namespace) stands for uri inside the element at depth.
type binding struct {
	prefix []byte
	uri    string
	depth  int
}

// declaration skips an XML declaration at the very start that names
// version 1.0 and, if any, the UTF-8 encoding. Other declarations are left
// to encoding/xml.
func (s *scanner) declaration() bool {
	rest, ok := bytes.CutPrefix(s.data, []byte("<?xml"))
	if !ok {
		return true
	}
	end := bytes.Index(rest, []byte("?>"))
	if end < 0 || len(rest) == 0 || !isSpace(rest[0]) {
		return false
	}
	content := string(bytes.Trim(rest[:end], " \t\n"))
	version, encoding, _ := strings.Cut(content, " ")
	if version != `version="1.0"` && version != `version='1.0'` {
		return false
	}
	if encoding != "" {
		encoding = strings.TrimLeft(encoding, " ")
		if !strings.EqualFold(encoding, `encoding="utf-8"`) &&
			!strings.EqualFold(encoding, `encoding='utf-8'`) {
			return false
		}
	}
	s.pos = len("<?xml") + end + len("?>")
	return true
}

// chars takes a run of character data, decoding entities. Outside the root
// element only white space is accepted.
func (s *scanner) chars(run []byte) bool {
	if len(s.names) == 0 {
		for _, b := range run {
			if !isSpace(b) {
				return false
			}
		}
		return true
	}
	for len(run) > 0 {
		// Copy the plain bytes up to the next one that needs a look.
		i := 0
		for i < len(run) && byteClass[run[i]]&classPlain != 0 {
			i++
		}
		s.text = append(s.text, run[:i]...)
		if i == len(run) {
			break
		}
		switch b := run[i]; {
		case b == '&':
			r, n := entity(run[i:])
			if n == 0 {
				return false
			}
			s.text = append(s.text, r)
			i += n
		case b == '>' && i >= 2 && run[i-1] == ']' && run[i-2] == ']':
			return false // "]]>" outside CDATA is an error
		case b == '>':
			s.text = append(s.text, b)
			i++
		default:
			return false
		}
		run = run[i:]
	}
	return true
}

// cdata takes a CDATA section at s.pos.
func (s *scanner) cdata() bool {
	if len(s.names) == 0 {
		return false
	}
	start := s.pos + len("<![CDATA[")
	end := bytes.Index(s.data[start:], []byte("]]>"))
	if end < 0 {
		return false
	}
	content := s.data[start : start+end]
	for _, b := range content {
		if !isTextByte(b) {
			return false
		}
	}
	s.text = append(s.text, content...)
	s.pos = start + end + len("]]>")
	return true
}

// startTag takes a start tag (or an empty element) at s.pos.
func (s *scanner) startTag() bool {
	s.pos++ // <
	qname, ok := s.name()
	if !ok || s.rootDone {
		return false
	}

	depth := len(s.names) + 1
	s.attrs = s.attrs[:0]
	empty := false
	for {
		s.skipSpace()
		if s.pos >= len(s.data) {
			return false
		}
		if s.data[s.pos] == '>' {
			s.pos++
			break
		}
		if s.data[s.pos] == '/' {
			if s.pos+1 >= len(s.data) || s.data[s.pos+1] != '>' {
				return false
			}
			s.pos += 2
			empty = true
			break
		}
		if !s.attribute(depth) {
			return false
		}
	}

	name, ok := s.resolve(qname)
	if !ok || (len(s.names) == 0 && name != elEnvelope) {
		return false
	}
	s.names = append(s.names, name)
	s.raw = append(s.raw, qname)
	s.text = s.text[:0]
	s.req.start(s.names, s.attrs)
	if empty {
		s.close()
	}
	return true
}

// attribute takes one attribute of the element at depth: a namespace
// declaration becomes a binding, and the attributes request.start reads
// are kept in s.attrs.
func (s *scanner) attribute(depth int) bool {
	qname, ok := s.name()
	if !ok {
		return false
	}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '=' {
		return false
	}
	s.pos++
	s.skipSpace()
	value, ok := s.value()
	if !ok {
		return false
	}

	prefix, local, found := bytes.Cut(qname, []byte(":"))
	switch {
	case found && string(prefix) == "xmlns":
		s.bindings = append(s.bindings,
			binding{prefix: local, uri: internURI(value), depth: depth})
	case !found && string(qname) == "xmlns":
		s.bindings = append(s.bindings, binding{uri: internURI(value), depth: depth})
	}
	if !found {
		local = qname
	}
	// request.start looks attributes up by local name only.
	switch string(local) {
	case "Name", "CommandId", "End":
		s.attrs = append(s.attrs, xml.Attr{
			Name:  xml.Name{Local: string(local)},
			Value: string(value),
		})
	}
	return true
}

// value reads a quoted attribute value, decoding entities.
func (s *scanner) value() ([]byte, bool) {
	if s.pos >= len(s.data) || (s.data[s.pos] != '"' && s.data[s.pos] != '\'') {
		return nil, false
	}
	quote := s.data[s.pos]
	end := bytes.IndexByte(s.data[s.pos+1:], quote)
	if end < 0 {
		return nil, false
	}
	raw := s.data[s.pos+1 : s.pos+1+end]
	s.pos += end + 2
	if bytes.IndexByte(raw, '&') < 0 {
		for _, b := range raw {
			if b == '<' || !isTextByte(b) {
				return nil, false
			}
		}
		return raw, true
	}

	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		switch {
		case b == '&':
			r, n := entity(raw[i:])
			if n == 0 {
				return nil, false
			}
			out = append(out, r)
			i += n - 1
		case b == '<' || !isTextByte(b):
			return nil, false
		default:
			out = append(out, b)
		}
	}
	return out, true
}

// endTag takes an end tag at s.pos; it must close the innermost element.
func (s *scanner) endTag() bool {
	s.pos += 2 // </
	qname, ok := s.name()
	if !ok || len(s.raw) == 0 || !bytes.Equal(qname, s.raw[len(s.raw)-1]) {
		return false
	}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '>' {
		return false
	}
	s.pos++
	s.close()
	return true
}

// close ends the innermost element: request.end gets its text, and its
// namespace declarations go out of scope.
func (s *scanner) close() {
	if wantsText(s.names[len(s.names)-1]) {
		s.req.end(s.names, strings.TrimSpace(string(s.text)))
	}
	depth := len(s.names)
	for len(s.bindings) > 0 && s.bindings[len(s.bindings)-1].depth == depth {
		s.bindings = s.bindings[:len(s.bindings)-1]
	}
	s.names = s.names[:depth-1]
	s.raw = s.raw[:depth-1]
	s.text = s.text[:0]
	s.rootDone = depth == 1
}

// name reads an XML name with at most one colon, neither first nor last,
// and each part starting with a letter or underscore.
func (s *scanner) name() ([]byte, bool) {
	start, end := s.pos, s.pos
	for end < len(s.data) && byteClass[s.data[end]]&className != 0 {
		end++
	}
	name := s.data[start:end]
	prefix, local, found := bytes.Cut(name, []byte(":"))
	if !found {
		prefix, local = nil, name
	}
	if len(local) == 0 || byteClass[local[0]]&classNameStart == 0 ||
		bytes.IndexByte(local, ':') >= 0 ||
		found && (len(prefix) == 0 || byteClass[prefix[0]]&classNameStart == 0) {
		return nil, false
	}
	s.pos = end
	return name, true
}

// resolve turns a qualified element name into namespace and local name.
// Names request never compares against become unknownName, so that nothing
// is allocated for them.
func (s *scanner) resolve(qname []byte) (xml.Name, bool) {
	prefix, local, found := bytes.Cut(qname, []byte(":"))
	if !found {
		prefix, local = nil, qname
	}
	if string(prefix) == "xml" || string(prefix) == "xmlns" {
		return xml.Name{}, false
	}

	uri, bound := "", false
	for i := len(s.bindings) - 1; i >= 0; i-- {
		if bytes.Equal(s.bindings[i].prefix, prefix) {
			uri, bound = s.bindings[i].uri, true
			break
		}
	}
	if !bound && found {
		return xml.Name{}, false // encoding/xml keeps the prefix as namespace
	}
	if name := knownName(local); name.Space == uri {
		return name, true
	}
	return unknownName, true
}

// skipSpace skips XML white space other than carriage returns.
func (s *scanner) skipSpace() {
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
}

// knownName returns the element name request compares against that has
// this local name, or unknownName.
func knownName(local []byte) xml.Name {
	switch string(local) {
	case "Envelope":
		return elEnvelope
	case "Header":
		return elHeader
	case "Body":
		return elBody
	case "Action":
		return elAction
	case "MessageID":
		return elMessageID
	case "OperationTimeout":
		return elOpTimeout
	case "MaxEnvelopeSize":
		return elMaxEnv
	case "Selector":
		return elSelector
	case "Command":
		return elCommand
	case "Arguments":
		return elArguments
	case "Stream":
		return elStream
	case "DesiredStream":
		return elDesired
	case "Signal":
		return elSignal
	case "Code":
		return elCode
	}
	return unknownName
}

// wantsText reports whether request.end records the text of an element
// with this name; for the others it does nothing.
func wantsText(n xml.Name) bool {
	switch n {
	case elAction, elMessageID, elOpTimeout, elMaxEnv, elSelector, elCommand,
		elArguments, elStream, elCode:
		return true
	}
	return false
}

// internURI returns the namespace constant equal to uri, so that comparing
// names stays cheap and nothing is allocated; other URIs become one
// placeholder that equals no namespace request compares against.
func internURI(uri []byte) string {
	switch string(uri) {
	case nsSOAP:
		return nsSOAP
	case nsAddress:
		return nsAddress
	case nsWSMan:
		return nsWSMan
	case nsShell:
		return nsShell
	case "":
		return ""
	}
	return "\x00other"
}

// entity decodes one of the five predefined entities at the start of b and
// returns the character and the length of the reference, or 0 when b does
// not start with one of them.
func entity(b []byte) (byte, int) {
	for _, e := range [...]struct {
		ref string
		r   byte
	}{{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}} {
		if bytes.HasPrefix(b, []byte(e.ref)) {
			return e.r, len(e.ref)
		}
	}
	return 0, 0
}

// isSpace reports whether b is XML white space the fast path accepts: a
// carriage return would need encoding/xml's line-end normalisation.
func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n'
}

// isTextByte reports whether b may appear as is in text the fast path
// accepts: printable ASCII, tabs and line feeds.
func isTextByte(b byte) bool {
	return byteClass[b]&classText != 0
}

// Byte classes of the fast path, as bits of byteClass.
const (
	classText      = 1 << iota // printable ASCII, tab or line feed
	classPlain                 // text that needs no look: not '&' or '>'
	className                  // may appear in a name: letters, digits, _ . - :
	classNameStart             // may start a name part: letters and _
)

// byteClass holds the classes of every byte value.
var byteClass = func() [256]uint8 {
	var t [256]uint8
	for b := 0; b < 256; b++ {
		if b >= 0x20 && b < 0x80 || b == '\t' || b == '\n' {
			t[b] |= classText
			if b != '&' && b != '>' {
				t[b] |= classPlain
			}
		}
		letter := 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || b == '_'
		if letter {
			t[b] |= classNameStart
		}
		if letter || '0' <= b && b <= '9' || b == '.' || b == '-' || b == ':' {
			t[b] |= className
		}
	}
	return t
}()
