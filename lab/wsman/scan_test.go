package wsman

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// clientRequests reads the envelopes in testdata/requests, captured from
// masterzen/winrm's request builders and from pywinrm 0.3.0's Protocol.
func clientRequests(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "requests", "*.xml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no captured requests in testdata/requests: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".xml")] = data
	}
	return out
}

func TestScanRequest_clients(t *testing.T) {
	want := map[string]string{
		"masterzen_create":  "Create shell= cmd= line=",
		"masterzen_command": `Command shell=SHELL-1 cmd= line=echo a & b <c> "d" 'e' > f`,
		"masterzen_execute": "Command shell=SHELL-1 cmd= line=mdutil get -path:smtpsvc/1",
		"masterzen_receive": "Receive shell=SHELL-1 cmd=CMD-1 line=",
		"masterzen_signal":  "Signal shell=SHELL-1 cmd=CMD-1 line=",
		"masterzen_delete":  "Delete shell=SHELL-1 cmd= line=",
		"masterzen_send":    "Send shell=SHELL-1 cmd= line=",
		"pywinrm_create":    "Create shell= cmd= line=",
		"pywinrm_command":   "Command shell=SHELL-1 cmd= line=mdutil get -path:smtpsvc/1&x <y>",
		"pywinrm_receive":   "Receive shell=SHELL-1 cmd=CMD-1 line=",
		"pywinrm_signal":    "Signal shell=SHELL-1 cmd=CMD-1 line=",
		"pywinrm_delete":    "Delete shell=SHELL-1 cmd= line=",
	}
	requests := clientRequests(t)
	if len(requests) != len(want) {
		t.Fatalf("wrong result\ngot:  %d captured requests\nwant: %d", len(requests), len(want))
	}
	for name, data := range requests {
		t.Run(name, func(t *testing.T) {
			fast, ok := scanRequest(data)
			if !ok {
				t.Fatalf("wrong result\ngot:  the fast path gave up\nwant: it reads the envelope")
			}
			if err := fast.nameOperation(); err != nil {
				t.Fatalf("name operation: %v", err)
			}
			slow, err := decodeRequest(data)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Errorf("wrong result\ngot:  %+v\nwant: %+v", fast, slow)
			}

			got := fast.op + " shell=" + fast.shellID + " cmd=" + fast.commandID +
				" line=" + fast.line()
			if got != want[name] {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, want[name])
			}
			if !strings.HasPrefix(fast.messageID, "uuid:") || fast.operationTimeout != "PT20S" ||
				fast.maxEnvelopeSize != "153600" {
				t.Errorf("wrong result\ngot:  %q %q %q\nwant: uuid:..., PT20S, 153600",
					fast.messageID, fast.operationTimeout, fast.maxEnvelopeSize)
			}
		})
	}
}

func TestScanRequest_sendStreams(t *testing.T) {
	data := clientRequests(t)["masterzen_send"]
	req, ok := scanRequest(data)
	want := []stream{{name: "stdin", commandID: "CMD-1", end: true, data: "aGkgdGhlcmU="}}
	if !ok || !reflect.DeepEqual(req.streams, want) {
		t.Errorf("wrong result\ngot:  %v %+v\nwant: true %+v", ok, req, want)
	}
}

// TestScanRequest_fallsBack checks that XML the fast path does not handle
// still gets encoding/xml's verdict through parseRequest.
func TestScanRequest_fallsBack(t *testing.T) {
	create := rawEnvelope("env", nsTransfer+"/Create", "uuid:1", "", "")
	tests := []struct {
		name     string
		envelope string
		wantErr  bool
	}{
		{"comment", strings.Replace(create, "<env:Header>", "<env:Header><!-- x -->", 1), false},
		{"non-ASCII text", strings.Replace(create, "uuid:1", "uuid:\u00e9", 1), false},
		{"carriage return", strings.Replace(create, "<env:Header>", "<env:Header>\r\n", 1), false},
		{"numeric reference", strings.Replace(create, "uuid:1", "uuid:&#49;", 1), false},
		{"Latin-1 declaration", `<?xml version="1.0" encoding="ISO-8859-1"?>` + create, true},
		{"version 1.1", `<?xml version="1.1"?>` + create, true},
		{"undeclared prefix", strings.Replace(create, "<a:To>", "<q:To>", 1), true},
		{"mismatched end tag", strings.Replace(create, "</a:To>", "</a:Action>", 1), true},
		{"unknown entity", strings.Replace(create, "uuid:1", "uuid:&nbsp;", 1), true},
		{"unquoted attribute", strings.Replace(create, `mustUnderstand="true"`,
			`mustUnderstand=true`, 1), true},
		{"text before the root", "hello" + create, false},
		{"second root", create + create, false},
		{"unescaped ]]>", strings.Replace(create, "uuid:1", "uuid:]]>", 1), true},
		{"not xml", "hello", true},
		{"empty", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := scanRequest([]byte(tt.envelope)); ok {
				t.Fatalf("wrong result\ngot:  the fast path read it\nwant: it gives up")
			}
			got, err := parseRequest([]byte(tt.envelope))
			want, wantErr := decodeRequest([]byte(tt.envelope))
			if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, want) ||
				errString(err) != errString(wantErr) {
				t.Errorf("wrong result\ngot:  %+v, %v\nwant: %+v, %v (error expected: %v)",
					got, err, want, wantErr, tt.wantErr)
			}
		})
	}
}

// FuzzParseRequest checks that whenever the fast path reads an envelope,
// it reads what encoding/xml reads. Run it with -fuzz=FuzzParseRequest.
func FuzzParseRequest(f *testing.F) {
	for _, data := range clientRequests(f) {
		f.Add(data)
	}
	f.Add([]byte(rawEnvelope("soap", nsShell+"/Command", "uuid:1", "abc",
		`<rsp:CommandLine><rsp:Command>mdutil</rsp:Command>`+
			`<rsp:Arguments>get -path:a&amp;b</rsp:Arguments></rsp:CommandLine>`)))
	f.Add([]byte(`<Envelope xmlns="` + nsSOAP + `"><Header>` +
		`<Action xmlns="` + nsAddress + `">` + nsShell + `/Command</Action>` +
		`</Header><Body><CommandLine xmlns="` + nsShell + `"><Command>` +
		`<![CDATA[echo <x>]]></Command></CommandLine></Body></Envelope>`))
	f.Add([]byte(rawEnvelope("env", nsShell+"/Send", "uuid:1", "abc",
		`<rsp:Send><rsp:Stream Name="stdin" CommandId='c'>aGk=</rsp:Stream>`+
			`<rsp:Stream Name="stdin" CommandId="c" End="true"/></rsp:Send>`)))

	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := scanRequest(data)
		if !ok {
			return
		}
		fastErr := fast.nameOperation()
		slow, err := decodeRequest(data)
		if errString(fastErr) != errString(err) || !reflect.DeepEqual(fast, slow) {
			t.Errorf("wrong result for %q\ngot:  %+v, %v\nwant: %+v, %v",
				data, fast, fastErr, slow, err)
		}
	})
}

// errString is err's text, or "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// BenchmarkParseRequest compares the fast path with encoding/xml on a
// captured masterzen/winrm Receive request.
func BenchmarkParseRequest(b *testing.B) {
	data := clientRequests(b)["masterzen_receive"]
	for _, bc := range []struct {
		name  string
		parse func([]byte) (*request, error)
	}{
		{"scan", parseRequest},
		{"encoding-xml", decodeRequest},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.parse(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/request")
		})
	}
}
