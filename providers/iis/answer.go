package iis

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
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

// readAnswer reads an answer body in one pass of encoding/xml tokens. It
// reads what masterzen/winrm's XPath queries read, the same way:
// "//w:Selector[@Name='ShellId']", "//rsp:CommandId", the rsp:Stream
// elements named stdout and stderr (base64, decoded as far as it is valid),
// "//*[@State='.../CommandState/Done']" and "//rsp:ExitCode" (0 unless a
// plain integer, and only once done). Text is taken as it is, without
// trimming, including that of nested elements; of several ShellIds,
// CommandIds or ExitCodes the first counts.
func readAnswer(body string) (answer, error) {
	var (
		a        answer
		taken    [fieldCount]bool
		reading  = fieldNone // the field whose element is open
		readAt   int         // that element's depth
		text     []byte
		depth    int
		exitText string
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
			if attr(t.Attr, "State") == stateDone {
				a.done = true
			}
			if f := fieldOf(t); reading == fieldNone && f != fieldNone && !taken[f] {
				reading, readAt, text = f, depth, text[:0]
			}
		case xml.CharData:
			if reading != fieldNone {
				text = append(text, t...)
			}
		case xml.EndElement:
			if reading != fieldNone && depth == readAt {
				switch reading {
				case fieldShellID:
					a.shellID = string(text)
				case fieldCommandID:
					a.commandID = string(text)
				case fieldExitCode:
					exitText = string(text)
				case fieldStdout:
					a.stdout, _ = base64.StdEncoding.AppendDecode(a.stdout, text)
				case fieldStderr:
					a.stderr, _ = base64.StdEncoding.AppendDecode(a.stderr, text)
				}
				taken[reading] = reading != fieldStdout && reading != fieldStderr
				reading = fieldNone
			}
			depth--
		}
	}
	if a.done {
		a.exitCode, _ = strconv.Atoi(exitText)
	}
	return a, nil
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
