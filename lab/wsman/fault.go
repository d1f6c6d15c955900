package wsman

import (
	"net/http"
	"strconv"
	"strings"
)

// WSManFault codes the server uses itself or knows a message for.
const (
	// CodeAccessDenied is E_ACCESSDENIED, the default of an injected Fault.
	CodeAccessDenied uint32 = 2147942405

	// CodeOperationTimeout is ERROR_WSMAN_OPERATION_TIMEDOUT: a Receive saw
	// no output within its hold. Clients retry on it.
	CodeOperationTimeout uint32 = 2150858793

	// CodeShellNotFound answers a request for a shell that does not exist.
	// Code and text appear in public logs of real Windows answers (for
	// example WinRb/WinRM issue 253); the w:InvalidSelectors subcode is
	// UNCONFIRMED.
	CodeShellNotFound uint32 = 2150858843

	// CodeAborted is ERROR_OPERATION_ABORTED (995), which Windows answers
	// when WinRM or the shell host goes away during a request.
	CodeAborted uint32 = 995

	// codeBadRequest answers an envelope the server cannot read or an
	// action it does not serve. UNCONFIRMED: Windows has several more
	// specific codes; clients only show the text.
	codeBadRequest uint32 = 2150858817
)

// faultKind is the SOAP side of a fault: who is to blame, the WS-Management
// subcode and the text Windows uses.
type faultKind struct {
	value   string // s:Sender or s:Receiver
	subcode string // w:... subcode
	text    string // Reason and WSManFault Message
}

// faultKinds holds the known codes. Windows ends these messages with a
// space (two after OperationTimeout.); the texts keep that.
var faultKinds = map[uint32]faultKind{
	CodeAccessDenied: {"s:Sender", "w:AccessDenied", "Access is denied. "},
	CodeOperationTimeout: {"s:Receiver", "w:TimedOut",
		"The WS-Management service cannot complete the operation within the time" +
			" specified in OperationTimeout.  "},
	CodeShellNotFound: {"s:Sender", "w:InvalidSelectors",
		"The request for the Windows Remote Shell with ShellId %s failed because the" +
			" shell was not found on the server. Possible causes are: the specified" +
			" ShellId is incorrect or the shell no longer exists on the server." +
			" Provide the correct ShellId or create a new shell and retry the" +
			" operation. "},
	CodeAborted: {"s:Receiver", "w:InternalError",
		"The I/O operation has been aborted because of either a thread exit or an" +
			" application request. "},
	codeBadRequest: {"s:Sender", "w:InvalidMessageInformationHeader",
		"The WS-Management service cannot process the request because the request" +
			" is not valid: %s. "},
}

// genericFault is used for codes not in faultKinds.
var genericFault = faultKind{"s:Receiver", "w:InternalError",
	"The WS-Management service cannot process the request. "}

// faultText is the text for code with detail filled into its %s, or the
// given message when there is one.
func faultText(code uint32, message, detail string) (faultKind, string) {
	kind, ok := faultKinds[code]
	if !ok {
		kind = genericFault
	}
	if message != "" {
		return kind, message
	}
	return kind, strings.Replace(kind.text, "%s", detail, 1)
}

// writeFault answers with HTTP 500 and a SOAP fault carrying a WSManFault,
// shaped like the answers of real Windows.
func writeFault(w http.ResponseWriter, relatesTo, machine string, code uint32,
	message, detail string) {

	kind, text := faultText(code, message, detail)
	a := newAnswer(uriFault, relatesTo)
	buf := a.buf

	buf.WriteString(`<s:Fault><s:Code><s:Value>` + kind.value +
		`</s:Value><s:Subcode><s:Value>` + kind.subcode +
		`</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">`)
	escape(buf, text)
	buf.WriteString(`</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="` + nsWSManFault +
		`" Code="` + strconv.FormatUint(uint64(code), 10) + `" Machine="`)
	escape(buf, machine)
	buf.WriteString(`"><f:Message>`)
	escape(buf, text)
	buf.WriteString(`</f:Message></f:WSManFault></s:Detail></s:Fault>`)

	a.send(w, http.StatusInternalServerError)
}
