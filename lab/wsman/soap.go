package wsman

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// XML namespaces of the WS-Management messages. Requests are matched by
// namespace URI and local name, never by prefix: masterzen/winrm uses env:,
// pywinrm uses env: too but other clients use s: or soap:.
const (
	nsSOAP       = "http://www.w3.org/2003/05/soap-envelope"
	nsAddress    = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsTransfer   = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	nsWSMan      = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsMSWSMan    = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	nsShell      = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	nsWSManFault = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"

	uriCmdShell  = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
	uriAnonymous = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
	uriFault     = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	uriDone      = nsShell + "/CommandState/Done"
	uriRunning   = nsShell + "/CommandState/Running"
	uriTerminate = nsShell + "/signal/terminate"
)

// Operation names, as used in Fault.Op and log lines.
const (
	opCreate  = "Create"
	opCommand = "Command"
	opSend    = "Send"
	opReceive = "Receive"
	opSignal  = "Signal"
	opDelete  = "Delete"
)

// operations maps a request's a:Action to its operation name.
var operations = map[string]string{
	nsTransfer + "/Create": opCreate,
	nsShell + "/Command":   opCommand,
	nsShell + "/Send":      opSend,
	nsShell + "/Receive":   opReceive,
	nsShell + "/Signal":    opSignal,
	nsTransfer + "/Delete": opDelete,
}

// responseActions maps an operation name to its response's a:Action.
var responseActions = map[string]string{
	opCreate:  nsTransfer + "/CreateResponse",
	opCommand: nsShell + "/CommandResponse",
	opSend:    nsShell + "/SendResponse",
	opReceive: nsShell + "/ReceiveResponse",
	opSignal:  nsShell + "/SignalResponse",
	opDelete:  nsTransfer + "/DeleteResponse",
}

// request is what the server reads from a WinRS request envelope.
type request struct {
	op               string // operation named by action
	action           string // a:Action
	messageID        string // a:MessageID, echoed in a:RelatesTo
	operationTimeout string // w:OperationTimeout, ISO 8601
	maxEnvelopeSize  string // w:MaxEnvelopeSize
	shellID          string // w:Selector Name="ShellId", upper case
	selectorName     string // Name of the w:Selector being read

	command   string   // rsp:CommandLine/rsp:Command
	arguments []string // rsp:CommandLine/rsp:Arguments, in order
	streams   []stream // rsp:Send/rsp:Stream
	commandID string   // CommandId of rsp:DesiredStream or rsp:Signal
	signal    string   // rsp:Signal/rsp:Code
}

// stream is one rsp:Stream of a Send: a base64 chunk of input.
type stream struct {
	name      string
	commandID string
	end       bool
	data      string
}

// line joins the program and its arguments with single spaces, the way
// cmd.exe receives them from WinRS (masterzen puts the whole line in
// rsp:Command, pywinrm sends one space-joined rsp:Arguments).
func (r *request) line() string {
	if len(r.arguments) == 0 {
		return r.command
	}
	return r.command + " " + strings.Join(r.arguments, " ")
}

// Elements the parser takes text or attributes from.
var (
	elEnvelope  = xml.Name{Space: nsSOAP, Local: "Envelope"}
	elHeader    = xml.Name{Space: nsSOAP, Local: "Header"}
	elBody      = xml.Name{Space: nsSOAP, Local: "Body"}
	elAction    = xml.Name{Space: nsAddress, Local: "Action"}
	elMessageID = xml.Name{Space: nsAddress, Local: "MessageID"}
	elOpTimeout = xml.Name{Space: nsWSMan, Local: "OperationTimeout"}
	elMaxEnv    = xml.Name{Space: nsWSMan, Local: "MaxEnvelopeSize"}
	elSelector  = xml.Name{Space: nsWSMan, Local: "Selector"}
	elCommand   = xml.Name{Space: nsShell, Local: "Command"}
	elArguments = xml.Name{Space: nsShell, Local: "Arguments"}
	elStream    = xml.Name{Space: nsShell, Local: "Stream"}
	elDesired   = xml.Name{Space: nsShell, Local: "DesiredStream"}
	elSignal    = xml.Name{Space: nsShell, Local: "Signal"}
	elCode      = xml.Name{Space: nsShell, Local: "Code"}
)

