package command

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab"
	"github.com/smtpverbs/smtpverbs/lab/smtpd"
	"github.com/smtpverbs/smtpverbs/verb"
)

// labSMTP starts a lab IIS SMTP service with flags and returns its address.
func labSMTP(t *testing.T, flags verb.Flags) string {
	t.Helper()
	srv, err := smtpd.Listen(context.Background(), "127.0.0.1:0",
		smtpd.Config{Hostname: "mail01.corp.example", Version: "10.0.17763.1697", Flags: flags})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.Addr()
}

// deadAddr returns a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestScanCommand(t *testing.T) {
	open := labSMTP(t, verb.SchemaDefault)
	clean := labSMTP(t, verb.SchemaDefault&^0x480)
	dead := deadAddr(t)

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    []string
		wantStderr string
	}{
		{"findings", []string{"scan", open}, ExitChanges,
			[]string{"[high] SV-TURN  TURN is advertised", "[medium] SV-ETRN",
				"Scanned 1 target: 1 with findings, 0 clean, 0 failed."}, ""},
		{"clean", []string{"scan", "-relay", clean}, ExitOK,
			[]string{"[info] SV-NOTLS", "Relay:   550 5.7.1 Unable to relay",
				"Scanned 1 target: 0 with findings, 1 clean, 0 failed."}, ""},
		{"clean without TLS check", []string{"scan", "-starttls=false", clean}, ExitOK,
			[]string{"Scanned 1 target: 0 with findings, 1 clean, 0 failed."}, ""},
		{"error wins", []string{"scan", "-timeout", "5s", open, dead}, ExitFailure,
			[]string{"Error: connect to " + dead, "1 with findings, 0 clean, 1 failed."}, ""},
		{"no target", []string{"scan"}, ExitFailure, nil, "no TARGET given"},
		{"bad timeout", []string{"scan", "-timeout", "0s", open}, ExitFailure, nil,
			"-timeout 0s: give a positive duration"},
		{"bad parallelism", []string{"scan", "-parallelism", "0", open}, ExitFailure, nil,
			"-parallelism 0: give 1 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, stdout, stderr := configEnv(nil)
			code := Main(tt.args, env)
			if code != tt.wantCode {
				t.Errorf("wrong exit code\ngot:  %d\nwant: %d\nstdout:\n%s\nstderr:\n%s", code,
					tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("wrong output\ngot:\n%s\nwant a line with: %q", stdout, w)
				}
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("wrong stderr\ngot:  %q\nwant: containing %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestScanCommand_json(t *testing.T) {
	open := labSMTP(t, verb.SchemaDefault)
	env, stdout, _ := configEnv(nil)
	code := Main([]string{"scan", "-json", "-helo", "probe.example", "-etrn-domain",
		"shop.example", open}, env)
	if code != ExitChanges {
		t.Errorf("wrong exit code\ngot:  %d\nwant: %d", code, ExitChanges)
	}

	var doc struct {
		FormatVersion string `json:"format_version"`
		Results       []struct {
			Transcript []struct{ Dir, Text string }
			Verbs      map[string]struct {
				Command string
				Code    int
			}
			Findings []struct{ ID string }
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	r := doc.Results[0]
	if doc.FormatVersion != "1" || r.Transcript[1].Text != "EHLO probe.example" ||
		r.Verbs["ETRN"].Command != "ETRN shop.example" || r.Findings[0].ID != "SV-TURN" {
		t.Errorf("wrong result\ngot:  %+v", doc)
	}
}

// TestScanCommand_config scans the servers of a lab's configuration when no
// TARGET is given, honouring -chdir, -target and -var.
func TestScanCommand_config(t *testing.T) {
	l := startCommandLab(t,
		lab.HostSpec{Name: "mail01"},
		lab.HostSpec{Name: "mail02", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: v32(0x757041)}}},
	)
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	mail01, mail02 := l.Host("mail01").SMTP, l.Host("mail02").SMTP

	runMain(t, "", false, "scan", "-starttls=false").check(t, ExitChanges,
		mail01+"\n", mail02+"\n", "SV-TURN",
		"Scanned 2 targets: 1 with findings, 1 clean, 0 failed.")

	r := runMain(t, "", false, "scan", "-starttls=false", "-target=mail02",
		"-var=lab_password=unused")
	r.check(t, ExitOK, "Scanned 1 target: 0 with findings, 1 clean, 0 failed.")
	if strings.Contains(r.stdout, mail01) {
		t.Errorf("wrong result\ngot:  %s scanned\nwant: only %s\n%s", mail01, mail02, r.stdout)
	}

	runMain(t, "", false, "scan", "-target=mail09").check(t, ExitFailure, "mail09")
	runMain(t, "", false, "scan", "-var=nosuch=1").check(t, ExitFailure, "nosuch")
	runMain(t, "", false, "scan", "-target=mail01", mail01).check(t, ExitFailure,
		"drop the TARGET arguments")

	// From elsewhere, -chdir finds the configuration.
	t.Chdir(t.TempDir())
	runMain(t, "", false, "scan", "-starttls=false").check(t, ExitFailure,
		"no TARGET given and no *.smtp.hcl file here")
	runMain(t, "", false, "-chdir="+dir, "scan", "-starttls=false", "-target=mail01").
		check(t, ExitChanges, "Scanned 1 target: 1 with findings, 0 clean, 0 failed.")
}
