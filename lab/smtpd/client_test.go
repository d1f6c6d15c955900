package smtpd

import (
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// pythonClient talks to the server with Python's smtplib, a client written
// by someone else, and prints what it saw as JSON.
const pythonClient = `
import json, smtplib, sys
host, port = sys.argv[1], int(sys.argv[2])
s = smtplib.SMTP(timeout=30)
out = {"banner": s.connect(host, port)[1].decode()}
code, _ = s.ehlo("client.example")
out["ehlo_code"] = code
out["features"] = sorted(s.esmtp_features.keys())
out["vrfy"] = list(s.verify("administrator"))
out["vrfy"][1] = out["vrfy"][1].decode()
for v in ("TURN", "ETRN corp.example"):
    c, m = s.docmd(v)
    out[v.split()[0]] = [c, m.decode()]
# sendmail returns the refused recipients when at least one was accepted.
refused = s.sendmail("a@b.example", ["x@corp.example", "y@far.example"],
                     "Subject: lab\r\n\r\nbody\r\n.leading dot\r\n")
out["refused"] = {k: [v[0], v[1].decode()] for k, v in refused.items()}
out["quit"] = s.quit()[0]
print(json.dumps(out))
`

func TestServer_pythonSmtplib(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/python3"); err != nil {
		t.Skip("/usr/bin/python3 is not installed (Debian package python3)")
	}
	srv := start(t, Config{Version: "10.0.17763.1697", Flags: verb.SchemaDefault &^ 0x400})
	host, port, _ := strings.Cut(srv.Addr(), ":")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "/usr/bin/python3", "-c", pythonClient,
		host, port).CombinedOutput()
	if err != nil {
		t.Fatalf("python smtplib client: %v\n%s", err, out)
	}

	var got struct {
		Banner   string
		EhloCode int `json:"ehlo_code"`
		Features []string
		Vrfy     []any
		TURN     []any
		ETRN     []any
		Refused  map[string][]any
		Quit     int
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode client output: %v\n%s", err, out)
	}

	checks := []struct {
		name      string
		got, want any
	}{
		{"banner", strings.HasPrefix(got.Banner, "mail01.corp.example Microsoft ESMTP MAIL "+
			"Service, Version: 10.0.17763.1697 ready at  "), true},
		{"ehlo code", got.EhloCode, 250},
		// smtplib takes IIS's closing "250 OK" for a keyword too.
		{"features", got.Features, []string{"8bitmime", "binarymime", "chunking", "dsn",
			"enhancedstatuscodes", "etrn", "ok", "pipelining", "size", "vrfy"}},
		{"vrfy", got.Vrfy, []any{252.0, "2.1.5 Cannot VRFY user, but will take message " +
			"for <administrator@mail01.corp.example>"}},
		{"turn", got.TURN, []any{500.0, "5.3.3 Unrecognized command"}},
		{"etrn", got.ETRN, []any{250.0, "2.0.0 Queuing for corp.example started"}},
		{"refused", got.Refused, map[string][]any{
			"y@far.example": {550.0, "5.7.1 Unable to relay for y@far.example"}}},
		{"quit", got.Quit, 221},
	}
	for _, c := range checks {
		gj, _ := json.Marshal(c.got)
		wj, _ := json.Marshal(c.want)
		if string(gj) != string(wj) {
			t.Errorf("wrong result for %s\ngot:  %s\nwant: %s", c.name, gj, wj)
		}
	}
}

func TestServer_swaks(t *testing.T) {
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Skip("swaks is not installed (Debian package swaks)")
	}
	srv := start(t, Config{Version: "6.0.3790.3959", Flags: verb.SchemaDefault})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "swaks", "--server", srv.Addr(),
		"--from", "a@b.example", "--to", "x@corp.example", "--helo", "client.example",
		"--body", "hello from swaks", "--pipeline").CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}

	// swaks prefixes server lines with "<-" (or "<** " for errors).
	var got []string
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "<-"); ok {
			got = append(got, strings.TrimSpace(rest))
		}
	}
	wants := []string{
		"250-TURN",
		"250 2.1.0 a@b.example....Sender OK",
		"250 2.1.5 x@corp.example",
		"354 Start mail input; end with <CRLF>.<CRLF>",
		"221 2.0.0 mail01.corp.example Service closing transmission channel",
	}
	for _, w := range wants {
		if !slices.Contains(got, w) {
			t.Errorf("wrong result\ngot:  %q\nwant: a line %q", got, w)
		}
	}
	if !slices.ContainsFunc(got, func(l string) bool {
		return strings.HasPrefix(l, "250 2.6.0 <MAIL01") &&
			strings.HasSuffix(l, "> Queued mail for delivery")
	}) {
		t.Errorf("wrong result\ngot:  %q\nwant: a 250 2.6.0 ... Queued mail line", got)
	}
}
