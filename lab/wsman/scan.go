package wsman

import (
	"encoding/xml"
	"strings"

	"github.com/smtpverbs/smtpverbs/internal/wsxml"
)

// scanRequest is the fast path of parseRequest. It reads the XML that WinRM
// clients really send with a wsxml.Scanner, straight from the bytes,
// without encoding/xml's tokens, interfaces and copies, which cost more
// than the rest of a request.
//
// When the Scanner gives up, or the root element is not a SOAP Envelope,
// scanRequest reports false, and parseRequest falls back to decodeRequest,
// which then decides and words any error. Whenever scanRequest succeeds,
// its request equals the one decodeRequest returns: FuzzParseRequest checks
// that.
func scanRequest(data []byte) (*request, bool) {
	// All but the request stays on the stack.
	var (
		x     wsxml.Scanner
		req   = &request{}
		names []xml.Name // open elements, namespaces resolved
		attrs []xml.Attr // the attributes request.start may read
		text  []byte     // character data since the last tag

		namesBuf [12]xml.Name
		attrsBuf [4]xml.Attr
		textBuf  [256]byte
	)
	names, attrs, text = namesBuf[:0], attrsBuf[:0], textBuf[:0]
	x.Reset(data)
	for {
		switch x.Next() {
		case wsxml.StartElement:
			name := resolve(x.Name())
			if len(names) == 0 && name != elEnvelope {
				return nil, false
			}
			attrs = requestAttrs(attrs[:0], x.Attrs())
			names = append(names, name)
			text = text[:0]
			req.start(names, attrs)
		case wsxml.Text:
			text = append(text, x.Text()...)
		case wsxml.EndElement:
			if wantsText(names[len(names)-1]) {
				req.end(names, strings.TrimSpace(string(text)))
			}
			names = names[:len(names)-1]
			text = text[:0]
		case wsxml.Done:
			return req, true
		default:
			return nil, false
		}
	}
}

// unknownName stands for every element name request never compares
// against; no element read from a request has an empty local name.
var unknownName = xml.Name{}

// resolve returns the element name request compares against that has this
// namespace and local name, or unknownName.
func resolve(space, local []byte) xml.Name {
	name := knownName(local)
	if string(space) != name.Space {
		return unknownName
	}
	return name
}

// requestAttrs appends to dst the attributes request.start reads, which it
// looks up by local name only.
func requestAttrs(dst []xml.Attr, attrs []wsxml.Attr) []xml.Attr {
	for _, a := range attrs {
		switch string(a.Local) {
		case "Name", "CommandId", "End":
			dst = append(dst, xml.Attr{
				Name:  xml.Name{Local: string(a.Local)},
				Value: string(a.Value),
			})
		}
	}
	return dst
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
