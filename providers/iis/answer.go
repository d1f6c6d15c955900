package iis

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/smtpverbs/smtpverbs/internal/wsxml"
)

// XML namespaces and values the client reads answers by.
const (
	nsWSMan   = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsShell   = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	stateDone = nsShell + "/CommandState/Done"
)

// answer is what the client needs from a WinRM answer.
type answer struct {
	shellID   string // Create: the w:Selector named ShellId
	commandID string // Command: rsp:CommandId
	stdout    []byte // Receive: the decoded rsp:Stream chunks, in order
	stderr    []byte
	done      bool // Receive: an element has State=".../CommandState/Done"
	exitCode  int  // Receive: rsp:ExitCode once done
}

// field is an answer value whose text readAnswer collects.
type field int

const (
	fieldNone field = iota
	fieldShellID
	fieldCommandID
	fieldStdout
	fieldStderr
	fieldExitCode
	fieldCount
)

// readAnswer reads an answer body. It reads what masterzen/winrm's XPath
// queries read, the same way: "//w:Selector[@Name='ShellId']",
// "//rsp:CommandId", the rsp:Stream elements named stdout and stderr
// (base64, decoded as far as it is valid),
// "//*[@State='.../CommandState/Done']" and "//rsp:ExitCode" (0 unless a
// plain integer, and only once done). Text is taken as it is, without
// trimming, including that of nested elements; of several ShellIds,
// CommandIds or ExitCodes the first counts.
//
// The answers Windows and the lab write take the fast path, scanAnswer;
// everything else goes through encoding/xml in decodeAnswer, which also
// words any error.
func readAnswer(body string) (answer, error) {
	if a, ok := scanAnswer(body); ok {
		return a, nil
	}
	return decodeAnswer(body)
}

// answerReader collects the fields of an answer from its elements, in
// document order, for both scanAnswer and decodeAnswer. The text of the
// field being read is kept by the caller, apart from the reader, so that it
// can stay on the caller's stack: escape analysis sees the reader's fields
// as one, and the answer it returns escapes.
type answerReader struct {
	a        answer
	taken    [fieldCount]bool
	reading  field // the field whose element is open
	readAt   int   // that element's depth
	exitText string
}

// start takes an element at depth that holds field f and, when done is
// set, a State attribute that says the command is done. It reports whether
// the element's text is to be collected from now on.
func (r *answerReader) start(depth int, f field, done bool) bool {
	if done {
		r.a.done = true
	}
	if r.reading == fieldNone && f != fieldNone && !r.taken[f] {
		r.reading, r.readAt = f, depth
		return true
	}
	return false
}

// collecting reports whether character data belongs to a field.
func (r *answerReader) collecting() bool {
	return r.reading != fieldNone
}

// end takes the end of the element at depth; text is what was collected.
func (r *answerReader) end(depth int, text []byte) {
	if r.reading == fieldNone || depth != r.readAt {
		return
	}
	switch r.reading {
	case fieldShellID:
		r.a.shellID = string(text)
	case fieldCommandID:
		r.a.commandID = string(text)
	case fieldExitCode:
		r.exitText = string(text)
	case fieldStdout:
		r.a.stdout, _ = base64.StdEncoding.AppendDecode(r.a.stdout, text)
	case fieldStderr:
		r.a.stderr, _ = base64.StdEncoding.AppendDecode(r.a.stderr, text)
	}
	r.taken[r.reading] = r.reading != fieldStdout && r.reading != fieldStderr
	r.reading = fieldNone
}

// answer returns what was read.
func (r *answerReader) answer() answer {
	if r.a.done {
		r.a.exitCode, _ = strconv.Atoi(r.exitText)
	}
	return r.a
}

// scanAnswer is the fast path of readAnswer: it reads body with a
// wsxml.Scanner and reports false when the Scanner gives up or an
// attribute has a prefix other than xml or xmlns, whose namespace would
// need resolving. Whenever it succeeds, its answer equals decodeAnswer's:
// FuzzScanAnswer checks that.
func scanAnswer(body string) (answer, bool) {
	var (
		r       answerReader
		s       wsxml.Scanner
		textBuf [1024]byte // room for the text of a usual field
	)
	text := textBuf[:0]
	s.Reset([]byte(body))
	for {
		switch s.Next() {
		case wsxml.StartElement:
			f, done, ok := scannedField(&s)
			if !ok {
				return answer{}, false
			}
			if r.start(s.Depth(), f, done) {
				text = text[:0]
			}
		case wsxml.Text:
			if r.collecting() {
				text = append(text, s.Text()...)
			}
		case wsxml.EndElement:
			r.end(s.Depth(), text)
		case wsxml.Done:
			return r.answer(), true
		default:
			return answer{}, false
		}
	}
}

// scannedField is fieldOf for the element s just started; done tells
// whether its State says the command is done. ok is false when an
// attribute's prefix would need resolving.
func scannedField(s *wsxml.Scanner) (f field, done, ok bool) {
	var state, name []byte
	var haveState, haveName bool
	for _, at := range s.Attrs() {
		if at.Prefix != nil {
			if string(at.Prefix) != "xml" && string(at.Prefix) != "xmlns" {
				return fieldNone, false, false
			}
			continue
		}
		switch {
		case string(at.Local) == "State" && !haveState:
			state, haveState = at.Value, true
		case string(at.Local) == "Name" && !haveName:
			name, haveName = at.Value, true
		}
	}
	done = string(state) == stateDone

	space, local := s.Name()
	switch {
	case string(space) == nsWSMan && string(local) == "Selector":
		if string(name) == "ShellId" {
			f = fieldShellID
		}
	case string(space) != nsShell:
	case string(local) == "CommandId":
		f = fieldCommandID
	case string(local) == "ExitCode":
		f = fieldExitCode
	case string(local) == "Stream":
		switch string(name) {
		case "stdout":
			f = fieldStdout
		case "stderr":
			f = fieldStderr
		}
	}
	return f, done, true
}

// decodeAnswer is readAnswer through encoding/xml, one pass of tokens.
func decodeAnswer(body string) (answer, error) {
	var (
		r     answerReader
		depth int
		text  []byte
	)
	dec := xml.NewDecoder(strings.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return answer{}, fmt.Errorf("read the host's answer: %w", err)
		}

		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if r.start(depth, fieldOf(t), attr(t.Attr, "State") == stateDone) {
				text = text[:0]
			}
		case xml.CharData:
			if r.collecting() {
				text = append(text, t...)
			}
		case xml.EndElement:
			r.end(depth, text)
			depth--
		}
	}
	return r.answer(), nil
}

// fieldOf tells which field, if any, element t holds.
func fieldOf(t xml.StartElement) field {
	switch t.Name {
	case xml.Name{Space: nsWSMan, Local: "Selector"}:
		if attr(t.Attr, "Name") == "ShellId" {
			return fieldShellID
		}
	case xml.Name{Space: nsShell, Local: "CommandId"}:
		return fieldCommandID
	case xml.Name{Space: nsShell, Local: "ExitCode"}:
		return fieldExitCode
	case xml.Name{Space: nsShell, Local: "Stream"}:
		switch attr(t.Attr, "Name") {
		case "stdout":
			return fieldStdout
		case "stderr":
			return fieldStderr
		}
	}
	return fieldNone
}

// attr is the value of the unqualified attribute named local, or "".
func attr(attrs []xml.Attr, local string) string {
	for _, at := range attrs {
		if at.Name.Space == "" && at.Name.Local == local {
			return at.Value
		}
	}
	return ""
}
