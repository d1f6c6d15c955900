package wsman

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strconv"
	"sync"
)

// contentType is the Content-Type of every SOAP answer. masterzen/winrm
// rejects any answer without application/soap+xml, even a 200.
const contentType = "application/soap+xml;charset=UTF-8"

// envelopeOpen is the start of every answer, up to the Action's text.
const envelopeOpen = `<s:Envelope xml:lang="en-US"` +
	` xmlns:s="` + nsSOAP + `"` +
	` xmlns:a="` + nsAddress + `"` +
	` xmlns:x="` + nsTransfer + `"` +
	` xmlns:w="` + nsWSMan + `"` +
	` xmlns:rsp="` + nsShell + `"` +
	` xmlns:p="` + nsMSWSMan + `">` +
	`<s:Header><a:Action>`

// bufferPool recycles request and answer buffers; an answer is at most
// about 150 KB, a request at most maxRequestBody.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// answer is an answer being built: the header is written by newAnswer, the
// caller appends the body content, and send finishes and writes it.
type answer struct {
	buf *bytes.Buffer
}

// newAnswer starts an envelope with the given response action, relating it
// to the request's MessageID.
func newAnswer(action, relatesTo string) answer {
	buf := bufferPool.Get().(*bytes.Buffer)
	buf.Reset()

	buf.WriteString(envelopeOpen)
	buf.WriteString(action)
	buf.WriteString(`</a:Action><a:MessageID>uuid:`)
	buf.WriteString(newUUID(false))
	buf.WriteString(`</a:MessageID><a:To>` + uriAnonymous + `</a:To>`)
	if relatesTo != "" {
		buf.WriteString(`<a:RelatesTo>`)
		escape(buf, relatesTo)
		buf.WriteString(`</a:RelatesTo>`)
	}
	buf.WriteString(`</s:Header><s:Body>`)
	return answer{buf: buf}
}

// send closes the envelope and writes it with the given HTTP status.
func (a answer) send(w http.ResponseWriter, status int) {
	a.buf.WriteString(`</s:Body></s:Envelope>`)

	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(a.buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(a.buf.Bytes())

	recycle(a.buf)
}

// recycle returns buf to bufferPool, unless it grew unusually large.
func recycle(buf *bytes.Buffer) {
	if buf.Cap() <= 256<<10 {
		bufferPool.Put(buf)
	}
}

// escape writes s with XML special characters escaped.
func escape(buf *bytes.Buffer, s string) {
	_ = xml.EscapeText(buf, []byte(s))
}

// newUUID returns a random (version 4) UUID, in upper case for shell and
// command ids (as Windows hands them out) or lower case for message ids.
func newUUID(upper bool) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80

	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	if upper {
		return string(bytes.ToUpper(out[:]))
	}
	return string(out[:])
}

// shellBody writes the Create answer: the ShellId both as a w:Selector
// (which both clients read) and as rsp:ShellId (as Windows also sends).
func shellBody(buf *bytes.Buffer, address, shellID string) {
	buf.WriteString(`<x:ResourceCreated><a:Address>`)
	escape(buf, address)
	buf.WriteString(`</a:Address><a:ReferenceParameters><w:ResourceURI>` + uriCmdShell +
		`</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">`)
	buf.WriteString(shellID)
	buf.WriteString(`</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`)
	buf.WriteString(`<rsp:Shell><rsp:ShellId>`)
	buf.WriteString(shellID)
	buf.WriteString(`</rsp:ShellId><rsp:ResourceUri>` + uriCmdShell + `</rsp:ResourceUri>` +
		`<rsp:InputStreams>stdin</rsp:InputStreams>` +
		`<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`)
}
