package iis

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/lab/wsman"
	"github.com/smtpverbs/smtpverbs/providers"
)

// serveWinRM starts a real WinRM server (lab/wsman) on loopback whose
// commands are answered by run, and returns the connection to reach it.
func serveWinRM(t *testing.T, cfg wsman.Config, run wsman.RunnerFunc) (*wsman.Handler, string,
	providers.Connection) {

	t.Helper()
	h := wsman.NewHandler(cfg, run)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := h.Server(nil)
	go srv.Serve(l)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	conn := providers.Connection{
		Port:     l.Addr().(*net.TCPAddr).Port,
		Username: cfg.Username,
		Password: cfg.Password,
		Timeout:  30 * time.Second,
	}
	return h, "127.0.0.1", conn
}

// echoRunner prints the command line on stdout and "err" on stderr, and
// exits with 3.
func echoRunner(_ context.Context, line string, _ io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "ran: %s\r\n", line)
	fmt.Fprint(stderr, "err\r\n")
	return 3
}

func TestWinRMShell_run(t *testing.T) {
	for _, auth := range []string{"basic", "ntlm"} {
		t.Run(auth, func(t *testing.T) {
			cfg := wsman.Config{Username: "Administrator", Password: secret,
				Basic: auth == "basic", NTLM: auth == "ntlm"}
			h, addr, conn := serveWinRM(t, cfg, echoRunner)
			conn.Auth = auth

			sh, err := openShell(context.Background(), addr, conn)
			if err != nil {
				t.Fatal(err)
			}
			res, err := sh.Run(context.Background(), `echo a & "C:\x y\z.exe" -p:1`)
			if err != nil {
				t.Fatal(err)
			}
			want := cmdResult{Stdout: "ran: echo a & \"C:\\x y\\z.exe\" -p:1\r\n",
				Stderr: "err\r\n", Exit: 3}
			if res != want {
				t.Errorf("wrong result\ngot: %#v\nwant: %#v", res, want)
			}
			if err := sh.Close(); err != nil {
				t.Fatal(err)
			}

			// One command costs Create, Command, Receive, Signal and Delete.
			st := h.Stats()
			got := []int{sh.Requests(), st.Create, st.Command, st.Receive, st.Signal, st.Delete}
			if want := []int{5, 1, 1, 1, 1, 1}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("wrong requests (ours, create, command, receive, signal, delete)"+
					"\ngot: %v\nwant: %v", got, want)
			}
		})
	}
}

func TestWinRMShell_cancel(t *testing.T) {
	started := make(chan struct{})
	block := func(ctx context.Context, _ string, _ io.Reader, _, _ io.Writer) int {
		close(started)
		<-ctx.Done()
		return 1
	}
	_, addr, conn := serveWinRM(t, wsman.Config{Username: "u", Password: secret, Basic: true,
		MaxHold: time.Second}, block)
	sh, err := openShell(context.Background(), addr, conn)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	if _, err := sh.Run(ctx, "wait"); !errors.Is(err, context.Canceled) {
		t.Fatalf("wrong error\ngot: %v\nwant: %v", err, context.Canceled)
	}

	// The abandoned shell refuses further work instead of hanging.
	if _, err := sh.Run(context.Background(), "echo"); err == nil ||
		!strings.Contains(err.Error(), "open a new session") {
		t.Errorf("wrong error\ngot: %v\nwant: the session was given up", err)
	}
	if err := sh.Close(); err != nil {
		t.Errorf("Close of an abandoned shell: %v", err)
	}
}

func TestWinRMShell_longCommand(t *testing.T) {
	// A command quieter than the server's hold gets OperationTimeout
	// faults, which the client must retry rather than fail on.
	slow := func(ctx context.Context, _ string, _ io.Reader, stdout, _ io.Writer) int {
		select {
		case <-time.After(1500 * time.Millisecond):
		case <-ctx.Done():
		}
		fmt.Fprint(stdout, "done\r\n")
		return 0
	}
	h, addr, conn := serveWinRM(t, wsman.Config{Username: "u", Password: secret, Basic: true,
		MaxHold: 200 * time.Millisecond}, slow)
	sh, err := openShell(context.Background(), addr, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	res, err := sh.Run(context.Background(), "slow")
	if err != nil || res.Stdout != "done\r\n" {
		t.Fatalf("wrong result\ngot: %q, %v\nwant: done", res.Stdout, err)
	}
	if h.Stats().Timeouts == 0 {
		t.Errorf("wrong result\ngot: no OperationTimeout fault\nwant: at least one")
	}
}

func TestWinRMShell_fault(t *testing.T) {
	tests := []struct {
		op       string
		code     uint32
		wantKind providers.Kind
		wantErr  string
	}{
		{"Create", 0, providers.KindAuth, "WinRM fault 2147942405"},
		{"Command", 2150858843, providers.KindFailed, "WinRM fault 2150858843"},
		{"Receive", 0, providers.KindAuth, "WinRM fault 2147942405"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			_, addr, conn := serveWinRM(t, wsman.Config{Username: "u", Password: secret,
				Basic: true, Fault: &wsman.Fault{Op: tt.op, Code: tt.code}}, echoRunner)
			sh, err := openShell(context.Background(), addr, conn)
			if err == nil {
				defer sh.Close()
				_, err = sh.Run(context.Background(), "echo")
			}
			if err == nil {
				t.Fatal("no error")
			}
			he := classify("mail01", conn, err)
			if he.Kind != tt.wantKind || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("wrong error\ngot: %v (%s)\nwant: %s %q", err, he.Kind, tt.wantKind,
					tt.wantErr)
			}
		})
	}
}

func TestValidCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	twice := append(bytes.Clone(ca), ca...)

	// The order matters: each check may meet the content the one before
	// remembered.
	tests := []struct {
		name string
		pem  []byte
		want bool
	}{
		{"first check", ca, true},
		{"same content again", bytes.Clone(ca), true},
		{"junk after a valid one", []byte("junk"), false},
		{"prefix of a valid one", ca[:len(ca)/2], false},
		{"other content", twice, true},
		{"the first again", ca, true},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validCA(tt.pem); got != tt.want {
				t.Errorf("wrong result\ngot:  %v\nwant: %v", got, tt.want)
			}
		})
	}
}

func TestAppendOutput(t *testing.T) {
	tests := []struct {
		name         string
		sofar, chunk []byte
		want         string
	}{
		{"first chunk", nil, []byte("a"), "a"},
		{"later chunk", []byte("a"), []byte("b"), "ab"},
		{"empty chunk", []byte("a"), nil, "a"},
		{"nothing yet", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendOutput(tt.sofar, tt.chunk)); got != tt.want {
				t.Errorf("wrong result\ngot:  %q\nwant: %q", got, tt.want)
			}
		})
	}
}
