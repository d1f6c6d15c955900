package iis

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/masterzen/winrm"
)

// answerEnvelope wraps body in a WinRM answer envelope as Windows writes it.
func answerEnvelope(body string) string {
	return `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope"` +
		` xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"` +
		` xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"` +
		` xmlns:w="` + nsWSMan + `" xmlns:rsp="` + nsShell + `"` +
		` xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">` +
		`<s:Header><a:Action>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/` +
		`ReceiveResponse</a:Action><a:RelatesTo>uuid:1</a:RelatesTo></s:Header>` +
		`<s:Body>` + body + `</s:Body></s:Envelope>`
}

// answerCases are answers with what masterzen/winrm reads from them.
var answerCases = []struct {
	name string
	body string
	want answer
}{
	{
		name: "create",
		body: answerEnvelope(`<x:ResourceCreated><a:Address>http://h:5985/wsman</a:Address>` +
			`<a:ReferenceParameters><w:ResourceURI>` + nsShell + `/cmd</w:ResourceURI>` +
			`<w:SelectorSet><w:Selector Name="ShellId">11-AB</w:Selector></w:SelectorSet>` +
			`</a:ReferenceParameters></x:ResourceCreated><rsp:Shell><rsp:ShellId>11-AB` +
			`</rsp:ShellId></rsp:Shell>`),
		want: answer{shellID: "11-AB"},
	},
	{
		name: "first ShellId selector counts",
		body: answerEnvelope(`<w:Selector Name="Other">x</w:Selector>` +
			`<w:Selector Name="ShellId"> S1 </w:Selector><w:Selector Name="ShellId">S2` +
			`</w:Selector>`),
		want: answer{shellID: " S1 "},
	},
	{
		name: "command",
		body: answerEnvelope(`<rsp:CommandResponse><rsp:CommandId>C-1</rsp:CommandId>` +
			`</rsp:CommandResponse>`),
		want: answer{commandID: "C-1"},
	},
	{
		name: "output and done",
		body: answerEnvelope(`<rsp:ReceiveResponse>` +
			`<rsp:Stream Name="stdout" CommandId="C">aGVs</rsp:Stream>` +
			`<rsp:Stream Name="stderr" CommandId="C">ZXJy</rsp:Stream>` +
			`<rsp:Stream Name="stdout" CommandId="C">bG8=</rsp:Stream>` +
			`<rsp:Stream Name="stdout" CommandId="C" End="true"></rsp:Stream>` +
			`<rsp:CommandState CommandId="C" State="` + stateDone + `">` +
			`<rsp:ExitCode>3</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`),
		want: answer{stdout: []byte("hello"), stderr: []byte("err"), done: true, exitCode: 3},
	},
	{
		name: "running",
		body: answerEnvelope(`<rsp:ReceiveResponse>` +
			`<rsp:Stream Name="stdout" CommandId="C">aGk=</rsp:Stream>` +
			`<rsp:CommandState CommandId="C" State="` + nsShell + `/CommandState/Running"/>` +
			`<rsp:ExitCode>7</rsp:ExitCode></rsp:ReceiveResponse>`),
		want: answer{stdout: []byte("hi")},
	},
	{
		name: "done without exit code",
		body: answerEnvelope(`<rsp:ReceiveResponse><rsp:CommandState CommandId="C" State="` +
			stateDone + `"/></rsp:ReceiveResponse>`),
		want: answer{done: true},
	},
	{
		name: "exit code with spaces",
		body: answerEnvelope(`<rsp:ReceiveResponse><rsp:CommandState State="` + stateDone +
			`"><rsp:ExitCode> 4 </rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`),
		want: answer{done: true},
	},
	{
		name: "bad base64 decodes as far as valid",
		body: answerEnvelope(`<rsp:Stream Name="stdout">aGVsbG8*</rsp:Stream>`),
		want: answer{stdout: []byte("hel")},
	},
	{
		name: "default namespaces and line breaks",
		body: `<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body>` +
			"\n<ReceiveResponse xmlns=\"" + nsShell + "\">\n" +
			"<Stream Name=\"stdout\">aGVs\nbG8=</Stream>\n" +
			`<CommandState State="` + stateDone + `"><ExitCode>0</ExitCode></CommandState>` +
			`</ReceiveResponse></Body></Envelope>`,
		want: answer{stdout: []byte("hello"), done: true},
	},
	{
		name: "stream of another name is skipped",
		body: answerEnvelope(`<rsp:Stream Name="pr">aGk=</rsp:Stream>`),
		want: answer{},
	},
	{
		name: "fault",
		body: answerEnvelope(`<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>` +
			`<s:Reason><s:Text xml:lang="en-US">OperationTimeout</s:Text></s:Reason></s:Fault>`),
		want: answer{},
	},
}

func TestReadAnswer(t *testing.T) {
	for _, tt := range answerCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAnswer(tt.body)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !sameAnswer(got, tt.want) {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", showAnswer(got), showAnswer(tt.want))
			}
		})
	}
}

func TestReadAnswer_malformed(t *testing.T) {
	for _, body := range []string{
		answerEnvelope(`<rsp:CommandId>C</rsp:Command>`),
		answerEnvelope(`<rsp:CommandId>C`),
	} {
		if a, err := readAnswer(body); err == nil {
			t.Errorf("wrong result\ngot:  %s, no error\nwant: an error", showAnswer(a))
		}
	}
}

// TestReadAnswer_likeMasterzen checks readAnswer against the parsers of
// masterzen/winrm that it replaces.
func TestReadAnswer_likeMasterzen(t *testing.T) {
	for _, tt := range answerCases {
		t.Run(tt.name, func(t *testing.T) {
			checkLikeMasterzen(t, []byte(tt.body))
		})
	}
}

// FuzzReadAnswer compares readAnswer with masterzen/winrm's parsers on
// any answer both read without error. Run it with -fuzz=FuzzReadAnswer.
func FuzzReadAnswer(f *testing.F) {
	for _, tt := range answerCases {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkLikeMasterzen(t, body)
	})
}

// checkLikeMasterzen fails t when readAnswer and masterzen/winrm read body
// differently. Bodies either side rejects are not compared.
func checkLikeMasterzen(t *testing.T, body []byte) {
	t.Helper()
	got, err := readAnswer(string(body))
	if err != nil {
		return
	}
	want, ok := masterzenAnswer(string(body))
	if !ok {
		return
	}
	if !sameAnswer(got, want) {
		t.Errorf("wrong result for %q\ngot:  %s\nwant: %s (masterzen)", body,
			showAnswer(got), showAnswer(want))
	}
}

// masterzenAnswer reads body with masterzen/winrm's own parsers; ok is
// false when any of them fails or panics.
func masterzenAnswer(body string) (a answer, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	var err1, err2, err3 error
	a.shellID, err1 = winrm.ParseOpenShellResponse(body)
	a.commandID, err2 = winrm.ParseExecuteCommandResponse(body)
	var stdout, stderr bytes.Buffer
	a.done, a.exitCode, err3 = winrm.ParseSlurpOutputErrResponse(body, &stdout, &stderr)
	a.stdout, a.stderr = stdout.Bytes(), stderr.Bytes()
	return a, err1 == nil && err2 == nil && err3 == nil
}

func sameAnswer(a, b answer) bool {
	return showAnswer(a) == showAnswer(b)
}

func showAnswer(a answer) string {
	return fmt.Sprintf("shell=%q command=%q stdout=%q stderr=%q done=%v exit=%d",
		a.shellID, a.commandID, a.stdout, a.stderr, a.done, a.exitCode)
}
