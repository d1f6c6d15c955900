package wsxml

import (
	"bytes"
	"strings"
)

// declaration skips an XML declaration at the very start that names
// version 1.0 and, if any, the UTF-8 encoding. Other declarations are left
// to encoding/xml.
func (s *Scanner) declaration() bool {
	rest, ok := bytes.CutPrefix(s.data, []byte("<?xml"))
	if !ok {
		return true
	}
	end := bytes.Index(rest, []byte("?>"))
	if end < 0 || len(rest) == 0 || !isSpace(rest[0]) {
		return false
	}
	content := bytes.Trim(rest[:end], " \t\n")
	version, encoding, _ := bytes.Cut(content, []byte(" "))
	if string(version) != `version="1.0"` && string(version) != `version='1.0'` {
		return false
	}
	if len(encoding) > 0 {
		encoding = bytes.TrimLeft(encoding, " ")
		if !strings.EqualFold(string(encoding), `encoding="utf-8"`) &&
			!strings.EqualFold(string(encoding), `encoding='utf-8'`) {
			return false
		}
	}
	s.pos = len("<?xml") + end + len("?>")
	return true
}

// chars reads a run of character data inside the root element, decoding
// entities.
func (s *Scanner) chars(run []byte) Kind {
	// Most runs need no decoding: hand them out as they are.
	i := 0
	for i < len(run) && byteClass[run[i]]&classPlain != 0 {
		i++
	}
	if i == len(run) {
		s.textOut = run
		return Text
	}

	s.text = s.text[:0]
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
				return GaveUp
			}
			s.text = append(s.text, r)
			i += n
		case b == '>' && i >= 2 && run[i-1] == ']' && run[i-2] == ']':
			return GaveUp // "]]>" outside CDATA is an error
		case b == '>':
			s.text = append(s.text, b)
			i++
		default:
			return GaveUp
		}
		run = run[i:]
	}
	s.textOut = s.text
	return Text
}

// cdata reads a CDATA section at s.pos.
func (s *Scanner) cdata() Kind {
	if s.nopen == 0 {
		return GaveUp
	}
	start := s.pos + len("<![CDATA[")
	end := bytes.Index(s.data[start:], []byte("]]>"))
	if end < 0 {
		return GaveUp
	}
	content := s.data[start : start+end]
	for _, b := range content {
		if !isTextByte(b) {
			return GaveUp
		}
	}
	s.textOut = content
	s.pos = start + end + len("]]>")
	return Text
}

// startTag reads a start tag (or an empty element) at s.pos.
func (s *Scanner) startTag() Kind {
	s.pos++ // <
	qname, ok := s.name()
	if !ok || s.rootDone {
		return GaveUp
	}

	depth := s.nopen + 1
	if depth > maxDepth {
		return GaveUp
	}
	s.nattrs = 0
	for {
		s.skipSpace()
		if s.pos >= len(s.data) {
			return GaveUp
		}
		if s.data[s.pos] == '>' {
			s.pos++
			break
		}
		if s.data[s.pos] == '/' {
			if s.pos+1 >= len(s.data) || s.data[s.pos+1] != '>' {
				return GaveUp
			}
			s.pos += 2
			s.pendingEnd = true
			break
		}
		if !s.attribute(depth) {
			return GaveUp
		}
	}

	// The element's own declarations apply to its name.
	prefix, local := splitName(qname)
	if string(prefix) == "xml" || string(prefix) == "xmlns" {
		return GaveUp
	}
	space, bound := s.Lookup(prefix)
	if !bound && prefix != nil {
		return GaveUp // encoding/xml keeps the prefix as namespace
	}
	s.open[s.nopen] = element{raw: qname, space: space, local: local}
	s.nopen++
	return StartElement
}

// attribute reads one attribute of the element at depth; a namespace
// declaration also becomes a binding.
func (s *Scanner) attribute(depth int) bool {
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

	prefix, local := splitName(qname)
	switch {
	case string(prefix) == "xmlns":
		if !s.bind(binding{prefix: local, uri: value, depth: depth}) {
			return false
		}
	case prefix == nil && string(local) == "xmlns":
		if !s.bind(binding{uri: value, depth: depth}) {
			return false
		}
	}
	if s.nattrs == maxAttrs {
		return false
	}
	s.attrs[s.nattrs] = Attr{Prefix: prefix, Local: local, Value: value}
	s.nattrs++
	return true
}

// bind adds a namespace declaration, if there is room.
func (s *Scanner) bind(b binding) bool {
	if s.nbindings == maxBindings {
		return false
	}
	s.bindings[s.nbindings] = b
	s.nbindings++
	return true
}

// value reads a quoted attribute value, decoding entities.
func (s *Scanner) value() ([]byte, bool) {
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

	// A value with entities is rare: it gets its own copy, which stays
	// valid while the element is open.
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

// endTag reads an end tag at s.pos; it must close the innermost element.
func (s *Scanner) endTag() Kind {
	s.pos += 2 // </
	qname, ok := s.name()
	if !ok || s.nopen == 0 || !bytes.Equal(qname, s.open[s.nopen-1].raw) {
		return GaveUp
	}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '>' {
		return GaveUp
	}
	s.pos++
	return s.close()
}

// close ends the innermost element; its namespace declarations go out of
// scope.
func (s *Scanner) close() Kind {
	depth := s.nopen
	for s.nbindings > 0 && s.bindings[s.nbindings-1].depth == depth {
		s.nbindings--
	}
	s.ended = s.open[depth-1]
	s.nopen--
	s.rootDone = depth == 1
	return EndElement
}

// name reads an XML name with at most one colon, neither first nor last,
// and each part starting with a letter or underscore.
func (s *Scanner) name() ([]byte, bool) {
	start, end := s.pos, s.pos
	for end < len(s.data) && byteClass[s.data[end]]&className != 0 {
		end++
	}
	name := s.data[start:end]
	prefix, local := splitName(name)
	if len(local) == 0 || byteClass[local[0]]&classNameStart == 0 ||
		bytes.IndexByte(local, ':') >= 0 ||
		prefix != nil && (len(prefix) == 0 || byteClass[prefix[0]]&classNameStart == 0) {
		return nil, false
	}
	s.pos = end
	return name, true
}

// splitName splits a qualified name at its first colon; prefix is nil when
// there is none.
func splitName(qname []byte) (prefix, local []byte) {
	prefix, local, found := bytes.Cut(qname, []byte(":"))
	if !found {
		return nil, qname
	}
	return prefix, local
}

// skipSpace skips XML white space other than carriage returns.
func (s *Scanner) skipSpace() {
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
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

// allSpace reports whether run holds only white space the Scanner accepts.
func allSpace(run []byte) bool {
	for _, b := range run {
		if !isSpace(b) {
			return false
		}
	}
	return true
}

// isSpace reports whether b is XML white space the Scanner accepts: a
// carriage return would need encoding/xml's line-end normalisation.
func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n'
}

// isTextByte reports whether b may appear as is in text the Scanner
// accepts: printable ASCII, tabs and line feeds.
func isTextByte(b byte) bool {
	return byteClass[b]&classText != 0
}

// Byte classes, as bits of byteClass.
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
