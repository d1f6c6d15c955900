package wsman

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/internal/golden"
)

// rawEnvelope builds a request envelope the way clients do; prefix is the
// SOAP envelope prefix ("env" like masterzen and pywinrm, or "s").
func rawEnvelope(prefix, action, messageID, shellID, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<%s:Envelope xmlns:%s="%s" xmlns:a="%s" xmlns:w="%s" xmlns:rsp="%s">`,
		prefix, prefix, nsSOAP, nsAddress, nsWSMan, nsShell)
	fmt.Fprintf(&b, `<%s:Header><a:To>http://windows-host:5985/wsman</a:To>`, prefix)
	fmt.Fprintf(&b, `<a:MessageID>%s</a:MessageID><a:Action mustUnderstand="true">%s</a:Action>`,
		messageID, action)
	b.WriteString(`<w:OperationTimeout>PT20S</w:OperationTimeout>`)
	b.WriteString(`<w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize>`)
	if shellID != "" {
		fmt.Fprintf(&b, `<w:SelectorSet><w:Selector Name="ShellId">%s</w:Selector>`+
			`</w:SelectorSet>`, shellID)
	}
	fmt.Fprintf(&b, `</%s:Header><%s:Body>%s</%s:Body></%s:Envelope>`,
		prefix, prefix, body, prefix, prefix)
	return b.String()
}

// rawReply is an HTTP answer read in full.
type rawReply struct {
	status int
	header http.Header
	body   string
}

// rawPost posts body to the lab with Basic credentials (when auth is true)
// and checks the invariants of every SOAP answer.
func rawPost(t *testing.T, l *lab, messageID, body string, auth bool) rawReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, l.url(), strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", contentType)
	if auth {
		req.SetBasicAuth(testUser, testPassword)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}

	r := rawReply{status: resp.StatusCode, header: resp.Header, body: string(data)}
	if r.status == http.StatusOK || r.status == http.StatusInternalServerError {
		if got := r.header.Get("Content-Type"); got != contentType {
			t.Errorf("wrong result\ngot:  Content-Type %q\nwant: %q", got, contentType)
		}
		want := "<a:RelatesTo>" + messageID + "</a:RelatesTo>"
		if !strings.Contains(r.body, want) {
			t.Errorf("wrong result\ngot:  %s\nwant: an answer containing %s", r.body, want)
		}
	}
	return r
}

// find returns the first submatch of pattern in s, or fails the test.
func find(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in %s", pattern, s)
	}
	return m[1]
}

// rawCreate opens a shell and returns its id.
func rawCreate(t *testing.T, l *lab) string {
	t.Helper()
	body := `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams>` +
		`<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`
	r := rawPost(t, l, "uuid:c1", rawEnvelope("s", nsTransfer+"/Create", "uuid:c1", "", body),
		true)
	return find(t, r.body, `<w:Selector Name="ShellId">([0-9A-F-]{36})</w:Selector>`)
}

// rawCommand starts commandXML (an rsp:CommandLine's content) and returns
// the command id.
func rawCommand(t *testing.T, l *lab, shellID, commandXML string) string {
	t.Helper()
	body := `<rsp:CommandLine>` + commandXML + `</rsp:CommandLine>`
	r := rawPost(t, l, "uuid:c2", rawEnvelope("env", nsShell+"/Command", "uuid:c2", shellID,
		body), true)
	return find(t, r.body, `<rsp:CommandId>([0-9A-F-]{36})</rsp:CommandId>`)
}

// rawReceive sends one Receive for a command.
func rawReceive(t *testing.T, l *lab, shellID, commandID string) rawReply {
	t.Helper()
	body := `<rsp:Receive><rsp:DesiredStream CommandId="` + commandID +
		`">stdout stderr</rsp:DesiredStream></rsp:Receive>`
	return rawPost(t, l, "uuid:r1", rawEnvelope("env", nsShell+"/Receive", "uuid:r1", shellID,
		body), true)
}

