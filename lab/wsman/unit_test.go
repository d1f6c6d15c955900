package wsman

import (
	"bytes"
	"encoding/base64"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"PT60S", 60 * time.Second, false},
		{"PT20S", 20 * time.Second, false},
		{"PT60.000S", 60 * time.Second, false},
		{"PT0.5S", 500 * time.Millisecond, false},
		{"PT1M30S", 90 * time.Second, false},
		{"P1DT2H", 26 * time.Hour, false},
		{" pt5s ", 5 * time.Second, false},
		{"PT", 0, false},
		{"60", 0, true},
		{"P1M", 0, true},
		{"PTS", 0, true},
		{"PT1X", 0, true},
		{"PT1ST2S", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("wrong result\ngot:  %v, %v\nwant: %v, error %v", got, err, tt.want,
					tt.wantErr)
			}
		})
	}
}

func TestHoldFor(t *testing.T) {
	tests := []struct {
		name    string
		maxHold time.Duration
		timeout string
		want    time.Duration
	}{
		{"cap below timeout", 5 * time.Second, "PT20S", 5 * time.Second},
		{"margin below a short timeout", 5 * time.Second, "PT4S", 3 * time.Second},
		{"margin below a mid timeout", time.Minute, "PT20S", 18 * time.Second},
		{"no timeout means 60s", time.Hour, "", 58 * time.Second},
		{"unreadable timeout means 60s", time.Hour, "soon", 58 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := holdFor(tt.maxHold, tt.timeout); got != tt.want {
				t.Errorf("wrong result\ngot:  %v\nwant: %v", got, tt.want)
			}
		})
	}
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name     string
		envelope string
		wantOp   string
		wantLine string
		wantSent string
	}{
		{
			name: "soap prefix and entities",
			envelope: rawEnvelope("soap", nsShell+"/Command", "uuid:1", "abc",
				`<rsp:CommandLine><rsp:Command>mdutil</rsp:Command>`+
					`<rsp:Arguments>get -path:a&amp;b</rsp:Arguments></rsp:CommandLine>`),
			wantOp:   opCommand,
			wantLine: "mdutil get -path:a&b",
		},
		{
			name: "default namespaces instead of prefixes",
			envelope: `<Envelope xmlns="` + nsSOAP + `"><Header>` +
				`<Action xmlns="` + nsAddress + `">` + nsShell + `/Command</Action>` +
				`</Header><Body><CommandLine xmlns="` + nsShell + `"><Command>` +
				`<![CDATA[echo <x>]]></Command></CommandLine></Body></Envelope>`,
			wantOp:   opCommand,
			wantLine: "echo <x>",
		},
		{
			name: "send chunks",
			envelope: rawEnvelope("env", nsShell+"/Send", "uuid:1", "abc",
				`<rsp:Send><rsp:Stream Name="stdin" CommandId="c">aGk=</rsp:Stream>`+
					`<rsp:Stream Name="stdin" CommandId="c" End="true"/></rsp:Send>`),
			wantOp:   opSend,
			wantSent: "aGk=|end",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := parseRequest([]byte(tt.envelope))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var sent []string
			for _, s := range req.streams {
				sent = append(sent, s.data)
				if s.end {
					sent[len(sent)-1] += "end"
				}
			}
			got := []string{req.op, req.line(), strings.Join(sent, "|")}
			want := []string{tt.wantOp, tt.wantLine, tt.wantSent}
			if !slices.Equal(got, want) {
				t.Errorf("wrong result\ngot:  %q\nwant: %q", got, want)
			}
		})
	}
}

func TestParseRequest_rejects(t *testing.T) {
	tests := []struct {
		name     string
		envelope string
	}{
		{"not xml", "hello"},
		{"soap 1.1 envelope", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">` +
			`</s:Envelope>`},
		{"no action", `<e:Envelope xmlns:e="` + nsSOAP + `"><e:Header/><e:Body/></e:Envelope>`},
		{"truncated", rawEnvelope("env", nsTransfer+"/Create", "uuid:1", "", "")[:200]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseRequest([]byte(tt.envelope)); err == nil {
				t.Errorf("wrong result\ngot:  no error\nwant: an error")
			}
		})
	}
}

