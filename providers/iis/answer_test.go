package iis

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"

	"github.com/smtpverbs/smtpverbs/lab/wsman"
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

func TestScanAnswer(t *testing.T) {
	for _, tt := range answerCases {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := scanAnswer(tt.body)
			if !ok {
				t.Fatalf("wrong result\ngot:  the fast path gave up\nwant: it reads the answer")
			}
			if !sameAnswer(got, tt.want) {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", showAnswer(got), showAnswer(tt.want))
			}
		})
	}
}

// TestScanAnswer_fallsBack checks that answers the fast path does not
// handle still get encoding/xml's reading through readAnswer.
func TestScanAnswer_fallsBack(t *testing.T) {
	command := answerEnvelope(`<rsp:CommandResponse><rsp:CommandId>C-1</rsp:CommandId>` +
		`</rsp:CommandResponse>`)
	stream := answerEnvelope(`<rsp:Stream Name="stdout">aGk=</rsp:Stream>`)
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"comment", strings.Replace(command, "<s:Body>", "<s:Body><!-- x -->", 1), false},
		{"carriage return", strings.Replace(command, "<s:Body>", "<s:Body>\r\n", 1), false},
		{"numeric reference", strings.Replace(command, "C-1", "C&#45;1", 1), false},
		{"non-ASCII text", strings.Replace(command, "C-1", "C\u00e91", 1), false},
		{"prefixed attribute", strings.Replace(stream, `Name=`, `rsp:Name=`, 1), false},
		{"UTF-16 declaration", `<?xml version="1.0" encoding="utf-16"?>` + command, true},
		{"mismatched end tag", strings.Replace(command, "</rsp:CommandId>",
			"</rsp:Command>", 1), true},
		{"unclosed", strings.TrimSuffix(command, "</s:Envelope>"), true},
		{"undeclared prefix", strings.Replace(command, "rsp:CommandId>", "q:CommandId>", 2),
			false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := scanAnswer(tt.body); ok {
				t.Fatalf("wrong result\ngot:  the fast path read it\nwant: it gives up")
			}
			got, err := readAnswer(tt.body)
			want, wantErr := decodeAnswer(tt.body)
			if (err != nil) != tt.wantErr || !sameAnswer(got, want) ||
				fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("wrong result\ngot:  %s, %v\nwant: %s, %v (error expected: %v)",
					showAnswer(got), err, showAnswer(want), wantErr, tt.wantErr)
			}
		})
	}
}

// TestScanAnswer_lab checks that every answer the lab's WinRM server sends
// to a command's requests takes the fast path and reads as encoding/xml
// reads it.
func TestScanAnswer_lab(t *testing.T) {
	cfg := wsman.Config{Username: "Administrator", Password: secret, Basic: true}
	_, addr, conn := serveWinRM(t, cfg, echoRunner)
	sh, err := openShell(context.Background(), addr, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()

	params := &sh.client.Parameters
	bodies := map[string]string{}
	post := func(name string, m *soap.SoapMessage) answer {
		t.Helper()
		body, err := sh.post(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		bodies[name] = body
		a, err := decodeAnswer(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return a
	}
	shellID := post("create", winrm.NewOpenShellRequest(sh.url, params)).shellID
	cmd := post("command", winrm.NewExecuteCommandRequest(sh.url, shellID, "echo <a&b>", nil,
		params)).commandID
	post("receive", winrm.NewGetOutputRequest(sh.url, shellID, cmd, "stdout stderr", params))
	post("signal", winrm.NewSignalRequest(sh.url, shellID, cmd, params))
	post("delete", winrm.NewDeleteShellRequest(sh.url, shellID, params))

	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			got, ok := scanAnswer(body)
			want, _ := decodeAnswer(body)
			if !ok || !sameAnswer(got, want) {
				t.Errorf("wrong result for %q\ngot:  %v %s\nwant: true %s", body, ok,
					showAnswer(got), showAnswer(want))
			}
		})
	}
	if got := bodies["receive"]; !strings.Contains(got, "CommandState/Done") {
		t.Errorf("wrong result\ngot:  %q\nwant: a Receive answer with the command done", got)
	}
}

// FuzzScanAnswer checks that whenever the fast path reads an answer, it
// reads what encoding/xml reads. Run it with -fuzz=FuzzScanAnswer.
func FuzzScanAnswer(f *testing.F) {
	for _, tt := range answerCases {
		f.Add([]byte(tt.body))
	}
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8"?>` + answerEnvelope(
		`<rsp:Stream Name='stdout' xmlns:q="x"><![CDATA[aG]]>k&#x3d;</rsp:Stream>`+
			`<w:Selector Name="ShellId" xml:lang="en">&lt;S&amp;1&gt;</w:Selector>`)))
	f.Add([]byte(answerEnvelope(`<rsp:CommandState State="` + stateDone + `" State="x">` +
		`<rsp:ExitCode><b>1</b>2</rsp:ExitCode></rsp:CommandState><x:y xmlns:x="` + nsShell +
		`"/><CommandId xmlns="` + nsShell + `">c<![CDATA[<d>]]></CommandId>`)))

	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := scanAnswer(string(body))
		if !ok {
			return
		}
		slow, err := decodeAnswer(string(body))
		if err != nil || !sameAnswer(fast, slow) {
			t.Errorf("wrong result for %q\ngot:  %s\nwant: %s, %v (encoding/xml)", body,
				showAnswer(fast), showAnswer(slow), err)
		}
	})
}

// BenchmarkReadAnswer compares the fast path with encoding/xml on a Receive
// answer with output and the command done.
func BenchmarkReadAnswer(b *testing.B) {
	var body string
	for _, tt := range answerCases {
		if tt.name == "output and done" {
			body = tt.body
		}
	}
	for _, bc := range []struct {
		name string
		read func(string) (answer, error)
	}{
		{"scan", readAnswer},
		{"encoding-xml", decodeAnswer},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if a, err := bc.read(body); err != nil || !a.done {
					b.Fatalf("read: %v, done=%v", err, a.done)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/answer")
		})
	}
}