// streamPattern matches one rsp:Stream with its name and base64 content.
var streamPattern = regexp.MustCompile(`<rsp:Stream Name="(std\w+)" CommandId="[^"]+">([^<]*)<`)

// receiveAll receives until Done and returns stdout, stderr, the exit code
// text and the size of the largest answer.
func receiveAll(t *testing.T, l *lab, shellID, commandID string) (string, string, string, int) {
	t.Helper()
	var stdout, stderr strings.Builder
	largest := 0
	for range 1000 {
		r := rawReceive(t, l, shellID, commandID)
		if r.status != http.StatusOK {
			t.Fatalf("receive: %d %s", r.status, r.body)
		}
		largest = max(largest, len(r.body))
		for _, m := range streamPattern.FindAllStringSubmatch(r.body, -1) {
			data, err := base64.StdEncoding.DecodeString(m[2])
			if err != nil {
				t.Fatalf("stream is not base64: %v", err)
			}
			if m[1] == "stdout" {
				stdout.Write(data)
			} else {
				stderr.Write(data)
			}
		}
		if n := strings.Count(r.body, "CommandState/Done"); n > 0 {
			if n != 1 {
				t.Errorf("wrong result\ngot:  %d Done states\nwant: 1", n)
			}
			code := find(t, r.body, `<rsp:ExitCode>(-?\d+)</rsp:ExitCode>`)
			return stdout.String(), stderr.String(), code, largest
		}
	}
	t.Fatalf("command never reported Done")
	return "", "", "", 0
}

func TestHandler_rawCommandLines(t *testing.T) {
	tests := []struct {
		name       string
		commandXML string
		wantStdout string
	}{
		{
			name:       "masterzen CDATA line",
			commandXML: `<rsp:Command><![CDATA[line a&b <c> "q"]]></rsp:Command>`,
			wantStdout: "line a&b <c> \"q\"\r\n",
		},
		{
			name: "pywinrm escaped joined arguments",
			commandXML: `<rsp:Command>line</rsp:Command>` +
				`<rsp:Arguments>get -path:smtpsvc/1&amp;x</rsp:Arguments>`,
			wantStdout: "line get -path:smtpsvc/1&x\r\n",
		},
		{
			name: "masterzen one CDATA per argument",
			commandXML: `<rsp:Command>line</rsp:Command><rsp:Arguments><![CDATA[get]]>` +
				`</rsp:Arguments><rsp:Arguments><![CDATA["-prop:36998"]]></rsp:Arguments>`,
			wantStdout: "line get \"-prop:36998\"\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, Config{Basic: true}, false)
			shellID := rawCreate(t, l)
			commandID := rawCommand(t, l, shellID, tt.commandXML)

			stdout, stderr, code, _ := receiveAll(t, l, shellID, commandID)
			if stdout != tt.wantStdout || stderr != "" || code != "0" {
				t.Errorf("wrong result\ngot:  %q %q %s\nwant: %q \"\" 0",
					stdout, stderr, code, tt.wantStdout)
			}
		})
	}
}

func TestHandler_chunkedOutput(t *testing.T) {
	l := startLab(t, Config{Basic: true}, false)
	shellID := rawCreate(t, l)
	commandID := rawCommand(t, l, shellID, `<rsp:Command>big 1048576 &amp; err e</rsp:Command>`)

	stdout, stderr, code, largest := receiveAll(t, l, shellID, commandID)
	if stdout != string(pattern(1<<20)) || stderr != "e\r\n" || code != "0" {
		t.Errorf("wrong result\ngot:  %d bytes, %q, %s\nwant: the 1 MiB pattern, \"e\\r\\n\", 0",
			len(stdout), stderr, code)
	}
	if largest >= maxEnvelope {
		t.Errorf("wrong result\ngot:  an answer of %d bytes\nwant: below %d", largest, maxEnvelope)
	}
}