func TestCredentialsMatch(t *testing.T) {
	cfg := &Config{Username: "Administrator", Password: "pw"}
	tests := []struct {
		user, password string
		want           bool
	}{
		{"Administrator", "pw", true},
		{"administrator", "pw", true},
		{`MAIL01\ADMINISTRATOR`, "pw", true},
		{"administrator@corp.example", "pw", true},
		{"Administrator", "PW", false},
		{"Administrator", "", false},
		{"Admin", "pw", false},
		{"", "pw", false},
	}
	for _, tt := range tests {
		t.Run(tt.user+":"+tt.password, func(t *testing.T) {
			if got := credentialsMatch(cfg, tt.user, tt.password); got != tt.want {
				t.Errorf("wrong result\ngot:  %v\nwant: %v", got, tt.want)
			}
		})
	}
	if credentialsMatch(&Config{}, "", "") {
		t.Errorf("wrong result\ngot:  match\nwant: no account matches nobody")
	}
}

func TestVerifyAuthenticate(t *testing.T) {
	tests := []struct {
		name     string
		user     string
		password string
		want     bool
	}{
		{"right", "Administrator", "pw", true},
		{"user in other case", "ADMINISTRATOR", "pw", true},
		{"domain prefix", `CORP\administrator`, "pw", true},
		{"principal name", "administrator@corp.example", "pw", true},
		{"wrong password", "Administrator", "pW", false},
		{"wrong user", "Guest", "pw", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			challenge, msg2 := newChallengeMessage("MAIL01", "CORP")
			user, _ := ntlmssp.GetDomain(tt.user)
			msg3, err := ntlmssp.ProcessChallenge(msg2, user, tt.password)
			if err != nil {
				t.Fatalf("client rejected the challenge: %v", err)
			}
			if got := verifyAuthenticate(msg3, challenge, "administrator", "pw"); got != tt.want {
				t.Errorf("wrong result\ngot:  %v\nwant: %v", got, tt.want)
			}
		})
	}
}

func TestVerifyAuthenticate_malformed(t *testing.T) {
	challenge, msg2 := newChallengeMessage("MAIL01", "CORP")
	good, err := ntlmssp.ProcessChallenge(msg2, "Administrator", "pw")
	if err != nil {
		t.Fatalf("client rejected the challenge: %v", err)
	}

	// A 24-byte (NTLMv1) response in place of the NTLMv2 one.
	v1 := bytes.Clone(good)
	v1[20], v1[21] = 24, 0

	// A field pointing past the end of the message.
	outside := bytes.Clone(good)
	outside[24], outside[25] = 0xff, 0xff

	tests := []struct {
		name      string
		msg       []byte
		challenge []byte
	}{
		{"other challenge", good, []byte("12345678")},
		{"ntlmv1 length", v1, challenge},
		{"field outside message", outside, challenge},
		{"truncated", good[:40], challenge},
		{"type 1", append(bytes.Clone(ntlmSignature), 1, 0, 0, 0), challenge},
		{"empty", nil, challenge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if verifyAuthenticate(tt.msg, tt.challenge, "Administrator", "pw") {
				t.Errorf("wrong result\ngot:  accepted\nwant: rejected")
			}
		})
	}
}

func TestChallengeMessage(t *testing.T) {
	challenge, msg := newChallengeMessage("MAIL01", "CORP")
	if ntlmType(msg) != 2 || !bytes.Equal(msg[24:32], challenge) {
		t.Fatalf("wrong result\ngot:  %s\nwant: a type 2 message with the challenge",
			base64.StdEncoding.EncodeToString(msg))
	}
	flags := uint32(msg[20]) | uint32(msg[21])<<8 | uint32(msg[22])<<16 | uint32(msg[23])<<24
	if flags&0x40000000 != 0 || flags&0x80 != 0 {
		t.Errorf("wrong result\ngot:  flags %#x\nwant: neither KEY_EXCH nor LM_KEY", flags)
	}
	if got := decodeString(field(msg, 12), true); got != "CORP" {
		t.Errorf("wrong result\ngot:  target %q\nwant: %q", got, "CORP")
	}
}

func TestHandler_idleCost(t *testing.T) {
	const n = 1000
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()

	handlers := make([]*Handler, n)
	for i := range handlers {
		handlers[i] = NewHandler(Config{Username: "u", Password: "p", Basic: true},
			&testRunner{})
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	perHandler := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	if perHandler > 4096 {
		t.Errorf("wrong result\ngot:  %d bytes per idle Handler\nwant: at most 4096", perHandler)
	}
	if got := runtime.NumGoroutine(); got > goroutines {
		t.Errorf("wrong result\ngot:  %d goroutines\nwant: at most %d (none per Handler)",
			got, goroutines)
	}
	t.Logf("%d bytes per idle Handler", perHandler)
	runtime.KeepAlive(handlers)
}
