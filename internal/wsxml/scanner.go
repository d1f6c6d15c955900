package wsxml

import "bytes"

// Kind is what Scanner.Next found.
type Kind uint8

// The kinds of token a Scanner reports.
const (
	// GaveUp says the data is outside the part of XML the Scanner reads;
	// the caller should read it with encoding/xml instead. Next keeps
	// returning GaveUp.
	GaveUp Kind = iota

	// StartElement is a start tag, or the start of an empty element.
	StartElement

	// EndElement is an end tag, or the end of an empty element, which
	// follows its StartElement at once.
	EndElement

	// Text is a run of character data inside the root element: the text
	// between two tags, or the content of one CDATA section.
	Text

	// Done says the root element has ended and only white space followed.
	// Next keeps returning Done.
	Done
)

// Attr is one attribute of a start tag, as the Scanner read it.
type Attr struct {
	Prefix []byte // the prefix as written; nil for an unprefixed name
	Local  []byte
	Value  []byte // entities decoded
}

// Scanner reads one XML document token by token; see the package comment
// for the XML it reads. The slices its methods return point into the
// document or into the Scanner and are valid until the next call of Next.
//
// A Scanner holds room for what a usual envelope needs, so that reading one
// allocates nothing; it must not be copied once Reset was called.
type Scanner struct {
	data []byte
	pos  int
	kind Kind

	// Fixed room rather than slices, so that a Scanner can live on its
	// user's stack: a slice of its own array would move it to the heap.
	open      [maxDepth]element // open elements, the innermost last
	nopen     int
	bindings  [maxBindings]binding // namespace declarations in scope
	nbindings int
	attrs     [maxAttrs]Attr // the attributes of the last start tag
	nattrs    int

	text    []byte  // the last Text, when it needed decoding
	textOut []byte  // what Text returns
	ended   element // the element of the last EndElement

	started    bool // the declaration, if any, was read
	pendingEnd bool // the last start tag was an empty element
	rootDone   bool // the root element has ended
}

// The room a Scanner has. A document that needs more is left to
// encoding/xml; WS-Management envelopes need about half.
const (
	maxDepth    = 16 // open elements
	maxBindings = 24 // namespace declarations in scope
	maxAttrs    = 24 // attributes of one element, declarations included
)

// element is an open element: its name as written, its namespace and its
// local name.
type element struct {
	raw, space, local []byte
}

// binding is one namespace declaration: prefix (nil for the default
// namespace) stands for uri inside the element at depth.
type binding struct {
	prefix, uri []byte
	depth       int
}

// Reset makes s read data from its start.
func (s *Scanner) Reset(data []byte) {
	*s = Scanner{data: data}
}

// Next reads the next token and reports its kind.
func (s *Scanner) Next() Kind {
	if s.kind == GaveUp && s.started || s.kind == Done {
		return s.kind
	}
	s.kind = s.next()
	return s.kind
}

// next does the work of Next.
func (s *Scanner) next() Kind {
	if !s.started {
		s.started = true
		if !s.declaration() {
			return GaveUp
		}
	}
	if s.pendingEnd {
		s.pendingEnd = false
		return s.close()
	}

	for s.pos < len(s.data) {
		switch i := bytes.IndexByte(s.data[s.pos:], '<'); {
		case i != 0:
			if i < 0 {
				i = len(s.data) - s.pos
			}
			run := s.data[s.pos : s.pos+i]
			s.pos += i
			if s.nopen == 0 {
				// Outside the root element only white space may appear.
				if !allSpace(run) {
					return GaveUp
				}
				continue
			}
			return s.chars(run)
		case bytes.HasPrefix(s.data[s.pos:], []byte("</")):
			return s.endTag()
		case bytes.HasPrefix(s.data[s.pos:], []byte("<![CDATA[")):
			return s.cdata()
		default:
			return s.startTag()
		}
	}
	if !s.rootDone || s.nopen > 0 {
		return GaveUp
	}
	return Done
}

// Name returns the namespace and local name of the element that the last
// StartElement or EndElement started or ended.
func (s *Scanner) Name() (space, local []byte) {
	e := s.ended
	if s.kind == StartElement {
		e = s.open[s.nopen-1]
	}
	return e.space, e.local
}

// Attrs returns the attributes of the last StartElement, in document order.
func (s *Scanner) Attrs() []Attr {
	return s.attrs[:s.nattrs]
}

// Text returns the character data of the last Text.
func (s *Scanner) Text() []byte {
	return s.textOut
}

// Depth returns the number of open elements, counting the one that the last
// StartElement or EndElement started or ended: the root element is at
// depth 1.
func (s *Scanner) Depth() int {
	if s.kind == EndElement {
		return s.nopen + 1
	}
	return s.nopen
}

// Lookup returns the namespace that prefix stands for where the Scanner
// is, and whether it was declared; a nil prefix asks for the default
// namespace.
func (s *Scanner) Lookup(prefix []byte) ([]byte, bool) {
	for i := s.nbindings - 1; i >= 0; i-- {
		if bytes.Equal(s.bindings[i].prefix, prefix) {
			return s.bindings[i].uri, true
		}
	}
	return nil, false
}