func TestHandler_alwaysSucceeds(t *testing.T) {
	const unknown = "11111111-2222-4333-8444-555555555555"
	tests := []struct {
		name   string
		action string
		body   string
	}{
		{"signal unknown command", nsShell + "/Signal", `<rsp:Signal CommandId="` + unknown +
			`"><rsp:Code>` + uriTerminate + `</rsp:Code></rsp:Signal>`},
		{"send to unknown command", nsShell + "/Send", `<rsp:Send><rsp:Stream Name="stdin"` +
			` CommandId="` + unknown + `" End="true"/></rsp:Send>`},
		{"delete unknown shell", nsTransfer + "/Delete", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, Config{Basic: true}, false)
			r := rawPost(t, l, "uuid:x1", rawEnvelope("env", tt.action, "uuid:x1", unknown,
				tt.body), true)
			if r.status != http.StatusOK {
				t.Errorf("wrong result\ngot:  %d %s\nwant: 200", r.status, r.body)
			}
		})
	}
}

func TestHandler_faults(t *testing.T) {
	const unknown = "11111111-2222-4333-8444-555555555555"
	tests := []struct {
		name     string
		envelope string
		wantCode string
	}{
		{"receive in unknown shell", rawEnvelope("env", nsShell+"/Receive", "uuid:f1", unknown,
			`<rsp:Receive><rsp:DesiredStream CommandId="`+unknown+`"/></rsp:Receive>`),
			"2150858843"},
		{"command in unknown shell", rawEnvelope("env", nsShell+"/Command", "uuid:f1", unknown,
			`<rsp:CommandLine><rsp:Command>echo</rsp:Command></rsp:CommandLine>`), "2150858843"},
		{"unsupported action", rawEnvelope("env", nsTransfer+"/Get", "uuid:f1", "", ""),
			"2150858817"},
		{"broken XML", `<env:Envelope xmlns:env="` + nsSOAP + `"><env:Header><a:MessageID` +
			` xmlns:a="` + nsAddress + `">uuid:f1</a:MessageID></env:Header><env:Body>`,
			"2150858817"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, Config{Basic: true}, false)
			r := rawPost(t, l, "uuid:f1", tt.envelope, true)

			want := `Code="` + tt.wantCode + `"`
			if r.status != http.StatusInternalServerError || !strings.Contains(r.body, want) {
				t.Errorf("wrong result\ngot:  %d %s\nwant: 500 with %s", r.status, r.body, want)
			}
		})
	}
}

// uuidPattern matches the random ids of an answer, for golden files.
var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-` +
	`[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// checkGolden compares got, with ids masked, to testdata/name.golden, or
// rewrites the file under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	got = uuidPattern.ReplaceAllString(got, "UUID")
	got = strings.ReplaceAll(got, "><", ">\n<") + "\n"
	golden.Check(t, filepath.Join("testdata", name+".golden"), []byte(got))
}

func TestHandler_receiveGolden(t *testing.T) {
	l := startLab(t, Config{Basic: true, Computer: "MAIL01", MaxHold: 20 * time.Millisecond},
		false)
	shellID := rawCreate(t, l)

	// A command with no output yet: the hold ends in the OperationTimeout
	// fault.
	commandID := rawCommand(t, l, shellID, `<rsp:Command>sleep 1h</rsp:Command>`)
	r := rawReceive(t, l, shellID, commandID)
	if r.status != http.StatusInternalServerError {
		t.Errorf("wrong result\ngot:  %d\nwant: 500", r.status)
	}
	checkGolden(t, "receive_timeout", r.body)

	// A finished command: output, End streams, Done and the exit code.
	commandID = rawCommand(t, l, shellID, `<rsp:Command>echo hi &amp; err ho &amp; exit 4`+
		`</rsp:Command>`)
	stdout, stderr, code, _ := receiveAll(t, l, shellID, commandID)
	if stdout != "hi\r\n" || stderr != "ho\r\n" || code != "4" {
		t.Errorf("wrong result\ngot:  %q %q %s\nwant: \"hi\\r\\n\" \"ho\\r\\n\" 4",
			stdout, stderr, code)
	}
	r = rawReceive(t, l, shellID, commandID)
	checkGolden(t, "receive_done_again", r.body)
}

