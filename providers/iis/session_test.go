package iis

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/providers"
)

// fakeShell is a remoteShell that answers from a function, for the pure
// decision logic of Read and Write. The real shell is tested end to end.
type fakeShell struct {
	answer func(cmd string) cmdResult
	cmds   []string
}

func (f *fakeShell) Run(_ context.Context, cmd string) (cmdResult, error) {
	f.cmds = append(f.cmds, cmd)
	return f.answer(cmd), nil
}

func (f *fakeShell) Requests() int { return 3 * len(f.cmds) }
func (f *fakeShell) Close() error  { return nil }

// oneInstance is an mdutil enumeration with one instance set to value.
func oneInstance(value string) string {
	return "[/smtpsvc/1]\nKeyType : [S] (STRING) \"IIsSmtpServer\"\n" +
		"ServerBindings : [IS] (MULTISZ) \":25:\"\n36998 : [IS] (DWORD) " + value + "\n"
}

func TestSession_Write(t *testing.T) {
	before := fakeRead{ver: ver2019, smtpsvc: scRunning, mdutil: oneInstance("0x7574c1")}
	changed := fakeRead{ver: ver2019, smtpsvc: scRunning, mdutil: oneInstance("0x757041")}
	write := []providers.Write{{Instance: 1, Value: 0x757041}}

	tests := []struct {
		name          string
		before        fakeRead
		restart       bool
		writeOut      string // the write part of the output, before the re-read
		stderr        string
		after         fakeRead
		wantRestarted bool
		wantNetStop   bool
		wantErr       string // "" for success
		wantRemedy    string
	}{
		{name: "written and restarted", before: before, restart: true,
			writeOut: "36998 : [IS] (DWORD) 0x757041={7696449}\n--smtpverbs-written--\n" +
				"--smtpverbs-stopped--\n--smtpverbs-started--\n",
			after: changed, wantRestarted: true, wantNetStop: true},
		{name: "stopped service is not started",
			before:  fakeRead{ver: ver2019, smtpsvc: scStopped, mdutil: oneInstance("0x7574c1")},
			restart: true, writeOut: "--smtpverbs-written--\n", after: changed},
		{name: "not sticky", before: before, restart: true,
			writeOut: "--smtpverbs-written--\n--smtpverbs-stopped--\n--smtpverbs-started--\n",
			after:    before, wantRestarted: true, wantNetStop: true,
			wantErr: "value did not stick on /LM/SmtpSvc/1: wrote 0x757041, read 0x7574c1"},
		{name: "access denied", before: before, restart: true,
			writeOut: "", stderr: "Error: SetData - HRES(0x80070005) E_ACCESSDENIED\r\n",
			after: before, wantNetStop: true,
			wantErr:    "write /LM/SmtpSvc/1: Error: SetData - HRES(0x80070005)",
			wantRemedy: "local Administrators"},
		{name: "start fails", before: before, restart: true,
			writeOut: "--smtpverbs-written--\n--smtpverbs-stopped--\n",
			stderr: "The Simple Mail Transfer Protocol (SMTP) service could not be started." +
				"\r\n\r\nSystem error 1067 has occurred.\r\n",
			after: changed, wantNetStop: true,
			wantErr:    "SMTPSVC did not start again after the write: The Simple Mail",
			wantRemedy: "net start smtpsvc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh := &fakeShell{answer: func(cmd string) cmdResult {
				if strings.HasPrefix(cmd, marker(secWrite)) {
					return cmdResult{Stdout: crlf(markerPrefix+secWrite+"--\n"+tt.writeOut) +
						tt.after.output(autoTools), Stderr: tt.stderr}
				}
				return cmdResult{Stdout: tt.before.output(autoTools)}
			}}
			s := &session{name: "mail01", tools: autoTools, shell: sh}

			res, err := s.Write(context.Background(),
				providers.WriteRequest{Writes: write, Restart: tt.restart})
			if len(sh.cmds) != 2 {
				t.Fatalf("wrong number of commands\ngot: %d\nwant: 2 (read, write)", len(sh.cmds))
			}
			if got := strings.Contains(sh.cmds[1], "net stop smtpsvc"); got != tt.wantNetStop {
				t.Errorf("wrong restart in command\ngot: %v\nwant: %v", got, tt.wantNetStop)
			}
			if res == nil || res.Restarted != tt.wantRestarted ||
				!strings.Contains(res.Transcript, "--smtpverbs-write--") {
				t.Fatalf("wrong result\ngot: %+v\nwant: Restarted %v and a transcript",
					res, tt.wantRestarted)
			}

			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if res.After == nil || res.After.Instances[0].Value != 0x757041 {
					t.Errorf("wrong result\ngot: %+v\nwant: After with 0x757041", res.After)
				}
				return
			}
			var he *providers.HostError
			if !errors.As(err, &he) || he.Kind != providers.KindFailed ||
				!strings.Contains(err.Error(), tt.wantErr) ||
				!strings.Contains(he.Remedy, tt.wantRemedy) {
				t.Errorf("wrong error\ngot: %#v\nwant: KindFailed %q, remedy %q",
					err, tt.wantErr, tt.wantRemedy)
			}
		})
	}
}

func TestSession_Write_refused(t *testing.T) {
	exchange := fakeRead{ver: ver2003, smtpsvc: scRunning,
		resvc: "SERVICE_NAME: RESvc\n STATE : 4 RUNNING\n", mdutil: oneInstance("0x7574c1")}
	plain := fakeRead{ver: ver2019, smtpsvc: scRunning, mdutil: oneInstance("0x7574c1")}
	tests := []struct {
		name     string
		read     fakeRead
		writes   []providers.Write
		wantKind providers.Kind
		wantErr  string
	}{
		{"Exchange host", exchange, []providers.Write{{Instance: 1, Value: 0x757041}},
			providers.KindUnmanageable, "Exchange Server 2003 is installed"},
		{"unknown instance", plain, []providers.Write{{Instance: 4, Value: 0x757041}},
			providers.KindFailed, "virtual server /LM/SmtpSvc/4 was not read on this host " +
				"(found: /LM/SmtpSvc/1)"},
		{"nothing to write", plain, nil, providers.KindFailed, "no values to write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh := &fakeShell{answer: func(string) cmdResult {
				return cmdResult{Stdout: tt.read.output(autoTools)}
			}}
			s := &session{name: "mail01", tools: autoTools, shell: sh}
			_, err := s.Write(context.Background(),
				providers.WriteRequest{Writes: tt.writes, Restart: true})
			if providers.KindOf(err) != tt.wantKind || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("wrong error\ngot: %v (%s)\nwant: %s %q", err, providers.KindOf(err),
					tt.wantKind, tt.wantErr)
			}
			for _, c := range sh.cmds {
				if strings.Contains(c, "-prop:36998") {
					t.Errorf("a write was attempted: %s", c)
				}
			}
		})
	}
}

func TestSession_Read_keepsHostInErrors(t *testing.T) {
	sh := &fakeShell{answer: func(string) cmdResult {
		return cmdResult{Stdout: fakeRead{ver: ver2019, smtpsvc: scRunning,
			mdutil: oneInstance("0x7574c1")}.output(autoTools)}
	}}
	s := &session{name: "mail01", tools: autoTools, shell: sh,
		host: providers.Host{VirtualServers: []int{2}}}
	_, err := s.Read(context.Background())
	var he *providers.HostError
	if !errors.As(err, &he) || he.Host != "mail01" ||
		!strings.Contains(he.Remedy, "virtual_servers") {
		t.Errorf("wrong error\ngot: %#v\nwant: a HostError for mail01 naming virtual_servers", err)
	}
}