// parseRequest decodes a request envelope. On error the returned request
// still carries whatever MessageID was read, so that the fault can relate
// to it. The envelopes clients really send take the fast path, scanRequest;
// everything else goes through encoding/xml in decodeRequest.
func parseRequest(data []byte) (*request, error) {
	if req, ok := scanRequest(data); ok {
		return req, req.nameOperation()
	}
	return decodeRequest(data)
}

// decodeRequest decodes a request envelope with encoding/xml. It walks the
// tokens instead of unmarshalling into tagged structs: that matches
// elements by namespace and local name whatever the prefixes, and takes
// CDATA and entities alike.
func decodeRequest(data []byte) (*request, error) {
	req := &request{}
	d := xml.NewDecoder(bytes.NewReader(data))
	var (
		stack []xml.Name
		text  strings.Builder
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return req, fmt.Errorf("decode envelope: %w", err)
		}

		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && t.Name != elEnvelope {
				return req, fmt.Errorf("root element is %s, want a SOAP 1.2 Envelope",
					t.Name.Local)
			}
			stack = append(stack, t.Name)
			text.Reset()
			req.start(stack, t.Attr)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			req.end(stack, strings.TrimSpace(text.String()))
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}

	return req, req.nameOperation()
}

// nameOperation sets the operation from the action, once the whole envelope
// is known to be valid.
func (r *request) nameOperation() error {
	op, ok := operations[r.action]
	if !ok {
		return fmt.Errorf("unsupported action %q", r.action)
	}
	r.op = op
	return nil
}

// start records the attributes of an element the server cares about.
func (r *request) start(stack []xml.Name, attrs []xml.Attr) {
	if len(stack) < 3 {
		return
	}
	switch stack[len(stack)-1] {
	case elSelector:
		r.selectorName = attr(attrs, "Name")
	case elStream:
		r.streams = append(r.streams, stream{
			name:      attr(attrs, "Name"),
			commandID: normalizeID(attr(attrs, "CommandId")),
			end:       strings.EqualFold(attr(attrs, "End"), "true"),
		})
	case elDesired, elSignal:
		r.commandID = normalizeID(attr(attrs, "CommandId"))
	}
}

// end records the text of an element the server cares about. Header
// elements must be direct children of the Header; body elements may nest.
func (r *request) end(stack []xml.Name, text string) {
	if len(stack) < 3 {
		return
	}
	name := stack[len(stack)-1]
	if stack[1] == elHeader {
		r.endHeader(name, len(stack) == 3, text)
		return
	}
	if stack[1] != elBody {
		return
	}

	switch name {
	case elCommand:
		r.command = text
	case elArguments:
		r.arguments = append(r.arguments, text)
	case elStream:
		if n := len(r.streams); n > 0 {
			r.streams[n-1].data = text
		}
	case elCode:
		if stack[len(stack)-2] == elSignal {
			r.signal = text
		}
	}
}

// endHeader records the text of a header element; top tells whether it is
// a direct child of the Header.
func (r *request) endHeader(name xml.Name, top bool, text string) {
	if name == elSelector {
		if strings.EqualFold(r.selectorName, "ShellId") {
			r.shellID = normalizeID(text)
		}
		return
	}
	if !top {
		return
	}
	switch name {
	case elAction:
		r.action = text
	case elMessageID:
		r.messageID = text
	case elOpTimeout:
		r.operationTimeout = text
	case elMaxEnv:
		r.maxEnvelopeSize = text
	}
}

// attr is the value of the attribute with the given local name, whatever
// its namespace (WinRS attributes are unqualified), or "".
func attr(attrs []xml.Attr, local string) string {
	for _, a := range attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// normalizeID trims an id and puts it in upper case, the form the server
// hands out.
func normalizeID(id string) string {
	return strings.ToUpper(strings.TrimSpace(id))
}
