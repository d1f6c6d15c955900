package iis

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// faultTimedOut is the WSManFault code of an OperationTimeout: a Receive
// that saw no output in time, which the client simply repeats.
const faultTimedOut = 2150858793

// faultAccessDenied is the WSManFault code for E_ACCESSDENIED (0x80070005).
const faultAccessDenied = 2147942405

// faultError is a WS-Management fault the host answered with.
type faultError struct {
	Code    uint64 // WSManFault Code; 0 when the fault had none
	Message string
}

func (e *faultError) Error() string {
	if e.Code == 0 {
		return "WinRM fault: " + e.Message
	}
	return fmt.Sprintf("WinRM fault %d: %s", e.Code, e.Message)
}

// soapFault returns the fault a WinRM response holds, or nil when it holds
// none or only an OperationTimeout.
//
// masterzen/winrm at the version in go.mod hands the body of an HTTP 500
// answer back as if it were a success (its Post sets the error in a deferred
// function that cannot change unnamed results), so a fault on Create or
// Command shows up later as "Command has already been closed" and a fault on
// every Receive makes it poll forever. Checking the body here turns every
// fault into an error at the request that caused it.
func soapFault(body string) error {
	if !strings.Contains(body, "Fault") {
		return nil
	}
	var (
		inFault bool
		path    []string
		f       faultError
		reason  string
	)
	dec := xml.NewDecoder(strings.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			path = append(path, tok.Name.Local)
			if tok.Name.Local == "Fault" && len(path) >= 2 && path[len(path)-2] == "Body" {
				inFault = true
			}
			if inFault && tok.Name.Local == "WSManFault" {
				for _, a := range tok.Attr {
					if a.Name.Local == "Code" {
						f.Code, _ = strconv.ParseUint(a.Value, 10, 64)
					}
				}
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		case xml.CharData:
			if !inFault || len(path) == 0 {
				continue
			}
			text := strings.TrimSpace(string(tok))
			switch path[len(path)-1] {
			case "Message":
				f.Message += text
			case "Text":
				reason += text
			}
		}
	}
	if !inFault || f.Code == faultTimedOut {
		return nil
	}
	if f.Message == "" {
		f.Message = reason
	}
	if f.Message == "" {
		f.Message = "the host answered with a fault that gives no reason"
	}
	return &f
}