func TestHandler_unauthorized(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		auth bool
		want []string
	}{
		{"basic only, no credentials", Config{Basic: true}, false, []string{`Basic realm="WSMAN"`}},
		{"ntlm only, basic credentials", Config{NTLM: true}, true, []string{"Negotiate"}},
		{"both, no credentials", Config{Basic: true, NTLM: true}, false,
			[]string{"Negotiate", `Basic realm="WSMAN"`}},
		{"wrong account", Config{Basic: true, Username: "other", Password: "x"}, true,
			[]string{`Basic realm="WSMAN"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, tt.cfg, false)
			r := rawPost(t, l, "uuid:u1", rawEnvelope("env", nsTransfer+"/Create", "uuid:u1",
				"", ""), tt.auth)

			got := r.header.Values("WWW-Authenticate")
			if r.status != http.StatusUnauthorized || r.body != "" ||
				r.header.Get("Content-Type") != "" || strings.Join(got, "|") !=
				strings.Join(tt.want, "|") {
				t.Errorf("wrong result\ngot:  %d %q %q type %q\nwant: 401 %q, empty, no type",
					r.status, got, r.body, r.header.Get("Content-Type"), tt.want)
			}
		})
	}
}

func TestHandler_httpErrors(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string
		want   int
	}{
		{"get", http.MethodGet, "/wsman", http.StatusMethodNotAllowed},
		{"other path", http.MethodPost, "/other", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, Config{Basic: true}, false)
			url := strings.TrimSuffix(l.url(), "/wsman") + tt.path
			req, _ := http.NewRequest(tt.method, url, nil)
			req.SetBasicAuth(testUser, testPassword)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("wrong result\ngot:  %d\nwant: %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestHandler_close(t *testing.T) {
	l := startLab(t, Config{Basic: true, MaxHold: time.Hour}, false)
	l.runner.started = make(chan string, 1)
	shellID := rawCreate(t, l)
	commandID := rawCommand(t, l, shellID, `<rsp:Command>sleep 1h</rsp:Command>`)
	<-l.runner.started

	// A Receive blocks (the hold is an hour); Close must end it.
	done := make(chan rawReply, 1)
	go func() { done <- rawReceive(t, l, shellID, commandID) }()
	for l.h.Stats().Receive == 0 {
		time.Sleep(time.Millisecond)
	}
	l.h.Close()

	r := <-done
	if r.status != http.StatusInternalServerError || !strings.Contains(r.body, `Code="995"`) {
		t.Errorf("wrong result\ngot:  %d %s\nwant: 500 with Code=\"995\"", r.status, r.body)
	}
	after := rawPost(t, l, "uuid:z", rawEnvelope("env", nsTransfer+"/Create", "uuid:z", "", ""),
		true)
	if after.status != http.StatusServiceUnavailable {
		t.Errorf("wrong result\ngot:  %d\nwant: 503 after Close", after.status)
	}
}

func TestHandler_latency(t *testing.T) {
	l := startLab(t, Config{Basic: true, Latency: time.Hour}, false)

	// No answer, not even a 401, may come before the latency has passed:
	// the client gives up first.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, l.url(),
			strings.NewReader("x"))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		errs <- err
	}()
	for l.h.Stats().Total == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()

	if err := <-errs; !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("wrong result\ngot:  %v\nwant: no answer before cancellation", err)
	}
	if got := l.h.Stats(); got.Total != 1 || got.Unauthorized != 0 {
		t.Errorf("wrong result\ngot:  %+v\nwant: one request, no 401", got)
	}
}
